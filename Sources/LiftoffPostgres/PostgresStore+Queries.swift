import Foundation
import LiftoffCore
import LiftoffStore
import PostgresNIO

extension PostgresStore {
    public func aggregates(minutes: ClosedRange<MinuteIndex>, phase: String?, variant: Variant?, fromEpoch: Int?,
                           measures: Set<Measure>?) async throws -> AggregateTable {
        try await aggregates(minutes: minutes, phase: phase, variant: variant, fromEpoch: fromEpoch, measures: measures, in: nil)
    }

    /// The rows of `minute_aggregates`, or of one segment in `segment_aggregates`, that match; each node's
    /// partial of a key merges into the one aggregate.
    func aggregates(minutes: ClosedRange<MinuteIndex>, phase: String?, variant: Variant?, fromEpoch: Int?,
                    measures: Set<Measure>?, in segment: Segment?) async throws -> AggregateTable {
        if let measures, measures.isEmpty { return AggregateTable() }
        var sql = SQLBuilder("SELECT minute, phase, variant, epoch, measure, count, sum, sum_squares, min, max, sketch")
        if let segment {
            sql.append(", dimension, value FROM segment_aggregates WHERE dimension = \(sql.bind(segment.dimension.rawValue))")
            sql.append(" AND value = \(sql.bind(segment.value)) AND")
        } else {
            sql.append(" FROM minute_aggregates WHERE")
        }
        sql.append(" minute BETWEEN \(sql.bind(minutes.lowerBound.rawValue)) AND \(sql.bind(minutes.upperBound.rawValue))")
        if let fromEpoch { sql.append(" AND epoch >= \(sql.bind(fromEpoch))") }
        if let measures { sql.append(" AND measure = ANY(\(sql.bind(measures.map(\.rawValue).sorted())))") }
        if let phase { sql.append(" AND phase = \(sql.bind(phase))") }
        if let variant { sql.append(" AND variant = \(sql.bind(variant.rawValue))") }
        var table = AggregateTable()
        for row in try await run(sql.query) {
            let decoded = try segment == nil ? AggregateRowCoding.decode(row) : AggregateRowCoding.decodeSegment(row)
            if let (key, aggregate) = decoded { table.merge(aggregate, at: key) }
        }
        return table
    }

    public func retention(afterDays: Int, firstDays: ClosedRange<DayIndex>, phase: String?, variant: Variant?) async throws -> RetentionCounts {
        var sql = SQLBuilder("")
        let after = sql.bind(Int64(afterDays))
        sql.append("""
            WITH firsts AS (SELECT user_id, MIN(day) AS first FROM user_days GROUP BY user_id)
            SELECT COUNT(*)::bigint AS cohort,
                   COALESCE(SUM((EXISTS (SELECT 1 FROM user_days back WHERE back.user_id = f.user_id AND back.day = f.first + \(after)))::int), 0)::bigint
            FROM firsts f JOIN user_days u ON u.user_id = f.user_id AND u.day = f.first
            WHERE f.first BETWEEN \(sql.bind(firstDays.lowerBound.rawValue)) AND \(sql.bind(firstDays.upperBound.rawValue))
            """)
        if let phase { sql.append(" AND u.phase = \(sql.bind(phase))") }
        if let variant { sql.append(" AND u.variant = \(sql.bind(variant.rawValue))") }
        guard let row = try await run(sql.query).first else { return RetentionCounts(cohort: 0, returned: 0) }
        let (cohort, returned) = try row.decode((Int, Int).self)
        return RetentionCounts(cohort: cohort, returned: returned)
    }

    public func phaseHistory() async throws -> [PhaseRecord] {
        try await run("SELECT phase, started_at, ended_at FROM phase_history ORDER BY seq").map { row in
            let (phase, started, ended) = try row.decode((String, Int64, Int64?).self)
            return PhaseRecord(phase: phase, startedAt: Milliseconds.date(started), endedAt: ended.map(Milliseconds.date))
        }
    }

    public func startPhase(_ phase: String, at date: Date) async throws {
        try await transaction { [self] connection in
            let at = Milliseconds.from(date)
            try await connection.query("UPDATE phase_history SET ended_at = \(at) WHERE ended_at IS NULL", logger: logger)
            try await connection.query("INSERT INTO phase_history (phase, started_at) VALUES (\(phase), \(at))", logger: logger)
        }
    }

