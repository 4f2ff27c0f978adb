import Foundation

/// A guardrail: a metric of the current phase's treatment users watched over a sliding window, and what to
/// do when it crosses its threshold. Adjustment rules, scaling triggers and rollback triggers of the plan
/// all become rules.
public struct Rule: Sendable, Equatable, Identifiable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case adjustment, scaling, rollback
        /// Only an alert: the seed's alert kinds (error-rate spikes, cost anomalies, budget, security issues).
        case alert
    }

    /// Compare with the metric's own recent past instead of (or beside) a fixed threshold.
    public struct Baseline: Sendable, Equatable {
        /// The trailing stretch before the rule's window that the window is compared with.
        public var window: TimeInterval
        /// The rule breaches when the window's value is above `factor` times the baseline's.
        public var factor: Double
        public init(window: TimeInterval, factor: Double) {
            self.window = window
            self.factor = factor
        }
    }
    /// Compare treatment with control: the rule breaches only when treatment's rate is, with the monitoring
    /// confidence, above `factor` times control's over control's trailing `window` (`ControlComparison`), and
    /// above the rule's threshold (a floor). What a rollback should answer: "the new experience is worse than the
    /// old one", which an incident hitting both (a provider outage) is not.
    public struct VersusControl: Sendable, Equatable {
        /// How much of control's recent traffic the treatment window is held against.
        public var window: TimeInterval
        /// Treatment breaches above this multiple of control's rate; 1 means "any worse".
        public var factor: Double
        public init(window: TimeInterval, factor: Double) {
            self.window = window
            self.factor = factor
        }
    }
    public enum When: String, Sendable, Codable, CaseIterable { case above, below }
    public enum Severity: String, Sendable, Codable, CaseIterable, Comparable {
        case info, warning, critical
        public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rank < rhs.rank }
        var rank: Int { Self.allCases.firstIndex(of: self)! }
    }

    /// Stable within a plan: `rollback[0]`, `adjustments[1]`, `scaling.errorRate`.
    public var id: String
    public var kind: Kind
    public var metric: Metric
    public var threshold: Double
    public var when: When
    public var window: TimeInterval
    public var minSamples: Int
    /// How long the breach must hold before the rule fires.
    public var forDuration: TimeInterval
    /// How long a firing rule stays firing after the breach clears, against flapping.
    public var keepFiringFor: TimeInterval
    /// The least time between two runs of the rule's actions.
    public var cooldown: TimeInterval
    public var severity: Severity
    /// Names of actions: built-ins (`rollback`, `pause`, `notify`, `stop_admissions`, `start_admissions`) or
    /// the plan's `actions`.
    public var actions: [String]
    /// With a baseline, `threshold` is a floor: the rule breaches only above both it and the baseline's bar.
    public var baseline: Baseline?
    /// With a comparison, `threshold` is a floor too: the rule breaches only above it and worse than control.
    public var versusControl: VersusControl?
    /// Watches one value of a declared dimension only (`feature: path_generation`); nil: everyone.
    public var segment: Segment?

    public init(id: String, kind: Kind, metric: Metric, threshold: Double, when: When = .above, window: TimeInterval = 300,
                minSamples: Int? = nil, forDuration: TimeInterval = 0, keepFiringFor: TimeInterval = 0,
                cooldown: TimeInterval = 0, severity: Severity = .warning, actions: [String], baseline: Baseline? = nil,
                versusControl: VersusControl? = nil) {
        self.id = id
        self.kind = kind
        self.metric = metric
        self.threshold = threshold
        self.when = when
        self.window = window
        self.minSamples = minSamples ?? Self.defaultMinSamples(metric)
        self.forDuration = forDuration
        self.keepFiringFor = keepFiringFor
        self.cooldown = cooldown
        self.severity = severity
        self.actions = actions
        self.baseline = baseline
        self.versusControl = versusControl
    }

    /// A rate or a statistic needs some evidence before anything is rolled back on it; a count of
    /// critical security issues does not.
    public static func defaultMinSamples(_ metric: Metric) -> Int {
        metric.kind == .total ? 0 : 20
    }

    /// `error_rate above 0.05 over 5m`, `ai_response_relevance [feature=path_generation] below 0.85 over 15m`
    public var label: String {
        guard let segment else { return wholeLabel }
        return wholeLabel.replacingOccurrences(of: metric.rawValue, with: "\(metric.rawValue) [\(segment)]", range: wholeLabel.range(of: metric.rawValue))
    }

    private var wholeLabel: String {
        if let baseline {
            let per = metric.kind == .total ? " per second" : ""
            return "\(metric.rawValue)\(per) above \(CriterionResult.format(baseline.factor))× its \(DurationText.format(baseline.window)) baseline "
                + "over \(DurationText.format(window)) (and above \(CriterionResult.format(threshold))\(metric.unitSuffix))"
        }
        if let versusControl {
            return "\(metric.rawValue) above \(CriterionResult.format(versusControl.factor))× control's (last \(DurationText.format(versusControl.window))) "
                + "over \(DurationText.format(window)) (and above \(CriterionResult.format(threshold))\(metric.unitSuffix))"
        }
        return "\(metric.rawValue) \(when.rawValue) \(CriterionResult.format(threshold))\(metric.unitSuffix) over \(DurationText.format(window))"
    }
}

/// What a named action does.
public enum ActionDefinition: Sendable, Equatable {
    /// POST a signed JSON message to `url`.
    case webhook(url: String, secret: String)
    /// Merge `values` into the config `/v1/evaluate` hands out; reverted when the rule resolves unless sticky.
    case set(values: [String: JSONValue], sticky: Bool)
    case rollback
    case pause
    case stopAdmissions
    case startAdmissions
    /// Only an alert (to the plan's alert routes).
    case notify

    public static let builtIns: [String: ActionDefinition] = [
        "rollback": .rollback, "pause": .pause, "notify": .notify,
        "stop_admissions": .stopAdmissions, "start_admissions": .startAdmissions,
    ]
}

/// Where alerts go.
public struct AlertRoute: Sendable, Equatable {
    /// `json`, `slack` and `alertmanager` (Alertmanager's webhook payload) are posted to a receiver;
    /// `alertmanager_api` pushes to an Alertmanager itself (`url` ends in `/api/v2/alerts`), re-sending
    /// what still fires every minute, as Alertmanager expects of its clients.
    public enum Format: String, Sendable, Equatable, CaseIterable {
        case json, slack, alertmanager
        case alertmanagerAPI = "alertmanager_api"
    }
    public var url: String
    public var format: Format
    public var minSeverity: Rule.Severity
    public var secret: String?

    public init(url: String, format: Format, minSeverity: Rule.Severity, secret: String? = nil) {
        self.url = url
        self.format = format
        self.minSeverity = minSeverity
        self.secret = secret
    }
}

/// The guardrail sections of a plan, resolved into rules.
public struct Guardrails: Sendable, Equatable {
    public var rules: [Rule]
    public var actions: [String: ActionDefinition]
    public var routes: [AlertRoute]
    /// How often a still-firing alert is sent again.
    public var repeatInterval: TimeInterval

    public init(rules: [Rule] = [], actions: [String: ActionDefinition] = [:], routes: [AlertRoute] = [],
                repeatInterval: TimeInterval = 4 * 3600) {
        self.rules = rules
        self.actions = actions
        self.routes = routes
        self.repeatInterval = repeatInterval
    }

    /// The definition of the action called `name`.
    public func action(_ name: String) -> ActionDefinition? { actions[name] ?? ActionDefinition.builtIns[name] }
}
