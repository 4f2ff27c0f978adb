import Foundation
import LiftoffCore
import LiftoffStore
import PostgresNIO

/// What a node knows of the admitted breakdown values. Nodes admit values on their own (the table's key
/// keeps each value once); a node reads the table again at most every `refreshInterval`, so a value another
/// node admitted is known here within that time. Until then two nodes may each admit a different value past
/// the cap, so a dimension holds at most `cap × nodes` values, and `other` may differ per node for a minute.
struct DimensionState: Sendable {
    var values = DimensionValues()
    /// When the table was last read; nil: never, or a transaction that admitted values rolled back.
    var loadedAt: Date?

    static let refreshInterval: TimeInterval = 60
}

extension PostgresStore {
    func refreshDimensionValues(_ connection: PostgresConnection, now: Date) async throws {
        let due = dimensionState.withLock { state in
            state.loadedAt.map { now.timeIntervalSince($0) >= DimensionState.refreshInterval || now < $0 } ?? true
        }
        guard due else { return }
        let stored = try await readDimensionValues(connection)
        dimensionState.withLock { state in
            state.values.merge(stored)
            state.loadedAt = now
        }
    }

    func readDimensionValues(_ connection: PostgresConnection) async throws -> [MetricDimension: Set<String>] {
        var values: [MetricDimension: Set<String>] = [:]
        for try await (name, value) in try await connection.query("SELECT dimension, value FROM dimension_values", logger: logger)
            .decode((String, String).self) {
            if let dimension = MetricDimension(rawValue: name) { values[dimension, default: []].insert(value) }
        }
        return values
    }

    /// The latest assessed level of each of `users` that has one.
    func userLevels(of users: Set<String>, _ connection: PostgresConnection) async throws -> [String: (level: String, at: Int64)] {
        guard !users.isEmpty else { return [:] }
        var levels: [String: (level: String, at: Int64)] = [:]
        let rows = try await connection.query("SELECT user_id, level, assessed_at FROM user_levels WHERE user_id = ANY(\(Array(users)))",
                                              logger: logger)
        for try await (user, level, at) in rows.decode((String, String, Int64).self) { levels[user] = (level, at) }
        return levels
    }

    func admit(_ segments: [Segment], at received: Int64, _ connection: PostgresConnection) async throws {
        guard !segments.isEmpty else { return }
        try await connection.query("""
            INSERT INTO dimension_values (dimension, value, admitted_at)
            SELECT d, v, \(received) FROM unnest(\(segments.map(\.dimension.rawValue))::text[], \(segments.map(\.value))::text[]) AS s(d, v)
            ON CONFLICT (dimension, value) DO NOTHING
            """, logger: logger)
    }

    public func dimensionValues() async throws -> [MetricDimension: Set<String>] {
        try await transaction { [self] connection in try await readDimensionValues(connection) }
    }

    public func aggregates(minutes: ClosedRange<MinuteIndex>, phase: String?, variant: Variant?, fromEpoch: Int?,
                           measures: Set<Measure>?, segment: Segment) async throws -> AggregateTable {
        try await aggregates(minutes: minutes, phase: phase, variant: variant, fromEpoch: fromEpoch, measures: measures, in: segment)
    }
}
