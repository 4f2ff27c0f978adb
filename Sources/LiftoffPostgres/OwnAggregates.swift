import LiftoffCore
import Synchronization

/// This node's own aggregate rows of the latest minutes as last committed, so an ingest transaction merges into
/// them without first reading them back (a query per batch). Sound because a node id is new at every start, so
/// every row of this node was written by this process, and its ingest transactions merge one at a time (the
/// per-node advisory lock).
///
/// The one hazard is a transaction that has released the lock (committed or rolled back at the server) but has
/// not yet told this cache which: `unsettled` counts transactions that merged and have not settled, and a
/// merge may trust the cache only when it is the only one. Otherwise, and for any key the cache does not
/// hold, rows are read as before. Values are applied only after their commit, newest merge first (`sequence`),
/// and any failure empties the cache, since a failed COMMIT may still have committed.
struct OwnAggregates: Sendable {
    /// Minutes kept behind the newest one written; a later event for an older minute reads its rows.
    static let horizon: Int64 = 10

    /// A merge in progress: its place in the lock's order, and whether it may trust the cache.
    struct Ticket: Sendable {
        var sequence: UInt64
        var trusted: Bool
    }

    private var minutes: [MinuteIndex: [AggregateKey: (sequence: UInt64, aggregate: Aggregate)]] = [:]
    private var newest: MinuteIndex?
    private var sequence: UInt64 = 0
    private var unsettled = 0

    /// Called inside the merge lock, before anything is read.
    mutating func begin() -> Ticket {
        sequence += 1
        unsettled += 1
        return Ticket(sequence: sequence, trusted: unsettled == 1)
    }

    /// The committed value of `key`, or nil when it is not kept (it is then read from SQL).
    func stored(at key: AggregateKey) -> Aggregate? {
        minutes[key.minute]?[key]?.aggregate
    }

    /// After the merge's transaction committed: its rows as written.
    mutating func committed(_ ticket: Ticket, _ rows: [(AggregateKey, Aggregate)]) {
        unsettled -= 1
        for (key, aggregate) in rows {
            if let newest, key.minute < newest.advanced(by: -Self.horizon) { continue }
            if let kept = minutes[key.minute]?[key], kept.sequence > ticket.sequence { continue }
            minutes[key.minute, default: [:]][key] = (ticket.sequence, aggregate)
            if newest.map({ key.minute > $0 }) ?? true { newest = key.minute }
        }
        if let newest {
            let oldest = newest.advanced(by: -Self.horizon)
            for minute in minutes.keys where minute < oldest { minutes[minute] = nil }
        }
    }

    /// After a merge's transaction failed, or its outcome is unknown.
    mutating func failed(_ ticket: Ticket) {
        unsettled -= 1
        minutes = [:]
    }
}

/// Where an append's merge leaves its ticket, so the append can settle it whether its transaction committed or not.
final class OwnAggregatesTicketSlot: Sendable {
    let ticket = Mutex<OwnAggregates.Ticket?>(nil)
}
