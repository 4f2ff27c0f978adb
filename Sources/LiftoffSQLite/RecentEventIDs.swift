import DequeModule
import Foundation
import LiftoffCore
import LiftoffStore

/// The ids of recently recorded events, for recognising retries without a unique index: a random-key
/// B-tree insert per event costs most of SQLite's append rate. A retry is recognised when the original
/// arrived within `horizon` and is among the newest `capacity` ids; both bounds keep memory flat.
struct RecentEventIDs {
    static let defaultHorizon: TimeInterval = 24 * 3600
    static let defaultCapacity = 2_000_000

    let horizon: TimeInterval
    let capacity: Int
    private var members: Set<Fingerprint> = []
    /// Oldest first. A ring buffer: expiring the oldest is O(1) and its storage stays at `capacity` entries,
    /// where an array with a moving start grew to twice that and moved every live entry at each compaction
    /// (48 MB on the writer thread once every 2 M ids).
    private var order = Deque<(fingerprint: Fingerprint, receivedAt: Date)>()

    /// 128 bits from two differently seeded hashes, so a false "duplicate" (which would drop an event) is
    /// practically impossible.
    struct Fingerprint: Hashable {
        let high: UInt64
        let low: UInt64

        init(_ id: String) {
            high = StableHash.hash64(id)
            low = StableHash.hash64("liftoff-event-id:" + id)
        }

        /// One half is already a uniform hash: feeding both made every lookup hash twice the bytes.
        func hash(into hasher: inout Hasher) {
            hasher.combine(low)
        }
    }

    init(horizon: TimeInterval = defaultHorizon, capacity: Int = defaultCapacity) {
        self.horizon = horizon
        self.capacity = capacity
    }

    func contains(_ fingerprint: Fingerprint) -> Bool { members.contains(fingerprint) }

    var count: Int { members.count }

    mutating func insert(_ fingerprint: Fingerprint, receivedAt: Date) {
        guard members.insert(fingerprint).inserted else { return }
        order.append((fingerprint, receivedAt))
        expire(before: receivedAt.addingTimeInterval(-horizon))
    }

    private mutating func expire(before cutoff: Date) {
        while let oldest = order.first, order.count > capacity || oldest.receivedAt < cutoff {
            members.remove(oldest.fingerprint)
            order.removeFirst()
        }
    }
}
