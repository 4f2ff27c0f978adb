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

/// An event's segments as stored with it, in two columns. `segment_dimensions`: a bit per dimension that gave
/// the event a segment (bit n for `MetricDimension.allCases[n]`, so new dimensions go at the end), NULL for
/// none. `segment_values`: only the values that are not the event's own (past a dimension's cap, or a user's
/// skill level, which the event does not carry), as a flat JSON array of dimension, value pairs, NULL when
/// there are none. Most events store one small integer: writing every value took batched ingest ~8% of its
/// rate, in the bytes of every row.
enum StoredSegments {
    static func encode(_ recorded: RecordedEvent) -> (dimensions: Int?, values: [UInt8]?) {
        guard !recorded.segments.isEmpty else { return (nil, nil) }
        var mask = 0
        var values: [UInt8]?
        for segment in recorded.segments {
            mask |= bit(segment.dimension)
            guard recorded.value(of: segment.dimension, skillLevel: nil) != segment.value else { continue }
            var bytes = values ?? [UInt8(ascii: "[")]
            if bytes.count > 1 { bytes.append(UInt8(ascii: ",")) }
            appendQuoted(segment.dimension.rawValue, to: &bytes)
            bytes.append(UInt8(ascii: ","))
            appendQuoted(segment.value, to: &bytes)
            values = bytes
        }
        return (mask, values.map { $0 + [UInt8(ascii: "]")] })
    }

    /// The segments `encode` stored for `recorded` (whose own values fill the dimensions without a stored one).
    static func decode(dimensions: Int?, values: String?, of recorded: RecordedEvent) throws -> [Segment] {
        guard let dimensions else { return [] }
        var stored: [MetricDimension: String] = [:]
        if let values {
            guard case .array(let items) = try JSONParser.parse(values), items.count.isMultiple(of: 2) else { throw Malformed(text: values) }
            for index in stride(from: 0, to: items.count, by: 2) {
                guard case .string(let name) = items[index], let dimension = MetricDimension(rawValue: name),
                      case .string(let value) = items[index + 1] else { throw Malformed(text: values) }
                stored[dimension] = value
            }
        }
        var segments: [Segment] = []
        for dimension in MetricDimension.allCases where dimensions & bit(dimension) != 0 {
            guard let value = stored[dimension] ?? recorded.value(of: dimension, skillLevel: nil) else {
                throw Malformed(text: "\(dimensions) \(values ?? "")")
            }
            segments.append(Segment(dimension, value))
        }
        return segments
    }

    private static func bit(_ dimension: MetricDimension) -> Int {
        1 << MetricDimension.allCases.firstIndex(of: dimension)!
    }

    private static func appendQuoted(_ text: String, to bytes: inout [UInt8]) {
        let needsEscaping = text.utf8.contains { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }
        if needsEscaping {
            bytes.append(contentsOf: JSONValue.string(text).compactUTF8)
        } else {
            bytes.append(UInt8(ascii: "\""))
            bytes.append(contentsOf: text.utf8)
            bytes.append(UInt8(ascii: "\""))
        }
    }

    struct Malformed: Error, CustomStringConvertible {
        var text: String
        var description: String { "an event's stored segments do not match it: \(text)" }
    }
}
