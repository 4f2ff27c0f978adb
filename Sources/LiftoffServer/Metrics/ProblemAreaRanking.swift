import LiftoffAPI
import LiftoffCore

/// Features ranked by how bad their error rate, relevance and satisfaction are at least: the side of each
/// one's 95% interval nearest to good, so a small sample does not top the list. What
/// `/v1/insights/problem-areas` answers and the metrics page shows.
enum ProblemAreaRanking {
    /// The signals ranked, and how bad a bound of each is on a 0–1 scale.
    static let signals: [(metric: Metric, severity: @Sendable (ConfidenceInterval) -> Double)] = [
        (.errorRate, { $0.lower }),
        (.aiResponseRelevance, { 1 - $0.upper }),
        (.userSatisfaction, { (5 - $0.upper) / 4 }),
    ]

    /// Every (feature, signal) of the admitted features, worst first; those without a bound last.
    static func rank(_ query: MetricsQuery, over interval: MetricsQuery.Interval, phase: String?, variant: Variant,
                     cap: Int) async throws -> [ProblemAreas.Area] {
        let (features, _) = BreakdownRequest.groups(of: .feature, admitted: try await query.store.dimensionValues(), cap: cap)
        var areas: [ProblemAreas.Area] = []
        for feature in features {
            let values = try await query.values(signals.map(\.metric), over: interval, phase: phase, variant: variant,
                                                segment: Segment(.feature, feature))
            for (metric, severity) in signals {
                let value = values[metric] ?? MetricValue(value: nil, samples: 0)
                let interval = value.interval().flatMap { $0.lower.isFinite && $0.upper.isFinite ? $0 : nil }
                let bound = interval.map { metric == .errorRate ? $0.lower : $0.upper }
                areas.append(ProblemAreas.Area(feature: feature, signal: metric.rawValue, value: value.value, samples: value.samples,
                                               bound: bound, severity: interval.map { max(0, min(1, severity($0))) }))
            }
        }
        return areas.sorted { lhs, rhs in
            switch (lhs.severity, rhs.severity) {
            case let (left?, right?) where left != right: return left > right
            case (.some, nil): return true
            case (nil, .some): return false
            default: return (lhs.samples, rhs.feature, rhs.signal) > (rhs.samples, lhs.feature, lhs.signal)
            }
        }
    }
}
