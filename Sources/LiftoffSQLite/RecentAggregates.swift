import LiftoffCore

/// The latest minutes of `minute_aggregates`, decoded, in memory: what the evaluator reads every second and
/// what every ingest batch adds to. Exact by construction: this store is the only writer of the table, and
/// every committed write also lands here (after its commit, under the same writer), so from `start` on the
/// mirror holds exactly the stored rows and a read needs neither SQL nor decoding.
///
/// Bounded: minutes of the hours before the one `horizon` minutes before the latest arrival are dropped (and
/// `start` moves on, from hour to hour); reads reaching before `start` go to SQL for that part.
struct RecentAggregates: Sendable {
    /// Every stored row of a minute from `start` on is here.
    private(set) var start: MinuteIndex
    /// How many minutes back from the latest arrival are kept; 0 keeps nothing (every read is SQL).
    let horizon: Int64
    /// Per minute, per slice (phase, variant, epoch), per measure: a read asks for a few measures of a few
    /// slices, so it looks them up instead of filtering every row.
    private var minutes: [MinuteIndex: [Slice: [Measure: Aggregate]]] = [:]
    /// Whole hours merged by a read, until a write lands in them.
    private var hours: [Int64: HourlyAggregates.Hour] = [:]
    /// Totals of a read's window without its last minute, until a write lands in them: the evaluator reads
    /// the same windows every tick, and within a minute only the last one changes.
    private var settled: [SettledRead: AggregateTotals] = [:]

    /// A read without its last minute: the minutes, the window they are totals of, and the read's filters.
    private struct SettledRead: Hashable {
        var minutes: ClosedRange<MinuteIndex>
        var window: ClosedRange<MinuteIndex>
        var phase: String?
        var variant: Variant?
        var fromEpoch: Int?
        var measures: Set<Measure>?
        var segment: Segment?
    }
    /// Past this many kept reads, all are dropped: a server's evaluator makes a few dozen distinct reads a tick.
    private static let settledCapacity = 256

    struct Slice: Hashable, Sendable {
        var phase: String
        var variant: Variant
        var epoch: Int
        /// nil: the whole population's row; else one segment's (a mirror of `segment_aggregates`).
        var segment: Segment?

        init(phase: String, variant: Variant, epoch: Int, segment: Segment? = nil) {
            self.phase = phase
            self.variant = variant
            self.epoch = epoch
            self.segment = segment
        }

        init(_ key: AggregateKey) {
            self.init(phase: key.phase, variant: key.variant, epoch: key.epoch, segment: key.segment)
        }

        /// Whether a read with these filters (nil: any) of the whole population or of `segment` takes this slice.
        func matches(phase: String?, variant: Variant?, fromEpoch: Int?, segment: Segment? = nil) -> Bool {
            self.segment == segment && (phase == nil || self.phase == phase) && (variant == nil || self.variant == variant)
                && (fromEpoch.map { epoch >= $0 } ?? true)
        }
    }

    init(horizon: Int64, now: MinuteIndex) {
        self.horizon = max(0, horizon)
        // With nothing kept, the mirror starts at the end of time: it covers no minute.
        start = horizon > 0 ? Self.hourStart(now.advanced(by: -horizon)) : MinuteIndex(rawValue: .max)
    }

    /// A mirror that keeps every minute and never moves its start: the only copy of a scratch store's aggregates.
    static var unbounded: RecentAggregates { RecentAggregates() }

    private init() {
        start = MinuteIndex(rawValue: Int64.min / 2)
        horizon = .max
    }

    var isEnabled: Bool { horizon > 0 }
    private var keepsEverything: Bool { horizon == .max }

    /// The stored row at `key`, when the mirror covers its minute: `.some(nil)` means "no row stored".
    func stored(at key: AggregateKey) -> Aggregate?? {
        guard key.minute >= start else { return .none }
        return .some(minutes[key.minute]?[Slice(key)]?[key.measure])
    }

    /// Records the row as just committed.
    mutating func record(_ aggregate: Aggregate, at key: AggregateKey) {
        guard key.minute >= start else { return }
        minutes[key.minute, default: [:]][Slice(key), default: [:]][key.measure] = aggregate
        hours[HourlyAggregates.index(of: key.minute)] = nil
        if settled.keys.contains(where: { $0.minutes.contains(key.minute) }) {
            settled = settled.filter { !$0.key.minutes.contains(key.minute) }
        }
    }

    /// The start of the hour holding `minute`. The mirror starts on an hour, so what lies before it is whole
    /// hours, which `HourlyAggregates` keeps merged: a long window then reads no minute of SQL.
    static func hourStart(_ minute: MinuteIndex) -> MinuteIndex {
        MinuteIndex(rawValue: HourlyAggregates.index(of: minute) * 60)
    }

    /// Moves the window on to the hour holding `horizon` minutes before `latest` (an arrival time, not an event's own time, so a
    /// wrong clock on a device cannot empty the mirror).
    mutating func advance(to latest: MinuteIndex) {
        guard isEnabled, !keepsEverything else { return }
        let newStart = Self.hourStart(latest.advanced(by: -horizon))
        guard newStart > start else { return }
        start = newStart
        settled = [:]
        minutes = minutes.filter { $0.key >= newStart }
        hours = hours.filter { $0.key * 60 >= newStart.rawValue }
    }

