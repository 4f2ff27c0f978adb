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
