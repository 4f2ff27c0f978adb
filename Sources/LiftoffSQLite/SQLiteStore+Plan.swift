import Foundation
import GRDB
import LiftoffCore
import LiftoffStore

extension SQLiteStore {
    public func livePlan() async throws -> PlanVersionRecord? {
        try await planVersions(limit: 1).first
    }

    public func planVersions(limit: Int) async throws -> [PlanVersionRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT number, text, sha256, actor, reason, applied_at FROM plan_versions ORDER BY number DESC LIMIT ?
                """, arguments: [limit]).map { row in
                PlanVersionRecord(number: row["number"], text: row["text"], sha256: row["sha256"], actor: row["actor"],
                                  reason: row["reason"], appliedAt: Milliseconds.date(row["applied_at"]))
            }
        }
    }

    public func applyPlan(text: String, sha256: String, expectedLive: Int?, actor: String, reason: String?, at date: Date,
                          audit: AuditEntry) async throws -> PlanVersionRecord {
        try await pool.write { db in
            let live = try Int.fetchOne(db, sql: "SELECT MAX(number) FROM plan_versions")
            guard live == expectedLive else {
                throw StoreError(.conflict, "plan version \(live ?? 0) was applied meanwhile; review it and apply again")
            }
            let record = PlanVersionRecord(number: (live ?? 0) + 1, text: text, sha256: sha256, actor: actor, reason: reason, appliedAt: date)
            try db.execute(sql: """
                INSERT INTO plan_versions (number, text, sha256, actor, reason, applied_at) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [record.number, text, sha256, actor, reason, Milliseconds.from(date)])
            try Self.insert(audit, db)
            return record
        }
    }
}
