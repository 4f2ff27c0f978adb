import Foundation
import LiftoffCore
import LiftoffStore
import PostgresNIO

extension PostgresStore {
    /// Rows per multi-row INSERT: 11 values each stays far under PostgreSQL's 65,535 binds per statement.
    static let rowsPerInsert = 1_000

    public func append(_ events: [RecordedEvent], receivedAt: Date) async throws -> [AppendStatus] {
        // Retries within the batch are found here; retries of stored events by the unique index.
        let allDuplicates = [AppendStatus](repeating: .duplicate, count: events.count)
        var seen = Set<String>()
        var candidates: [Int] = []
        for (index, recorded) in events.enumerated() {
            if let id = recorded.event.id, !seen.insert(id).inserted { continue }
            candidates.append(index)
        }
        guard !candidates.isEmpty else { return allDuplicates }
        // Rows go in in event-id order, so two nodes inserting the same ids (a retry sent to both while the first
        // is in flight) take the unique index's locks in the same order: one waits, neither deadlocks. Measured
        // before: the same batches in different orders on two nodes deadlocked within seconds.
        let insertionOrder = candidates.sorted { (events[$0].event.id ?? "", $0) < (events[$1].event.id ?? "", $1) }
        let received = Milliseconds.from(receivedAt)
        return try await transaction { [self, candidates, insertionOrder] connection in
            var statuses = allDuplicates
            // One ingest transaction per node at a time: this node's aggregate rows are read, merged and written
            // back below, and two of its transactions must not interleave there. Other nodes do not wait.
            try await connection.query("SELECT pg_advisory_xact_lock(hashtext(\("liftoff-aggregates:" + node)))", logger: logger)
            var inserted = Set<String>()
            var start = 0
            while start < insertionOrder.count {
                let chunk = insertionOrder[start..<min(start + Self.rowsPerInsert, insertionOrder.count)]
                var sql = SQLBuilder("""
                    INSERT INTO events (event_id, type, occurred_at, received_at, user_id, session_id, phase, variant, cost_usd, payload, epoch)
                    VALUES
                    """)
                for (position, index) in chunk.enumerated() {
                    let recorded = events[index]
                    let event = recorded.event
                    let values = [
                        sql.bind(event.id), sql.bind(event.type.rawValue), sql.bind(Milliseconds.from(event.timestamp)),
                        sql.bind(received), sql.bind(event.userId), sql.bind(event.sessionId),
                        sql.bind(recorded.attribution.phase), sql.bind(recorded.attribution.variant.rawValue),
                        sql.bind(recorded.costUsd), sql.bind(EventPayloadJSON.encode(event.payload)) + "::jsonb",
                        sql.bind(recorded.attribution.epoch),
                    ]
                    sql.append((position == 0 ? " (" : ", (") + values.joined(separator: ", ") + ")")
                }
                sql.append(" ON CONFLICT (event_id) WHERE event_id IS NOT NULL DO NOTHING RETURNING event_id")
                for try await id in try await connection.query(sql.query, logger: logger).decode(String?.self) {
                    if let id { inserted.insert(id) }
                }
                start += Self.rowsPerInsert
            }
            var delta = AggregateTable()
            var seenDays = Set<UserDay>()
            var activeDays: [(user: String, day: DayIndex, attribution: Attribution)] = []
            for index in candidates {
                var recorded = events[index]
                if let id = recorded.event.id, !inserted.contains(id) { continue }
                statuses[index] = .accepted
                try await enrich(&recorded, connection)
                if let user = recorded.event.userId {
                    let day = DayIndex(containing: recorded.event.timestamp)
                    if seenDays.insert(UserDay(user: user, day: day)).inserted {
                        activeDays.append((user, day, recorded.attribution))
                    }
                }
                delta.fold(recorded)
            }
            try await markActive(activeDays, connection)
            try await mergeAggregates(delta, connection)
            return statuses
        }
    }

