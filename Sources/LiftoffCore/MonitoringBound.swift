import Foundation

/// One-sided confidence bounds for rules, which look at their metric every second: with thousands of looks
/// a day, a 97.5% bound would act on noise several times a day, so each look is held to 99.9%. Rates use the
/// exact (Clopper–Pearson) binomial bound, because Wilson's is too eager at a handful of errors in a small
/// cohort (3 errors in 100 calls does not show a rate above 1%); quantiles use the order-statistic bound,
/// which needs no assumption about the latency distribution.
public enum MonitoringBound {
    /// The chance that one look at a healthy metric reads as a breach.
    public static let alpha = 0.001

    /// The smallest p at which `successes` or more out of `trials` is still at least `alpha` likely: the true
    /// rate is above it with confidence 1 − alpha.
    public static func rateLower(successes: Int, trials: Int, alpha: Double = alpha) -> Double? {
        guard trials > 0 else { return nil }
        guard successes > 0 else { return 0 }
        let (x, n) = (Double(successes), Double(trials))
        // P(X ≥ x | p) = I_p(x, n − x + 1) grows with p.
        return solve { IncompleteBeta.regularized(x, n - x + 1, $0) >= alpha }
    }

    /// The largest p at which `successes` or fewer out of `trials` is still at least `alpha` likely.
    public static func rateUpper(successes: Int, trials: Int, alpha: Double = alpha) -> Double? {
        guard trials > 0 else { return nil }
        guard successes < trials else { return 1 }
        let (x, n) = (Double(successes), Double(trials))
        // P(X ≤ x | p) = 1 − I_p(x + 1, n − x) falls with p.
        return solve { 1 - IncompleteBeta.regularized(x + 1, n - x, $0) < alpha }
    }

    /// Ranks (1-based, among `count` sorted samples) whose values bound the `q`-quantile from below and above
    /// with confidence 1 − alpha each; nil where there are too few samples for such a rank.
    public static func quantileRanks(_ q: Double, count: Int, alpha: Double = alpha) -> (lower: Int?, upper: Int?) {
        guard count > 0 else { return (nil, nil) }
        let n = Double(count)
        // The r-th smallest sample is at most the quantile when at least r samples fall below it:
        // P = P(Bin(n, q) ≥ r) = I_q(r, n − r + 1), which falls as r grows.
        func belowAtLeast(_ r: Int) -> Double { IncompleteBeta.regularized(Double(r), n - Double(r) + 1, q) }
        var lower: Int?
        if belowAtLeast(1) >= 1 - alpha {
            var (low, high) = (1, count)
            while low < high {
                let middle = (low + high + 1) / 2
                if belowAtLeast(middle) >= 1 - alpha { low = middle } else { high = middle - 1 }
            }
            lower = low
        }
        // The s-th smallest is at least the quantile when fewer than s fall below it: 1 − P(Bin ≥ s).
        var upper: Int?
        if 1 - belowAtLeast(count) >= 1 - alpha {
            var (low, high) = (1, count)
            while low < high {
                let middle = (low + high) / 2
                if 1 - belowAtLeast(middle) >= 1 - alpha { high = middle } else { low = middle + 1 }
            }
            upper = low
        }
        return (lower, upper)
    }

    /// The boundary in [0, 1] where `isAbove` turns true, by bisection.
    private static func solve(_ isAbove: (Double) -> Bool) -> Double {
        var (low, high) = (0.0, 1.0)
        for _ in 0..<60 {
            let middle = (low + high) / 2
            if isAbove(middle) { high = middle } else { low = middle }
        }
        return (low + high) / 2
    }
}

/// The regularised incomplete beta function I_x(a, b), the binomial and beta distributions' CDF, by the
/// continued fraction of Numerical Recipes (§6.4). No package on the mirror provides it.
enum IncompleteBeta {
    static func regularized(_ a: Double, _ b: Double, _ x: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let logNormaliser: Double = lgamma(a + b) - lgamma(a) - lgamma(b)
        let logPowers: Double = a * log(x) + b * log(1 - x)
        let front = exp(logNormaliser + logPowers)
        if x < (a + 1) / (a + b + 2) { return front * continuedFraction(a, b, x) / a }
        return 1 - front * continuedFraction(b, a, 1 - x) / b
    }

    private static func continuedFraction(_ a: Double, _ b: Double, _ x: Double) -> Double {
        let tiny = 1e-300
        func guarded(_ value: Double) -> Double { abs(value) < tiny ? tiny : value }
        var c = 1.0
        var d = 1 / guarded(1 - (a + b) * x / (a + 1))
        var h = d
        for step in 1...20_000 {
            let m = Double(step)
            let even: Double = m * (b - m) * x / ((a - 1 + 2 * m) * (a + 2 * m))
            d = 1 / guarded(1 + even * d)
            c = guarded(1 + even / c)
            h *= d * c
            let oddDenominator: Double = (a + 2 * m) * (a + 1 + 2 * m)
            let odd: Double = -(a + m) * (a + b + m) * x / oddDenominator
            d = 1 / guarded(1 + odd * d)
            c = guarded(1 + odd / c)
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-13 { break }
        }
        return h
    }
}
