import Foundation
import GRDB
import LiftoffCore
import Testing
@testable import LiftoffStore
@testable import LiftoffSQLite

/// Aggregate rows of the in-memory minutes are written behind the commit and replayed from the events when
/// the file is opened (`AggregateBacklog`). Values are whole numbers or binary fractions, so sums come out the
/// same in any order of merging.
@Suite("Aggregates written behind the commit")
struct AggregateWriteBehindTests {
    let now = Timestamp.parse("2026-11-29T10:00:30Z")!
    let alpha = Attribution(phase: "alpha", variant: .treatment)
    let dimensions: [MetricDimension: Int] = [.feature: 10, .model: 10, .skillLevel: 5]
    let feature = Segment(.feature, "tutoring_chat")

    var minutes: ClosedRange<MinuteIndex> {
        let minute = AggregateTable.minute(of: now)
        return minute.advanced(by: -5)...minute.advanced(by: 5)
    }

    func recorded(_ payload: EventPayload, user: String, session: String? = nil, at offset: TimeInterval = 0) -> RecordedEvent {
        RecordedEvent(event: Event(timestamp: now.addingTimeInterval(offset), userId: user, sessionId: session, payload: payload),
                      attribution: alpha, costUsd: payload.type == .aiInteraction ? 0.25 : nil, dimensions: dimensions)
    }

    /// Every kind of value the store looks up at ingest: open sessions, a session's length, a skill's change,
    /// segments (with a skill level from an earlier assessment), a user's distinct count.
    func batches() -> [[RecordedEvent]] {
        (0..<6).map { batch in
            var events: [RecordedEvent] = []
            for user in 0..<4 {
                let name = "u\(user)"
                events.append(recorded(.aiInteraction(AIInteraction(feature: "tutoring_chat", model: batch.isMultiple(of: 2) ? "small" : "large",
                                                                   latencyMs: Double(100 * (batch + user + 1)), inputTokens: 900, outputTokens: 250,
                                                                   outcome: user == 3 ? .timeout : .ok)),
                                       user: name, at: Double(batch)))
            }
            events.append(recorded(.sessionStart, user: "u\(batch % 4)", session: "s\(batch)", at: Double(batch)))
            if batch > 0 {
                events.append(recorded(.sessionEnd(SessionEnd()), user: "u\((batch - 1) % 4)", session: "s\(batch - 1)", at: Double(batch) + 0.5))
            }
            events.append(recorded(.assessment(Assessment(skill: "algebra", score: Double(batch + 2) / 8, level: batch < 3 ? "beginner" : "advanced")),
                                   user: "u1", at: Double(batch)))
            events.append(recorded(.feedback(Feedback(rating: 1 + batch % 5, helpful: batch.isMultiple(of: 2), feature: "tutoring_chat")),
                                   user: "u2", at: Double(batch)))
            return events
        }
    }

    func snapshot(_ store: SQLiteStore) async throws -> (AggregateTable, AggregateTable, AggregateTable) {
        (try await store.aggregates(minutes: minutes, phase: nil, variant: nil, fromEpoch: nil, measures: nil),
         try await store.aggregates(minutes: minutes, phase: nil, variant: nil, fromEpoch: nil, measures: nil, segment: feature),
         try await store.aggregates(minutes: minutes, phase: nil, variant: nil, fromEpoch: nil, measures: nil, segment: Segment(.skillLevel, "advanced")))
    }

    func checkpoint(_ store: SQLiteStore) async throws -> (through: Int64, last: Int64) {
        try await store.pool.read { db in
            (try Int64.fetchOne(db, sql: "SELECT through_seq FROM aggregates_checkpoint")!,
             try Int64.fetchOne(db, sql: "SELECT coalesce(max(seq), 0) FROM events")!)
        }
    }

    /// Rows as stored in SQL, whole population and segments, decoded.
    func storedRows(_ store: SQLiteStore) async throws -> (AggregateTable, AggregateTable) {
        try await store.pool.read { db in
            (try SQLiteStore.fetchAggregates(db, from: MinuteIndex(rawValue: 0)),
             try SQLiteStore.fetchSegmentAggregates(db, from: MinuteIndex(rawValue: 0)))
        }
    }

