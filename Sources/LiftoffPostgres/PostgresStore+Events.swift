import Foundation
import LiftoffCore
import LiftoffStore
import PostgresNIO

extension PostgresStore {
    /// Rows per multi-row INSERT of user days and aggregates: 4 to 12 values each stays far under PostgreSQL's
    /// 65,535 binds per statement.
    static let rowsPerInsert = 1_000

    /// Three: while one transaction merges its aggregates and commits, the next inserts its events and a third
    /// is being sent (measured: 2 gave 1.25x one writer, 3 gave 1.4x; the cores were then full).
    public var concurrentAppends: Int { 3 }

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
        let segmented = events.contains { !$0.dimensions.isEmpty }
        let slot = OwnAggregatesTicketSlot()
        do {
            let (statuses, markedDays, merged) = try await appendTransaction(
                events, candidates: candidates, insertionOrder: insertionOrder, received: received, segmented: segmented,
                allDuplicates: allDuplicates, slot: slot)
            // Only after the commit: a rolled-back batch's days and aggregates are not stored.
            recentUserDays.withLock { known in
                for day in markedDays { known.insert(user: day.user, day: day.day) }
            }
            if let ticket = slot.ticket.withLock({ $0 }) { ownAggregates.withLock { $0.committed(ticket, merged) } }
            return statuses
        } catch {
            if let ticket = slot.ticket.withLock({ $0 }) { ownAggregates.withLock { $0.failed(ticket) } }
            // Values admitted in memory by a transaction that did not commit are not stored: read them again.
            if segmented { dimensionState.withLock { $0.loadedAt = nil } }
            throw error
        }
    }

    private func appendTransaction(_ events: [RecordedEvent], candidates: [Int], insertionOrder: [Int], received: Int64,
                                   segmented: Bool, allDuplicates: [AppendStatus], slot: OwnAggregatesTicketSlot) async throws
        -> ([AppendStatus], [UserDay], [(AggregateKey, Aggregate)]) {
        try await transaction { [self] connection in
            var statuses = allDuplicates
            // The command tag's count says whether every row went in, the common case; returning each inserted
            // id instead cost the node a tenth of its append (500 rows decoded per batch).
            let insertion: EventLoopFuture<PostgresQueryResult> = connection.query(
                Self.insertion(of: insertionOrder.map { events[$0] }, received: received), logger: logger)
            var inserted: Set<String>?
            if try await insertion.get().metadata.rows != insertionOrder.count {
                // Some ids were stored already (or by another node meanwhile): the rows this transaction
                // inserted carry its transaction id.
                let ids = insertionOrder.compactMap { events[$0].event.id }
                var mine = Set<String>()
                for try await id in try await connection.query("""
                    SELECT event_id FROM events WHERE event_id = ANY(\(ids)) AND xmin = pg_current_xact_id()::xid
                    """, logger: logger).decode(String.self) {
                    mine.insert(id)
                }
                inserted = mine
            }
            // From here to the commit, one ingest transaction of this node at a time: its aggregate rows are read,
            // merged and written back below, and the users' histories read, so two of its transactions must not
            // interleave there. The events' insert above runs beside the previous transaction's merge and commit.
            // No deadlock: a transaction waiting here holds only its new events' index entries, which the
            // holder, past its own insert, never waits for. Other nodes do not wait.
            try await connection.query("SELECT pg_advisory_xact_lock(hashtext(\("liftoff-aggregates:" + node)))", logger: logger)
            var delta = AggregateTable()
            var levels: [String: (level: String, at: Int64)] = [:]
            if segmented {
                try await refreshDimensionValues(connection, now: Milliseconds.date(received))
                if events.contains(where: { $0.dimensions[.skillLevel] != nil }) {
                    levels = try await userLevels(of: Set(candidates.compactMap { events[$0].event.userId }), connection)
                }
            }
            var admitted: [Segment] = []
            var seenDays = Set<UserDay>()
            var activeDays: [(user: String, day: DayIndex, attribution: Attribution)] = []
            for index in candidates {
                var recorded = events[index]
                if let id = recorded.event.id, let inserted, !inserted.contains(id) { continue }
                statuses[index] = .accepted
                try await enrich(&recorded, connection)
                if !recorded.dimensions.isEmpty {
                    let level = recorded.event.userId.flatMap { levels[$0]?.level }
                    admitted += dimensionState.withLock { $0.values.segment(&recorded, skillLevel: level) }
                }
                if case .assessment(let assessment) = recorded.event.payload, let user = recorded.event.userId, let level = assessment.level {
                    // As `user_levels` does: a late assessment does not replace a newer one's level.
                    let at = Milliseconds.from(recorded.event.timestamp)
                    if (levels[user]?.at ?? .min) <= at { levels[user] = (level, at) }
                }
                if let user = recorded.event.userId {
                    let day = DayIndex(containing: recorded.event.timestamp)
                    if seenDays.insert(UserDay(user: user, day: day)).inserted {
                        activeDays.append((user, day, recorded.attribution))
                    }
                }
                delta.fold(recorded)
            }
            let unmarked = recentUserDays.withLock { known in activeDays.filter { !known.contains(user: $0.user, day: $0.day) } }
            try await markActive(unmarked, connection)
            try await admit(admitted, at: received, connection)
            let ticket = ownAggregates.withLock { $0.begin() }
            slot.ticket.withLock { $0 = ticket }
            let merged = try await mergeAggregates(delta, trustingCache: ticket.trusted, connection)
            return (statuses, unmarked.map { UserDay(user: $0.user, day: $0.day) }, merged)
        }
    }

    /// One INSERT for the whole batch, its columns as arrays unnested in order: 14 binds instead of 14 per event,
    /// which is most of what PostgreSQL spent per event here. The arrays are written in their wire form as the
    /// batch is read (`BinaryArray`). Which of the nullable values are present travels as one bit set per event
    /// (`Present`): a flag array per nullable column cost a tenth of the insert.
    static func insertion(of rows: [RecordedEvent], received: Int64) -> PostgresQuery {
        let n = rows.count
        var ids = BinaryArray<String>(capacity: n, bytesPerElement: 36), types = BinaryArray<String>(capacity: n)
        var occurred = BinaryArray<Int64>(capacity: n, bytesPerElement: 8), users = BinaryArray<String>(capacity: n)
        var sessions = BinaryArray<String>(capacity: n), phases = BinaryArray<String>(capacity: n, bytesPerElement: 8)
        var variants = BinaryArray<String>(capacity: n, bytesPerElement: 9), costs = BinaryArray<Double>(capacity: n, bytesPerElement: 8)
        var payloads = BinaryArray<String>(capacity: n, bytesPerElement: 160), epochs = BinaryArray<Int64>(capacity: n, bytesPerElement: 8)
        var models = BinaryArray<String>(capacity: n), tokens = BinaryArray<Int64>(capacity: n, bytesPerElement: 8)
        var outcomes = BinaryArray<String>(capacity: n, bytesPerElement: 4), present = BinaryArray<Int32>(capacity: n, bytesPerElement: 4)
        var regions = BinaryArray<String>(capacity: n)
        for recorded in rows {
            let event = recorded.event
            var interaction: AIInteraction?
            if case .aiInteraction(let call) = event.payload { interaction = call }
            var flags = Present()
            if event.id != nil { flags.insert(.id) }
            if event.userId != nil { flags.insert(.user) }
            if event.sessionId != nil { flags.insert(.session) }
            if recorded.costUsd != nil { flags.insert(.cost) }
            if interaction?.model != nil { flags.insert(.model) }
            if interaction?.totalTokens != nil { flags.insert(.tokens) }
            if interaction != nil { flags.insert(.outcome) }
            if event.region != nil { flags.insert(.region) }
            present.append(flags.rawValue)
            ids.append(event.id ?? "")
            types.append(event.type.rawValue); occurred.append(Milliseconds.from(event.timestamp))
            users.append(event.userId ?? ""); sessions.append(event.sessionId ?? "")
            phases.append(recorded.attribution.phase); variants.append(recorded.attribution.variant.rawValue)
            costs.append(recorded.costUsd ?? 0)
            payloads.append(utf8: EventPayloadJSON.encodeUTF8(event.payload)); epochs.append(Int64(recorded.attribution.epoch))
            models.append(interaction?.model ?? ""); tokens.append(Int64(interaction?.totalTokens ?? 0))
            outcomes.append(interaction?.outcome.rawValue ?? "")
            regions.append(event.region ?? "")
        }
        return """
            INSERT INTO events (event_id, type, occurred_at, received_at, user_id, session_id, phase, variant, cost_usd, payload, epoch,
                                model, tokens, outcome, region)
            SELECT CASE WHEN r.present & 1 <> 0 THEN r.id END, r.type, r.occurred, \(received),
                   CASE WHEN r.present & 2 <> 0 THEN r.usr END, CASE WHEN r.present & 4 <> 0 THEN r.sess END, r.phase, r.variant,
                   CASE WHEN r.present & 8 <> 0 THEN r.cost END, r.payload, r.epoch, CASE WHEN r.present & 16 <> 0 THEN r.model END,
                   CASE WHEN r.present & 32 <> 0 THEN r.tokens END, CASE WHEN r.present & 64 <> 0 THEN r.outcome END,
                   CASE WHEN r.present & 128 <> 0 THEN r.region END
            FROM unnest(\(present), \(ids), \(types), \(occurred), \(users), \(sessions), \(phases), \(variants), \(costs), \(payloads),
                        \(epochs), \(models), \(tokens), \(outcomes), \(regions))
                 WITH ORDINALITY AS r(present, id, type, occurred, usr, sess, phase, variant, cost, payload, epoch, model, tokens, outcome,
                                      region, position)
            ORDER BY r.position
            ON CONFLICT (event_id) WHERE event_id IS NOT NULL DO NOTHING
            """
    }

    /// Which of an event's nullable columns have a value; the bits are the ones the insertion's SQL tests.
    struct Present: OptionSet {
        var rawValue: Int32
        static let id = Present(rawValue: 1), user = Present(rawValue: 2), session = Present(rawValue: 4), cost = Present(rawValue: 8)
        static let model = Present(rawValue: 16), tokens = Present(rawValue: 32), outcome = Present(rawValue: 64)
        static let region = Present(rawValue: 128)
    }

    /// Fills the values that depend on the user's history, and records what later events will need.
    private func enrich(_ recorded: inout RecordedEvent, _ connection: PostgresConnection) async throws {
        let event = recorded.event
        switch event.payload {
        case .sessionStart:
            // Validation requires the session id; an event without one has nothing to remember.
            guard let session = event.sessionId else { return }
            let at = Milliseconds.from(event.timestamp)
            try await connection.query("""
                INSERT INTO sessions (session_id, user_id, started_at) VALUES (\(session), \(event.userId), \(at))
                ON CONFLICT (session_id) DO NOTHING
                """, logger: logger)
            let since = at - Int64(SessionLimits.openFor * 1000)
            let open = try await connection.query("""
                SELECT COUNT(*)::bigint FROM sessions WHERE ended_at IS NULL AND started_at > \(since) AND started_at <= \(at)
                """, logger: logger)
            for try await count in open.decode(Int.self) { recorded.concurrentSessions = count }
        case .sessionEnd(let end):
            if end.durationSeconds == nil {
                let rows = try await connection.query("SELECT started_at FROM sessions WHERE session_id = \(event.sessionId)", logger: logger)
                for try await started in rows.decode(Int64.self) {
                    let seconds = Double(Milliseconds.from(event.timestamp) - started) / 1000
                    if seconds >= 0 { recorded.sessionSeconds = seconds }
                }
            }
            try await connection.query("""
                UPDATE sessions SET ended_at = \(Milliseconds.from(event.timestamp)) WHERE session_id = \(event.sessionId) AND ended_at IS NULL
                """, logger: logger)
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
            if let level = assessment.level, let user = event.userId {
                // A late assessment does not replace a newer one's level.
                try await connection.query("""
                    INSERT INTO user_levels (user_id, level, assessed_at) VALUES (\(user), \(level), \(Milliseconds.from(event.timestamp)))
                    ON CONFLICT (user_id) DO UPDATE SET level = EXCLUDED.level, assessed_at = EXCLUDED.assessed_at
                    WHERE EXCLUDED.assessed_at >= user_levels.assessed_at
                    """, logger: logger)
            }
        default:
            break
        }
    }

    /// Records each user's active days; the first event of a day decides its phase and variant. One statement,
    /// its columns as arrays, as for the events.
    private func markActive(_ days: [(user: String, day: DayIndex, attribution: Attribution)], _ connection: PostgresConnection) async throws {
        guard !days.isEmpty else { return }
        // In key order, for the reason the events are: nodes marking the same users take the locks alike.
        let days = days.sorted { ($0.user, $0.day.rawValue) < ($1.user, $1.day.rawValue) }
        let users = days.map(\.user), numbers = days.map(\.day.rawValue)
        let phases = days.map(\.attribution.phase), variants = days.map(\.attribution.variant.rawValue)
        try await connection.query("""
            INSERT INTO user_days (user_id, day, phase, variant)
            SELECT * FROM unnest(\(users)::text[], \(numbers)::int8[], \(phases)::text[], \(variants)::text[])
            ON CONFLICT (user_id, day) DO NOTHING
            """, logger: logger)
    }

    /// Adds `delta` to this node's rows: read them (from `OwnAggregates` when `trustingCache` and it holds
    /// them), merge, write them back, inside the ingest transaction so the aggregates never disagree with the raw
    /// events. Only this node writes these rows, and the advisory lock taken by `append` keeps its own
    /// transactions from interleaving. Segment rows go to their own table. Returns the rows as written.
    private func mergeAggregates(_ delta: AggregateTable, trustingCache: Bool, _ connection: PostgresConnection) async throws
        -> [(AggregateKey, Aggregate)] {
        guard !delta.isEmpty else { return [] }
        // Built once: `rows` flattens the table's slices.
        let rows = delta.rows
        var stored: [AggregateKey: Aggregate] = [:]
        var unknown = Array(rows.keys)
        if trustingCache {
            ownAggregates.withLock { own in
                for key in rows.keys { if let aggregate = own.stored(at: key) { stored[key] = aggregate } }
            }
            unknown = unknown.filter { stored[$0] == nil }
        }
        if !unknown.isEmpty {
            try await readOwnRows(of: unknown, into: &stored, connection)
        }
        let merged = rows.map { key, added -> (AggregateKey, Aggregate) in
            guard var existing = stored[key] else { return (key, added) }
            existing.merge(added)
            return (key, existing)
        }
        try await write(merged.filter { $0.0.segment == nil }, connection)
        if merged.contains(where: { $0.0.segment != nil }) { try await writeSegments(merged.filter { $0.0.segment != nil }, connection) }
        return merged
    }

    /// This node's stored rows of the minutes of `keys`.
    private func readOwnRows(of keys: [AggregateKey], into stored: inout [AggregateKey: Aggregate], _ connection: PostgresConnection) async throws {
        let minutes = Array(Set(keys.map(\.minute.rawValue)))
        let hasSegments = keys.contains { $0.segment != nil }
        if keys.contains(where: { $0.segment == nil }) {
            let storedRows = try await connection.query("""
                SELECT minute, phase, variant, epoch, measure, count, sum, sum_squares, min, max, sketch
                FROM minute_aggregates WHERE node = \(node) AND minute = ANY(\(minutes))
                """, logger: logger)
            for try await row in storedRows {
                if let (key, aggregate) = try AggregateRowCoding.decode(row), stored[key] == nil { stored[key] = aggregate }
            }
        }
        if hasSegments {
            let segmentRows = try await connection.query("""
                SELECT minute, phase, variant, epoch, measure, count, sum, sum_squares, min, max, sketch, dimension, value
                FROM segment_aggregates WHERE node = \(node) AND minute = ANY(\(minutes))
                """, logger: logger)
            for try await row in segmentRows {
                if let (key, aggregate) = try AggregateRowCoding.decodeSegment(row), stored[key] == nil { stored[key] = aggregate }
            }
        }
    }

    private func write(_ merged: [(AggregateKey, Aggregate)], _ connection: PostgresConnection) async throws {
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

    private func writeSegments(_ merged: [(AggregateKey, Aggregate)], _ connection: PostgresConnection) async throws {
        var start = 0
        while start < merged.count {
            var sql = SQLBuilder("""
                INSERT INTO segment_aggregates (dimension, value, minute, phase, variant, epoch, measure, node,
                                                count, sum, sum_squares, min, max, sketch)
                VALUES
                """)
            for (position, (key, aggregate)) in merged[start..<min(start + Self.rowsPerInsert, merged.count)].enumerated() {
                guard let segment = key.segment else { continue }
                let values = [sql.bind(segment.dimension.rawValue), sql.bind(segment.value), sql.bind(key.minute.rawValue),
                              sql.bind(key.phase), sql.bind(key.variant.rawValue), sql.bind(key.epoch), sql.bind(key.measure.rawValue),
                              sql.bind(node)] + AggregateRowCoding.bind(aggregate, &sql)
                sql.append((position == 0 ? " (" : ", (") + values.joined(separator: ", ") + ")")
            }
            sql.append("""
                 ON CONFLICT (dimension, value, minute, phase, variant, epoch, measure, node) DO UPDATE SET count = EXCLUDED.count,
                    sum = EXCLUDED.sum, sum_squares = EXCLUDED.sum_squares, min = EXCLUDED.min, max = EXCLUDED.max,
                    sketch = EXCLUDED.sketch
                """)
            try await connection.query(sql.query, logger: logger)
            start += Self.rowsPerInsert
        }
    }
}

struct UserDay: Hashable, Sendable {
    var user: String
    var day: DayIndex
}
