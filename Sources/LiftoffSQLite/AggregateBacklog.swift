import Foundation
import LiftoffCore

/// Aggregate rows written behind the commit.
///
/// A commit of a few dozen single events used to rewrite every aggregate row it touched (a dozen rows, with
/// their sketches, two pages of the log); writing none of them took single events from ~0.57 to ~0.61 of
/// `/healthz`. Rows of the minutes the in-memory mirrors hold (`RecentAggregates`, which every read of those
/// minutes uses) are now kept here as keys and written from the mirror by the first commit `interval` after
/// the last write or in a new minute, by a commit that writes a row through, or before a purge, in that
/// commit's transaction, which also moves `aggregates_checkpoint.through_seq` to its last event. With no
/// commit, the rows wait (reads do not need them; opening the file replays them). Rows of older minutes (a late
/// event) are written through, and that commit writes the backlog with them, so every event after the
/// checkpoint added to backlog rows only.
///
/// Crash safety comes from the events: each stored event keeps what its fold needs (its attribution, cost
/// and the values looked up at ingest: concurrent sessions, session length, skill change, segments), and
/// opening the file folds the events after the checkpoint into the stored rows (`SQLiteStore.replayAggregates`)
/// before the mirrors are loaded. So the file always holds the aggregates of every committed event, written
/// or to be replayed, and after a crash, a `kill -9` or a shutdown they are whole again at the next open.
struct AggregateBacklog {
    /// Rows changed since the last write, all in the mirrors' minutes.
    var keys: Set<AggregateKey> = []
    /// When the backlog was last written (the commit's receive time).
    var writtenAt: Date?
    /// The minute of that commit: once the minute turns the mirrors drop their oldest minute, so the backlog
    /// is written first.
    var minute: MinuteIndex?

    /// Whether a commit received at `receivedAt` writes the backlog.
    func isDue(at receivedAt: Date, interval: TimeInterval) -> Bool {
        guard !keys.isEmpty else { return false }
        guard let writtenAt, let minute else { return true }
        return receivedAt.timeIntervalSince(writtenAt) >= interval || MinuteIndex(containing: receivedAt) != minute
    }
}

/// An event's segments as stored with it (`events.segments`): a flat JSON array of dimension, value pairs,
/// NULL when it has none.
enum StoredSegments {
    static func text(_ segments: [Segment]) -> String? {
        guard !segments.isEmpty else { return nil }
        return JSONValue.array(segments.flatMap { [JSONValue.string($0.dimension.rawValue), .string($0.value)] }).compactText
    }

    /// The segments of `text`; throws when it is not what `text(_:)` writes.
    static func segments(_ text: String?) throws -> [Segment] {
        guard let text else { return [] }
        guard case .array(let items) = try JSONParser.parse(text), items.count.isMultiple(of: 2) else { throw Malformed(text: text) }
        var segments: [Segment] = []
        for index in stride(from: 0, to: items.count, by: 2) {
            guard case .string(let name) = items[index], let dimension = MetricDimension(rawValue: name),
                  case .string(let value) = items[index + 1] else { throw Malformed(text: text) }
            segments.append(Segment(dimension, value))
        }
        return segments
    }

    struct Malformed: Error, CustomStringConvertible {
        var text: String
        var description: String { "an event's stored segments are not a list of dimension, value pairs: \(text)" }
    }
}
