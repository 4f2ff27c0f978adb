import PropertyBased
import Testing
@testable import LiftoffCore

@Suite("Distinct counter")
struct DistinctCounterTests {
    @Test func exactBelowTheLimit() {
        var counter = DistinctCounter()
        for index in 0..<DistinctCounter.exactLimit { counter.add("user-\(index)") }
        for index in 0..<100 { counter.add("user-\(index)") }
        #expect(counter.count == DistinctCounter.exactLimit)
    }

    @Test(arguments: [5_000, 50_000, 200_000])
    func estimateWithinFivePercentAbove(distinct: Int) {
        var counter = DistinctCounter()
        for index in 0..<distinct { counter.add("u-\(index)") }
        let error = abs(Double(counter.count - distinct)) / Double(distinct)
        #expect(error < 0.05, "estimated \(counter.count) for \(distinct)")
    }

    @Test func mergeEqualsCounterOfUnion() async {
        let ids = Gen.int(in: 0...5_000).array(of: 0...3_000)
        await propertyCheck(count: 60, input: ids, ids) { left, right in
            var a = DistinctCounter()
            left.forEach { a.add("u\($0)") }
            var b = DistinctCounter()
            right.forEach { b.add("u\($0)") }
            var union = DistinctCounter()
            (left + right).forEach { union.add("u\($0)") }
            a.merge(b)
            #expect(a == union)
            #expect(a.count == union.count)
        }
    }

    @Test func encodingRoundTrips() {
        for size in [0, 10, 3_000] {
            var counter = DistinctCounter()
            for index in 0..<size { counter.add("x\(index)") }
            #expect(DistinctCounter(encoded: counter.encoded()) == counter)
        }
    }
}

/// Stored registers and retry fingerprints are recomputed from these hashes by later versions, so the values
/// are pinned (computed independently, in Python, from FNV-1a and MurmurHash3's finaliser).
@Suite("Stable hash")
struct StableHashTests {
    @Test func valuesAreTheSameInEveryVersion() {
        #expect(StableHash.hash64("") == 0xefd0_1f60_ba99_2926)
        #expect(StableHash.hash64("u-1") == 0x2e9d_b84d_05a7_8d5f)
        #expect(StableHash.hash64("ïd-7", after: "liftoff-event-id:") == 0xe730_fc22_efc3_20b8)
        #expect(StableHash.hash64("ïd-7", after: "liftoff-event-id:") == StableHash.hash64("liftoff-event-id:ïd-7"))
    }
}
