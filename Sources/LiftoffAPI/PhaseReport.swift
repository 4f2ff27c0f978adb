import Foundation
import LiftoffCore

/// The phase report (`GET /v1/reports/{phase}`): exit criteria with their verdicts, the seed's KPIs for
/// treatment against control, feedback, cost against the price point, incidents and checklist sign-offs.
/// One value, rendered as JSON (Codable), Markdown (`markdown`) and printable HTML (`html`).
public struct PhaseReport: Codable, Sendable {
    public var rollout: String
    public var phase: String
    public var startedAt: Date
    /// Null while the phase is live.
    @ExplicitNull public var endedAt: Date?
    public var generatedAt: Date
    public var criteria: [CriterionRow]
    public var kpis: [KPISection]
    public var comparison: ComparisonMethod
    /// Mean daily active users in treatment over the phase's days; null without any.
    @ExplicitNull public var dailyActiveUsers: Double?
    public var feedback: FeedbackSummary
    public var incidents: [IncidentSummary]
    public var checklist: [SignOff]
    /// The plan's price per user per month, if it names one.
    @ExplicitNull public var pricePoint: Double?
    /// Treatment's cost per user projected to 30 days from the span actually observed (`CostProjection`).
    @ExplicitNull public var costPerUserPerMonth: Double?
    /// How many days of data the projection rests on.
    @ExplicitNull public var costObservedDays: Double?
    /// Treatment's revenue per paying user over the phase (`revenue` ÷ `paying_users`), to set beside the price
    /// point: with monthly subscriptions and a phase of a month it is the price users actually paid. Null
    /// without payments.
    @ExplicitNull public var revenuePerPayingUser: Double?
    /// Learning patterns over the phase: feature usage (null when the plan declares no feature dimension), the
    /// worst problem areas and the learning paths, as the `/v1/insights/…` endpoints answer them for the phase.
    @ExplicitNull public var insights: Insights?

    public struct Insights: Codable, Sendable {
        @ExplicitNull public var featureUsage: [FeatureUsage.Row]?
        /// The ten worst bounded areas of treatment.
        public var problemAreas: [ProblemAreas.Area]
        public var learningPaths: LearningPaths

        public init(featureUsage: [FeatureUsage.Row]?, problemAreas: [ProblemAreas.Area], learningPaths: LearningPaths) {
            self.featureUsage = featureUsage
            self.problemAreas = problemAreas
            self.learningPaths = learningPaths
        }
    }

    public init(rollout: String, phase: String, startedAt: Date, endedAt: Date?, generatedAt: Date, criteria: [CriterionRow],
                kpis: [KPISection], comparison: ComparisonMethod, dailyActiveUsers: Double?, feedback: FeedbackSummary,
                incidents: [IncidentSummary], checklist: [SignOff], pricePoint: Double?, costPerUserPerMonth: Double?,
                costObservedDays: Double?, revenuePerPayingUser: Double? = nil, insights: Insights? = nil) {
        self.insights = insights
        self.rollout = rollout
        self.phase = phase
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.generatedAt = generatedAt
        self.criteria = criteria
        self.kpis = kpis
        self.comparison = comparison
        self.dailyActiveUsers = dailyActiveUsers
        self.feedback = feedback
        self.incidents = incidents
        self.checklist = checklist
        self.pricePoint = pricePoint
        self.costPerUserPerMonth = costPerUserPerMonth
        self.costObservedDays = costObservedDays
        self.revenuePerPayingUser = revenuePerPayingUser
    }

    /// One exit criterion judged over its window, for treatment.
    public struct CriterionRow: Codable, Sendable {
        /// `metric comparator threshold (window)`, as the plan reads.
        public var criterion: String
        @ExplicitNull public var value: Double?
        @ExplicitNull public var bound: Double?
        public var samples: Int
        public var minSamples: Int
        public var verdict: Verdict
        /// The 95% interval; null for exact metrics.
        @ExplicitNull public var interval: IntervalSides?
        @ExplicitNull public var samplesNeeded: Int?