    /// A crash with rows in the backlog: the next open folds the events after the checkpoint into the rows, and
    /// reads give what they gave before the crash.
    @Test func aCrashLeavesNothingOutOfTheAggregates() async throws {
        let directory = try TemporaryDirectory()
        let before: (AggregateTable, AggregateTable, AggregateTable)
        do {
            let store = try SQLiteStore(path: directory.databasePath, now: now, aggregateWriteInterval: 3600)
            for (index, batch) in batches().enumerated() {
                _ = try await store.append(batch, receivedAt: now.addingTimeInterval(Double(index) / 10))
            }
            // Stored to the millisecond, 10:01:00.000: folded into that minute at ingest too, as a replay will.
            let edge = recorded(.aiInteraction(AIInteraction(latencyMs: 700)), user: "u5", at: 29.9996)
            _ = try await store.append([edge], receivedAt: now.addingTimeInterval(0.7))
            before = try await snapshot(store)
            #expect(before.0.totals()[.latency]?.count == 25)
            #expect(before.1.totals()[.latency]?.count == 24)
            #expect(before.2.totals()[.latency]?.count ?? 0 > 0)
            // Only the first commit (7 events) wrote its rows: the other five batches (8 each) are after the checkpoint.
            let (through, last) = try await checkpoint(store)
            #expect(through == 7)
            #expect(last == 7 + 5 * 8 + 1)
            let (stored, _) = try await storedRows(store)
            #expect(stored.totals()[.latency]?.count == 4)
        }  // the store is released without writing its backlog, as a kill -9 would leave the file
        let reopened = try SQLiteStore(path: directory.databasePath, now: now)
        let after = try await snapshot(reopened)
        #expect(after.0 == before.0)
        #expect(after.1 == before.1)
        #expect(after.2 == before.2)
        let (through, last) = try await checkpoint(reopened)
        #expect(through == last)
    }

    /// The same events written through on every commit and written behind then replayed leave the same rows.
    @Test func replayedRowsAreTheRowsWrittenThrough() async throws {
        let behind = try TemporaryDirectory()
        let through = try TemporaryDirectory()
        do {
            let deferring = try SQLiteStore(path: behind.databasePath, now: now, aggregateWriteInterval: 3600)
            let writing = try SQLiteStore(path: through.databasePath, now: now, aggregateWriteInterval: 0)
            for (index, batch) in batches().enumerated() {
                _ = try await deferring.append(batch, receivedAt: now.addingTimeInterval(Double(index) / 10))
                _ = try await writing.append(batch, receivedAt: now.addingTimeInterval(Double(index) / 10))
            }
            let written = try await checkpoint(writing)
            #expect(written.through == written.last)
        }
        let replayed = try await storedRows(try SQLiteStore(path: behind.databasePath, now: now))
        let written = try await storedRows(try SQLiteStore(path: through.databasePath, now: now))
        #expect(replayed.0 == written.0)
        #expect(replayed.1 == written.1)
        #expect(replayed.0.totals()[.sessionDuration]?.count == 5)
        #expect(replayed.0.totals()[.skillDelta]?.count == 5)
    }

