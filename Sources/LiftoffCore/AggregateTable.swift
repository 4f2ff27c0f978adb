import Foundation

/// Aggregates keyed by minute, phase, variant and measure: what one ingest batch adds, and what a window
/// query merges.
public struct AggregateTable: Sendable, Equatable {
    /// Where rows count: everything of a key but the measure. Folding looks a slice up once per event and
    /// segment, then adds each measure there: hashing a key's strings per measure was a third of ingest's CPU
    /// once events also counted in their segments.
    struct Slice: Hashable {
        var minute: MinuteIndex
        var phase: String
        var variant: Variant
        var epoch: Int
        var segment: Segment?
    }

    private var slices: [Slice: MeasureRows] = [:]

    /// A slice's rows: a dozen measures at most, found by scanning an array of the measures (plain enum
    /// values) beside the aggregates, which costs less than hashing each measure as a dictionary would.
    struct MeasureRows: Sendable, Equatable, Sequence {
        private var measures: [Measure] = []
        private var aggregates: [Aggregate] = []

        var count: Int { measures.count }

        func makeIterator() -> Zip2Sequence<[Measure], [Aggregate]>.Iterator { zip(measures, aggregates).makeIterator() }

        /// Applies `change` to the row of `measure`, made empty first when there is none.
        mutating func update(_ measure: Measure, _ change: (inout Aggregate) -> Void) {
            if let index = measures.firstIndex(of: measure) {
                change(&aggregates[index])
            } else {
                measures.append(measure)
                aggregates.append(Aggregate(for: measure))
                change(&aggregates[aggregates.count - 1])
            }
        }

        /// Adds `aggregate` to the row of `measure`; a new row takes it as it is (merging into an empty one
        /// gives the same value, at a copy's cost).
        mutating func merge(_ aggregate: Aggregate, measure: Measure) {
            if let index = measures.firstIndex(of: measure) {
                aggregates[index].merge(aggregate)
            } else {
                measures.append(measure)
                aggregates.append(aggregate)
            }
        }

        static func == (lhs: MeasureRows, rhs: MeasureRows) -> Bool {
            lhs.count == rhs.count && zip(lhs.measures, lhs.aggregates).allSatisfy { measure, aggregate in
                rhs.measures.firstIndex(of: measure).map { rhs.aggregates[$0] == aggregate } ?? false
            }
        }
    }

    public init() {}

    /// Every row, by its full key.
    public var rows: [AggregateKey: Aggregate] {
        var rows: [AggregateKey: Aggregate] = [:]
        rows.reserveCapacity(slices.values.reduce(0) { $0 + $1.count })
        for (slice, measures) in slices {
            for (measure, aggregate) in measures {
                rows[AggregateKey(minute: slice.minute, phase: slice.phase, variant: slice.variant, epoch: slice.epoch, measure: measure,
                                  segment: slice.segment)] = aggregate
            }
        }
        return rows
    }

    /// Whether the table has no row.
    public var isEmpty: Bool { slices.isEmpty }

    /// The minute that contains `date`.
    public static func minute(of date: Date) -> MinuteIndex { MinuteIndex(containing: date) }

    /// One event's additions, gathered before they are applied to its slices.
    private struct Additions {
        var values: [(Measure, Double)] = []
        var members: [(Measure, String)] = []
    }

    /// Folds one accepted event into the measures it feeds, in the whole population and in each of its segments.
    public mutating func fold(_ recorded: RecordedEvent) {
        let event = recorded.event
        var additions = Additions()
        additions.values.reserveCapacity(6)
        func add(_ measure: Measure, _ value: Double) { additions.values.append((measure, value)) }
        func add(_ measure: Measure, member: String) { additions.members.append((measure, member)) }
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
            if let helpful = feedback.helpful { add(.helpfulFeedback, helpful ? 1 : 0) }
        case .sessionStart:
            add(.sessionStarts, 1)
            if let open = recorded.concurrentSessions { add(.concurrentSessions, Double(open)) }
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
        case .integrityCheck(let check):
            add(.integrityChecks, check.passed ? 1 : 0)
            // A failed check is an inconsistency found, the same as a violation reported on its own.
            if !check.passed { add(.integrityViolations, 1) }
        case .resource(let sample):
            if let usage = sample.utilisation { add(.resourceUsage, usage) }
            if let cost = sample.infraCostUsd { add(.infraCost, cost) }
        case .payment(let payment):
            add(.revenue, payment.amountUsd)
            if payment.kind != .refund, payment.amountUsd > 0, let user = event.userId { add(.payingUsers, member: user) }
        }
        var slice = Slice(minute: Self.minute(of: event.timestamp), phase: recorded.attribution.phase, variant: recorded.attribution.variant,
                          epoch: recorded.attribution.epoch, segment: nil)
        apply(additions, to: slice)
        for segment in recorded.segments {
            slice.segment = segment
            apply(additions, to: slice)
        }
    }

    private mutating func apply(_ additions: Additions, to slice: Slice) {
        // One lookup of the slice, modified in place.
        let measures = { (measures: inout MeasureRows) in
            for (measure, value) in additions.values { measures.update(measure) { $0.add(value) } }
            for (measure, member) in additions.members { measures.update(measure) { $0.add(member: member) } }
        }
        measures(&slices[slice, default: MeasureRows()])
    }

    /// Adds `aggregate` to the row at `key`.
    public mutating func merge(_ aggregate: Aggregate, at key: AggregateKey) {
        let slice = Slice(minute: key.minute, phase: key.phase, variant: key.variant, epoch: key.epoch, segment: key.segment)
        slices[slice, default: MeasureRows()].merge(aggregate, measure: key.measure)
    }

    /// Adds every row of `other`.
    public mutating func merge(_ other: AggregateTable) {
        for (slice, measures) in other.slices {
            for (measure, aggregate) in measures { slices[slice, default: MeasureRows()].merge(aggregate, measure: measure) }
        }
    }

    /// The rows of every minute, phase, variant and segment merged per measure.
    public func totals() -> [Measure: Aggregate] {
        var totals: [Measure: Aggregate] = [:]
        for measures in slices.values {
            for (measure, aggregate) in measures { totals[measure, default: Aggregate(for: measure)].merge(aggregate) }
        }
        return totals
    }
}
