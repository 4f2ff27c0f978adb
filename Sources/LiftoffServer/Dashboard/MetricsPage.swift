import Foundation
import LiftoffAPI
import LiftoffCore
import LiftoffStore

/// The metrics page's model: its range, the charts of treatment against control, the comparison table, problem
/// areas, feature usage, a breakdown per declared dimension and the learning paths, each from the same reading as
/// its API answer; `render()` (MetricsPage+View) draws it. The range's arithmetic and the thresholds drawn are
/// pure and unit-tested.
struct MetricsPage {
    /// The page's ranges: the last hour, day or week of the current phase, the whole current phase, or the whole
    /// rollout (every phase, drawn as bands behind the lines).
    enum Range: String, CaseIterable {
        case hour = "1h", day = "24h", week = "7d", phase, rollout

        var label: String {
            switch self {
            case .hour, .day, .week: "last \(rawValue)"
            case .phase: "this phase"
            case .rollout: "whole rollout"
            }
        }
    }

    /// What a range covers: its interval, the chart step, the phase it is limited to (nil: every phase) and
    /// how the page names it.
    struct Scope: Equatable {
        var range: Range
        var start: Date
        var end: Date
        var step: TimeInterval
        var phase: String?

        /// When the range's phase started, if inside the range: no event of the phase can come before it.
        var phaseStart: Date?

        var interval: MetricsQuery.Interval { MetricsQuery.Interval(start: start, end: end) }
        /// The part of the range the phase has run: a week's range over a phase of five hours draws its sparklines
        /// over the five hours, not as a dot at the right edge of a week.
        var observed: MetricsQuery.Interval { MetricsQuery.Interval(start: max(start, phaseStart ?? start), end: end) }
        var text: String { phase.map { "phase \($0), \(range.label)" } ?? "every phase, whole rollout" }
        /// About 24 points for a table's sparkline.
        var sparklineStep: TimeInterval { max(60, (observed.seconds / 24 / 60).rounded(.up) * 60) }

        /// `range` at `now` in `phase` (started at `phaseStart`) of a rollout that started at `rolloutStart`; a range
        /// is at least a minute long, and about sixty chart points on whole minutes.
        init(range: Range, phase: String, phaseStart: Date, rolloutStart: Date?, now: Date) {
            self.range = range
            switch range {
            case .hour: start = now.addingTimeInterval(-3600)
            case .day: start = now.addingTimeInterval(-86_400)
            case .week: start = now.addingTimeInterval(-604_800)
            case .phase: start = min(phaseStart, now.addingTimeInterval(-60))
            case .rollout: start = min(rolloutStart ?? now, now.addingTimeInterval(-60))
            }
            end = now
            step = max(60, (max(now.timeIntervalSince(start), 1) / 60 / 60).rounded(.up) * 60)
            self.phase = range == .rollout ? nil : phase
            self.phaseStart = range == .rollout ? nil : min(phaseStart, end.addingTimeInterval(-60))
        }
    }

    struct Chart {
        var metric: Metric
        var threshold: Double?
        var treatment: [(Date, Double?)]
        var control: [(Date, Double?)]
    }

    /// The metrics charted.
    static let charted: [Metric] = [.responseTimeP95, .errorRate, .aiResponseRelevance, .userSatisfaction, .activeUsers,
                                    .sessionDuration, .tokenUsage, .apiCosts]

    var scope: Scope
    /// Phases drawn behind the lines (ranges that can span more than one).
    var bands: [RolloutStory.Band]
    var charts: [Chart]
    var comparisons: [VariantComparison]
    var problemAreas: [ProblemAreas.Area]
    /// The plan's declared dimensions and their caps.
    var dimensions: [MetricDimension: Int]
    var featureUsage: (rows: [FeatureUsage.Row], full: Bool)?
    var breakdowns: [BreakdownTable]
    var paths: LearningPathReading

    /// The line drawn for `metric`: the phase's criterion on it, else a guardrail rule's (not a baseline or a
    /// comparison with control, whose lines move).
    static func threshold(_ metric: Metric, phase: PhasePlan, plan: Plan) -> Double? {
        if let criterion = phase.exit?.criteria.first(where: { $0.segment == nil && ($0.metric == metric || ($0.metric == .responseTime && metric == .responseTimeP95)) }) {
            return criterion.threshold
        }
        return plan.guardrails.rules.first { $0.metric == metric && $0.segment == nil && $0.baseline == nil && $0.versusControl == nil }?.threshold
    }

    static func read(_ range: Range, snapshot: RolloutState.Snapshot, store: any Store, metrics: MetricsQuery, now: Date) async throws -> MetricsPage {
        let scope = Scope(range: range, phase: snapshot.phase.name, phaseStart: snapshot.phaseStartedAt,
                          rolloutStart: snapshot.history.first?.startedAt, now: now)
        let (interval, phase) = (scope.interval, scope.phase)
        let bands = range == .rollout || range == .week
            ? snapshot.history.map { RolloutStory.Band(phase: $0.phase, start: $0.startedAt, end: $0.endedAt) } : []
        let treatmentSeries = try await metrics.series(charted, over: interval, step: scope.step, phase: phase, variant: .treatment)
        let controlSeries = try await metrics.series(charted, over: interval, step: scope.step, phase: phase, variant: .control)
        let charts = charted.map { metric in
            Chart(metric: metric, threshold: threshold(metric, phase: snapshot.phase, plan: snapshot.plan),
                  treatment: (treatmentSeries[metric] ?? []).map { ($0.0, $0.1.value) }, control: (controlSeries[metric] ?? []).map { ($0.0, $0.1.value) })
        }
        let compared = PhaseReports.kpis.flatMap(\.metrics)
        let comparisons = VariantComparison.compare(compared, treatment: try await metrics.values(compared, over: interval, phase: phase, variant: .treatment),
                                                    control: try await metrics.values(compared, over: interval, phase: phase, variant: .control))
        let paths = try await LearningPathReading.read(store, over: interval, phase: phase, variant: .treatment)
        let declared = snapshot.plan.dimensions
        let areas = try await ProblemAreaRanking.rank(metrics, over: interval, phase: phase, variant: .treatment, featureCap: declared[.feature],
                                                      paths: paths.analysis)
        var usage: (rows: [FeatureUsage.Row], full: Bool)?
        if let cap = declared[.feature] {
            usage = try await FeatureUsageReading.read(metrics, over: interval, phase: phase, variants: [.treatment, .control], cap: cap)
        }
        var breakdowns: [BreakdownTable] = []
        if !declared.isEmpty {
            let admitted = try await store.dimensionValues()
            for (dimension, cap) in declared.sorted(by: { $0.key < $1.key }) {
                breakdowns.append(try await BreakdownTable.read(dimension, cap: cap, admitted: admitted, metrics: metrics, over: interval,
                                                                trendOver: scope.observed, step: scope.sparklineStep, phase: phase))
            }
        }
        return MetricsPage(scope: scope, bands: bands, charts: charts, comparisons: comparisons,
                           problemAreas: Array(areas.filter { $0.severity != nil }.prefix(8)), dimensions: declared, featureUsage: usage,
                           breakdowns: breakdowns, paths: paths)
    }
}
