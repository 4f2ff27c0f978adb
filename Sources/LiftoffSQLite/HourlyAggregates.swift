import LiftoffCore

/// Whole hours of `minute_aggregates` older than the in-memory minutes (`RecentAggregates`), merged per hour,
/// slice and measure, kept once read: a rule over the last day (a daily budget, a cost baseline) then reads
/// 24 merged hours instead of 1,440 rows decoded from SQL on every tick.
///
/// Exact: an hour is kept only as read in one snapshot, and a write to a minute older than the mirror (a
/// late event) drops its hour and bumps `generation`, so a read that began before that write does not keep
/// what it saw. Bounded: past `capacity` hours the oldest are dropped.
struct HourlyAggregates: Sendable {
    /// One measure of one slice over one hour: the merged rows, and which of its minutes have one.
    struct Entry: Sendable {
        var aggregate: Aggregate
        /// Bit `i`: minute `i` of the hour has a row.
        var minutes: UInt64
    }

    typealias Hour = [RecentAggregates.Slice: [Measure: Entry]]

    let capacity: Int
    private(set) var generation = 0
    private var hours: [Int64: Hour] = [:]

    init(capacity: Int) {
        self.capacity = max(0, capacity)
    }

    /// The hour starting at minute `60 × index`, when kept.
    func hour(_ index: Int64) -> Hour? { hours[index] }

    /// Keeps `hour`, read while `generation` was `readAt`; a write since then means it may be stale.
    mutating func keep(_ hour: Hour, at index: Int64, readAt: Int) {
        guard readAt == generation, capacity > 0 else { return }
        hours[index] = hour
        while hours.count > capacity, let oldest = hours.keys.min() { hours[oldest] = nil }
    }

    /// A row of `minute` was written.
    mutating func written(minute: MinuteIndex) {
        generation &+= 1
        hours[Self.index(of: minute)] = nil
    }

    static func index(of minute: MinuteIndex) -> Int64 {
        minute.rawValue >= 0 ? minute.rawValue / 60 : (minute.rawValue - 59) / 60
    }

    /// The rows of `table`, merged per hour, slice and measure.
    static func merged(_ table: AggregateTable) -> [Int64: Hour] {
        var hours: [Int64: Hour] = [:]
        for (key, aggregate) in table.rows {
            add(aggregate, minute: key.minute, slice: RecentAggregates.Slice(key), measure: key.measure, to: &hours[index(of: key.minute), default: [:]])
        }
        return hours
    }

    /// Adds the row of `measure` in `slice` at `minute` to the merged `hour` that holds the minute.
    static func add(_ aggregate: Aggregate, minute: MinuteIndex, slice: RecentAggregates.Slice, measure: Measure, to hour: inout Hour) {
        let bit = UInt64(1) << UInt64(minute.rawValue - index(of: minute) * 60)
        if var entry = hour[slice]?[measure] {
            entry.aggregate.merge(aggregate)
            entry.minutes |= bit
            hour[slice]![measure] = entry
        } else {
            hour[slice, default: [:]][measure] = Entry(aggregate: aggregate, minutes: bit)
        }
    }

    /// Merges the slices and measures of `hour` (starting at `first`) that a read with these filters takes.
    static func merge(_ hour: Hour, startingAt first: MinuteIndex, into totals: inout AggregateTotals, phase: String?, variant: Variant?,
                      fromEpoch: Int?, measures: Set<Measure>?, segment: Segment? = nil) {
        for (slice, byMeasure) in hour where slice.matches(phase: phase, variant: variant, fromEpoch: fromEpoch, segment: segment) {
            if let measures {
                for measure in measures {
                    if let entry = byMeasure[measure] { totals.merge(entry.aggregate, measure: measure, minutesFrom: first, mask: entry.minutes) }
                }
            } else {
                for (measure, entry) in byMeasure { totals.merge(entry.aggregate, measure: measure, minutesFrom: first, mask: entry.minutes) }
            }
        }
    }
}
