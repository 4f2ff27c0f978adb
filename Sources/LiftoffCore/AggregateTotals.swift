/// A window's aggregates merged per measure, with the minutes each measure has data in: what a metric over
/// a window needs, without the per-minute rows of an `AggregateTable` (whose keys cost a hash of the phase
/// for every minute and measure).
public struct AggregateTotals: Sendable, Equatable {
    /// The window: rows outside it are not merged.
    public let minutes: ClosedRange<MinuteIndex>
    /// Per measure, every matching row merged.
    public private(set) var totals: [Measure: Aggregate] = [:]
    /// Per measure, one bit per minute of the window (bit `i`: `minutes.lowerBound + i`) that has a row.
    private var present: [Measure: [UInt64]] = [:]

    public init(minutes: ClosedRange<MinuteIndex>) {
        self.minutes = minutes
    }

    /// The totals of the rows of `table` within `minutes`.
    public init(_ table: AggregateTable, minutes: ClosedRange<MinuteIndex>) {
        self.init(minutes: minutes)
        for (key, aggregate) in table.rows { merge(aggregate, measure: key.measure, minute: key.minute) }
    }

    /// Adds one row: `aggregate` of `measure` in `minute` (ignored outside the window).
    public mutating func merge(_ aggregate: Aggregate, measure: Measure, minute: MinuteIndex) {
        guard minutes.contains(minute) else { return }
        addTotal(aggregate, measure)
        mark(measure, minute)
    }

    /// Adds the rows of several minutes at once: `aggregate` of `measure` merged over the minutes
    /// `first + i` for each bit `i` set in `mask` (bits outside the window are ignored).
    public mutating func merge(_ aggregate: Aggregate, measure: Measure, minutesFrom first: MinuteIndex, mask: UInt64) {
        var bits = mask
        var inside = false
        while bits != 0 {
            let minute = first.advanced(by: Int64(bits.trailingZeroBitCount))
            bits &= bits - 1
            if minutes.contains(minute) {
                inside = true
                mark(measure, minute)
            }
        }
        guard inside else { return }
        addTotal(aggregate, measure)
    }

    private mutating func addTotal(_ aggregate: Aggregate, _ measure: Measure) {
        if let index = totals.index(forKey: measure) {
            totals.values[index].merge(aggregate)
        } else {
            totals[measure] = aggregate
        }
    }

    private mutating func mark(_ measure: Measure, _ minute: MinuteIndex) {
        let offset = Int(minutes.lowerBound.distance(to: minute))
        if let index = present.index(forKey: measure) {
            present.values[index][offset / 64] |= 1 << UInt64(offset % 64)
        } else {
            var bits = [UInt64](repeating: 0, count: Int(minutes.lowerBound.distance(to: minutes.upperBound)) / 64 + 1)
            bits[offset / 64] = 1 << UInt64(offset % 64)
            present[measure] = bits
        }
    }

    /// Adds every row of `other`, which must cover the same window.
    public mutating func merge(_ other: AggregateTotals) {
        precondition(other.minutes == minutes, "totals of different windows")
        for (measure, aggregate) in other.totals { addTotal(aggregate, measure) }
        for (measure, bits) in other.present {
            if let index = present.index(forKey: measure) {
                for word in bits.indices { present.values[index][word] |= bits[word] }
            } else {
                present[measure] = bits
            }
        }
    }

    /// Seconds of the minutes in which any of `measures` has data.
    public func activeSeconds(_ measures: some Sequence<Measure>) -> Double {
        var union: [UInt64]?
        for measure in measures {
            guard let bits = present[measure] else { continue }
            if union == nil {
                union = bits
            } else {
                for word in bits.indices { union![word] |= bits[word] }
            }
        }
        return Double((union ?? []).reduce(0) { $0 + $1.nonzeroBitCount } * 60)
    }
}
