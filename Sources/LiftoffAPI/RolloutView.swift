import Foundation
import LiftoffCore

/// The `/v1/rollout` object (also the answer to every transition): where the rollout stands, its gate with
/// every criterion, its audience, and the timeline of planned against actual phases.
public struct RolloutView: Codable, Sendable {
    public var rollout: String
    public var phase: String
    public var status: RolloutStatus
    /// Bumped by every change of rollout state.
    public var version: Int
    /// `auto` or `manual`.
    public var promotion: String
    /// One line on where the rollout stands, for people: "'full' is live: the last phase; guardrails keep watching".
    public var summary: String
    public var gate: GateView
    public var audience: AudienceView
    public var timeline: [TimelineEntry]

    public init(rollout: String, phase: String, status: RolloutStatus, version: Int, promotion: String, summary: String,
                gate: GateView, audience: AudienceView, timeline: [TimelineEntry]) {
        self.rollout = rollout
        self.phase = phase
        self.status = status
        self.version = version
        self.promotion = promotion
        self.summary = summary
        self.gate = gate
        self.audience = audience
        self.timeline = timeline
    }

    public struct GateView: Codable, Sendable {
        public var ready: Bool
        /// The current phase is the plan's last: the release itself, with nothing to promote to.
        public var final: Bool
        public var criteria: [CriterionView]
        public var checklist: [ChecklistView]
        /// Seconds before the phase's minimum duration is over; 0 once it is.
        public var minDurationRemaining: Double
        /// Every condition that keeps the gate closed, for people.
        public var unmet: [String]

        public init(ready: Bool, final: Bool, criteria: [CriterionView], checklist: [ChecklistView], minDurationRemaining: Double,
                    unmet: [String]) {
            self.ready = ready
            self.final = final
            self.criteria = criteria
            self.checklist = checklist
            self.minDurationRemaining = minDurationRemaining
            self.unmet = unmet
        }
    }

    public struct CriterionView: Codable, Sendable {
        public var metric: String
        public var comparator: String
        public var threshold: Double
        /// A duration (`24h`) or `phase`.
        public var window: String
        public var minSamples: Int
        @ExplicitNull public var value: Double?
        /// The side of the 95% interval that must hold for a pass (the value itself for exact metrics).
        @ExplicitNull public var bound: Double?
        /// The 95% interval; null for exact metrics (counts, sums), a side null where the data cannot bound it yet.
        @ExplicitNull public var lowerBound: Double?
        @ExplicitNull public var upperBound: Double?
        public var samples: Int
        public var verdict: Verdict
        /// About how many more samples until a pass at the observed value; 0 once it passes; null where the
        /// observed value is itself on the wrong side.
        @ExplicitNull public var samplesNeeded: Int?
        /// The dimension value the criterion is judged on (`feature=path_generation`); absent: everyone.
        public var segment: String?

        public init(metric: String, comparator: String, threshold: Double, window: String, minSamples: Int, value: Double?,
                    bound: Double?, lowerBound: Double?, upperBound: Double?, samples: Int, verdict: Verdict, samplesNeeded: Int?) {
            self.metric = metric
            self.comparator = comparator
            self.threshold = threshold
            self.window = window
            self.minSamples = minSamples
            self.value = value
            self.bound = bound
            self.lowerBound = lowerBound
            self.upperBound = upperBound
            self.samples = samples
            self.verdict = verdict
            self.samplesNeeded = samplesNeeded
        }
    }

    public struct ChecklistView: Codable, Sendable {
        public var item: String
        public var signed: Bool
        public var signedBy: String?
        public var signedAt: Date?
        public var note: String?

        public init(item: String, signed: Bool, signedBy: String?, signedAt: Date?, note: String?) {
            self.item = item
            self.signed = signed
            self.signedBy = signedBy
            self.signedAt = signedAt
            self.note = note
        }
    }

    public struct AudienceView: Codable, Sendable {
        /// Members per named group of the current phase.
        public var groups: [String: Int]
        public var invited: Int
        public var inviteMin: Int?
        public var inviteMax: Int?
        public var admitted: Int
        public var waitlistCap: Int?
        public var waiting: Int
        public var percentage: Double?

        public init(groups: [String: Int], invited: Int, inviteMin: Int?, inviteMax: Int?, admitted: Int, waitlistCap: Int?,
                    waiting: Int, percentage: Double?) {
            self.groups = groups
            self.invited = invited
            self.inviteMin = inviteMin
            self.inviteMax = inviteMax
            self.admitted = admitted
            self.waitlistCap = waitlistCap
            self.waiting = waiting
            self.percentage = percentage
        }
    }

    public struct TimelineEntry: Codable, Sendable {
        public var phase: String
        public var plannedStart: Date?
        public var plannedEnd: Date?
        public var startedAt: Date?
        public var endedAt: Date?
        /// Days past the planned end (0 when on time); absent before the phase starts or without a plan.
        public var overrunDays: Double?

        public init(phase: String, plannedStart: Date?, plannedEnd: Date?, startedAt: Date?, endedAt: Date?, overrunDays: Double?) {
            self.phase = phase
            self.plannedStart = plannedStart
            self.plannedEnd = plannedEnd
            self.startedAt = startedAt
            self.endedAt = endedAt
            self.overrunDays = overrunDays
        }
    }
}

/// The body of `POST /v1/rollout/{promote,pause,resume,rollback}`.
public struct RolloutChangeRequest: Codable, Sendable {
    /// Why, for the audit log; required for a rollback and a forced promotion.
    public var reason: String?
    /// Promote although the gate does not hold (admin key).
    public var force: Bool?

    public init(reason: String? = nil, force: Bool? = nil) {
        self.reason = reason
        self.force = force
    }
}

/// The body of `POST /v1/rollout/checklist`.
public struct SignOffRequest: Codable, Sendable {
    public var item: String
    public var note: String?

    public init(item: String, note: String? = nil) {
        self.item = item
        self.note = note
    }
}
