import Foundation

/// Aggregates keyed by minute, phase, variant and measure: what one ingest batch adds, and what a window
/// query merges.
public struct AggregateTable: Sendable, Equatable {
    public private(set) var rows: [AggregateKey: Aggregate] = [:]

    public init() {}

    /// The minute that contains `date`.
    public static func minute(of date: Date) -> MinuteIndex { MinuteIndex(containing: date) }

    /// Folds one accepted event into the measures it feeds.
    public mutating func fold(_ recorded: RecordedEvent) {
        let event = recorded.event
        let minute = Self.minute(of: event.timestamp)
        let phase = recorded.attribution.phase
        let variant = recorded.attribution.variant
        let epoch = recorded.attribution.epoch
        let segments = recorded.segments
        // The whole population's row, then the row of each segment the event is in.
        func add(_ measure: Measure, _ value: Double) {
            let key = AggregateKey(minute: minute, phase: phase, variant: variant, epoch: epoch, measure: measure)
            rows[key, default: Aggregate(for: measure)].add(value)
            for segment in segments {
                let key = AggregateKey(minute: minute, phase: phase, variant: variant, epoch: epoch, measure: measure, segment: segment)
                rows[key, default: Aggregate(for: measure)].add(value)
            }
        }
        func add(_ measure: Measure, member: String) {
            let key = AggregateKey(minute: minute, phase: phase, variant: variant, epoch: epoch, measure: measure)
            rows[key, default: Aggregate(for: measure)].add(member: member)
            for segment in segments {
                let key = AggregateKey(minute: minute, phase: phase, variant: variant, epoch: epoch, measure: measure, segment: segment)
                rows[key, default: Aggregate(for: measure)].add(member: member)
            }
        }
        if let user = event.userId { add(.users, member: user) }
        switch event.payload {
        case .aiInteraction(let interaction):
            add(.latency, interaction.latencyMs)
            switch interaction.outcome {
            case .ok: break
            case .apiError: add(.apiErrors, 1)
            case .timeout: add(.timeouts, 1)
            case .invalidResponse: add(.invalidResponses, 1)
            case .rateLimited: add(.rateLimited, 1)
            }
            if let tokens = interaction.totalTokens { add(.tokens, Double(tokens)) }
            if let input = interaction.inputTokens {
                add(.inputTokens, Double(input))
                add(.cachedInputTokens, Double(interaction.cachedInputTokens ?? 0))
            }
            if let cost = recorded.costUsd { add(.cost, cost) } else { add(.unpriced, 1) }
            if let relevance = interaction.relevance { add(.relevance, relevance) }
            if interaction.feature == AIInteraction.codeAnalysisFeature, let accuracy = interaction.accuracy {
                add(.codeAnalysisAccuracy, accuracy)
            }
        case .feedback(let feedback):
            if let rating = feedback.rating { add(.rating, Double(rating)) }
            if let usability = feedback.usability { add(.usability, Double(usability)) }
            if let relevant = feedback.relevant { add(.relevance, relevant ? 1 : 0) }
        case .sessionStart:
            add(.sessionStarts, 1)
        case .sessionEnd(let end):
            if let seconds = end.durationSeconds ?? recorded.sessionSeconds { add(.sessionDuration, seconds) }
        case .assessment(let assessment):
            add(.assessmentScore, assessment.score)
            if let delta = recorded.skillDelta { add(.skillDelta, delta) }
            if let agrees = assessment.predictionAgrees { add(.levelPredictions, agrees ? 1 : 0) }
        case .completion(let completion):
            add(.completions, completion.completed ? 1 : 0)
            if completion.item == .project { add(.projectCompletions, completion.completed ? 1 : 0) }
        case .securityIssue(let issue):
            add(.security(issue.severity), 1)
        case .integrityViolation:
            add(.integrityViolations, 1)
        case .resource(let sample):
            if let usage = sample.utilisation { add(.resourceUsage, usage) }
            if let cost = sample.infraCostUsd { add(.infraCost, cost) }
        case .payment(let payment):
            add(.revenue, payment.amountUsd)
            if payment.kind != .refund, payment.amountUsd > 0, let user = event.userId { add(.payingUsers, member: user) }
        }
    }

    /// Adds `aggregate` to the row at `key`.
    public mutating func merge(_ aggregate: Aggregate, at key: AggregateKey) {
        // A new row takes the aggregate as it is (merging into an empty one gives the same value, at a copy's cost).
        if let index = rows.index(forKey: key) {
            rows.values[index].merge(aggregate)
        } else {
            rows[key] = aggregate
        }
    }

    /// Adds every row of `other`.
    public mutating func merge(_ other: AggregateTable) {
        for (key, aggregate) in other.rows { merge(aggregate, at: key) }
    }

    /// The rows of every minute, phase and variant merged per measure.
    public func totals() -> [Measure: Aggregate] {
        var totals: [Measure: Aggregate] = [:]
        for (key, aggregate) in rows { totals[key.measure, default: Aggregate(for: key.measure)].merge(aggregate) }
        return totals
    }
}
