import Foundation

/// Treatment against control for a rate that must stay low (errors, timeouts): is treatment's rate more than
/// `factor` times control's? The exact conditional test for a ratio of two rates: given all `k` events seen
/// on both sides, the number on treatment's side is binomial with the share of exposure `factor` gives it
/// (`factor·n / (factor·n + m)`) when the ratio is exactly `factor`, and smaller when the ratio is below.
/// Exact for counts of rare events (Poisson), which error rates are; no estimate of control's rate is
/// needed, so a small control window costs power, not validity.
public enum ControlComparison {
    /// The probability of at least `treatment.successes` of the events falling on treatment's side were
    /// treatment's rate `factor` times control's: small means treatment is worse than that.
    public static func pValue(treatment: (successes: Int, trials: Int), control: (successes: Int, trials: Int), factor: Double) -> Double {
        let x = treatment.successes
        let events = x + control.successes
        guard x > 0, treatment.trials > 0, control.trials > 0 else { return 1 }
        let exposure = factor * Double(treatment.trials)
        let share = exposure / (exposure + Double(control.trials))
        // P(Binomial(events, share) ≥ x) = I_share(x, events − x + 1).
        return IncompleteBeta.regularized(Double(x), Double(events - x + 1), share)
    }

    /// Whether treatment's rate is above `factor` times control's at the monitoring confidence
    /// (`MonitoringBound.alpha`, per look, as every rule).
    public static func isWorse(treatment: (successes: Int, trials: Int), control: (successes: Int, trials: Int), factor: Double,
                               alpha: Double = MonitoringBound.alpha) -> Bool {
        pValue(treatment: treatment, control: control, factor: factor) < alpha
    }
}
