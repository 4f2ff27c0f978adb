/// The base quantities kept per minute, phase and variant. Every catalog metric is computed from these,
/// so a window query reads O(minutes) rows, not O(events). Raw values are the storage contract.
public enum Measure: String, Sendable, CaseIterable, Codable {
    /// AI interactions: count, and latency in ms (sum, min, max, sketch).
    case latency
    case apiErrors = "outcome.api_error"
    case timeouts = "outcome.timeout"
    case invalidResponses = "outcome.invalid_response"
    case rateLimited = "outcome.rate_limited"
    /// Interactions that reported tokens; sum of input plus output tokens.
    case tokens
    /// Interactions that reported input tokens; sum of input tokens.
    case inputTokens = "tokens.input"
    /// Interactions that reported input tokens; sum of those served from the prompt cache (0 when not said).
    case cachedInputTokens = "tokens.input.cached"
    /// Interactions with a cost (sent, or priced from the plan); sum in USD.
    case cost
    /// Interactions with neither `costUsd` nor a known price for their model.
    case unpriced
    /// Relevance samples: interaction scores and feedback `relevant` flags as 1 or 0.
    case relevance
    /// Accuracy scores of code-analysis interactions.
    case codeAnalysisAccuracy = "accuracy.code_analysis"
    /// Feedback ratings, 1 to 5.
    case rating
    /// Usability ratings, 1 to 5.
    case usability
    case sessionStarts = "session.start"
    /// At each session start, how many sessions were open (started within `SessionLimits.openFor`, not ended),
    /// this one included: its max is the window's peak concurrency.
    case concurrentSessions = "session.concurrent"
    /// Ended sessions with a known duration, in seconds (with sketch).
    case sessionDuration = "session.duration"
    /// Completion events; sum counts the completed ones.
    case completions
    case projectCompletions = "completions.project"
    /// Assessment scores, 0 to 1.
    case assessmentScore = "assessment.score"
    /// Score change against the same user's previous assessment of the same skill.
    case skillDelta = "assessment.delta"
    /// Assessments with both a measured and a predicted level; sum counts those where the two agree.
    case levelPredictions = "assessment.prediction"
    case securityCritical = "security.critical"
    case securityHigh = "security.high"
    case securityMedium = "security.medium"
    case securityLow = "security.low"
    case integrityViolations = "integrity"
    /// Integrity checks that ran; sum counts those that passed.
    case integrityChecks = "integrity.checks"
    /// Feedback that said whether the answer helped; sum counts the helpful ones.
    case helpfulFeedback = "feedback.helpful"
    /// Resource samples: utilisation of the busier of cpu and memory.
    case resourceUsage = "resource.usage"
    /// Infrastructure cost samples, sum in USD.
    case infraCost = "resource.cost"
    /// Distinct users with any event (distinct counter).
    case users
    /// Payments, refunds included; sum of their amounts in USD (refunds negative).
    case revenue
    /// Distinct users with a payment of a positive amount that is not a refund (distinct counter).
    case payingUsers = "revenue.payers"

    /// The measures fed by events about the system rather than a person, which may come without a user.
    public static let fromSystemEvents: Set<Measure> = [
        .securityCritical, .securityHigh, .securityMedium, .securityLow, .integrityViolations, .integrityChecks, .resourceUsage,
        .infraCost,
    ]

    /// Whether this measure keeps a quantile sketch of its values.
    public var keepsSketch: Bool { self == .latency || self == .sessionDuration }

    /// Whether this measure keeps a distinct counter of members (users) instead of values.
    public var keepsDistinct: Bool { self == .users || self == .payingUsers }

    /// The measure that counts security findings of `severity`.
    public static func security(_ severity: Severity) -> Measure {
        switch severity {
        case .critical: .securityCritical
        case .high: .securityHigh
        case .medium: .securityMedium
        case .low: .securityLow
        }
    }
}
