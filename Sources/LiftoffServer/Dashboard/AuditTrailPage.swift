import Foundation
import LiftoffAPI
import LiftoffStore

/// The audit page's model: a page of the log, newest first, and where the next older page starts.
struct AuditTrailPage {
    static let pageSize = 200

    var entries: [AuditEntry]

    /// The sequence number the next older page is read before; nil when this page holds the oldest entry.
    var olderBefore: Int? { entries.count == Self.pageSize ? entries.last?.sequence : nil }

    /// The newest `pageSize` entries, or those before the sequence number `before` (the overview's decisions link
    /// to an entry that way).
    static func read(before: Int?, store: any Store) async throws -> AuditTrailPage {
        AuditTrailPage(entries: try await store.auditLog(limit: pageSize, before: before, action: nil))
    }

    /// Each row's anchor is `audit-<sequence>`.
    func render() -> HTML {
        var html = HTML.element("h1", [:], .text("Audit log"))
        html.append(DashboardLayout.table(["#", "when", "actor", "action", "reason", "after"], entries.map {
            [.element("span", ["id": "audit-\($0.sequence ?? 0)"], .text(String($0.sequence ?? 0))), .text(DashboardLayout.time($0.at)),
             .text($0.actor), .text($0.action), .text($0.reason ?? ""), .text($0.after ?? "")]
        }))
        if let olderBefore {
            html.append(.element("p", [:], .element("a", ["href": "\(DashboardPath.audit.rawValue)?before=\(olderBefore)"], .text("Older entries"))))
        }
        return html
    }
}
