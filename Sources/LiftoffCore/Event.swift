import Foundation

/// One validated fact from the app. `payload` carries the fields of its type.
public struct Event: Sendable, Equatable {
    /// The sender's id for idempotent retries; nil when the sender gave none.
    public var id: String?
    public var timestamp: Date
    public var userId: String?
    public var sessionId: String?
    /// Where the user is (the app's own region names, such as `eu-west` or `BR`): a breakdown dimension.
    public var region: String?
    public var payload: EventPayload

    public init(id: String? = nil, timestamp: Date, userId: String?, sessionId: String? = nil, region: String? = nil, payload: EventPayload) {
        self.id = id
        self.timestamp = timestamp
        self.userId = userId
        self.sessionId = sessionId
        self.region = region
        self.payload = payload
    }

    public var type: EventType { payload.type }
}

/// The event types of the public contract.
public enum EventType: String, Sendable, CaseIterable, Codable {
    case aiInteraction = "ai_interaction"
    case feedback
    case sessionStart = "session_start"
    case sessionEnd = "session_end"
    case assessment
    case completion
    case securityIssue = "security_issue"
    case integrityViolation = "integrity_violation"
    case integrityCheck = "integrity_check"
    case resource
    case payment
}

/// The type-specific fields of an event.
public enum EventPayload: Sendable, Equatable {
    case aiInteraction(AIInteraction)
    case feedback(Feedback)
    case sessionStart
    case sessionEnd(SessionEnd)
    case assessment(Assessment)
    case completion(Completion)
    case securityIssue(SecurityIssue)
    case integrityViolation(IntegrityViolation)
    case integrityCheck(IntegrityCheck)
    case resource(ResourceSample)
    case payment(Payment)

    public var type: EventType {
        switch self {
        case .aiInteraction: .aiInteraction
        case .feedback: .feedback
        case .sessionStart: .sessionStart
        case .sessionEnd: .sessionEnd
        case .assessment: .assessment
        case .completion: .completion
        case .securityIssue: .securityIssue
        case .integrityViolation: .integrityViolation
        case .integrityCheck: .integrityCheck
        case .resource: .resource
        case .payment: .payment
        }
    }
}

/// How an AI call ended.
public enum Outcome: String, Sendable, CaseIterable, Codable {
    case ok
    case apiError = "api_error"
    case timeout
    case invalidResponse = "invalid_response"
    case rateLimited = "rate_limited"
}

/// One call to the AI model.
public struct AIInteraction: Sendable, Equatable, Codable {
    public var feature: String?
    public var model: String?
    public var provider: String?
    public var latencyMs: Double
    public var inputTokens: Int?
    public var outputTokens: Int?
    /// The part of `inputTokens` the provider served from its prompt cache (never added to it).
    public var cachedInputTokens: Int?
    /// The part of `outputTokens` spent on reasoning (never added to it).
    public var reasoningTokens: Int?
    public var costUsd: Double?
    public var outcome: Outcome
    public var relevance: Double?
    public var accuracy: Double?

    public init(
        feature: String? = nil, model: String? = nil, provider: String? = nil, latencyMs: Double,
        inputTokens: Int? = nil, outputTokens: Int? = nil, costUsd: Double? = nil, outcome: Outcome = .ok,
        relevance: Double? = nil, accuracy: Double? = nil, cachedInputTokens: Int? = nil, reasoningTokens: Int? = nil
    ) {
        self.cachedInputTokens = cachedInputTokens
        self.reasoningTokens = reasoningTokens
        self.feature = feature
        self.model = model
        self.provider = provider
        self.latencyMs = latencyMs
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.costUsd = costUsd
        self.outcome = outcome
        self.relevance = relevance
        self.accuracy = accuracy
    }

    /// Input plus output tokens, or nil when the app reported neither.
    public var totalTokens: Int? {
        if inputTokens == nil && outputTokens == nil { return nil }
        return (inputTokens ?? 0) + (outputTokens ?? 0)
    }

    /// The feature name that marks code analysis, whose `accuracy` feeds `code_analysis_accuracy`.
    public static let codeAnalysisFeature = "code_analysis"
}

/// A user's feedback on a response or a session (the seed's `UserFeedback`).
public struct Feedback: Sendable, Equatable, Codable {
    public var rating: Int?
    public var helpful: Bool?
    public var relevant: Bool?
    public var usability: Int?
    public var suggestion: String?
    public var interactionId: String?
    /// The feature the feedback is about (`visual_aids`, `progress_tracking`, ...), so it counts in that
    /// feature's breakdown and segment criteria.
    public var feature: String?

    public init(
        rating: Int? = nil, helpful: Bool? = nil, relevant: Bool? = nil, usability: Int? = nil,
        suggestion: String? = nil, interactionId: String? = nil, feature: String? = nil
    ) {
        self.feature = feature
        self.rating = rating
        self.helpful = helpful
        self.relevant = relevant
        self.usability = usability
        self.suggestion = suggestion
        self.interactionId = interactionId
    }
}