    /// The backlog is written when its interval has passed, when the minute turns, and with a late event's
    /// row (written at once, as the mirrors do not hold its minute).
    @Test func theBacklogIsWrittenOnTimeAtTheMinuteAndWithALateEvent() async throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteStore(path: directory.databasePath, now: now, aggregateWriteInterval: 1)
        let batch = Array(batches()[0].prefix(2))
        func append(at offset: TimeInterval) async throws -> (through: Int64, last: Int64) {
            _ = try await store.append(batch, receivedAt: now.addingTimeInterval(offset))
            return try await checkpoint(store)
        }
        var state = try await append(at: 0)  // 10:00:30.0, the first commit
        #expect(state.through == 2)
        state = try await append(at: 0.5)
        #expect(state.through == 2 && state.last == 4)
        state = try await append(at: 1)  // the interval has passed
        #expect(state.through == 6)
        state = try await append(at: 29.2)
        #expect(state.through == 8)
        state = try await append(at: 29.6)  // 10:00:59.6
        #expect(state.through == 8 && state.last == 10)
        state = try await append(at: 30.1)  // 10:01:00.1: the minute turned, 0.9 s after the last write
        #expect(state.through == 12)
        state = try await append(at: 30.3)
        #expect(state.through == 12 && state.last == 14)
        let late = recorded(.aiInteraction(AIInteraction(latencyMs: 300)), user: "u9", at: -5 * 3600)
        _ = try await store.append([late], receivedAt: now.addingTimeInterval(30.4))
        state = try await checkpoint(store)
        #expect(state.through == 15 && state.last == 15)
        let stored = try await storedRows(store)
        #expect(stored.0.totals()[.latency]?.count == 15)
    }

    /// Every batch, then retention of everything received before an hour from now.
    func appendAllThenPurge(_ store: SQLiteStore) async throws -> PurgeResult {
        for (index, batch) in batches().enumerated() {
            _ = try await store.append(batch, receivedAt: now.addingTimeInterval(Double(index) / 10))
        }
        return try await store.purge(eventsBefore: now.addingTimeInterval(3600), feedbackTextBefore: nil) { deleted, _ in
            AuditEntry(at: now, actor: "test", action: "retention.purged", reason: "\(deleted) events")
        }
    }

    /// Retention deletes events; those after the checkpoint are written into the rows first, or a replay
    /// would miss them.
    @Test func aPurgeWritesTheBacklogFirst() async throws {
        let directory = try TemporaryDirectory()
        do {
            let store = try SQLiteStore(path: directory.databasePath, now: now, aggregateWriteInterval: 3600)
            #expect(try await appendAllThenPurge(store).deleted == 47)
        }
        let reopened = try SQLiteStore(path: directory.databasePath, now: now)
        let totals = try await reopened.aggregates(minutes: minutes, phase: nil, variant: nil, fromEpoch: nil, measures: nil).totals()
        #expect(totals[.latency]?.count == 24)
    }

    /// A purge that deletes the newest events leaves the checkpoint at the last event that remains: the next
    /// events reuse the deleted ones' seq and must still be replayed.
    @Test func eventsAfterAPurgeOfTheNewestAreReplayed() async throws {
        let directory = try TemporaryDirectory()
        do {
            let store = try SQLiteStore(path: directory.databasePath, now: now, aggregateWriteInterval: 3600)
            _ = try await appendAllThenPurge(store)
            #expect(try await checkpoint(store).through == 0)
            _ = try await store.append(batches()[1], receivedAt: now.addingTimeInterval(0.7))
            let state = try await checkpoint(store)
            #expect(state.through == 0 && state.last == 8)
        }
        let reopened = try SQLiteStore(path: directory.databasePath, now: now)
        let totals = try await reopened.aggregates(minutes: minutes, phase: nil, variant: nil, fromEpoch: nil, measures: nil).totals()
        #expect(totals[.latency]?.count == 28)
    }

    /// Events after the checkpoint that a binary from before write-behind stored (a rolled-back deploy) had
    /// their rows written in their commit: a replay leaves them out.
    @Test func eventsOfAnOlderBinaryAreNotReplayed() async throws {
        let directory = try TemporaryDirectory()
        let before: AggregateTable
        do {
            let store = try SQLiteStore(path: directory.databasePath, now: now, aggregateWriteInterval: 0)
            _ = try await store.append(batches()[0], receivedAt: now)
            // What the older binary does: the event and its row in one transaction, the checkpoint untouched.
            try await store.pool.write { db in
                try db.execute(sql: """
                    INSERT INTO events (type, occurred_at, received_at, user_id, phase, variant, cost_usd, payload, epoch)
                    VALUES ('ai_interaction', ?, ?, 'u7', 'alpha', 'treatment', 0.25, '{"latencyMs":100,"outcome":"ok"}', 0)
                    """, arguments: [Milliseconds.from(now), Milliseconds.from(now)])
                var statements = AggregateStatements()
                let key = AggregateKey(minute: AggregateTable.minute(of: now), phase: "alpha", variant: .treatment, measure: .latency)
                var row = try SQLiteStore.storedAggregate(at: key, &statements, db)!
                row.add(100)
                try SQLiteStore.write(row, at: key, &statements, db)
            }
            before = try await storedRows(store).0
            #expect(before.totals()[.latency]?.count == 5)
            #expect(try await checkpoint(store).through == 7)
        }
        let reopened = try SQLiteStore(path: directory.databasePath, now: now)
        #expect(try await storedRows(reopened).0 == before)
        #expect(try await checkpoint(reopened).through == 8)
    }

    /// With no minutes kept in memory every row is written in its commit, and so is the checkpoint.
    @Test func withoutMirrorsEveryCommitWritesItsRows() async throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteStore(path: directory.databasePath, now: now, recentMinutes: 0, aggregateWriteInterval: 3600)
        for (index, batch) in batches().prefix(3).enumerated() {
            _ = try await store.append(batch, receivedAt: now.addingTimeInterval(Double(index) / 10))
            let state = try await checkpoint(store)
            #expect(state.through == state.last)
        }
        #expect(try await storedRows(store).0.totals()[.latency]?.count == 12)
    }

    /// An event after the checkpoint that cannot be read back is left out and counted, and the file still
    /// opens: a damaged row must not keep the server from starting.
    @Test func anUnreadableEventIsCountedNotFatal() async throws {
        let directory = try TemporaryDirectory()
        do {
            let store = try SQLiteStore(path: directory.databasePath, now: now, aggregateWriteInterval: 3600)
            _ = try await store.append(batches()[0], receivedAt: now)
            _ = try await store.append(batches()[1], receivedAt: now.addingTimeInterval(0.1))
            try await store.pool.write { db in try db.execute(sql: "UPDATE events SET payload = 'damaged' WHERE seq = 8") }
        }
        let reopened = try SQLiteStore(path: directory.databasePath, now: now)
        #expect(reopened.unreplayableEvents == 1)
        let totals = try await reopened.aggregates(minutes: minutes, phase: nil, variant: nil, fromEpoch: nil, measures: nil).totals()
        #expect(totals[.latency]?.count == 7)
    }

    /// Segments come back from what is stored as they went in: the event's own values from the event,
    /// others (a value past its cap, a skill level, whatever characters they hold) from the stored text.
    @Test(arguments: [nil, "tutoring_chat", "other", "say \"hi\"", "back\\slash", "two\nlines", "üñí €", "\u{1}"])
    func storedSegmentsRoundTrip(feature: String?) throws {
        var event = recorded(.aiInteraction(AIInteraction(feature: "tutoring_chat", model: "m", latencyMs: 1)), user: "u1")
        event.event.region = "eu"
        event.segments = [feature.map { Segment(.feature, $0) }, Segment(.model, "m"), Segment(.skillLevel, "advanced"),
                          Segment(.region, "eu")].compactMap { $0 }
        let (dimensions, values) = StoredSegments.encode(event)
        let text = values.map { String(decoding: $0, as: UTF8.self) }
        #expect(try StoredSegments.decode(dimensions: dimensions, values: text, of: event) == event.segments)
        // Only what the event does not carry is written out.
        #expect(text?.contains("\"m\"") == false)
        #expect(text?.contains("advanced") == true)
        event.segments = []
        #expect(StoredSegments.encode(event).dimensions == nil)
    }

    /// A file from before write-behind: its events' rows were written in their commits, so the migration puts
    /// the checkpoint after its last event and opening it replays nothing.
    @Test func aFileFromBeforeWriteBehindIsNotReplayed() async throws {
        let directory = try TemporaryDirectory()
        do {
            let queue = try DatabaseQueue(path: directory.databasePath)
            try SQLiteMigrations.migrator.migrate(queue, upTo: "0016-index-audit-by-action")
            try await queue.write { db in
                try db.execute(sql: """
                    INSERT INTO events (type, occurred_at, received_at, user_id, phase, variant, cost_usd, payload, epoch)
                    VALUES ('ai_interaction', ?, ?, 'u1', 'alpha', 'treatment', 0.25, '{"latencyMs":100,"outcome":"ok"}', 0)
                    """, arguments: [Milliseconds.from(now), Milliseconds.from(now)])
                var statements = AggregateStatements()
                var latency = Aggregate(for: .latency)
                latency.add(100)
                try SQLiteStore.write(latency, at: AggregateKey(minute: AggregateTable.minute(of: now), phase: "alpha", variant: .treatment,
                                                                measure: .latency), &statements, db)
            }
        }
        let store = try SQLiteStore(path: directory.databasePath, now: now)
        #expect(try await checkpoint(store).through == 1)
        #expect(try await storedRows(store).0.totals()[.latency]?.count == 1)
        let totals = try await store.aggregates(minutes: minutes, phase: nil, variant: nil, fromEpoch: nil, measures: nil).totals()
        #expect(totals[.latency]?.count == 1)
    }
}
