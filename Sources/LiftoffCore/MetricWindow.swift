import Foundation

/// The stretch of time a metric is computed over.
public enum MetricWindow: Sendable, Equatable {
    /// The last so many seconds.
    case last(TimeInterval)
    /// Since the phase started.
    case phase
    /// Everything recorded.
    case all

    /// Reads `30s`, `5m`, `1h`, `7d`, `phase` or `all`.
    public init?(_ text: String) {
        switch text {
        case "phase": self = .phase
        case "all": self = .all
        default:
            guard let seconds = DurationText.parse(text), seconds > 0 else { return nil }
            self = .last(seconds)
        }
    }

    /// The minutes a window covers. Aggregates are per minute, so a window covers every whole minute it
    /// overlaps: `[minute(now − length), minute(now)]`, both ends included.
    public static func minutes(from start: Date, to end: Date) -> ClosedRange<MinuteIndex> {
        let first = AggregateTable.minute(of: start)
        let last = AggregateTable.minute(of: end)
        return first...max(first, last)
    }
}
