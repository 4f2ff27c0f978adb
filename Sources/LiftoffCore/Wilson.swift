import Foundation

/// The Wilson score interval of a proportion: honest bounds for small samples (an alpha of 25 users),
/// where the plain ratio would pass or fail a gate on luck.
public enum Wilson {
    /// z for a two-sided 95% interval; each bound alone is then a 97.5% one-sided bound.
    public static let z95 = 1.959_963_984_540_054

    /// The interval of `successes` out of `trials`, or nil without trials.
    public static func interval(successes: Int, trials: Int, z: Double = z95) -> ClosedRange<Double>? {
        guard trials > 0 else { return nil }
        let n = Double(trials)
        let p = Double(successes) / n
        let z2 = z * z
        let centre = (p + z2 / (2 * n)) / (1 + z2 / n)
        let margin = z / (1 + z2 / n) * sqrt(p * (1 - p) / n + z2 / (4 * n * n))
        // At 0 or n successes the bound is exactly 0 or 1; the formula leaves rounding noise there.
        let lower = successes == 0 ? 0 : max(0, centre - margin)
        let upper = successes == trials ? 1 : min(1, centre + margin)
        return lower...upper
    }
}
