import LiftoffAPI
import LiftoffCore

/// Features and lesson or project items ranked by how bad their signals are at least: the side of each one's
/// 95% interval nearest to good, so a small sample does not top the list. Features are judged on error rate,
/// relevance and satisfaction (from the per-feature aggregates), items on abandonment (from completion
/// events, `LearningPathAnalysis`). What `/v1/insights/problem-areas` answers and the metrics page shows.
enum ProblemAreaRanking {
    /// The signals ranked, and how bad a bound of each is on a 0–1 scale.
    static let signals: [(metric: Metric, severity: @Sendable (ConfidenceInterval) -> Double)] = [
        (.errorRate, { $0.lower }),
        (.aiResponseRelevance, { 1 - $0.upper }),
        (.userSatisfaction, { (5 - $0.upper) / 4 }),
    ]

    /// Every (feature, signal) of the admitted features (none when `featureCap` is nil: the plan declares no
    /// feature dimension) and every item's abandonment, worst first; those without a bound last.
    static func rank(_ query: MetricsQuery, over interval: MetricsQuery.Interval, phase: String?, variant: Variant,
                     featureCap: Int?, paths: LearningPathAnalysis) async throws -> [ProblemAreas.Area] {
        var areas: [ProblemAreas.Area] = []
        if let featureCap {
            let (features, _) = BreakdownRequest.groups(of: .feature, admitted: try await query.store.dimensionValues(), cap: featureCap)
            for feature in features {
                let values = try await query.values(signals.map(\.metric), over: interval, phase: phase, variant: variant,
                                                    segment: Segment(.feature, feature))
                for (metric, severity) in signals {
                    let value = values[metric] ?? MetricValue(value: nil, samples: 0)
                    let interval = value.interval().flatMap { $0.lower.isFinite && $0.upper.isFinite ? $0 : nil }
                    let bound = interval.map { metric == .errorRate ? $0.lower : $0.upper }
                    areas.append(ProblemAreas.Area(name: feature, signal: metric.rawValue, value: value.value, samples: value.samples,
                                                   bound: bound, severity: interval.map { max(0, min(1, severity($0))) }))
                }
            }
        }
        for item in paths.items {
            let bound = item.abandonmentInterval?.lowerBound
            areas.append(ProblemAreas.Area(kind: "item", name: item.itemId, signal: "abandonment_rate", value: item.abandonmentRate,
                                           samples: item.reached, bound: bound, severity: bound))
        }
        return areas.sorted { lhs, rhs in
            switch (lhs.severity, rhs.severity) {
            case let (left?, right?) where left != right: return left > right
            case (.some, nil): return true
            case (nil, .some): return false
            default: return (lhs.samples, rhs.kind, rhs.name, rhs.signal) > (rhs.samples, lhs.kind, lhs.name, lhs.signal)
            }
        }
    }
}
