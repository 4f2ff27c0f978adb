import LiftoffCore

/// The latest minutes of `minute_aggregates`, decoded, in memory: what the evaluator reads every second and
/// what every ingest batch adds to. Exact by construction: this store is the only writer of the table, and
/// every committed write also lands here (after its commit, under the same writer), so from `start` on the
/// mirror holds exactly the stored rows and a read needs neither SQL nor decoding.
///
/// Bounded: minutes older than `horizon` minutes before the latest arrival are dropped (and `start` moves
/// on); reads reaching before `start` go to SQL for that part.
struct RecentAggregates: Sendable {
    /// Every stored row of a minute from `start` on is here.
    private(set) var start: MinuteIndex
    /// How many minutes back from the latest arrival are kept; 0 keeps nothing (every read is SQL).
    let horizon: Int64
    /// Per minute, per slice (phase, variant, epoch), per measure: a read asks for a few measures of a few
    /// slices, so it looks them up instead of filtering every row.
    private var minutes: [MinuteIndex: [Slice: [Measure: Aggregate]]] = [:]

    struct Slice: Hashable, Sendable {
        var phase: String
        var variant: Variant
        var epoch: Int

        /// Whether a read with these filters (nil: any) takes this slice.
        func matches(phase: String?, variant: Variant?, fromEpoch: Int?) -> Bool {
            (phase == nil || self.phase == phase) && (variant == nil || self.variant == variant) && (fromEpoch.map { epoch >= $0 } ?? true)
        }
    }

    init(horizon: Int64, now: MinuteIndex) {
        self.horizon = max(0, horizon)
        // With nothing kept, the mirror starts at the end of time: it covers no minute.
        start = horizon > 0 ? now.advanced(by: -horizon) : MinuteIndex(rawValue: .max)
    }

    var isEnabled: Bool { horizon > 0 }

    /// The stored row at `key`, when the mirror covers its minute: `.some(nil)` means "no row stored".
    func stored(at key: AggregateKey) -> Aggregate?? {
        guard key.minute >= start else { return .none }
        return .some(minutes[key.minute]?[Slice(phase: key.phase, variant: key.variant, epoch: key.epoch)]?[key.measure])
    }

    /// Records the row as just committed.
    mutating func record(_ aggregate: Aggregate, at key: AggregateKey) {
        guard key.minute >= start else { return }
        minutes[key.minute, default: [:]][Slice(phase: key.phase, variant: key.variant, epoch: key.epoch), default: [:]][key.measure] = aggregate
    }

    /// Moves the window on to `horizon` minutes before `latest` (an arrival time, not an event's own time, so a
    /// wrong clock on a device cannot empty the mirror).
    mutating func advance(to latest: MinuteIndex) {
        guard isEnabled else { return }
        let newStart = latest.advanced(by: -horizon)
        guard newStart > start else { return }
        start = newStart
        minutes = minutes.filter { $0.key >= newStart }
    }

    /// The rows in `range` (which must lie at or after `start`, within `window`) that match, merged per measure
    /// into totals of `window`.
    func totals(_ range: ClosedRange<MinuteIndex>, within window: ClosedRange<MinuteIndex>, phase: String?, variant: Variant?,
                fromEpoch: Int?, measures: Set<Measure>?) -> AggregateTotals {
        var totals = AggregateTotals(minutes: window)
        forEachRow(range, phase: phase, variant: variant, fromEpoch: fromEpoch, measures: measures) { minute, _, measure, aggregate in
            totals.merge(aggregate, measure: measure, minute: minute)
        }
        return totals
    }

    /// The rows in `range` (which must lie at or after `start`) that match, as `Store.aggregates` filters them.
    func table(_ range: ClosedRange<MinuteIndex>, phase: String?, variant: Variant?, fromEpoch: Int?, measures: Set<Measure>?) -> AggregateTable {
        var table = AggregateTable()
        forEachRow(range, phase: phase, variant: variant, fromEpoch: fromEpoch, measures: measures) { minute, slice, measure, aggregate in
            table.merge(aggregate, at: AggregateKey(minute: minute, phase: slice.phase, variant: slice.variant, epoch: slice.epoch, measure: measure))
        }
        return table
    }

    private func forEachRow(_ range: ClosedRange<MinuteIndex>, phase: String?, variant: Variant?, fromEpoch: Int?, measures: Set<Measure>?,
                            _ body: (MinuteIndex, Slice, Measure, Aggregate) -> Void) {
        for minute in presentMinutes(range) {
            guard let slices = minutes[minute] else { continue }
            for (slice, byMeasure) in slices where slice.matches(phase: phase, variant: variant, fromEpoch: fromEpoch) {
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
