/// What a metric's value rests on, in the form its confidence interval needs: the catalog says which form each
/// metric has (`MetricCalculator`), and `ConfidenceInterval` turns it into bounds at any confidence.
public enum Evidence: Sendable, Equatable {
    /// A share: `successes` of `trials` (Wilson score interval).
    case proportion(successes: Int, trials: Int)
    /// A mean of `count` samples with their sample standard deviation (Student's t interval); the deviation is
    /// nil below two samples or for samples stored before sums of squares were kept.
    case mean(Double, standardDeviation: Double?, count: Int)
    /// The `q`-quantile of the samples summarised by `aggregate` (distribution-free order-statistic interval
    /// read off its sketch).
    case quantile(Double, aggregate: Aggregate)
    /// A count, a sum, a maximum or a ratio of totals: exact for what was observed, judged as it is.
    case exact
}
