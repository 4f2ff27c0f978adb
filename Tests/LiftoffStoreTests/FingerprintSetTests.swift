import Foundation
import LiftoffCore
import Testing
@testable import LiftoffSQLite

/// The retry check's set against Swift's `Set` over the same random inserts and removals: membership, the
/// answer of each insert and the count agree throughout, across growth, probe runs that wrap past the
/// table's end and removals inside them (the backward shift).
@Suite("Fingerprint set")
struct FingerprintSetTests {
    @Test(arguments: [0, 0x9E37_79B9_7F4A_7C15] as [UInt64])
    func agreesWithSetThroughInsertsAndRemovals(seed: UInt64) {
        var set = FingerprintSet(seed: seed)
        var reference = Set<String>()
        // Ids from a small pool, so inserts of members and removals of present ids are frequent.
        let pool = (0..<3_000).map { "event-\($0)" }
        for step in 0..<60_000 {
            // StableHash as a repeatable source of choices, so a failure repeats.
            let choice = StableHash.hash64("\(seed)-\(step)")
            let id = pool[Int(choice % UInt64(pool.count))]
            let fingerprint = RecentEventIDs.Fingerprint(id)
            if (choice >> 32) % 3 == 0 {
                set.remove(fingerprint)
                reference.remove(id)
            } else {
                #expect(set.insert(fingerprint) == reference.insert(id).inserted, "step \(step)")
            }
            if step % 997 == 0 {
                #expect(set.count == reference.count)
                for id in pool { #expect(set.contains(RecentEventIDs.Fingerprint(id)) == reference.contains(id), "\(id) at step \(step)") }
            }
        }
        for id in pool { set.remove(RecentEventIDs.Fingerprint(id)) }
        #expect(set.isEmpty)
        #expect(!set.contains(RecentEventIDs.Fingerprint("event-1")))
    }
}