    /// Fills the values that depend on the user's history, and records what later events will need.
    private func enrich(_ recorded: inout RecordedEvent, _ connection: PostgresConnection) async throws {
        let event = recorded.event
        switch event.payload {
        case .sessionStart:
            // Validation requires the session id; an event without one has nothing to remember.
            guard let session = event.sessionId else { return }
            try await connection.query("""
                INSERT INTO sessions (session_id, user_id, started_at) VALUES (\(session), \(event.userId), \(Milliseconds.from(event.timestamp)))
                ON CONFLICT (session_id) DO NOTHING
                """, logger: logger)
        case .sessionEnd(let end) where end.durationSeconds == nil:
            let rows = try await connection.query("SELECT started_at FROM sessions WHERE session_id = \(event.sessionId)", logger: logger)
            for try await started in rows.decode(Int64.self) {
                let seconds = Double(Milliseconds.from(event.timestamp) - started) / 1000
                if seconds >= 0 { recorded.sessionSeconds = seconds }
            }
        case .assessment(let assessment):
            let rows = try await connection.query(
                "SELECT score FROM skill_scores WHERE user_id = \(event.userId) AND skill = \(assessment.skill)", logger: logger)
            for try await previous in rows.decode(Double.self) {
                recorded.skillDelta = assessment.score - previous
            }
            try await connection.query("""
                INSERT INTO skill_scores (user_id, skill, score, assessed_at)
                VALUES (\(event.userId), \(assessment.skill), \(assessment.score), \(Milliseconds.from(event.timestamp)))
                ON CONFLICT (user_id, skill) DO UPDATE SET score = EXCLUDED.score, assessed_at = EXCLUDED.assessed_at
                """, logger: logger)
        default:
            break
        }
    }

    /// Records each user's active days; the first event of a day decides its phase and variant.
    private func markActive(_ days: [(user: String, day: DayIndex, attribution: Attribution)], _ connection: PostgresConnection) async throws {
        var start = 0
        while start < days.count {
            var sql = SQLBuilder("INSERT INTO user_days (user_id, day, phase, variant) VALUES")
            for (position, active) in days[start..<min(start + Self.rowsPerInsert, days.count)].enumerated() {
                let values = [sql.bind(active.user), sql.bind(active.day.rawValue), sql.bind(active.attribution.phase),
                              sql.bind(active.attribution.variant.rawValue)]
                sql.append((position == 0 ? " (" : ", (") + values.joined(separator: ", ") + ")")
            }
            sql.append(" ON CONFLICT (user_id, day) DO NOTHING")
            try await connection.query(sql.query, logger: logger)
            start += Self.rowsPerInsert
        }
    }

    /// Adds `delta` to this node's rows: read them, merge, write them back, inside the ingest transaction so
    /// the aggregates never disagree with the raw events. Only this node writes these rows, and the advisory
    /// lock taken by `append` keeps its own transactions from interleaving.
    private func mergeAggregates(_ delta: AggregateTable, _ connection: PostgresConnection) async throws {
        guard !delta.rows.isEmpty else { return }
        let minutes = Array(Set(delta.rows.keys.map(\.minute.rawValue)))
        var stored: [AggregateKey: Aggregate] = [:]
        let rows = try await connection.query("""
            SELECT minute, phase, variant, epoch, measure, count, sum, sum_squares, min, max, sketch
            FROM minute_aggregates WHERE node = \(node) AND minute = ANY(\(minutes))
            """, logger: logger)
        for try await row in rows {
            if let (key, aggregate) = try AggregateRowCoding.decode(row) { stored[key] = aggregate }
        }
        let merged = delta.rows.map { key, added -> (AggregateKey, Aggregate) in
            guard var existing = stored[key] else { return (key, added) }
            existing.merge(added)
            return (key, existing)
        }
        var start = 0
        while start < merged.count {
            var sql = SQLBuilder("""
                INSERT INTO minute_aggregates (minute, phase, variant, epoch, measure, node, count, sum, sum_squares, min, max, sketch)
                VALUES
                """)
            for (position, (key, aggregate)) in merged[start..<min(start + Self.rowsPerInsert, merged.count)].enumerated() {
                let values = [sql.bind(key.minute.rawValue), sql.bind(key.phase), sql.bind(key.variant.rawValue), sql.bind(key.epoch),
                              sql.bind(key.measure.rawValue), sql.bind(node)] + AggregateRowCoding.bind(aggregate, &sql)
                sql.append((position == 0 ? " (" : ", (") + values.joined(separator: ", ") + ")")
            }
            sql.append("""
                 ON CONFLICT (minute, phase, variant, epoch, measure, node) DO UPDATE SET count = EXCLUDED.count,
                    sum = EXCLUDED.sum, sum_squares = EXCLUDED.sum_squares, min = EXCLUDED.min, max = EXCLUDED.max,
                    sketch = EXCLUDED.sketch
                """)
            try await connection.query(sql.query, logger: logger)
            start += Self.rowsPerInsert
        }
    }
}

private struct UserDay: Hashable {
    var user: String
    var day: DayIndex
}
