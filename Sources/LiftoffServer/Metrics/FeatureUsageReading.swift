import LiftoffAPI
import LiftoffCore

/// How much each feature is used per variant, from the per-feature aggregates: what
/// `/v1/insights/feature-usage` answers and the phase report shows.
enum FeatureUsageReading {
    /// Rows most interactions first, and whether the feature dimension's cap is reached.
    static func read(_ query: MetricsQuery, over interval: MetricsQuery.Interval, phase: String?, variants: [Variant],
                     cap: Int) async throws -> (rows: [FeatureUsage.Row], full: Bool) {
        let (features, full) = BreakdownRequest.groups(of: .feature, admitted: try await query.store.dimensionValues(), cap: cap)
        let measured: [Metric] = [.interactions, .activeUsers]
        var usage: [String: [String: FeatureUsage.Usage]] = [:]
        for variant in variants {
            let whole = try await query.values(measured, over: interval, phase: phase, variant: variant)
            for feature in features {
                let part = try await query.values(measured, over: interval, phase: phase, variant: variant, segment: Segment(.feature, feature))
                usage[feature, default: [:]][variant.rawValue] = FeatureUsage.Usage(
                    interactions: count(part[.interactions]), interactionShare: share(part[.interactions], of: whole[.interactions]),
                    users: count(part[.activeUsers]), userShare: share(part[.activeUsers], of: whole[.activeUsers]))
            }
        }
        let rows = usage.map { FeatureUsage.Row(feature: $0.key, variants: $0.value) }.sorted { lhs, rhs in
            let left = lhs.variants.values.reduce(0) { $0 + $1.interactions }, right = rhs.variants.values.reduce(0) { $0 + $1.interactions }
            return left != right ? left > right : lhs.feature < rhs.feature
        }
        return (rows, full)
    }

    private static func count(_ value: MetricValue?) -> Int { Int((value?.value ?? 0).rounded()) }

    private static func share(_ part: MetricValue?, of whole: MetricValue?) -> Double? {
        guard let total = whole?.value, total > 0 else { return nil }
        return (part?.value ?? 0) / total
    }
}
