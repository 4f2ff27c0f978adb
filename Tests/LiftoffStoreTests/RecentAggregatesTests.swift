import Foundation
import LiftoffCore
import Testing
@testable import LiftoffSQLite
@testable import LiftoffStore

/// The in-memory mirror of the latest minutes must answer exactly what SQL answers: the same events into a
/// store that keeps 10 minutes in memory and one that keeps none give equal tables for every range (inside,
/// across and before the mirror) and filter, before and after the mirror moves on, and after a reopen.
@Suite("SQLite store: recent aggregates in memory")
struct RecentAggregatesTests {
    let now = Timestamp.parse("2026-11-29T10:00:30Z")!

    func event(_ index: Int, at date: Date) -> RecordedEvent {
        let phases = ["alpha", "beta"]
        let attribution = Attribution(phase: phases[index % 2], variant: index % 3 == 0 ? .control : .treatment, epoch: index % 5 == 0 ? 1 : 0)
        let payload: EventPayload = index % 4 == 0
            ? .feedback(Feedback(rating: 1 + index % 5))
            : .aiInteraction(AIInteraction(latencyMs: Double(100 + (index * 37) % 900), outcome: index % 7 == 0 ? .timeout : .ok))
        return RecordedEvent(event: Event(timestamp: date, userId: "u\(index % 13)", payload: payload), attribution: attribution,
                             costUsd: Double(index % 3) / 1000)
    }

    /// 40 minutes of events up to `end`, a few a minute, as one batch received at `end`.
    func batch(endingAt end: Date, offset: Int) -> [RecordedEvent] {
        (0..<160).map { index in event(index + offset, at: end.addingTimeInterval(-Double(index) * 15)) }
    }

    func expectSameAnswers(_ mirrored: SQLiteStore, _ plain: SQLiteStore, around date: Date) async throws {
        let minute = MinuteIndex(containing: date)
        let ranges = [minute.advanced(by: -5)...minute, minute.advanced(by: -9)...minute.advanced(by: 2),
                      minute.advanced(by: -30)...minute, minute.advanced(by: -45)...minute.advanced(by: -20), minute...minute,
                      minute.advanced(by: -60)...minute.advanced(by: 60)]
        let filters: [(String?, Variant?, Int?, Set<Measure>?)] = [
            (nil, nil, nil, nil), ("alpha", .treatment, nil, nil), ("beta", nil, 1, [.latency, .users]), (nil, .control, nil, [.rating]),
        ]
        for range in ranges {
            for (phase, variant, epoch, measures) in filters {
                let a = try await mirrored.aggregates(minutes: range, phase: phase, variant: variant, fromEpoch: epoch, measures: measures)
                let b = try await plain.aggregates(minutes: range, phase: phase, variant: variant, fromEpoch: epoch, measures: measures)
                #expect(a == b, "\(range) \(phase ?? "-") \(variant?.rawValue ?? "-") \(epoch ?? -1)")
                #expect(!b.rows.isEmpty || range.upperBound < MinuteIndex(containing: now).advanced(by: -40) || measures == [.rating] || epoch != nil)
            }
        }
    }

    @Test func theMirrorAnswersExactlyWhatSQLAnswers() async throws {
        let first = try TemporaryDirectory()
        let second = try TemporaryDirectory()
        let mirrored = try SQLiteStore(path: first.databasePath, now: now, recentMinutes: 10)
        let plain = try SQLiteStore(path: second.databasePath, now: now, recentMinutes: 0)
        for store in [mirrored, plain] {
            _ = try await store.append(batch(endingAt: now, offset: 0), receivedAt: now)
            // The same minutes again (merged into rows already stored), and a late event for an old minute.
            _ = try await store.append(batch(endingAt: now, offset: 7), receivedAt: now)
            _ = try await store.append([event(3, at: now.addingTimeInterval(-3000))], receivedAt: now)
        }
        #expect(mirrored.recent.withLock { $0.start } == RecentAggregates.hourStart(MinuteIndex(containing: now).advanced(by: -10)))
        try await expectSameAnswers(mirrored, plain, around: now)

        // Twenty minutes later: the mirror moves on, dropping what is older than its ten minutes.
        let later = now.addingTimeInterval(20 * 60)
        for store in [mirrored, plain] { _ = try await store.append(batch(endingAt: later, offset: 3), receivedAt: later) }
        #expect(mirrored.recent.withLock { $0.start } == RecentAggregates.hourStart(MinuteIndex(containing: later).advanced(by: -10)))
        try await expectSameAnswers(mirrored, plain, around: later)
        try await expectSameAnswers(mirrored, plain, around: now)

        // A new process loads the mirror from the file.
        let reopened = try SQLiteStore(path: first.databasePath, now: later, recentMinutes: 10)
        try await expectSameAnswers(reopened, plain, around: later)
    }

