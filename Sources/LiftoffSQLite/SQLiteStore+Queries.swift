import Foundation
import GRDB
import LiftoffCore
import LiftoffStore

extension SQLiteStore {
    public func aggregates(minutes: ClosedRange<MinuteIndex>, phase: String?, variant: Variant?, fromEpoch: Int?,
                           measures: Set<Measure>?) async throws -> AggregateTable {
        try await aggregates(minutes: minutes, phase: phase, variant: variant, fromEpoch: fromEpoch, measures: measures, in: nil)
    }

    /// The rows of the whole population (`segment` nil) or of one segment: the mirror's part from memory, the
    /// part before it from SQL.
    private func aggregates(minutes: ClosedRange<MinuteIndex>, phase: String?, variant: Variant?, fromEpoch: Int?,
                            measures: Set<Measure>?, in segment: Segment?) async throws -> AggregateTable {
        if let measures, measures.isEmpty { return AggregateTable() }
        // The mirror's part and the boundary are read under one lock, so an eviction in between cannot drop
        // minutes from the answer; the part before the mirror comes from SQL.
        let fromMirror = { (mirror: inout RecentAggregates) -> (AggregateTable?, ClosedRange<MinuteIndex>?) in
            guard minutes.upperBound >= mirror.start else { return (nil, minutes) }
            let covered = max(minutes.lowerBound, mirror.start)...minutes.upperBound
            let table = mirror.table(covered, phase: phase, variant: variant, fromEpoch: fromEpoch, measures: measures, segment: segment)
            return (table, minutes.lowerBound < mirror.start ? minutes.lowerBound...mirror.start.advanced(by: -1) : nil)
        }
        let (fromMemory, sqlRange) = segment == nil ? recent.withLock { fromMirror(&$0) } : recentSegments.withLock { fromMirror(&$0) }
        guard let sqlRange else { return fromMemory ?? AggregateTable() }
        var table = try await pool.read { db in
            try Self.fetchAggregates(db, minutes: sqlRange, phase: phase, variant: variant, fromEpoch: fromEpoch, measures: measures,
                                     segment: segment)
        }
        if let fromMemory { table.merge(fromMemory) }
        return table
    }

    public func aggregateTotals(minutes: ClosedRange<MinuteIndex>, phase: String?, variant: Variant?, fromEpoch: Int?,
                                measures: Set<Measure>?) async throws -> AggregateTotals {
        if let measures, measures.isEmpty { return AggregateTotals(minutes: minutes) }
        let (fromMemory, sqlRange) = recent.withLock {
            Self.mirrorTotals(&$0, minutes: minutes, phase: phase, variant: variant, fromEpoch: fromEpoch, measures: measures, segment: nil)
        }
        guard let sqlRange else { return fromMemory ?? AggregateTotals(minutes: minutes) }
        var totals = try await olderTotals(sqlRange, within: minutes, phase: phase, variant: variant, fromEpoch: fromEpoch, measures: measures)
        if let fromMemory { totals.merge(fromMemory) }
        return totals
    }

    /// One segment's totals: the segment mirror's part from memory (its settled minutes kept merged, like the
    /// whole population's), the part before it from SQL.
    public func aggregateTotals(minutes: ClosedRange<MinuteIndex>, phase: String?, variant: Variant?, fromEpoch: Int?,
                                measures: Set<Measure>?, segment: Segment) async throws -> AggregateTotals {
        if let measures, measures.isEmpty { return AggregateTotals(minutes: minutes) }
        let (fromMemory, sqlRange) = recentSegments.withLock {
            Self.mirrorTotals(&$0, minutes: minutes, phase: phase, variant: variant, fromEpoch: fromEpoch, measures: measures, segment: segment)
        }
        guard let sqlRange else { return fromMemory ?? AggregateTotals(minutes: minutes) }
        var totals = AggregateTotals(try await pool.read { db in
            try Self.fetchAggregates(db, minutes: sqlRange, phase: phase, variant: variant, fromEpoch: fromEpoch, measures: measures,
                                     segment: segment)
        }, minutes: minutes)
        if let fromMemory { totals.merge(fromMemory) }
        return totals
    }