    /// The rows in `range` (which must lie at or after `start`, within `window`) that match, merged per measure
    /// into totals of `window`. Whole hours of the range are merged once and kept until a write lands in them,
    /// so a window of hours merges a few hours and the minutes at its ends instead of every minute.
    mutating func totals(_ range: ClosedRange<MinuteIndex>, within window: ClosedRange<MinuteIndex>, phase: String?, variant: Variant?,
                         fromEpoch: Int?, measures: Set<Measure>?, segment: Segment? = nil) -> AggregateTotals {
        guard range.lowerBound < range.upperBound else {
            return unsettledTotals(range, within: window, phase: phase, variant: variant, fromEpoch: fromEpoch, measures: measures, segment: segment)
        }
        // The minutes before the last are kept merged; the last, where the writes land, is added to them.
        let read = SettledRead(minutes: range.lowerBound...range.upperBound.advanced(by: -1), window: window, phase: phase, variant: variant,
                               fromEpoch: fromEpoch, measures: measures, segment: segment)
        var totals: AggregateTotals
        if let kept = settled[read] {
            totals = kept
        } else {
            totals = unsettledTotals(read.minutes, within: window, phase: phase, variant: variant, fromEpoch: fromEpoch, measures: measures,
                                     segment: segment)
            if settled.count >= Self.settledCapacity { settled = [:] }
            settled[read] = totals
        }
        forEachRow(range.upperBound...range.upperBound, phase: phase, variant: variant, fromEpoch: fromEpoch, measures: measures,
                   segment: segment) { minute, _, measure, aggregate in
            totals.merge(aggregate, measure: measure, minute: minute)
        }
        return totals
    }

    private mutating func unsettledTotals(_ range: ClosedRange<MinuteIndex>, within window: ClosedRange<MinuteIndex>, phase: String?,
                                          variant: Variant?, fromEpoch: Int?, measures: Set<Measure>?, segment: Segment?) -> AggregateTotals {
        var totals = AggregateTotals(minutes: window)
        let add = { (minute: MinuteIndex, _: Slice, measure: Measure, aggregate: Aggregate) in
            totals.merge(aggregate, measure: measure, minute: minute)
        }
        let firstHour = HourlyAggregates.index(of: range.lowerBound.advanced(by: 59))
        let lastHour = HourlyAggregates.index(of: range.upperBound.advanced(by: 1)) - 1
        guard firstHour <= lastHour else {
            forEachRow(range, phase: phase, variant: variant, fromEpoch: fromEpoch, measures: measures, segment: segment, add)
            return totals
        }
        if range.lowerBound.rawValue < firstHour * 60 {
            forEachRow(range.lowerBound...MinuteIndex(rawValue: firstHour * 60 - 1), phase: phase, variant: variant, fromEpoch: fromEpoch,
                       measures: measures, segment: segment, add)
        }
        if (lastHour + 1) * 60 <= range.upperBound.rawValue {
            forEachRow(MinuteIndex(rawValue: (lastHour + 1) * 60)...range.upperBound, phase: phase, variant: variant, fromEpoch: fromEpoch,
                       measures: measures, segment: segment, add)
        }
        for index in firstHour...lastHour {
            let hour = hours[index] ?? mergedHour(index)
            hours[index] = hour
            HourlyAggregates.merge(hour, startingAt: MinuteIndex(rawValue: index * 60), into: &totals, phase: phase, variant: variant,
                                   fromEpoch: fromEpoch, measures: measures, segment: segment)
        }
        return totals
    }

    /// Every row of the hour starting at minute `60 × index`, merged per slice and measure.
    /// Every slice: the whole population's and, in a mirror of segment rows, every segment's.
    private func mergedHour(_ index: Int64) -> HourlyAggregates.Hour {
        var hour: HourlyAggregates.Hour = [:]
        for minute in presentMinutes(MinuteIndex(rawValue: index * 60)...MinuteIndex(rawValue: index * 60 + 59)) {
            for (slice, byMeasure) in minutes[minute] ?? [:] {
                for (measure, aggregate) in byMeasure {
                    HourlyAggregates.add(aggregate, minute: minute, slice: slice, measure: measure, to: &hour)
                }
            }
        }
        return hour
    }

    /// The rows in `range` (which must lie at or after `start`) that match, as `Store.aggregates` filters them.
    func table(_ range: ClosedRange<MinuteIndex>, phase: String?, variant: Variant?, fromEpoch: Int?, measures: Set<Measure>?,
               segment: Segment? = nil) -> AggregateTable {
        var table = AggregateTable()
        forEachRow(range, phase: phase, variant: variant, fromEpoch: fromEpoch, measures: measures, segment: segment) { minute, slice, measure, aggregate in
            table.merge(aggregate, at: AggregateKey(minute: minute, phase: slice.phase, variant: slice.variant, epoch: slice.epoch, measure: measure,
                                                    segment: slice.segment))
        }
        return table
    }

    private func forEachRow(_ range: ClosedRange<MinuteIndex>, phase: String?, variant: Variant?, fromEpoch: Int?, measures: Set<Measure>?,
                            segment: Segment? = nil, _ body: (MinuteIndex, Slice, Measure, Aggregate) -> Void) {
        for minute in presentMinutes(range) {
            guard let slices = minutes[minute] else { continue }
            for (slice, byMeasure) in slices where slice.matches(phase: phase, variant: variant, fromEpoch: fromEpoch, segment: segment) {
                if let measures {
                    for measure in measures { if let aggregate = byMeasure[measure] { body(minute, slice, measure, aggregate) } }
                } else {
                    for (measure, aggregate) in byMeasure { body(minute, slice, measure, aggregate) }
                }
            }
        }
    }

    /// The minutes of `range` with rows. Fewer minutes than the range spans are usually present: walks
    /// whichever is shorter.
    private func presentMinutes(_ range: ClosedRange<MinuteIndex>) -> [MinuteIndex] {
        range.lowerBound.distance(to: range.upperBound) + 1 > Int64(minutes.count)
            ? minutes.keys.filter { range.contains($0) } : range.filter { minutes[$0] != nil }
    }
}
