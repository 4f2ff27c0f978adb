import Foundation
import LiftoffCore
import LiftoffStore

/// Answers metric questions: resolves a window to minutes, reads the aggregates once, and lets the catalog
/// compute every asked metric from them.
struct MetricsQuery: Sendable {
    let store: any Store
    let rollout: RolloutState
    let clock: any WallClock

    struct Interval: Sendable {
        var start: Date
        var end: Date
        var seconds: TimeInterval { max(end.timeIntervalSince(start), 1) }
    }

    /// The time covered by `window`, for `phase` (the current one when nil).
    func interval(of window: MetricWindow, phase: String?) throws -> Interval {
        let now = clock.now()
        switch window {
        case .last(let seconds):
            return Interval(start: now.addingTimeInterval(-seconds), end: now)
        case .all:
            let first = rollout.snapshot.history.first?.startedAt ?? now
            return Interval(start: min(first, now), end: now)
        case .phase:
            let snapshot = rollout.snapshot
            let name = phase ?? snapshot.phase.name
            guard let record = snapshot.history.last(where: { $0.phase == name }) else {
                throw DomainError.notFound("phase '\(name)' has not started")
            }
            return Interval(start: record.startedAt, end: record.endedAt ?? now)
        }
    }

    /// The values of `metrics` over `interval`.
    /// The values of `metrics` over `interval`, of the whole population or of one `segment`. Retention is
    /// counted from users' active days, which are not kept per segment: a segment's retention has no value.
    func values(_ metrics: [Metric], over interval: Interval, phase: String?, variant: Variant?,
                fromEpoch: Int? = nil, segment: Segment? = nil) async throws -> [Metric: MetricValue] {
        let minutes: ClosedRange<MinuteIndex> = windowMinutes(interval)
        let measures = metrics.reduce(into: Set<Measure>()) { $0.formUnion($1.measures) }
        let window = try await store.aggregateTotals(minutes: minutes, phase: phase, variant: variant, fromEpoch: fromEpoch, measures: measures,
                                                     segment: segment)
        var retention: [Int: RetentionCounts] = [:]
        for days in Set(metrics.compactMap(\.retentionDays)) where segment == nil {
            retention[days] = try await retentionCounts(days: days, interval: interval, phase: phase, variant: variant)
        }
        let calculator = MetricCalculator(totals: window.totals, windowSeconds: interval.seconds, retention: retention)
        return Dictionary(uniqueKeysWithValues: metrics.map { metric in
            var value = calculator.value(of: metric)
            value.activeSeconds = window.activeSeconds(metric.measures)
            return (metric, value)
        })
    }

    /// From the start of the first to the end of the last minute in `interval` with data for `metrics`: the
    /// span a projection can rest on. nil without data.
    func observedSpan(_ metrics: [Metric], over interval: Interval, phase: String?, variant: Variant?) async throws -> DateInterval? {
        let measures = metrics.reduce(into: Set<Measure>()) { $0.formUnion($1.measures) }
        let table = try await store.aggregates(minutes: windowMinutes(interval), phase: phase, variant: variant, fromEpoch: nil, measures: measures)
        let minutes = table.rows.filter { $0.value.count > 0 }.map(\.key.minute)
        guard let first = minutes.min(), let last = minutes.max() else { return nil }
        return DateInterval(start: first.start, end: last.advanced(by: 1).start)
    }

    /// One point per `step` over `interval`: the metric over each step.
    func series(_ metric: Metric, over interval: Interval, step: TimeInterval, phase: String?, variant: Variant?,
                segment: Segment? = nil) async throws -> [(Date, MetricValue)] {
        try await series([metric], over: interval, step: step, phase: phase, variant: variant, segment: segment)[metric] ?? []
    }

    /// One point per `step` over `interval` for each of `metrics`, from one read of the union of their measures:
    /// a page of charts costs one store read per variant and segment, not one per chart.
    func series(_ metrics: [Metric], over interval: Interval, step: TimeInterval, phase: String?, variant: Variant?,
                segment: Segment? = nil) async throws -> [Metric: [(Date, MetricValue)]] {
        let minutes = windowMinutes(interval)
        let measures = metrics.reduce(into: Set<Measure>()) { $0.formUnion($1.measures) }
        let table = try await store.aggregates(minutes: minutes, phase: phase, variant: variant, fromEpoch: nil, measures: measures,
                                               segment: segment)
        let stepMinutes = Int64(step / 60)
        var buckets: [Int64: [Measure: Aggregate]] = [:]
        for (key, aggregate) in table.rows {
            let bucket = minutes.lowerBound.distance(to: key.minute) / stepMinutes
            buckets[bucket, default: [:]][key.measure, default: Aggregate(for: key.measure)].merge(aggregate)
        }
        let count = minutes.lowerBound.distance(to: minutes.upperBound) / stepMinutes + 1
        var series: [Metric: [(Date, MetricValue)]] = [:]
        for bucket in 0..<count {
            let start = minutes.lowerBound.advanced(by: bucket * stepMinutes).start
            var retention: [Int: RetentionCounts] = [:]
            for days in Set(metrics.compactMap(\.retentionDays)) where segment == nil {
                let bucketInterval = Interval(start: start, end: start.addingTimeInterval(step))
                retention[days] = try await retentionCounts(days: days, interval: bucketInterval, phase: phase, variant: variant)
            }
            let calculator = MetricCalculator(totals: buckets[bucket] ?? [:], windowSeconds: step, retention: retention)
            for metric in metrics { series[metric, default: []].append((start, calculator.value(of: metric))) }
        }
        return series
    }

    private func windowMinutes(_ interval: Interval) -> ClosedRange<MinuteIndex> {
        MetricWindow.minutes(from: interval.start, to: interval.end)
    }

    /// Users first seen in the interval early enough that `days` later has passed.
    private func retentionCounts(days: Int, interval: Interval, phase: String?, variant: Variant?) async throws -> RetentionCounts {
        let firstDay = DayIndex(containing: interval.start)
        let today = DayIndex(containing: clock.now())
        let lastDay = min(DayIndex(containing: interval.end), today.advanced(by: -Int64(days)))
        guard lastDay >= firstDay else { return RetentionCounts(cohort: 0, returned: 0) }
        return try await store.retention(afterDays: days, firstDays: firstDay...lastDay, phase: phase, variant: variant)
    }
}