/// The end of a learning session; without `durationSeconds` the duration is taken from its `session_start`.
public struct SessionEnd: Sendable, Equatable, Codable {
    public var durationSeconds: Double?
    public init(durationSeconds: Double? = nil) { self.durationSeconds = durationSeconds }
}

/// A graded assessment of one skill.
public struct Assessment: Sendable, Equatable, Codable {
    public var skill: String
    public var score: Double
    /// The level this assessment measured.
    public var level: String?
    /// The level the AI's initial assessment predicted for the user, compared with `level`.
    public var predictedLevel: String?
    public init(skill: String, score: Double, level: String? = nil, predictedLevel: String? = nil) {
        self.skill = skill
        self.score = score
        self.level = level
        self.predictedLevel = predictedLevel
    }

    /// Whether the AI's prediction matched the measured level (case and surrounding spaces aside); nil unless
    /// both are known.
    public var predictionAgrees: Bool? {
        guard let level, let predictedLevel else { return nil }
        return Self.normalised(level) == Self.normalised(predictedLevel)
    }

    private static func normalised(_ level: String) -> String { level.trimmingCharacters(in: .whitespaces).lowercased() }
}

/// What a completion event is about.
public enum CompletionItem: String, Sendable, CaseIterable, Codable {
    case lesson, project, path
}

/// A lesson, project or learning path started to completion (or abandoned, with `completed: false`).
public struct Completion: Sendable, Equatable, Codable {
    public var item: CompletionItem
    public var itemId: String
    public var completed: Bool
    public init(item: CompletionItem, itemId: String, completed: Bool = true) {
        self.item = item
        self.itemId = itemId
        self.completed = completed
    }
}

/// How bad a security finding is.
public enum Severity: String, Sendable, CaseIterable, Codable {
    case critical, high, medium, low
}

/// A security finding reported by the app or its scanners.
public struct SecurityIssue: Sendable, Equatable, Codable {
    public var severity: Severity
    public var title: String
    public init(severity: Severity, title: String) {
        self.severity = severity
        self.title = title
    }
}

/// A failed data-integrity check.
public struct IntegrityViolation: Sendable, Equatable, Codable {
    public var check: String
    public var detail: String?
    /// The feature whose data failed the check (`progress_tracking` when recorded progress disagrees with
    /// completions), so a feature's integrity can be judged on its own.
    public var feature: String?
    public init(check: String, detail: String? = nil, feature: String? = nil) {
        self.check = check
        self.detail = detail
        self.feature = feature
    }
}

/// A data-integrity check that ran, passed or not: the denominator that turns failures into an accuracy
/// (`data_accuracy`). A failed check is also a data inconsistency, so an app sends either this or an
/// `integrity_violation` for one failure, not both.
public struct IntegrityCheck: Sendable, Equatable, Codable {
    public var check: String
    public var passed: Bool
    public var detail: String?
    /// The feature whose data was checked (`progress_tracking`: recorded progress against completions).
    public var feature: String?
    public init(check: String, passed: Bool, detail: String? = nil, feature: String? = nil) {
        self.check = check
        self.passed = passed
        self.detail = detail
        self.feature = feature
    }
}

/// A resource and infrastructure-cost sample; `cpu` and `memory` are utilisation ratios from 0 to 1.
public struct ResourceSample: Sendable, Equatable, Codable {
    public var cpu: Double?
    public var memory: Double?
    public var infraCostUsd: Double?
    public init(cpu: Double? = nil, memory: Double? = nil, infraCostUsd: Double? = nil) {
        self.cpu = cpu
        self.memory = memory
        self.infraCostUsd = infraCostUsd
    }

    /// The busier of the two resources: the one that decides when to scale.
    public var utilisation: Double? {
        switch (cpu, memory) {
        case let (c?, m?): max(c, m)
        case let (c?, nil): c
        case let (nil, m?): m
        case (nil, nil): nil
        }
    }
}

/// What a payment was for. A refund gives money back and is the only kind with a negative amount.
public enum PaymentKind: String, Sendable, CaseIterable, Codable {
    case subscription, renewal
    case oneTime = "one_time"
    case refund
}

/// Money a user paid (or got back: a refund's `amountUsd` is negative), in USD, for revenue and margin.
public struct Payment: Sendable, Equatable, Codable {
    public var amountUsd: Double
    public var kind: PaymentKind
    /// The app's name for what was bought (a plan or tier), free text.
    public var plan: String?
    public init(amountUsd: Double, kind: PaymentKind, plan: String? = nil) {
        self.amountUsd = amountUsd
        self.kind = kind
        self.plan = plan
    }
}
