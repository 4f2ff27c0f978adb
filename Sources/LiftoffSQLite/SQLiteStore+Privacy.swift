import Foundation
import GRDB
import LiftoffCore
import LiftoffStore

extension SQLiteStore {
    public func secret(named name: String, make: @Sendable () -> [UInt8]) async throws -> [UInt8] {
        try await pool.write { db in
            if let existing = try Data.fetchOne(db, sql: "SELECT value FROM secrets WHERE name = ?", arguments: [name]) {
                return Array(existing)
            }
            let value = make()
            try db.execute(sql: "INSERT INTO secrets (name, value) VALUES (?, ?)", arguments: [name, Data(value)])
            return value
        }
    }

    public func purge(eventsBefore: Date?, feedbackTextBefore: Date?, audit: @escaping @Sendable (Int, Int) -> AuditEntry) async throws -> PurgeResult {
        try await pool.writeWithoutTransaction { db in
            var result = PurgeResult(deleted: 0, redacted: 0)
            try db.inTransaction {
                // A replay reads the events after the checkpoint; none of them may change under it.
                try writeAggregateBacklog(db)
                result = try Self.purge(eventsBefore: eventsBefore, feedbackTextBefore: feedbackTextBefore, audit: audit, db)
                // After the deletion: with the newest events gone, the next ones reuse their seq.
                try Self.moveAggregatesCheckpoint(db)
                return .commit
            }
            // In the same turn of the writer as the transaction: no commit came between.
            aggregateBacklog.withLock { $0.keys = [] }
            return result
        }
    }

    private static func purge(eventsBefore: Date?, feedbackTextBefore: Date?, audit: (Int, Int) -> AuditEntry, _ db: Database) throws -> PurgeResult {
        var deleted = 0
        var redacted = 0
        if let eventsBefore {
            try db.execute(sql: "DELETE FROM events WHERE received_at < ?", arguments: [Milliseconds.from(eventsBefore)])
            deleted = db.changesCount
        }
        if let feedbackTextBefore {
            try db.execute(sql: """
                UPDATE events SET payload = json_remove(payload, '$.suggestion')
                WHERE type = 'feedback' AND received_at < ? AND json_extract(payload, '$.suggestion') IS NOT NULL
                """, arguments: [Milliseconds.from(feedbackTextBefore)])
            redacted = db.changesCount
        }
        if deleted + redacted > 0 { try Self.insert(audit(deleted, redacted), db) }
        return PurgeResult(deleted: deleted, redacted: redacted)
    }
}
