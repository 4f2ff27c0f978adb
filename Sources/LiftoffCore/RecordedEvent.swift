import Foundation

/// An accepted event with everything decided about it at ingest: where it counts, what it cost, and the
/// values that need the user's history (a session's length from its start, a score's change since the last
/// assessment of the skill), looked up by the store in the same transaction that records it.
public struct RecordedEvent: Sendable, Equatable {
    public var event: Event
    public var attribution: Attribution
    public var costUsd: Double?
    public var sessionSeconds: Double?
    public var skillDelta: Double?
    /// For a session start: the sessions open at that moment, this one included (looked up by the store).
    public var concurrentSessions: Int?
    /// The dimensions the live plan breaks numbers down by, with each one's cap (`Plan.dimensions`).
    public var dimensions: [MetricDimension: Int]
    /// The segments this event also counts in: one value per declared dimension it has, past the caps
    /// resolved by the store (`DimensionValues`).
    public var segments: [Segment]

    public init(event: Event, attribution: Attribution, costUsd: Double? = nil,
                sessionSeconds: Double? = nil, skillDelta: Double? = nil, dimensions: [MetricDimension: Int] = [:], segments: [Segment] = []) {
        self.dimensions = dimensions
        self.segments = segments
        self.event = event
        self.attribution = attribution
        self.costUsd = costUsd
        self.sessionSeconds = sessionSeconds
        self.skillDelta = skillDelta
    }
}

extension RecordedEvent {
    /// The event's own value of `dimension`, before any cap; `skillLevel` is the user's latest assessed level,
    /// which only the store knows (an assessment with a level is its own latest).
    public func value(of dimension: MetricDimension, skillLevel: String?) -> String? {
        let value: String?
        switch dimension {
        case .feature:
            switch event.payload {
            case .aiInteraction(let interaction): value = interaction.feature
            case .feedback(let feedback): value = feedback.feature
            case .integrityViolation(let violation): value = violation.feature
            case .integrityCheck(let check): value = check.feature
            default: value = nil
            }
        case .model:
            if case .aiInteraction(let interaction) = event.payload { value = interaction.model } else { value = nil }
        case .skillLevel:
            if case .assessment(let assessment) = event.payload, let level = assessment.level { value = level } else { value = skillLevel }
        case .region:
            value = event.region
        }
        guard let value, !value.isEmpty else { return nil }
        return value
    }
}

extension DimensionValues {
    /// Sets `recorded.segments` from its declared dimensions, admitting new values under their caps; returns
    /// the segments admitted by this call, which the store records with the event.
    public mutating func segment(_ recorded: inout RecordedEvent, skillLevel: String?) -> [Segment] {
        guard !recorded.dimensions.isEmpty else { return [] }
        var admittedNow: [Segment] = []
        var segments: [Segment] = []
        // In the dimensions' declared order without sorting the plan's map per event: this runs for every event.
        for dimension in MetricDimension.allCases {
            guard let cap = recorded.dimensions[dimension], let raw = recorded.value(of: dimension, skillLevel: skillLevel) else { continue }
            let (value, isNew) = resolve(raw, of: dimension, cap: cap)
            if isNew { admittedNow.append(Segment(dimension, value)) }
            segments.append(Segment(dimension, value))
        }
        recorded.segments = segments
        return admittedNow
    }
}

/// When a session counts as open.
public enum SessionLimits {
    /// A session without an end counts as open for this long after its start (an app that never sends
    /// `session_end` for a closed tab would otherwise keep it open for ever).
    public static let openFor: TimeInterval = 2 * 3600
}