    /// The part of `minutes` a mirror covers, as totals of the whole window, and the part before it (for SQL),
    /// read under the mirror's lock so an eviction in between cannot drop minutes from the answer.
    private static func mirrorTotals(_ mirror: inout RecentAggregates, minutes: ClosedRange<MinuteIndex>, phase: String?, variant: Variant?,
                                     fromEpoch: Int?, measures: Set<Measure>?, segment: Segment?)
        -> (AggregateTotals?, ClosedRange<MinuteIndex>?) {
        guard minutes.upperBound >= mirror.start else { return (nil, minutes) }
        let covered = max(minutes.lowerBound, mirror.start)...minutes.upperBound
        let totals = mirror.totals(covered, within: minutes, phase: phase, variant: variant, fromEpoch: fromEpoch, measures: measures,
                                   segment: segment)
        return (totals, minutes.lowerBound < mirror.start ? minutes.lowerBound...mirror.start.advanced(by: -1) : nil)
    }

    /// The totals of `range`, which lies before the in-memory minutes: its whole hours from `hourly` (read
    /// from SQL and kept the first time), the minutes at either end from SQL.
    private func olderTotals(_ range: ClosedRange<MinuteIndex>, within window: ClosedRange<MinuteIndex>, phase: String?, variant: Variant?,
                             fromEpoch: Int?, measures: Set<Measure>?) async throws -> AggregateTotals {
        let firstHour = HourlyAggregates.index(of: range.lowerBound.advanced(by: 59))
        let lastHour = HourlyAggregates.index(of: range.upperBound.advanced(by: 1)) - 1
        guard firstHour <= lastHour else {
            return AggregateTotals(try await pool.read { db in
                try Self.fetchAggregates(db, minutes: range, phase: phase, variant: variant, fromEpoch: fromEpoch, measures: measures)
            }, minutes: window)
        }
        var edges: [ClosedRange<MinuteIndex>] = []
        if range.lowerBound.rawValue < firstHour * 60 {
            edges.append(range.lowerBound...MinuteIndex(rawValue: firstHour * 60 - 1))
        }
        if (lastHour + 1) * 60 <= range.upperBound.rawValue {
            edges.append(MinuteIndex(rawValue: (lastHour + 1) * 60)...range.upperBound)
        }
        let edgeRanges = edges
        let (kept, generation) = hourly.withLock { cache in ((firstHour...lastHour).map { cache.hour($0) }, cache.generation) }
        let missing = (firstHour...lastHour).filter { kept[Int($0 - firstHour)] == nil }
        let (edgeRows, fetched) = try await pool.read { db -> (AggregateTable, [Int64: HourlyAggregates.Hour]) in
            var rows = AggregateTable()
            for edge in edgeRanges {
                rows.merge(try Self.fetchAggregates(db, minutes: edge, phase: phase, variant: variant, fromEpoch: fromEpoch, measures: measures))
            }
            guard let first = missing.first, let last = missing.last else { return (rows, [:]) }
            let hours = try Self.fetchAggregates(db, minutes: MinuteIndex(rawValue: first * 60)...MinuteIndex(rawValue: last * 60 + 59))
            return (rows, HourlyAggregates.merged(hours))
        }
        if !missing.isEmpty {
            hourly.withLock { cache in for index in missing { cache.keep(fetched[index] ?? [:], at: index, readAt: generation) } }
        }
        var totals = AggregateTotals(edgeRows, minutes: window)
        for index in firstHour...lastHour {
            guard let hour = kept[Int(index - firstHour)] ?? fetched[index] else { continue }
            HourlyAggregates.merge(hour, startingAt: MinuteIndex(rawValue: index * 60), into: &totals, phase: phase, variant: variant,
                                   fromEpoch: fromEpoch, measures: measures)
        }
        return totals
    }

    /// The stored rows of `minute_aggregates` (or of one segment in `segment_aggregates`) that match, decoded.
    static func fetchAggregates(_ db: Database, minutes: ClosedRange<MinuteIndex>? = nil, from first: MinuteIndex? = nil,
                                phase: String? = nil, variant: Variant? = nil, fromEpoch: Int? = nil,
                                measures: Set<Measure>? = nil, segment: Segment? = nil) throws -> AggregateTable {
        var sql = """
            SELECT minute, phase, variant, epoch, measure, count, sum, sum_squares, min, max, sketch
            FROM \(segment == nil ? "minute_aggregates" : "segment_aggregates") WHERE minute BETWEEN ? AND ?
            """
        var arguments: StatementArguments = [minutes?.lowerBound.rawValue ?? first?.rawValue ?? Int64.min,
                                             minutes?.upperBound.rawValue ?? Int64.max]
        if let segment {
            sql += " AND dimension = ? AND value = ?"
            arguments += [segment.dimension.rawValue, segment.value]
        }
        if let fromEpoch {
            sql += " AND epoch >= ?"
            arguments += [fromEpoch]
        }
        if let measures {
            sql += " AND measure IN (\(Array(repeating: "?", count: measures.count).joined(separator: ", ")))"
            arguments += StatementArguments(measures.map(\.rawValue).sorted())
        }
        if let phase {
            sql += " AND phase = ?"
            arguments += [phase]
        }
        if let variant {
            sql += " AND variant = ?"
            arguments += [variant.rawValue]
        }
        var table = AggregateTable()
        let rows = try Row.fetchCursor(db.cachedStatement(sql: sql), arguments: arguments)
        while let row = try rows.next() {
            // Rows of a measure or variant this version does not know are skipped, not misread.
            guard let measure = Measure(rawValue: row["measure"]), let rowVariant = Variant(rawValue: row["variant"]) else {
                continue
            }
            let key = AggregateKey(minute: MinuteIndex(rawValue: row["minute"]), phase: row["phase"], variant: rowVariant,
                                   epoch: row["epoch"], measure: measure, segment: segment)
            table.merge(try AggregateRowCoding.aggregate(from: row, measure: measure), at: key)
        }
        return table
    }