    /// A window's totals as `aggregateTotals` answers them (the mirror, hours kept in memory, SQL at the edges)
    /// hold the same samples as the per-minute rows SQL answers, merged: counts, extremes, distinct users,
    /// quantiles and minutes with data exactly, sums to rounding (they are added in another order).
    func expectSameTotals(_ store: SQLiteStore, _ plain: SQLiteStore, around date: Date) async throws {
        let minute = MinuteIndex(containing: date)
        let ranges = [minute.advanced(by: -300)...minute, minute.advanced(by: -250)...minute.advanced(by: -61),
                      minute.advanced(by: -185)...minute.advanced(by: -5), minute.advanced(by: -120)...minute.advanced(by: -120),
                      minute.advanced(by: -240)...minute.advanced(by: -180), minute.advanced(by: -8)...minute]
        let filters: [(String?, Variant?, Int?, Set<Measure>?)] = [
            (nil, nil, nil, nil), ("alpha", .treatment, nil, nil), ("beta", nil, 1, [.latency, .users]), (nil, .control, nil, [.rating]),
        ]
        for range in ranges {
            for (phase, variant, epoch, measures) in filters {
                let label = "\(range) \(phase ?? "-") \(variant?.rawValue ?? "-") \(epoch ?? -1)"
                let fast = try await store.aggregateTotals(minutes: range, phase: phase, variant: variant, fromEpoch: epoch, measures: measures)
                let rows = try await plain.aggregates(minutes: range, phase: phase, variant: variant, fromEpoch: epoch, measures: measures)
                let slow = AggregateTotals(rows, minutes: range)
                #expect(Set(fast.totals.keys) == Set(slow.totals.keys), "\(label)")
                #expect(!rows.rows.isEmpty || range.count < 10 || measures == [.rating] || epoch != nil, "\(label): the test reads data")
                for (measure, expected) in slow.totals {
                    guard let actual = fast.totals[measure] else { continue }
                    #expect(actual.count == expected.count && actual.min == expected.min && actual.max == expected.max, "\(label) \(measure)")
                    #expect(abs(actual.sum - expected.sum) <= 1e-9 * max(1, abs(expected.sum)), "\(label) \(measure)")
                    #expect(actual.distinct?.count == expected.distinct?.count, "\(label) \(measure)")
                    #expect(actual.quantile(0.5) == expected.quantile(0.5) && actual.quantile(0.95) == expected.quantile(0.95), "\(label) \(measure)")
                    #expect(fast.activeSeconds([measure]) == slow.activeSeconds([measure]), "\(label) \(measure)")
                }
            }
        }
    }

    @Test func hoursKeptInMemoryAnswerWhatSQLAnswersAndForgetWhatALateEventChanged() async throws {
        let first = try TemporaryDirectory()
        let second = try TemporaryDirectory()
        let store = try SQLiteStore(path: first.databasePath, now: now, recentMinutes: 10)
        let plain = try SQLiteStore(path: second.databasePath, now: now, recentMinutes: 0)
        // Six hours, an event every 30 s.
        let events = (0..<720).map { index in event(index, at: now.addingTimeInterval(-Double(index) * 30)) }
        for target in [store, plain] { _ = try await target.append(events, receivedAt: now) }
        try await expectSameTotals(store, plain, around: now)
        #expect(store.hourly.withLock { cache in (0..<1_000_000).contains(cache.generation) && cache.hour(HourlyAggregates.index(of: MinuteIndex(containing: now).advanced(by: -240))) != nil },
                "an old whole hour is kept after a read")

        // Late events for minutes in hours already kept: the next read sees them.
        let late = [event(11, at: now.addingTimeInterval(-200 * 60)), event(12, at: now.addingTimeInterval(-131 * 60)),
                    event(0, at: now.addingTimeInterval(-250 * 60))]
        for target in [store, plain] { _ = try await target.append(late, receivedAt: now) }
        try await expectSameTotals(store, plain, around: now)

