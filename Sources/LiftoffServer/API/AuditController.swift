import Foundation
import Hummingbird
import LiftoffAPI
import LiftoffCore
import LiftoffStore

/// `GET /v1/audit`: the append-only log of state changes, newest first, paged by sequence.
struct AuditController {
    let store: any Store

    func addRoutes(to routes: inout ScopedRoutes) {
        let store = self.store
        routes.add(.get, "/v1/audit", scope: .admin, query: ["limit", "before", "action"]) { request, _, _ in
            let parameters = request.uri.queryParameters
            let limit = try parameters.get("limit").map { text -> Int in
                guard let value = Int(text), (1...1000).contains(value) else { throw APIError.badRequest("limit: must be 1 to 1000") }
                return value
            } ?? 100
            let before = try parameters.get("before").map { text -> Int in
                guard let value = Int(text) else { throw APIError.badRequest("before: must be a sequence number") }
                return value
            }
            let entries = try await store.auditLog(limit: limit, before: before, action: parameters.get("action"))
            let page = AuditPage(
                entries: entries.map { AuditEntryView(sequence: $0.sequence ?? 0, at: $0.at, actor: $0.actor, action: $0.action,
                                             reason: $0.reason, before: $0.before, after: $0.after) },
                next: entries.count == limit ? entries.last?.sequence : nil)
            return try JSONBody.response(page)
        }
    }
}
