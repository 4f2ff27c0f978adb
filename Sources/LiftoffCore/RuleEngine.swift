import Foundation

/// A rule's state between evaluations: `inactive → pending (for) → firing → resolved → inactive`.
public struct RuleState: Sendable, Equatable, Codable {
    public enum Phase: String, Sendable, Codable { case inactive, pending, firing }

    public var phase: Phase = .inactive
    /// When the current pending or firing stretch began.
    public var since: Date?
    public var lastBreachAt: Date?
    /// When the rule's actions last ran, for the cooldown.
    public var lastActedAt: Date?
    /// Counts firings; with the rule's id it names one firing, so its actions run once.
    public var firings: Int = 0

    public init() {}
}

/// How one observation of a rule's metric compares with its threshold.
public enum RuleJudgement: Sendable, Equatable {
    case breach(compared: Double)
    case clear(compared: Double)
    /// Fewer samples than the rule's minimum: never fires.
    case insufficientData
}

/// What one evaluation did to a rule.
public enum RuleTransition: Sendable, Equatable {
    case none
    case pending
    /// The rule began firing; `acted` is false when the cooldown held its actions back.
    case fired(acted: Bool)
    case resolved
}

/// The rule state machine: pure, so it is tested with an injected clock and replayed exactly.
public enum RuleEngine {
    /// Rates and quantiles are compared through their monitoring bound (`MonitoringBound`, 99.9% one-sided),
    /// the side that must cross the threshold: a rule watching for a high error rate fires only when even the
    /// lower bound is above it, and one watching p95 latency only when even the lower bound of p95 is.
    ///
    /// A rule with a baseline compares the window with the metric's own trailing baseline: it breaches when
    /// the window is above `factor` times the baseline and above `threshold` (a floor, so that a quiet
    /// baseline does not turn noise into a spike). Totals such as spend are compared per second of traffic
    /// (`activeSeconds`), their floor with the window's total.
    /// `baselineSeconds` is how long the baseline actually covers (shorter than asked early in a phase).
    ///
    /// A rule compared with control (`versusControl`) needs `control`, the same metric of control users over
    /// the comparison's window, with the rule's minimum sample too; it breaches when treatment's lower bound
    /// is above the threshold and `ControlComparison` finds treatment's rate above `factor` times control's.
    public static func judge(_ rule: Rule, _ value: MetricValue, baseline: MetricValue? = nil, baselineSeconds: TimeInterval? = nil,
                             control: MetricValue? = nil) -> RuleJudgement {
        guard value.samples >= rule.minSamples, let observed = value.value else { return .insufficientData }
        if let versus = rule.versusControl {
            guard let control, control.samples >= rule.minSamples, let controlEvents = control.successes,
                  let events = value.successes else { return .insufficientData }
            let compared = MonitoringBound.rateLower(successes: events, trials: value.samples) ?? observed
            let worse = ControlComparison.isWorse(treatment: (events, value.samples), control: (controlEvents, control.samples),
                                                  factor: versus.factor)
            return compared > rule.threshold && worse ? .breach(compared: compared) : .clear(compared: compared)
        }
        var compared = observed
        if rule.metric.kind == .rate, let successes = value.successes {
            let bound = rule.when == .above
                ? MonitoringBound.rateLower(successes: successes, trials: value.samples)
                : MonitoringBound.rateUpper(successes: successes, trials: value.samples)
            compared = bound ?? observed
        } else if rule.metric.quantile != nil {
            // Too few samples to bound the quantile on the side that would act: nothing to conclude yet.
            guard let bound = rule.when == .above ? value.lowerBound : value.upperBound else { return .insufficientData }
            compared = bound
        }
        var bar = rule.threshold
        if let reference = rule.baseline {
            guard let baseline, baseline.samples >= rule.minSamples, let past = baseline.value else { return .insufficientData }
            if rule.metric.kind == .total {
                // Spend per second of traffic: hours without any (an outage upstream, a quiet night) must not
                // make ordinary spend afterwards look like a spike against the day's average.
                let windowSeconds = value.activeSeconds.map { max($0, 60) } ?? rule.window
                let pastSeconds = baseline.activeSeconds.map { max($0, 60) } ?? max(baselineSeconds ?? reference.window, 1)
                compared = observed / windowSeconds
                guard observed > rule.threshold else { return .clear(compared: compared) }
                bar = past / pastSeconds * reference.factor
            } else {
                bar = max(rule.threshold, past * reference.factor)
            }
        }
        let breached = rule.when == .above ? compared > bar : compared < bar
        return breached ? .breach(compared: compared) : .clear(compared: compared)
    }

    public static func advance(_ rule: Rule, _ state: RuleState, _ judgement: RuleJudgement, now: Date) -> (RuleState, RuleTransition) {
        var next = state
        switch (state.phase, judgement) {
        case (.inactive, .breach), (.pending, .breach):
            next.lastBreachAt = now
            let since = state.phase == .pending ? state.since ?? now : now
            if now.timeIntervalSince(since) >= rule.forDuration {
                next.phase = .firing
                next.since = now
                next.firings += 1
                let acted = state.lastActedAt.map { now.timeIntervalSince($0) >= rule.cooldown } ?? true
                if acted { next.lastActedAt = now }
                return (next, .fired(acted: acted))
            }
            next.phase = .pending
            next.since = since
            return (next, state.phase == .pending ? .none : .pending)
        case (.pending, _):
            next.phase = .inactive
            next.since = nil
            return (next, .none)
        case (.firing, .breach):
            next.lastBreachAt = now
            return (next, .none)
        case (.firing, _):
            if now.timeIntervalSince(state.lastBreachAt ?? now) >= rule.keepFiringFor {
                next.phase = .inactive
                next.since = nil
                return (next, .resolved)
            }
            return (next, .none)
        case (.inactive, _):
            return (next, .none)
        }
    }
}
