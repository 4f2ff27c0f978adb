import Foundation
import LiftoffAPI
import Hummingbird
import LiftoffCore

/// `/v1/keys` (admin): create, list without secrets, revoke at once.
struct KeysController {
    let administration: KeyAdministration
    let keys: KeyRing

    func addRoutes(to routes: inout ScopedRoutes) {
        let administration = self.administration
        let keys = self.keys
        routes.add(.post, "/v1/keys", scope: .admin) { request, _, key in
            let body = try await RequestJSON.decode(CreateKeyRequest.self, from: request)
            guard let scope = Scope(rawValue: body.scope) else {
                throw APIError.badRequest("scope: '\(body.scope)' is not one of ingest, read, operate, admin")
            }
            let expiresAt = try body.expiresAt.map { text -> Date in
                guard let date = Timestamp.parse(text) else { throw APIError.badRequest("expiresAt: '\(text)' is not an RFC 3339 time") }
                return date
            }
            let created = try await administration.create(name: body.name, scope: scope, rateLimit: body.rateLimit,
                                                          expiresAt: expiresAt, actor: key.name)
            try await keys.reload()
            return try JSONBody.response(created, status: .created)
        }
        routes.add(.get, "/v1/keys", scope: .admin) { _, _, _ in
            try JSONBody.response(KeyList(keys: try await administration.list()))
        }
        routes.add(.delete, "/v1/keys/{id}", scope: .admin, query: ["reason"]) { request, context, key in
            guard let id = context.parameters.get("id") else { throw APIError.notFound("no key id given") }
            try await administration.revoke(id: id, actor: key.name, reason: request.uri.queryParameters.get("reason"))
            try await keys.reload()
            return try JSONBody.response(RevokedKey(revoked: id))
        }
    }
}