        public init(criterion: String, value: Double?, bound: Double?, samples: Int, minSamples: Int, verdict: Verdict,
                    interval: IntervalSides?, samplesNeeded: Int?) {
            self.criterion = criterion
            self.value = value
            self.bound = bound
            self.samples = samples
            self.minSamples = minSamples
            self.verdict = verdict
            self.interval = interval
            self.samplesNeeded = samplesNeeded
        }
    }

    /// A group of KPIs ("System performance") with one comparison row per metric.
    public struct KPISection: Codable, Sendable {
        public var section: String
        public var metrics: [ComparisonRow]
        public init(section: String, metrics: [ComparisonRow]) {
            self.section = section
            self.metrics = metrics
        }
    }

    /// How the rows' differences were judged.
    public struct ComparisonMethod: Codable, Sendable {
        public var confidence: Double
        /// The correction for the number of rows compared (`VariantComparison.correctionText`).
        public var correction: String
        public var real: String
        public init(confidence: Double, correction: String, real: String) {
            self.confidence = confidence
            self.correction = correction
            self.real = real
        }
    }

    public struct FeedbackSummary: Codable, Sendable {
        public var responses: Int
        /// Count per rating, keyed "1" to "5".
        public var ratings: [String: Int]
        /// The ten most recent suggestions.
        public var suggestions: [String]
        public init(responses: Int, ratings: [String: Int], suggestions: [String]) {
            self.responses = responses
            self.ratings = ratings
            self.suggestions = suggestions
        }
    }

    public struct IncidentSummary: Codable, Sendable {
        public var id: Int
        public var openedAt: Date
        public var rule: String
        @ExplicitNull public var trigger: String?
        public init(id: Int, openedAt: Date, rule: String, trigger: String?) {
            self.id = id
            self.openedAt = openedAt
            self.rule = rule
            self.trigger = trigger
        }
    }

    public struct SignOff: Codable, Sendable {
        public var item: String
        public var by: String
        public var at: Date
        @ExplicitNull public var note: String?
        public init(item: String, by: String, at: Date, note: String?) {
            self.item = item
            self.by = by
            self.at = at
            self.note = note
        }
    }
}

/// A 95% interval written `[lower, upper]`, a side `null` where the data cannot bound it.
public struct IntervalSides: Codable, Sendable, Equatable {
    public var lower: Double?
    public var upper: Double?

    public init(lower: Double?, upper: Double?) {
        self.lower = lower
        self.upper = upper
    }

    public init(from decoder: any Decoder) throws {
        var container = try decoder.unkeyedContainer()
        lower = try container.decode(Double?.self)
        upper = try container.decode(Double?.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        if let lower { try container.encode(lower) } else { try container.encodeNil() }
        if let upper { try container.encode(upper) } else { try container.encodeNil() }
    }
}

/// One treatment-against-control row: both values and sample counts, the difference absolute and relative,
/// its 95% interval, and whether it is real (the corrected interval excludes zero; null where not tested).
public struct ComparisonRow: Codable, Sendable {
    public var metric: String
    public var unit: String
    @ExplicitNull public var treatment: Double?
    @ExplicitNull public var control: Double?
    /// Treatment's samples (kept from before both counts were given).
    public var samples: Int
    public var treatmentSamples: Int
    public var controlSamples: Int
    @ExplicitNull public var difference: Double?
    @ExplicitNull public var relativeDifference: Double?
    @ExplicitNull public var interval: IntervalSides?
    @ExplicitNull public var real: Bool?

    public init(metric: String, unit: String, treatment: Double?, control: Double?, treatmentSamples: Int, controlSamples: Int,
                difference: Double?, relativeDifference: Double?, interval: IntervalSides?, real: Bool?) {
        self.metric = metric
        self.unit = unit
        self.treatment = treatment
        self.control = control
        self.samples = treatmentSamples
        self.treatmentSamples = treatmentSamples
        self.controlSamples = controlSamples
        self.difference = difference
        self.relativeDifference = relativeDifference
        self.interval = interval
        self.real = real
    }
}
