import Foundation

/// Turns one JSON object from an ingest batch into an `Event`, or says which field is wrong and why.
public struct EventValidator: Sendable {
    /// Events may run this far ahead of the server's clock (clock skew) before they count as far-future.
    public var maxFutureSkew: TimeInterval
    /// Timestamps before this are taken for a client bug, not history.
    public var earliest: Date

    public init(maxFutureSkew: TimeInterval = 300, earliest: Date = Date(timeIntervalSince1970: 946_684_800)) {
        self.maxFutureSkew = maxFutureSkew
        self.earliest = earliest
    }

    /// Longest free text accepted (suggestions, titles, details).
    public static let maxTextLength = 4000

    /// Validates `value` as an event received at `now`; an event without a timestamp happened at `now`.
    public func validate(_ value: JSONValue, now: Date) throws(EventValidationError) -> Event {
        guard case .object(let members) = value else {
            throw EventValidationError(field: "event", reason: "expected an object, got \(value.kindDescription)")
        }
        let fields = FieldReader(object: members)
        let type = try fields.requiredChoice("type", EventType.self)
        let id = try fields.string("id")
        let timestamp = try timestamp(fields, now: now)
        let userId = try fields.string("userId")
        let sessionId = try fields.string("sessionId")
        let region = try fields.string("region")
        let payload = try payload(type, fields)
        if userId == nil && Self.requiresUser(type) {
            throw EventValidationError(field: "userId", reason: "required")
        }
        if sessionId == nil && (type == .sessionStart || type == .sessionEnd) {
            throw EventValidationError(field: "sessionId", reason: "required")
        }
        return Event(id: id, timestamp: timestamp, userId: userId, sessionId: sessionId, region: region, payload: payload)
    }

    /// Events about the system rather than a person may come without a user.
    static func requiresUser(_ type: EventType) -> Bool {
        switch type {
        case .resource, .securityIssue, .integrityViolation, .integrityCheck: false
        default: true
        }
    }

    private func timestamp(_ fields: FieldReader, now: Date) throws(EventValidationError) -> Date {
        guard let text = try fields.string("timestamp", maxLength: 64) else { return now }
        guard let date = Timestamp.parse(text) else {
            throw EventValidationError(field: "timestamp", reason: "'\(text)' is not an RFC 3339 time such as 2026-11-29T10:00:00Z")
        }
        if date > now.addingTimeInterval(maxFutureSkew) {
            throw EventValidationError(field: "timestamp", reason: "\(text) is more than \(Int(maxFutureSkew)) s in the future")
        }
        if date < earliest {
            throw EventValidationError(field: "timestamp", reason: "\(text) is before \(Timestamp.format(earliest))")
        }
        return date
    }

    private func payload(_ type: EventType, _ fields: FieldReader) throws(EventValidationError) -> EventPayload {
        switch type {
        case .aiInteraction: return .aiInteraction(try interaction(fields))
        case .feedback: return .feedback(try feedback(fields))
        case .sessionStart: return .sessionStart
        case .sessionEnd: return .sessionEnd(SessionEnd(durationSeconds: try fields.number("durationSeconds", in: 0...31_536_000)))
        case .assessment:
            let assessment = Assessment(
                skill: try fields.requiredString("skill"),
                score: try fields.requiredNumber("score", in: 0...1),
                level: try fields.string("level"),
                predictedLevel: try fields.string("predictedLevel"))
            if assessment.predictedLevel != nil && assessment.level == nil {
                throw EventValidationError(field: "predictedLevel", reason: "needs level: the level this assessment measured, "
                    + "which the prediction is judged against")
            }
            return .assessment(assessment)
        case .completion:
            return .completion(Completion(
                item: try fields.requiredChoice("item", CompletionItem.self),
                itemId: try fields.requiredString("itemId"),
                completed: try fields.bool("completed") ?? true))
        case .securityIssue:
            return .securityIssue(SecurityIssue(
                severity: try fields.requiredChoice("severity", Severity.self),
                title: try fields.requiredString("title", maxLength: Self.maxTextLength)))
        case .integrityViolation:
            return .integrityViolation(IntegrityViolation(
                check: try fields.requiredString("check"),
                detail: try fields.string("detail", maxLength: Self.maxTextLength),
                feature: try fields.string("feature")))
        case .integrityCheck:
            guard let passed = try fields.bool("passed") else {
                throw EventValidationError(field: "passed", reason: "required (true when the check found the data consistent, false when it did not)")
            }
            return .integrityCheck(IntegrityCheck(
                check: try fields.requiredString("check"),
                passed: passed,
                detail: try fields.string("detail", maxLength: Self.maxTextLength),
                feature: try fields.string("feature")))
        case .resource: return .resource(try resource(fields))
        case .payment: return .payment(try payment(fields))
        }
    }

