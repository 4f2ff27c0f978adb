import Foundation

/// Treatment set beside control for one metric: both values with their sample counts, the difference
/// (treatment − control) absolute and relative, its 95% interval, and whether the difference is real after a
/// correction for the number of metrics compared at once.
public struct VariantComparison: Sendable, Equatable {
    public var metric: Metric
    public var treatment: MetricValue
    public var control: MetricValue
    /// treatment − control; nil where either side has no value.
    public var difference: Double?
    /// (treatment − control) / control; nil where control is 0 or missing.
    public var relativeDifference: Double?
    /// The 95% interval of the difference; nil where the metric has no interval (counts and sums, whose
    /// difference depends on how many users each side has, and ratios of totals).
    public var interval: ConfidenceInterval?
    /// The interval at the corrected confidence 1 − 0.05/m (Bonferroni over the m metrics with an interval).
    public var correctedInterval: ConfidenceInterval?
    /// True when the corrected interval excludes zero: a real difference, not noise; nil where untested.
    public var isReal: Bool? { correctedInterval.map(\.excludesZero) }

    /// The familywise error rate the correction holds the set of comparisons to.
    public static let familywiseAlpha = 0.05

    /// Compares every metric in `metrics`, correcting for how many of them have an interval.
    public static func compare(_ metrics: [Metric], treatment: [Metric: MetricValue], control: [Metric: MetricValue]) -> [VariantComparison] {
        let empty = MetricValue(value: nil, samples: 0)
        let pairs = metrics.map { (metric: $0, treatment: treatment[$0] ?? empty, control: control[$0] ?? empty) }
        let tested = pairs.filter { DifferenceInterval.of($0.treatment, $0.control, confidence: 0.95) != nil }.count
        let corrected = 1 - familywiseAlpha / Double(max(tested, 1))
        return pairs.map { pair in
            let difference = zip(pair.treatment.value, pair.control.value).map { $0 - $1 }
            let relative = zip(difference, pair.control.value).flatMap { $1 == 0 ? nil : $0 / abs($1) }
            return VariantComparison(metric: pair.metric, treatment: pair.treatment, control: pair.control, difference: difference,
                                     relativeDifference: relative,
                                     interval: DifferenceInterval.of(pair.treatment, pair.control, confidence: 1 - familywiseAlpha),
                                     correctedInterval: DifferenceInterval.of(pair.treatment, pair.control, confidence: corrected))
        }
    }

    /// How the set was corrected, for reports: "Bonferroni over 9 metrics (each at 99.44%)".
    public static func correctionText(_ comparisons: [VariantComparison]) -> String {
        let tested = comparisons.filter { $0.interval != nil }.count
        let level = (1 - familywiseAlpha / Double(max(tested, 1))) * 100
        return "Bonferroni over \(tested) metric\(tested == 1 ? "" : "s") with an interval (each at \(String(format: "%.2f", level))%)"
    }
}

/// Confidence intervals of the difference treatment − control between two independent groups.
public enum DifferenceInterval {
    /// - Rates: Newcombe's hybrid score interval from the two Wilson intervals (Newcombe 1998, method 10).
    /// - Means: Welch's t interval with Welch–Satterthwaite degrees of freedom.
    /// - Quantiles: from each group's order-statistic interval at 1 − α/2, [Lt − Uc, Ut − Lc], which covers
    ///   with at least 1 − α (Bonferroni); infinite where a group cannot bound its quantile yet.
    /// - Exact values: nil.
    public static func of(_ treatment: MetricValue, _ control: MetricValue, confidence: Double) -> ConfidenceInterval? {
        guard let t = treatment.value, let c = control.value else { return nil }
        let difference = t - c
        switch (treatment.evidence, control.evidence) {
        case (.proportion, .proportion):
            guard let first = ConfidenceInterval.of(treatment.evidence, confidence: confidence),
                  let second = ConfidenceInterval.of(control.evidence, confidence: confidence) else { return nil }
            let below = ((t - first.lower) * (t - first.lower) + (second.upper - c) * (second.upper - c)).squareRoot()
            let above = ((first.upper - t) * (first.upper - t) + (c - second.lower) * (c - second.lower)).squareRoot()
            return ConfidenceInterval(lower: difference - below, upper: difference + above, confidence: confidence)
        case (.mean(_, let sdT?, let nT), .mean(_, let sdC?, let nC)) where nT >= 2 && nC >= 2:
            let (varT, varC) = (sdT * sdT / Double(nT), sdC * sdC / Double(nC))
            let standardError = (varT + varC).squareRoot()
            guard standardError > 0 else { return ConfidenceInterval(lower: difference, upper: difference, confidence: confidence) }
            let degrees = (varT + varC) * (varT + varC) / (varT * varT / Double(nT - 1) + varC * varC / Double(nC - 1))
            let margin = StudentT.quantile(1 - (1 - confidence) / 2, degreesOfFreedom: degrees) * standardError
            return ConfidenceInterval(lower: difference - margin, upper: difference + margin, confidence: confidence)
        case (.quantile, .quantile):
            let each = 1 - (1 - confidence) / 2
            guard let first = ConfidenceInterval.of(treatment.evidence, confidence: each),
                  let second = ConfidenceInterval.of(control.evidence, confidence: each) else { return nil }
            return ConfidenceInterval(lower: first.lower - second.upper, upper: first.upper - second.lower, confidence: confidence)
        default:
            return nil
        }
    }
}

private func zip<A, B>(_ a: A?, _ b: B?) -> (A, B)? {
    guard let a, let b else { return nil }
    return (a, b)
}
