import Foundation

/// One alert as `/v1/alerts` lists it: every firing of every rule is an alert, whatever its actions.
/// `labels` carry `rule`, `kind`, `metric`, `severity`, `rollout` and `phase`; `annotations` the numbers.
public struct AlertView: Codable, Sendable {
    public var id: Int
    public var rule: String
    /// `firing` or `resolved`.
    public var status: String
    public var severity: String
    public var silenced: Bool
    public var labels: [String: String]
    public var annotations: [String: String]
    public var startsAt: Date
    public var endsAt: Date?
    public var fingerprint: String

    public init(id: Int, rule: String, status: String, severity: String, silenced: Bool, labels: [String: String],
                annotations: [String: String], startsAt: Date, endsAt: Date?, fingerprint: String) {
        self.id = id
        self.rule = rule
        self.status = status
        self.severity = severity
        self.silenced = silenced
        self.labels = labels
        self.annotations = annotations
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.fingerprint = fingerprint
    }
}

/// `GET /v1/alerts`: the latest alerts, newest first.
public struct AlertList: Codable, Sendable {
    public var alerts: [AlertView]
    public init(alerts: [AlertView]) { self.alerts = alerts }
}

/// A guardrail as `/v1/guardrails` describes it: its definition, its state and its last observation.
public struct RuleView: Codable, Sendable {
    /// A rule held against control: with which factor over how much of control's traffic.
    public struct Versus: Codable, Sendable {
        public var variant = "control"
        public var factor: Double
        public var window: String
        public init(factor: Double, window: String) {
            self.factor = factor
            self.window = window
        }
    }

    /// Control's side of the last observation of a rule held against control.
    public struct ControlObservation: Codable, Sendable {
        public var value: Double?
        public var samples: Int
        public init(value: Double?, samples: Int) {
            self.value = value
            self.samples = samples
        }
    }

    public var id: String
    public var summary: String
    /// `rollback`, `adjustment` or `alert`.
    public var kind: String
    public var metric: String
    /// The dimension value the rule watches (`feature=path_generation`); absent: everyone.
    public var segment: String?
    /// `above` or `below`.
    public var when: String
    public var threshold: Double
    /// A duration such as `15m`.
    public var window: String
    public var minSamples: Int
    public var severity: String
    public var actions: [String]
    /// `inactive`, `pending` or `firing`.
    public var state: String
    public var since: Date?
    public var firings: Int
    public var value: Double?
    public var samples: Int?
    /// `breach`, `clear` or `insufficient_data`, at the last evaluation.
    public var judgement: String?
    public var observedAt: Date?
    public var versus: Versus?
    public var control: ControlObservation?
    /// Events without a user feed this rule's metric (they count with treatment, which rules judge).
    public var countsEventsWithoutUser: Bool

    public init(id: String, summary: String, kind: String, metric: String, when: String, threshold: Double, window: String,
                minSamples: Int, severity: String, actions: [String], state: String, since: Date?, firings: Int, value: Double?,
                samples: Int?, judgement: String?, observedAt: Date?, versus: Versus?, control: ControlObservation?,
                countsEventsWithoutUser: Bool) {
        self.id = id
        self.summary = summary
        self.kind = kind
        self.metric = metric
        self.when = when
        self.threshold = threshold
        self.window = window
        self.minSamples = minSamples
        self.severity = severity
        self.actions = actions
        self.state = state
        self.since = since
        self.firings = firings
        self.value = value
        self.samples = samples
        self.judgement = judgement
        self.observedAt = observedAt
        self.versus = versus
        self.control = control
        self.countsEventsWithoutUser = countsEventsWithoutUser
    }
}

/// `GET /v1/guardrails`: every rule, and how events without a user count.
public struct GuardrailsView: Codable, Sendable {
    public var eventsWithoutUser: String
    public var rules: [RuleView]

    public init(rules: [RuleView], eventsWithoutUser: String = Self.eventsWithoutUserText) {
        self.eventsWithoutUser = eventsWithoutUser
        self.rules = rules
    }

    public static let eventsWithoutUserText = "Events without a userId (security_issue, integrity_violation, integrity_check, resource) count once, "
        + "in the current phase, with treatment while the rollout runs, is paused or is complete, and with control after a "
        + "rollback; every rule judges treatment, so a critical finding from a scanner acts exactly as one carrying a treatment user's id."
}
