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
        #expect(mirrored.recent.withLock { $0.start } == MinuteIndex(containing: now).advanced(by: -10))
        try await expectSameAnswers(mirrored, plain, around: now)

        // Twenty minutes later: the mirror moves on, dropping what is older than its ten minutes.
        let later = now.addingTimeInterval(20 * 60)
        for store in [mirrored, plain] { _ = try await store.append(batch(endingAt: later, offset: 3), receivedAt: later) }
        #expect(mirrored.recent.withLock { $0.start } == MinuteIndex(containing: later).advanced(by: -10))
        try await expectSameAnswers(mirrored, plain, around: later)
        try await expectSameAnswers(mirrored, plain, around: now)

        // A new process loads the mirror from the file.
        let reopened = try SQLiteStore(path: first.databasePath, now: later, recentMinutes: 10)
        try await expectSameAnswers(reopened, plain, around: later)
    }
}
