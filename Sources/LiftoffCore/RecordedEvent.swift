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

    public init(event: Event, attribution: Attribution, costUsd: Double? = nil,
                sessionSeconds: Double? = nil, skillDelta: Double? = nil) {
        self.event = event
        self.attribution = attribution
        self.costUsd = costUsd
        self.sessionSeconds = sessionSeconds
        self.skillDelta = skillDelta
    }
}
