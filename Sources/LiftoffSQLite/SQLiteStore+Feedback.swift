import Foundation
import GRDB
import LiftoffCore
import LiftoffStore

extension SQLiteStore {
    public func feedback(_ filter: FeedbackFilter) async throws -> [FeedbackRecord] {
        try await pool.read { db in
            var sql = "SELECT seq, occurred_at, user_id, session_id, phase, variant, payload FROM events WHERE type = 'feedback'"
            var arguments: StatementArguments = []
            if let phase = filter.phase { sql += " AND phase = ?"; arguments += [phase] }
            if let variant = filter.variant { sql += " AND variant = ?"; arguments += [variant.rawValue] }
            if let rating = filter.rating { sql += " AND json_extract(payload, '$.rating') = ?"; arguments += [rating] }
            if let text = filter.text {
                sql += " AND instr(lower(json_extract(payload, '$.suggestion')), lower(?)) > 0"
                arguments += [text]
            }
            if let from = filter.from { sql += " AND occurred_at >= ?"; arguments += [Milliseconds.from(from)] }
            if let to = filter.to { sql += " AND occurred_at < ?"; arguments += [Milliseconds.from(to)] }
            if let before = filter.before { sql += " AND seq < ?"; arguments += [before] }
            sql += " ORDER BY seq DESC LIMIT ?"
            arguments += [filter.limit]
            return try Row.fetchAll(db, sql: sql, arguments: arguments).compactMap { row in
                guard case .feedback(let feedback) = try EventPayloadJSON.decode(row["payload"], type: .feedback),
                      let variant = Variant(rawValue: row["variant"]) else { return nil }
                return FeedbackRecord(sequence: row["seq"], at: Milliseconds.date(row["occurred_at"]), userId: row["user_id"],
                                      sessionId: row["session_id"], phase: row["phase"], variant: variant, feedback: feedback)
            }
        }
    }

    public func completionSteps(from: Date, to: Date, phase: String?, variant: Variant?, limit: Int) async throws -> [CompletionStep] {
        try await pool.read { db in
            var sql = """
                SELECT occurred_at, user_id, payload FROM events
                WHERE type = 'completion' AND occurred_at >= ? AND occurred_at < ? AND user_id IS NOT NULL
                """
            var arguments: StatementArguments = [Milliseconds.from(from), Milliseconds.from(to)]
            if let phase { sql += " AND phase = ?"; arguments += [phase] }
            if let variant { sql += " AND variant = ?"; arguments += [variant.rawValue] }
            sql += " ORDER BY occurred_at, seq LIMIT ?"
            arguments += [limit]
            return try Row.fetchAll(db, sql: sql, arguments: arguments).compactMap { row in
                guard case .completion(let completion) = try EventPayloadJSON.decode(row["payload"], type: .completion) else { return nil }
                return CompletionStep(userId: row["user_id"], itemId: completion.itemId, item: completion.item,
                                      completed: completion.completed, at: Milliseconds.date(row["occurred_at"]))
            }
        }
    }
}

extension SQLiteStore {
    public func costBreakdown(since: Date, limit: Int) async throws -> CostBreakdown {
        try await pool.read { db in
            func lines(_ key: String, _ extra: String) throws -> [CostBreakdown.Line] {
                try Row.fetchAll(db, sql: """
                    SELECT \(key) AS name, COUNT(*) AS interactions,
                           COALESCE(SUM(COALESCE(json_extract(payload, '$.inputTokens'), 0) + COALESCE(json_extract(payload, '$.outputTokens'), 0)), 0) AS tokens,
                           COALESCE(SUM(cost_usd), 0) AS cost, SUM(cost_usd IS NULL) AS unpriced
                    FROM events WHERE type = 'ai_interaction' AND occurred_at >= ?
                    GROUP BY name ORDER BY cost DESC, interactions DESC \(extra)
                    """, arguments: [Milliseconds.from(since)]).map { row in
                    CostBreakdown.Line(name: row["name"] ?? "(none)", interactions: row["interactions"], tokens: row["tokens"],
                                       costUsd: row["cost"], unpriced: row["unpriced"])
                }
            }
            return CostBreakdown(byModel: try lines("json_extract(payload, '$.model')", ""),
                                 byUser: try lines("user_id", "LIMIT \(max(1, limit))"))
        }
    }
}
