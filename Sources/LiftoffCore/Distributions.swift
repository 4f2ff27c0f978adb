import Foundation

/// The standard normal distribution. Its quantile is found by bisection on the CDF (erfc), exact to 1e-12:
/// enough for confidence levels, and no package on the mirror provides it.
public enum StandardNormal {
    public static func cdf(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }

    /// The x with `cdf(x) == p`, for p in (0, 1).
    public static func quantile(_ p: Double) -> Double {
        precondition(p > 0 && p < 1, "a probability strictly between 0 and 1")
        return Bisection.solve(in: -40...40) { cdf($0) >= p }
    }
}

/// Student's t distribution with `degreesOfFreedom` (any positive real, for Welch's test): the CDF through
/// the regularised incomplete beta function (Abramowitz & Stegun 26.7.1), the quantile by bisection.
public enum StudentT {
    public static func cdf(_ t: Double, degreesOfFreedom nu: Double) -> Double {
        let tail = 0.5 * IncompleteBeta.regularized(nu / 2, 0.5, nu / (nu + t * t))
        return t >= 0 ? 1 - tail : tail
    }

    /// The t with `cdf(t) == p`, for p in (0, 1).
    public static func quantile(_ p: Double, degreesOfFreedom nu: Double) -> Double {
        precondition(p > 0 && p < 1, "a probability strictly between 0 and 1")
        // Heavy tails at one degree of freedom put the 99.99th percentile near 3,000.
        return Bisection.solve(in: -1e7...1e7) { cdf($0, degreesOfFreedom: nu) >= p }
    }
}

enum Bisection {
    /// The point in `range` where the monotone `isAbove` turns true.
    static func solve(in range: ClosedRange<Double>, _ isAbove: (Double) -> Bool) -> Double {
        var (low, high) = (range.lowerBound, range.upperBound)
        for _ in 0..<200 {
            let middle = (low + high) / 2
            if middle == low || middle == high { break }
            if isAbove(middle) { high = middle } else { low = middle }
        }
        return (low + high) / 2
    }
}
