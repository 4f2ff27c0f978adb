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
    private var order: [(fingerprint: Fingerprint, receivedAt: Date)] = []
    private var head = 0

    /// 128 bits from two differently seeded hashes, so a false "duplicate" (which would drop an event) is
    /// practically impossible.
    struct Fingerprint: Hashable {
        let high: UInt64
        let low: UInt64

        init(_ id: String) {
            high = StableHash.hash64(id)
            low = StableHash.hash64("liftoff-event-id:" + id)
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
        while head < order.count && (order.count - head > capacity || order[head].receivedAt < cutoff) {
            members.remove(order[head].fingerprint)
            head += 1
        }
        // Compact once the expired prefix dominates, so the array does not grow without bound.
        if head > 4096 && head * 2 > order.count {
            order.removeFirst(head)
            head = 0
        }
    }
}
