import Foundation

/// The Wilson score interval of a proportion: honest bounds for small samples (an alpha of 25 users),
/// where the plain ratio would pass or fail a gate on luck.
public enum Wilson {
    /// z for a two-sided 95% interval; each bound alone is then a 97.5% one-sided bound.
    public static let z95 = 1.959_963_984_540_054

    /// One side of the interval for an observed `share` of `trials` (both may be fractional): what the bound
    /// would be with more samples at the same share.
    public static func bound(share p: Double, trials n: Double, z: Double = z95, upper: Bool) -> Double {
        let z2 = z * z
        let centre = (p + z2 / (2 * n)) / (1 + z2 / n)
        let margin = z / (1 + z2 / n) * sqrt(p * (1 - p) / n + z2 / (4 * n * n))
        return upper ? min(1, centre + margin) : max(0, centre - margin)
    }

    /// The interval of `successes` out of `trials`, or nil without trials.
    public static func interval(successes: Int, trials: Int, z: Double = z95) -> ClosedRange<Double>? {
        guard trials > 0 else { return nil }
        let (n, p) = (Double(trials), Double(successes) / Double(trials))
        let lower = successes == 0 ? 0 : bound(share: p, trials: n, z: z, upper: false)
        let upper = successes == trials ? 1 : bound(share: p, trials: n, z: z, upper: true)
        return lower...upper
    }
}