        // A store that keeps no minutes in memory reads every window through the hours.
        let third = try TemporaryDirectory()
        let hoursOnly = try SQLiteStore(path: third.databasePath, now: now, recentMinutes: 0)
        _ = try await hoursOnly.append(events + late, receivedAt: now)
        try await expectSameTotals(hoursOnly, plain, around: now)
        try await expectSameTotals(hoursOnly, plain, around: now)
    }

    /// The evaluator reads the same windows every tick; the minutes before a window's last are kept merged.
    /// A write landing in them (a late event, or the minute just closed) must show in the next read, and a
    /// window that moves on must not take the old one's minutes.
    @Test func settledMinutesKeptMergedAreReadAgainOnceAWriteLandsInThem() async throws {
        let first = try TemporaryDirectory()
        let second = try TemporaryDirectory()
        let store = try SQLiteStore(path: first.databasePath, now: now, recentMinutes: 60)
        let plain = try SQLiteStore(path: second.databasePath, now: now, recentMinutes: 0)
        let events = (0..<720).map { index in event(index, at: now.addingTimeInterval(-Double(index) * 30)) }
        for target in [store, plain] { _ = try await target.append(events, receivedAt: now) }
        try await expectSameTotals(store, plain, around: now)
        // Into settled minutes (three and seven minutes back) and into the last one.
        let late = [event(1, at: now.addingTimeInterval(-180)), event(2, at: now.addingTimeInterval(-420)), event(5, at: now)]
        for target in [store, plain] { _ = try await target.append(late, receivedAt: now) }
        try await expectSameTotals(store, plain, around: now)
        // A minute later the windows move on: the same reads one minute further.
        let later = now.addingTimeInterval(60)
        for target in [store, plain] { _ = try await target.append([event(6, at: later), event(9, at: later.addingTimeInterval(-90))], receivedAt: later) }
        try await expectSameTotals(store, plain, around: later)
        try await expectSameTotals(store, plain, around: now)
    }

    /// A scratch store (the simulator's) keeps every minute of its aggregates decoded and writes none to its
    /// tables, yet answers what a store on a file answers, segments included; its database is in memory.
    @Test func aScratchStoreAnswersWhatAFileAnswersFromMemory() async throws {
        let first = try TemporaryDirectory()
        let second = try TemporaryDirectory()
        let scratch = try SQLiteStore(path: first.databasePath, now: now, durability: .scratch)
        let plain = try SQLiteStore(path: second.databasePath, now: now, recentMinutes: 0)
        func withFeature(_ recorded: RecordedEvent, _ index: Int) -> RecordedEvent {
            var recorded = recorded
            if case .aiInteraction(var interaction) = recorded.event.payload {
                interaction.feature = ["hints", "quiz", "paths"][index % 3]
                recorded.event.payload = .aiInteraction(interaction)
            }
            recorded.dimensions = [.feature: 5]
            return recorded
        }
        // Six hours, an event every 30 s, then late events into hours long closed.
        let events = (0..<720).map { index in withFeature(event(index, at: now.addingTimeInterval(-Double(index) * 30)), index) }
        let late = [event(11, at: now.addingTimeInterval(-200 * 60)), event(12, at: now.addingTimeInterval(-131 * 60))]
        for target in [scratch, plain] {
            _ = try await target.append(events, receivedAt: now)
            _ = try await target.append(late, receivedAt: now)
            _ = try await target.append(batch(endingAt: now, offset: 0), receivedAt: now)
        }
        try await expectSameTotals(scratch, plain, around: now)
        try await expectSameAnswers(scratch, plain, around: now)
        let minute = MinuteIndex(containing: now)
        for range in [minute.advanced(by: -15)...minute, minute.advanced(by: -300)...minute, minute.advanced(by: -200)...minute.advanced(by: -100)] {
            for feature in ["hints", "quiz", "paths"] {
                let segment = Segment(.feature, feature)
                let fast = try await scratch.aggregateTotals(minutes: range, phase: "alpha", variant: nil, fromEpoch: nil, measures: [.latency],
                                                             segment: segment)
                let rows = try await plain.aggregates(minutes: range, phase: "alpha", variant: nil, fromEpoch: nil, measures: [.latency],
                                                      segment: segment)
                let slow = AggregateTotals(rows, minutes: range)
                #expect(!rows.rows.isEmpty)
                #expect(fast.totals[.latency]?.count == slow.totals[.latency]?.count, "\(range) \(feature)")
                #expect(fast.totals[.latency]?.quantile(0.95) == slow.totals[.latency]?.quantile(0.95), "\(range) \(feature)")
                #expect(fast.activeSeconds([.latency]) == slow.activeSeconds([.latency]), "\(range) \(feature)")
            }
        }
        let stored = try await scratch.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT (SELECT COUNT(*) FROM minute_aggregates) + (SELECT COUNT(*) FROM segment_aggregates)")
        }
        #expect(stored == 0, "a scratch store writes no aggregate rows")
        #expect(try await plain.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM minute_aggregates") } ?? 0 > 0)
        #expect(!FileManager.default.fileExists(atPath: first.databasePath), "a scratch database is in memory")
    }
}
