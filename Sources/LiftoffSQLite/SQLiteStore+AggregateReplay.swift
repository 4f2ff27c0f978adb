import Foundation
import GRDB
import LiftoffCore
import LiftoffStore

extension SQLiteStore {
    /// Folds the events after `aggregates_checkpoint.through_seq` into the stored aggregate rows and moves the
    /// checkpoint to the last event: what a crash or a shutdown left in the backlog (`AggregateBacklog`). Each
    /// event is folded from what was stored with it, which is what was folded at ingest; events a binary from
    /// before write-behind stored (not `replayable`) had their rows written in their commit and are skipped.
    /// Returns how many events could not be read back (left out of the rows rather than keeping the file from
    /// opening).
    static func replayAggregates(_ db: Database) throws -> Int {
        guard let through = try Int64.fetchOne(db, sql: "SELECT through_seq FROM aggregates_checkpoint WHERE id = 1") else { return 0 }
        let rows = try Row.fetchCursor(db, sql: """
            SELECT seq, event_id, type, occurred_at, user_id, session_id, phase, variant, cost_usd, payload, epoch, region,
                   concurrent_sessions, session_seconds, skill_delta, segment_dimensions, segment_values
            FROM events WHERE seq > ? AND replayable = 1 ORDER BY seq
            """, arguments: [through])
        var delta = AggregateTable()
        var unreadable = 0
        while let row = try rows.next() {
            guard let recorded = try? recordedEvent(row) else {
                unreadable += 1
                continue
            }
            delta.fold(recorded)
        }
        var statements = AggregateStatements()
        for (key, added) in delta.rows {
            try write(merged(added, onto: try storedAggregate(at: key, &statements, db)), at: key, &statements, db)
        }
        // Also when nothing was replayed: a purge may have left the checkpoint past the last event, and the
        // next events (seq is not AUTOINCREMENT) must be after it.
        try moveAggregatesCheckpoint(db)
        return unreadable
    }

    /// Marks every stored event as reflected in the aggregate rows.
    static func moveAggregatesCheckpoint(_ db: Database) throws {
        try db.cachedStatement(sql: "UPDATE aggregates_checkpoint SET through_seq = (SELECT coalesce(max(seq), 0) FROM events) WHERE id = 1")
            .execute()
    }

    /// A stored event as its fold saw it at ingest.
    private static func recordedEvent(_ row: Row) throws -> RecordedEvent {
        let seq: Int64 = row["seq"]
        guard let type = EventType(rawValue: row["type"]), let variant = Variant(rawValue: row["variant"]) else {
            throw StoreError(.corrupt, "event \(seq) has an unknown type or variant")
        }
        let event = Event(id: row["event_id"], timestamp: Milliseconds.date(row["occurred_at"]), userId: row["user_id"],
                          sessionId: row["session_id"], region: row["region"], payload: try EventPayloadJSON.decode(row["payload"], type: type))
        var recorded = RecordedEvent(event: event, attribution: Attribution(phase: row["phase"], variant: variant, epoch: row["epoch"]),
                                     costUsd: row["cost_usd"], sessionSeconds: row["session_seconds"], skillDelta: row["skill_delta"])
        recorded.concurrentSessions = row["concurrent_sessions"]
        recorded.segments = try StoredSegments.decode(dimensions: row["segment_dimensions"], values: row["segment_values"], of: recorded)
        return recorded
    }
}
