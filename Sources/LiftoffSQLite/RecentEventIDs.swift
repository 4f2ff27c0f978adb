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
    private var members = FingerprintSet()
    /// Oldest first. A ring buffer: expiring the oldest is O(1) and its storage stays at `capacity` entries,
    /// where an array with a moving start grew to twice that and moved every live entry at each compaction
    /// (48 MB on the writer thread once every 2 M ids).
    private var order = Deque<(fingerprint: Fingerprint, receivedAt: Date)>()

    /// 128 bits from two differently seeded hashes, so a false "duplicate" (which would drop an event) is
    /// practically impossible.
    struct Fingerprint: Equatable {
        let high: UInt64
        let low: UInt64

        init(_ id: String) {
            high = StableHash.hash64(id)
            // All zeros marks an empty slot in `FingerprintSet`; an id hashing to it (odds 2⁻¹²⁸) is moved by one.
            let low = StableHash.hash64(id, after: "liftoff-event-id:")
            self.low = high == 0 && low == 0 ? 1 : low
        }

        private init(high: UInt64, low: UInt64) {
            self.high = high
            self.low = low
        }

        static let empty = Fingerprint(high: 0, low: 0)
    }

    init(horizon: TimeInterval = defaultHorizon, capacity: Int = defaultCapacity) {
        self.horizon = horizon
        self.capacity = capacity
    }

    func contains(_ fingerprint: Fingerprint) -> Bool { members.contains(fingerprint) }

    var count: Int { members.count }

    mutating func insert(_ fingerprint: Fingerprint, receivedAt: Date) {
        guard members.insert(fingerprint) else { return }
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
