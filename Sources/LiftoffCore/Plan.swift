import Foundation

/// A rollout plan: the phases in order, who is in each, what each must prove before the next, what the
/// treatment's configuration is and what the models cost. Decoded from YAML by `PlanDecoder`.
public struct Plan: Sendable, Equatable {
    /// The rollout's name; also the hashing salt of percentage audiences.
    public var rollout: String
    /// Handed to treatment users by `/v1/evaluate`.
    public var config: [String: JSONValue]
    public var pricing: PriceBook
    public var phases: [PhasePlan]
    /// Adjustment, scaling and rollback rules, their actions and the alert routes.
    public var guardrails: Guardrails
    public var privacy: Privacy
    /// What a user pays, in USD per month, to weigh the cost per user against.
    public var pricePoint: Double?
    /// The dimensions numbers are broken down by, each with the most values it keeps (later values count as
    /// `other`). Empty: no breakdowns, and nothing extra is stored per event.
    public var dimensions: [MetricDimension: Int] = [:]

    public init(rollout: String, config: [String: JSONValue] = [:], pricing: PriceBook = PriceBook(),
                phases: [PhasePlan], guardrails: Guardrails = Guardrails(), privacy: Privacy = Privacy()) {
        self.rollout = rollout
        self.config = config
        self.pricing = pricing
        self.phases = phases
        self.guardrails = guardrails
        self.privacy = privacy
        self.pricePoint = nil
    }

    /// The plan of a server started without a plan file: one phase, nobody in the treatment.
    public static let everyoneInControl = Plan(rollout: "default", phases: [PhasePlan(name: "default", audience: Audience())])

    public func index(of phase: String) -> Int? { phases.firstIndex { $0.name == phase } }
}

/// What Liftoff keeps about people.
public struct Privacy: Sendable, Equatable {
    /// Store events under an HMAC of the user id (with a server secret) instead of the id itself.
    public var pseudonymizeUserIds: Bool
    /// Raw events older than this are deleted (aggregates stay); nil keeps them.
    public var eventRetention: TimeInterval?
    /// Feedback suggestions (free text) older than this are removed from stored events; nil keeps them.
    public var feedbackTextRetention: TimeInterval?

    public init(pseudonymizeUserIds: Bool = false, eventRetention: TimeInterval? = nil, feedbackTextRetention: TimeInterval? = nil) {
        self.pseudonymizeUserIds = pseudonymizeUserIds
        self.eventRetention = eventRetention
        self.feedbackTextRetention = feedbackTextRetention
    }
}

/// One phase of the plan.
public struct PhasePlan: Sendable, Equatable {
    public var name: String
    public var plannedDuration: TimeInterval?
    public var audience: Audience
    /// What the phase must show before the next one starts; nil for the last phase.
    public var exit: ExitGate?

    public init(name: String, plannedDuration: TimeInterval? = nil, audience: Audience, exit: ExitGate? = nil) {
        self.name = name
        self.plannedDuration = plannedDuration
        self.audience = audience
        self.exit = exit
    }
}

/// Who is in a phase. The parts combine: a user in any of them is in.
public struct Audience: Sendable, Equatable {
    /// Named allowlists; the group's name is the member's role.
    public var groups: [Group]
    public var invite: Invite?
    public var waitlist: Waitlist?
    /// 0–100: the share of all users, chosen by a sticky hash.
    public var percentage: Double?

    public struct Group: Sendable, Equatable {
        public var name: String
        public var members: [String]
        public init(name: String, members: [String]) {
            self.name = name
            self.members = members
        }
    }

    /// A sized cohort of invited users.
    public struct Invite: Sendable, Equatable {
        public var min: Int
        public var max: Int
        public init(min: Int, max: Int) {
            self.min = min
            self.max = max
        }
    }

    /// Public sign-ups admitted in batches, in sign-up order, up to `cap`.
    public struct Waitlist: Sendable, Equatable {
        public var cap: Int
        public var batch: Int
        /// Admitted users the phase needs before its gate can hold.
        public var min: Int
        public init(cap: Int, batch: Int, min: Int = 0) {
            self.cap = cap
            self.batch = batch
            self.min = min
        }
    }

    public init(groups: [Group] = [], invite: Invite? = nil, waitlist: Waitlist? = nil, percentage: Double? = nil) {
        self.groups = groups
        self.invite = invite
        self.waitlist = waitlist
        self.percentage = percentage
    }
}

/// The exit gate of a phase.
public struct ExitGate: Sendable, Equatable {
    public enum Promotion: String, Sendable, Equatable, CaseIterable { case manual, auto }

    public var minDuration: TimeInterval
    public var promotion: Promotion
    public var criteria: [Criterion]
    public var checklist: [String]

    public init(minDuration: TimeInterval = 0, promotion: Promotion = .manual, criteria: [Criterion] = [], checklist: [String] = []) {
        self.minDuration = minDuration
        self.promotion = promotion
        self.criteria = criteria
        self.checklist = checklist
    }
}

/// `metric comparator threshold` over a window, with a minimum sample.
public struct Criterion: Sendable, Equatable {
    public enum Comparator: String, Sendable, Equatable, CaseIterable {
        case below, above, atMost, atLeast

        /// Whether `value` satisfies `comparator threshold`.
        public func holds(_ value: Double, _ threshold: Double) -> Bool {
            switch self {
            case .below: value < threshold
            case .above: value > threshold
            case .atMost: value <= threshold
            case .atLeast: value >= threshold
            }
        }

        /// Whether smaller values are the good side.
        public var wantsLow: Bool { self == .below || self == .atMost }
    }

    public var metric: Metric
    public var comparator: Comparator
    public var threshold: Double
    /// nil: the phase so far.
    public var window: TimeInterval?
    public var minSamples: Int
    /// Judged on one value of a declared dimension only (`feature: path_generation`); nil: everyone.
    public var segment: Segment?

    /// What the criterion judges, as every label reads it: `ai_response_relevance [feature=visual_aids]`, or the
    /// bare metric for everyone. Two criteria on one metric are told apart only by this.
    public var subject: String { metric.rawValue + (segment.map { " [\($0)]" } ?? "") }

    public init(metric: Metric, comparator: Comparator, threshold: Double, window: TimeInterval? = nil, minSamples: Int? = nil,
                segment: Segment? = nil) {
        self.segment = segment
        self.metric = metric
        self.comparator = comparator
        self.threshold = threshold
        self.window = window
        self.minSamples = minSamples ?? (metric.kind == .total ? 0 : 1)
    }
}

extension Plan {
    /// Values a declared dimension keeps when the plan does not say.
    public static let defaultDimensionCap = 20
    /// The most values a dimension may keep: each is a set of aggregate rows per minute.
    public static let maxDimensionCap = 200
}

extension Plan {
    /// The dimensions a criterion or a rule of the plan is judged on (`feature: …`), a subset of `dimensions`.
    public var judgedDimensions: Set<MetricDimension> {
        let criteria = phases.flatMap { $0.exit?.criteria ?? [] }.compactMap(\.segment?.dimension)
        return Set(criteria + guardrails.rules.compactMap(\.segment?.dimension))
    }

    /// The plan with only the dimensions its criteria and rules are judged on: every decision reads the same
    /// numbers, and the breakdowns nobody reads are not kept. What a simulation runs, where no person looks at
    /// breakdowns and each event would otherwise be folded into every declared dimension.
    public var judgingOnly: Plan {
        var plan = self
        plan.dimensions = dimensions.filter { judgedDimensions.contains($0.key) }
        return plan
    }
}
