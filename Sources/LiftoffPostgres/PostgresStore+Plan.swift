import Foundation
import LiftoffCore
import LiftoffStore
import PostgresNIO

extension PostgresStore {
    public func livePlan() async throws -> PlanVersionRecord? {
        try await planVersions(limit: 1).first
    }

    public func planVersions(limit: Int) async throws -> [PlanVersionRecord] {
        try await run("""
            SELECT number, text, sha256, actor, reason, applied_at FROM plan_versions ORDER BY number DESC LIMIT \(limit)
            """).map { row in
            let (number, text, sha256, actor, reason, applied) = try row.decode((Int, String, String, String, String?, Int64).self)
            return PlanVersionRecord(number: number, text: text, sha256: sha256, actor: actor, reason: reason,
                                     appliedAt: Milliseconds.date(applied))
        }
    }

    public func applyPlan(text: String, sha256: String, expectedLive: Int?, actor: String, reason: String?, at date: Date,
                          audit: AuditEntry) async throws -> PlanVersionRecord {
        do {
            return try await transaction { [self] connection in
                var live: Int?
                for try await number in try await connection.query("SELECT MAX(number) FROM plan_versions", logger: logger).decode(Int?.self) {
                    live = number
                }
                guard live == expectedLive else {
                    throw StoreError(.conflict, "plan version \(live ?? 0) was applied meanwhile; review it and apply again")
                }
                let record = PlanVersionRecord(number: (live ?? 0) + 1, text: text, sha256: sha256, actor: actor, reason: reason, appliedAt: date)
                try await connection.query("""
                    INSERT INTO plan_versions (number, text, sha256, actor, reason, applied_at)
                    VALUES (\(record.number), \(text), \(sha256), \(actor), \(reason), \(Milliseconds.from(date)))
                    """, logger: logger)
                try await Self.insert(audit, connection, logger: logger)
                return record
            }
        } catch where Self.isUniqueViolation(error) {
            // Two nodes applying at once both read the same live number; the primary key lets one through.
            throw StoreError(.conflict, "another plan version was applied meanwhile; review it and apply again")
        }
    }
}