    public func costBreakdown(since: Date, limit: Int) async throws -> CostBreakdown {
        func lines(_ key: String, _ extra: String) async throws -> [CostBreakdown.Line] {
            try await run("""
                SELECT \(unescaped: key) AS name, COUNT(*)::bigint AS interactions, COALESCE(SUM(tokens), 0)::bigint AS tokens,
                       COALESCE(SUM(cost_usd), 0)::double precision AS cost, COUNT(*) FILTER (WHERE cost_usd IS NULL)::bigint AS unpriced
                FROM events WHERE type = 'ai_interaction' AND occurred_at >= \(Milliseconds.from(since))
                GROUP BY name ORDER BY cost DESC, interactions DESC \(unescaped: extra)
                """).map { row in
                let (name, interactions, tokens, cost, unpriced) = try row.decode((String?, Int, Int, Double, Int).self)
                return CostBreakdown.Line(name: name ?? "(none)", interactions: interactions, tokens: tokens, costUsd: cost, unpriced: unpriced)
            }
        }
        return CostBreakdown(byModel: try await lines("model", ""),
                             byUser: try await lines("user_id", "LIMIT \(max(1, limit))"))
    }

    public func feedback(_ filter: FeedbackFilter) async throws -> [FeedbackRecord] {
        var sql = SQLBuilder("SELECT seq, occurred_at, user_id, session_id, phase, variant, payload FROM events WHERE type = 'feedback'")
        if let phase = filter.phase { sql.append(" AND phase = \(sql.bind(phase))") }
        if let variant = filter.variant { sql.append(" AND variant = \(sql.bind(variant.rawValue))") }
        if let rating = filter.rating { sql.append(" AND payload::jsonb->'rating' = to_jsonb(\(sql.bind(rating)))") }
        if let text = filter.text {
            sql.append(" AND strpos(lower(payload::jsonb->>'suggestion'), lower(\(sql.bind(text)))) > 0")
        }
        if let from = filter.from { sql.append(" AND occurred_at >= \(sql.bind(Milliseconds.from(from)))") }
        if let to = filter.to { sql.append(" AND occurred_at < \(sql.bind(Milliseconds.from(to)))") }
        if let before = filter.before { sql.append(" AND seq < \(sql.bind(before))") }
        sql.append(" ORDER BY seq DESC LIMIT \(sql.bind(filter.limit))")
        return try await run(sql.query).compactMap { row in
            let (sequence, occurred, user, session, phase, variantText, payload) = try row.decode(
                (Int, Int64, String?, String?, String, String, String).self)
            guard case .feedback(let feedback) = try EventPayloadJSON.decode(payload, type: .feedback),
                  let variant = Variant(rawValue: variantText) else { return nil }
            return FeedbackRecord(sequence: sequence, at: Milliseconds.date(occurred), userId: user, sessionId: session, phase: phase,
                                  variant: variant, feedback: feedback)
        }
    }

    public func completionSteps(from: Date, to: Date, phase: String?, variant: Variant?, limit: Int) async throws -> [CompletionStep] {
        var sql = SQLBuilder("SELECT occurred_at, user_id, payload FROM events WHERE type = 'completion'")
        sql.append(" AND occurred_at >= \(sql.bind(Milliseconds.from(from))) AND occurred_at < \(sql.bind(Milliseconds.from(to)))")
        sql.append(" AND user_id IS NOT NULL")
        if let phase { sql.append(" AND phase = \(sql.bind(phase))") }
        if let variant { sql.append(" AND variant = \(sql.bind(variant.rawValue))") }
        sql.append(" ORDER BY occurred_at, seq LIMIT \(sql.bind(limit))")
        return try await run(sql.query).compactMap { row in
            let (occurred, user, payload) = try row.decode((Int64, String, String).self)
            guard case .completion(let completion) = try EventPayloadJSON.decode(payload, type: .completion) else { return nil }
            return CompletionStep(userId: user, itemId: completion.itemId, item: completion.item, completed: completion.completed,
                                  at: Milliseconds.date(occurred))
        }
    }

    public func failingInteractions(phase: String, since: Date, limit: Int) async throws -> [[String: JSONValue]] {
        try await run("""
            SELECT occurred_at, user_id, session_id, payload FROM events
            WHERE type = 'ai_interaction' AND phase = \(phase) AND variant = 'treatment' AND received_at >= \(Milliseconds.from(since))
              AND outcome <> 'ok'
            ORDER BY seq DESC LIMIT \(limit)
            """).map(Self.eventObject)
    }

    public func recentEvents(of type: EventType, phase: String, since: Date, limit: Int) async throws -> [[String: JSONValue]] {
        try await run("""
            SELECT occurred_at, user_id, session_id, payload FROM events
            WHERE type = \(type.rawValue) AND phase = \(phase) AND variant = 'treatment' AND received_at >= \(Milliseconds.from(since))
            ORDER BY seq DESC LIMIT \(limit)
            """).map(Self.eventObject)
    }

    /// A stored event as the ingest API's JSON: its payload's fields with its time, user and session.
    private static func eventObject(_ row: PostgresRow) throws -> [String: JSONValue] {
        let (occurred, user, session, payload) = try row.decode((Int64, String?, String?, String).self)
        guard case .object(var object) = try JSONParser.parse(payload) else { return [:] }
        object["timestamp"] = .string(Timestamp.format(Milliseconds.date(occurred)))
        if let user { object["userId"] = .string(user) }
        if let session { object["sessionId"] = .string(session) }
        return object
    }
}