    public func retention(afterDays: Int, firstDays: ClosedRange<DayIndex>, phase: String?, variant: Variant?) async throws -> RetentionCounts {
        try await pool.read { db in
            var sql = """
                WITH firsts AS (SELECT user_id, MIN(day) AS first FROM user_days GROUP BY user_id)
                SELECT COUNT(*) AS cohort,
                       COALESCE(SUM(EXISTS (SELECT 1 FROM user_days back WHERE back.user_id = f.user_id AND back.day = f.first + ?)), 0) AS returned
                FROM firsts f JOIN user_days u ON u.user_id = f.user_id AND u.day = f.first
                WHERE f.first BETWEEN ? AND ?
                """
            var arguments: StatementArguments = [afterDays, firstDays.lowerBound.rawValue, firstDays.upperBound.rawValue]
            if let phase {
                sql += " AND u.phase = ?"
                arguments += [phase]
            }
            if let variant {
                sql += " AND u.variant = ?"
                arguments += [variant.rawValue]
            }
            let row = try Row.fetchOne(db, sql: sql, arguments: arguments)!
            return RetentionCounts(cohort: row["cohort"], returned: row["returned"])
        }
    }

    public func phaseHistory() async throws -> [PhaseRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT phase, started_at, ended_at FROM phase_history ORDER BY seq").map { row in
                PhaseRecord(phase: row["phase"], startedAt: Milliseconds.date(row["started_at"]),
                            endedAt: (row["ended_at"] as Int64?).map(Milliseconds.date))
            }
        }
    }

    public func startPhase(_ phase: String, at date: Date) async throws {
        try await pool.write { db in
            let at = Milliseconds.from(date)
            try db.execute(sql: "UPDATE phase_history SET ended_at = ? WHERE ended_at IS NULL", arguments: [at])
            try db.execute(sql: "INSERT INTO phase_history (phase, started_at) VALUES (?, ?)", arguments: [phase, at])
        }
    }
}

extension SQLiteStore {
    public func aggregates(minutes: ClosedRange<MinuteIndex>, phase: String?, variant: Variant?, fromEpoch: Int?,
                           measures: Set<Measure>?, segment: Segment) async throws -> AggregateTable {
        try await aggregates(minutes: minutes, phase: phase, variant: variant, fromEpoch: fromEpoch, measures: measures, in: segment)
    }

    /// Every segment row from minute `first` on, decoded: what the segment mirror starts from.
    static func fetchSegmentAggregates(_ db: Database, from first: MinuteIndex) throws -> AggregateTable {
        var table = AggregateTable()
        let rows = try Row.fetchCursor(db, sql: """
            SELECT minute, phase, variant, epoch, measure, count, sum, sum_squares, min, max, sketch, dimension, value
            FROM segment_aggregates WHERE minute >= ?
            """, arguments: [first.rawValue])
        while let row = try rows.next() {
            guard let measure = Measure(rawValue: row["measure"]), let variant = Variant(rawValue: row["variant"]),
                  let dimension = MetricDimension(rawValue: row["dimension"]) else { continue }
            let key = AggregateKey(minute: MinuteIndex(rawValue: row["minute"]), phase: row["phase"], variant: variant, epoch: row["epoch"],
                                   measure: measure, segment: Segment(dimension, row["value"]))
            table.merge(try AggregateRowCoding.aggregate(from: row, measure: measure), at: key)
        }
        return table
    }

    public func dimensionValues() async throws -> [MetricDimension: Set<String>] {
        try await pool.read { db in try Self.fetchDimensionValues(db) }
    }
}