    /// A refund is the money given back, so it is negative and only a refund is: an app that sent refunds as
    /// positive amounts would have them counted as revenue.
    private func payment(_ fields: FieldReader) throws(EventValidationError) -> Payment {
        let payment = Payment(
            amountUsd: try fields.requiredNumber("amountUsd", in: -1_000_000...1_000_000),
            kind: try fields.requiredChoice("kind", PaymentKind.self),
            plan: try fields.string("plan"))
        if payment.kind == .refund && payment.amountUsd > 0 {
            throw EventValidationError(field: "amountUsd", reason: "a refund is negative: the money given back, e.g. "
                + "-\(Self.usd(payment.amountUsd)) for a refund of \(Self.usd(payment.amountUsd))")
        }
        if payment.kind != .refund && payment.amountUsd < 0 {
            throw EventValidationError(field: "amountUsd", reason: "\(Self.usd(payment.amountUsd)) is negative; only kind refund "
                + "gives money back")
        }
        return payment
    }

    private static func usd(_ amount: Double) -> String { String(format: "%.2f", amount) }

    private func interaction(_ fields: FieldReader) throws(EventValidationError) -> AIInteraction {
        let interaction = AIInteraction(
            feature: try fields.string("feature"),
            model: try fields.string("model"),
            provider: try fields.string("provider"),
            latencyMs: try fields.requiredNumber("latencyMs", in: 0...86_400_000),
            inputTokens: try fields.integer("inputTokens", in: 0...100_000_000),
            outputTokens: try fields.integer("outputTokens", in: 0...100_000_000),
            costUsd: try fields.number("costUsd", in: 0...1_000_000),
            outcome: try fields.requiredChoice("outcome", Outcome.self),
            relevance: try fields.number("relevance", in: 0...1),
            accuracy: try fields.number("accuracy", in: 0...1),
            cachedInputTokens: try fields.integer("cachedInputTokens", in: 0...100_000_000),
            reasoningTokens: try fields.integer("reasoningTokens", in: 0...100_000_000))
        try Self.part("cachedInputTokens", interaction.cachedInputTokens, of: "inputTokens", interaction.inputTokens)
        try Self.part("reasoningTokens", interaction.reasoningTokens, of: "outputTokens", interaction.outputTokens)
        return interaction
    }

    /// A count that is a part of another (cached input tokens of the input tokens) needs the whole and cannot
    /// exceed it: an app that added the two would otherwise be counted twice.
    private static func part(_ field: String, _ value: Int?, of whole: String, _ total: Int?) throws(EventValidationError) {
        guard let value else { return }
        guard let total else {
            throw EventValidationError(field: field, reason: "needs \(whole): it is the part of \(whole) that \(field == "cachedInputTokens" ? "was served from the cache" : "went to reasoning")")
        }
        guard value <= total else {
            throw EventValidationError(field: field, reason: "\(value) is more than \(whole) (\(total)); it is a part of \(whole), never added to it")
        }
    }

    private func feedback(_ fields: FieldReader) throws(EventValidationError) -> Feedback {
        let feedback = Feedback(
            rating: try fields.integer("rating", in: 1...5),
            helpful: try fields.bool("helpful"),
            relevant: try fields.bool("relevant"),
            usability: try fields.integer("usability", in: 1...5),
            suggestion: try fields.string("suggestion", maxLength: Self.maxTextLength),
            interactionId: try fields.string("interactionId"),
            feature: try fields.string("feature"))
        if feedback.rating == nil && feedback.helpful == nil && feedback.relevant == nil
            && feedback.usability == nil && feedback.suggestion == nil {
            throw EventValidationError(field: "rating", reason: "feedback needs at least one of rating, helpful, relevant, usability, suggestion")
        }
        return feedback
    }

    private func resource(_ fields: FieldReader) throws(EventValidationError) -> ResourceSample {
        let sample = ResourceSample(
            cpu: try fields.number("cpu", in: 0...1),
            memory: try fields.number("memory", in: 0...1),
            infraCostUsd: try fields.number("infraCostUsd", in: 0...1_000_000))
        if sample.cpu == nil && sample.memory == nil && sample.infraCostUsd == nil {
            throw EventValidationError(field: "cpu", reason: "a resource sample needs at least one of cpu, memory, infraCostUsd")
        }
        return sample
    }
}
