import Foundation

/// A two-sided confidence interval. A side that the data cannot bound yet (a p95 upper bound from 20
/// samples) is infinite; views show it as null.
public struct ConfidenceInterval: Sendable, Equatable {
    public var lower: Double
    public var upper: Double
    /// The two-sided confidence, 0.95 for the gates.
    public var confidence: Double

    public init(lower: Double, upper: Double, confidence: Double) {
        self.lower = lower
        self.upper = upper
        self.confidence = confidence
    }

    /// Whether zero lies outside the interval: for a difference, evidence that it is real.
    public var excludesZero: Bool { lower > 0 || upper < 0 }

    /// The confidence the gates judge at: each side alone is a 97.5% one-sided bound, as the Wilson bound of
    /// DESIGN.md's decision semantics.
    public static let gateConfidence = 0.95

    /// The interval of `evidence` at `confidence`, or nil where it has none (`.exact`, no samples, a mean
    /// without a known deviation).
    ///
    /// - Rates: Wilson score interval (Wilson 1927).
    /// - Means: x̄ ± t(1 − α/2, n − 1) · s / √n with the sample standard deviation s (Student's t).
    /// - Quantiles: the order statistics at the binomial rank bounds (the distribution-free interval of
    ///   Hahn & Meeker, *Statistical Intervals*, §5.2), read off the sketch and clamped to the exact
    ///   minimum and maximum; a side with no such rank (too few samples) is infinite.
    public static func of(_ evidence: Evidence, confidence: Double = gateConfidence) -> ConfidenceInterval? {
        let alpha = 1 - confidence
        switch evidence {
        case .proportion(let successes, let trials):
            let z = StandardNormal.quantile(1 - alpha / 2)
            return Wilson.interval(successes: successes, trials: trials, z: z)
                .map { ConfidenceInterval(lower: $0.lowerBound, upper: $0.upperBound, confidence: confidence) }
        case .mean(let mean, let deviation, let count):
            guard count >= 2, let deviation else { return nil }
            let margin = StudentT.quantile(1 - alpha / 2, degreesOfFreedom: Double(count - 1)) * deviation / Double(count).squareRoot()
            return ConfidenceInterval(lower: mean - margin, upper: mean + margin, confidence: confidence)
        case .quantile(let q, let aggregate):
            guard aggregate.count > 0 else { return nil }
            let ranks = MonitoringBound.quantileRanks(q, count: aggregate.count, alpha: alpha / 2)
            return ConfidenceInterval(lower: ranks.lower.flatMap { aggregate.value(atRank: $0) } ?? -.infinity,
                                      upper: ranks.upper.flatMap { aggregate.value(atRank: $0) } ?? .infinity,
                                      confidence: confidence)
        case .exact:
            return nil
        }
    }
}
