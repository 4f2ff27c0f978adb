import LiftoffCore

/// A set of event-id fingerprints: open addressing with linear probing over a power-of-two table kept at
/// most three quarters full (as Swift's `Set` is, so it takes the same memory: 64 MiB for the default 2 M
/// retry ids), removal by backward shift (no tombstones, so probe runs stay short as ids expire).
///
/// Why not `Set`: a fingerprint is already a uniform 128-bit hash, and `Set` hashes it again with SipHash on
/// every lookup and insert; with single events that was ~6% of the writer's time. The slot comes from
/// `low` mixed with a per-process random seed, so which ids share a probe run cannot be chosen from outside
/// (the protection `Set`'s seeded hashing gave), short of ids whose 64-bit `low` halves collide outright,
/// where `Set` was no better.
struct FingerprintSet {
    typealias Fingerprint = RecentEventIDs.Fingerprint

    private var slots: [Fingerprint]
    private var mask: Int
    private let seed: UInt64
    private(set) var count = 0

    /// Drawn once: a set made per commit must not cost a `getrandom` call.
    static let processSeed = UInt64.random(in: .min ... .max)

    init(minimumCapacity: Int = 8, seed: UInt64 = processSeed) {
        var size = 16
        while size * 3 < minimumCapacity * 4 { size *= 2 }
        slots = Array(repeating: .empty, count: size)
        mask = size - 1
        self.seed = seed
    }

    var isEmpty: Bool { count == 0 }

    func contains(_ fingerprint: Fingerprint) -> Bool {
        var slot = home(fingerprint)
        while true {
            let occupant = slots[slot]
            if occupant == fingerprint { return true }
            if occupant == .empty { return false }
            slot = (slot + 1) & mask
        }
    }

    /// Adds `fingerprint`; false when it was already a member.
    @discardableResult
    mutating func insert(_ fingerprint: Fingerprint) -> Bool {
        if (count + 1) * 4 > slots.count * 3 { grow() }
        var slot = home(fingerprint)
        while true {
            let occupant = slots[slot]
            if occupant == fingerprint { return false }
            if occupant == .empty { break }
            slot = (slot + 1) & mask
        }
        slots[slot] = fingerprint
        count += 1
        return true
    }

    mutating func remove(_ fingerprint: Fingerprint) {
        var hole = home(fingerprint)
        while slots[hole] != fingerprint {
            if slots[hole] == .empty { return }
            hole = (hole + 1) & mask
        }
        slots[hole] = .empty
        count -= 1
        // Backward shift: a later member of the run moves into the hole unless its home lies cyclically in
        // (hole, slot], where it would be found without passing the hole.
        var slot = hole
        while true {
            slot = (slot + 1) & mask
            let occupant = slots[slot]
            if occupant == .empty { return }
            let wanted = home(occupant)
            let reachable = hole <= slot ? (hole < wanted && wanted <= slot) : (hole < wanted || wanted <= slot)
            if reachable { continue }
            slots[hole] = occupant
            slots[slot] = .empty
            hole = slot
        }
    }

    private func home(_ fingerprint: Fingerprint) -> Int {
        Int(truncatingIfNeeded: StableHash.mix(fingerprint.low ^ seed)) & mask
    }

    private mutating func grow() {
        let old = slots
        slots = Array(repeating: .empty, count: old.count * 2)
        mask = slots.count - 1
        count = 0
        for fingerprint in old where fingerprint != .empty { insert(fingerprint) }
    }
}
