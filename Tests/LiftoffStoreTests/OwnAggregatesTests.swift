import LiftoffCore
import Testing
@testable import LiftoffPostgres

@Suite("A node's own aggregates")
struct OwnAggregatesTests {
    let minute = MinuteIndex(containing: Timestamp.parse("2026-11-29T10:00:30Z")!)

    func key(_ minute: MinuteIndex) -> AggregateKey { AggregateKey(minute: minute, phase: "alpha", variant: .treatment, measure: .latency) }
    func aggregate(count: Int) -> Aggregate {
        var aggregate = Aggregate(for: .latency)
        for _ in 0..<count { aggregate.add(100) }
        return aggregate
    }

    @Test func aMergeTrustsTheCacheOnlyWhenNoOtherIsUnsettled() {
        var own = OwnAggregates()
        let first = own.begin()
        #expect(first.trusted)
        // The first has released the lock but not said whether it committed.
        let second = own.begin()
        #expect(!second.trusted)
        own.committed(first, [(key(minute), aggregate(count: 1))])
        own.committed(second, [(key(minute), aggregate(count: 2))])
        #expect(own.begin().trusted)
        #expect(own.stored(at: key(minute))?.count == 2)
    }

    @Test func anOlderMergeSettlingLateDoesNotReplaceANewerOne() {
        var own = OwnAggregates()
        let older = own.begin(), newer = own.begin()
        own.committed(newer, [(key(minute), aggregate(count: 5))])
        own.committed(older, [(key(minute), aggregate(count: 3))])
        #expect(own.stored(at: key(minute))?.count == 5)
    }

    @Test func aFailureForgetsEverything() {
        var own = OwnAggregates()
        let first = own.begin()
        own.committed(first, [(key(minute), aggregate(count: 1))])
        own.failed(own.begin())
        #expect(own.stored(at: key(minute)) == nil)
        #expect(own.begin().trusted)
    }

    @Test func minutesPastTheHorizonAreDropped() {
        var own = OwnAggregates()
        own.committed(own.begin(), [(key(minute), aggregate(count: 1))])
        let later = minute.advanced(by: OwnAggregates.horizon + 1)
        own.committed(own.begin(), [(key(later), aggregate(count: 1))])
        #expect(own.stored(at: key(minute)) == nil)
        #expect(own.stored(at: key(later))?.count == 1)
        // A late event's minute behind the horizon is not kept either: it is read from SQL.
        own.committed(own.begin(), [(key(minute), aggregate(count: 2))])
        #expect(own.stored(at: key(minute)) == nil)
    }
}
