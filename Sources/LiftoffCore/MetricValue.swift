/// A metric's value over a window and the number of samples behind it. `value` is nil when there were no
/// samples to compute it from (a mean of nothing), never a made-up 0.
public struct MetricValue: Sendable, Equatable, Codable {
    public var value: Double?
    public var samples: Int
    /// For rates, the number of samples that had the property (errors among interactions, …).
    public var successes: Int?
    /// For quantiles, values that bound the true quantile from below and above at the monitoring confidence
    /// (`MonitoringBound`); nil where the samples are too few. Used by rules, not shown.
    public var lowerBound: Double?
    public var upperBound: Double?
    /// Seconds of the window that had samples of this metric (whole minutes): per-second rates of totals are
    /// taken over them, not over idle time. nil where unknown.
    public var activeSeconds: Double?
    /// What the value rests on, for its confidence interval: a rate's successes and trials, a mean's spread, a
    /// quantile's sketch; `.exact` for counts and sums.
    public var evidence: Evidence = .exact

    enum CodingKeys: String, CodingKey { case value, samples, successes }

    public init(value: Double?, samples: Int, successes: Int? = nil, lowerBound: Double? = nil, upperBound: Double? = nil,
                activeSeconds: Double? = nil, evidence: Evidence? = nil) {
        self.value = value
        self.samples = samples
        self.successes = successes
        self.lowerBound = lowerBound
        self.upperBound = upperBound
        self.activeSeconds = activeSeconds
        self.evidence = evidence ?? successes.map { .proportion(successes: $0, trials: samples) } ?? .exact
    }

    /// The value's two-sided confidence interval (nil for exact values and where the data gives none).
    public func interval(confidence: Double = ConfidenceInterval.gateConfidence) -> ConfidenceInterval? {
        value == nil ? nil : ConfidenceInterval.of(evidence, confidence: confidence)
    }
}

/// How many users of a cohort came back after a number of days.
public struct RetentionCounts: Sendable, Equatable {
    /// Users first seen in the window early enough to have had the chance to return.
    public var cohort: Int
    /// Of those, the users active again exactly that many days after their first day.
    public var returned: Int

    public init(cohort: Int, returned: Int) {
        self.cohort = cohort
        self.returned = returned
    }
}
