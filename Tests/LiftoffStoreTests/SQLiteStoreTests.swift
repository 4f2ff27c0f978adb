import Foundation
import GRDB
import LiftoffCore
import Testing
@testable import LiftoffStore
@testable import LiftoffSQLite

@Suite("SQLite store")
struct SQLiteStoreTests {
    let now = Timestamp.parse("2026-11-29T10:00:30Z")!
    let alpha = Attribution(phase: "alpha", variant: .treatment)

    func interaction(_ id: String?, user: String = "u1", latency: Double = 100, at date: Date? = nil) -> RecordedEvent {
        RecordedEvent(event: Event(id: id, timestamp: date ?? now, userId: user,
                                   payload: .aiInteraction(AIInteraction(latencyMs: latency, outcome: .ok))),
                      attribution: alpha, costUsd: 0.001)
    }

    var minutes: ClosedRange<MinuteIndex> {
        let minute = AggregateTable.minute(of: now)
        return minute.advanced(by: -5)...minute.advanced(by: 5)
    }

    @Test func retriesAreRecognisedWithinABatchAndAcrossBatches() async throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteStore(path: directory.databasePath, now: now)
        #expect(try await store.append([interaction("a"), interaction("a")], receivedAt: now) == [.accepted, .duplicate])
        #expect(try await store.append([interaction("a"), interaction("c")], receivedAt: now) == [.duplicate, .accepted])
        let totals = try await store.aggregates(minutes: minutes, phase: nil, variant: nil, fromEpoch: nil, measures: nil).totals()
        #expect(totals[.latency]?.count == 2)
    }

    /// Every column of every row reads back as appended, across the multi-row statements (more rows than one
    /// statement holds, so the bound texts are laid out twice) and with texts that are not ASCII, absent or
    /// repeated: the texts are bound in place from one buffer, not copied one by one.
    @Test func storedRowsKeepEveryText() async throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteStore(path: directory.databasePath, now: now)
        let count = EventRows.rowsPerStatement + 13
        func recorded(_ index: Int) -> RecordedEvent {
            let id: String? = index % 9 == 0 ? nil : "ïd-\(index)"
            let user: String? = index % 7 == 0 ? nil : "user-\(index % 5)"
            let session: String? = index % 4 == 0 ? nil : "séance-\(index)"
            let region: String? = index % 3 == 0 ? nil : "région-\(index % 2)"
            let call = AIInteraction(model: "mödel-\(index)", latencyMs: Double(index), outcome: .ok)
            let attribution = Attribution(phase: index % 2 == 0 ? "alpha" : "beta", variant: index % 2 == 0 ? .treatment : .control)
            let event = Event(id: id, timestamp: now, userId: user, sessionId: session, region: region, payload: .aiInteraction(call))
            return RecordedEvent(event: event, attribution: attribution)
        }
        let events = (0..<count).map(recorded)
        #expect(try await store.append(events, receivedAt: now) == Array(repeating: .accepted, count: count))
        let queue = try DatabaseQueue(path: directory.databasePath)
        let rows = try await queue.read { db in
            try Row.fetchAll(db, sql: "SELECT event_id, type, user_id, session_id, phase, variant, payload, region FROM events ORDER BY seq")
        }
        try #require(rows.count == count)
        for (row, recorded) in zip(rows, events) {
            let event = recorded.event
            #expect(row["event_id"] as String? == event.id)
            #expect(row["type"] as String == "ai_interaction")
            #expect(row["user_id"] as String? == event.userId)
            #expect(row["session_id"] as String? == event.sessionId)
            #expect(row["phase"] as String == recorded.attribution.phase)
            #expect(row["variant"] as String == recorded.attribution.variant.rawValue)
            #expect(row["payload"] as String == EventPayloadJSON.encode(event.payload))
            #expect(row["region"] as String? == event.region)
        }
    }

    /// Acknowledged means durable: the connection that commits events waits for the disk (`synchronous=FULL`,
    /// 2), on a new file and on a reopened one. Opening a WAL pool used to leave it at NORMAL (1), which
    /// survives a crash of the process but not of the machine.
    @Test func commitsWaitForTheDisk() async throws {
        let directory = try TemporaryDirectory()
        for _ in 0..<2 {
            let store = try SQLiteStore(path: directory.databasePath, now: now)
            let level = try await store.pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
            #expect(level == 2)
            let mode = try await store.pool.writeWithoutTransaction { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
            #expect(mode == "wal")
        }
    }

    /// Migration 0012 rebuilds the events table to allow payments: a file written before keeps its events
    /// (and their retry ids) and takes payments afterwards.
    @Test func aFileFromBeforePaymentsKeepsItsEventsAndTakesPayments() async throws {
        let directory = try TemporaryDirectory()
        do {
            let queue = try DatabaseQueue(path: directory.databasePath)
            try SQLiteMigrations.migrator.migrate(queue, upTo: "0011-create-plan-versions")
            try await queue.write { db in
                try db.execute(sql: """
                    INSERT INTO events (event_id, type, occurred_at, received_at, user_id, phase, variant, cost_usd, payload, epoch)
                    VALUES ('old-1', 'ai_interaction', ?, ?, 'u1', 'alpha', 'treatment', 0.25, '{"latencyMs":100,"model":"m","outcome":"ok"}', 0)
                    """, arguments: [Milliseconds.from(now), Milliseconds.from(now)])
                #expect(throws: (any Error).self) {
                    try db.execute(sql: "INSERT INTO events (type, occurred_at, received_at, phase, variant, payload) VALUES ('payment', 0, 0, 'a', 'control', '{}')")
                }
            }
        }
        let store = try SQLiteStore(path: directory.databasePath, now: now)
        let payment = RecordedEvent(event: Event(id: "pay-1", timestamp: now, userId: "u1", payload: .payment(Payment(amountUsd: 12, kind: .subscription))),
                                    attribution: alpha)
        #expect(try await store.append([interaction("old-1"), payment], receivedAt: now) == [.duplicate, .accepted])
        #expect(try await store.costBreakdown(since: now.addingTimeInterval(-60), limit: 5).byModel.map(\.costUsd) == [0.25])
        let totals = try await store.aggregates(minutes: minutes, phase: nil, variant: nil, fromEpoch: nil, measures: [.revenue, .payingUsers]).totals()
        #expect(totals[.revenue]?.sum == 12)
        #expect(totals[.payingUsers]?.distinct?.count == 1)
    }

    /// Migration 0015 rebuilds the events table again, for integrity checks: rows keep their seq, region and
    /// retry ids, the partial indexes come back, and a check is stored and counted afterwards.
    @Test func aFileFromBeforeIntegrityChecksKeepsItsEventsAndTakesChecks() async throws {
        let directory = try TemporaryDirectory()
        do {
            let queue = try DatabaseQueue(path: directory.databasePath)
            try SQLiteMigrations.migrator.migrate(queue, upTo: "0014-index-completion-events")
            try await queue.write { db in
                try db.execute(sql: """
                    INSERT INTO events (seq, event_id, type, occurred_at, received_at, user_id, phase, variant, cost_usd, payload, epoch, region)
                    VALUES (41, 'old-1', 'ai_interaction', ?, ?, 'u1', 'alpha', 'treatment', 0.25, '{"latencyMs":100,"model":"m","outcome":"ok"}', 0, 'eu-west')
                    """, arguments: [Milliseconds.from(now), Milliseconds.from(now)])
            }
        }
        let store = try SQLiteStore(path: directory.databasePath, now: now)
        let check = RecordedEvent(event: Event(id: "check-1", timestamp: now, userId: "u1",
                                               payload: .integrityCheck(IntegrityCheck(check: "progress", passed: false))), attribution: alpha)
        #expect(try await store.append([interaction("old-1"), check], receivedAt: now) == [.duplicate, .accepted])
        let totals = try await store.aggregates(minutes: minutes, phase: nil, variant: nil, fromEpoch: nil,
                                                measures: [.integrityChecks, .integrityViolations]).totals()
        #expect(totals[.integrityChecks]?.count == 1 && totals[.integrityChecks]?.sum == 0)
        #expect(totals[.integrityViolations]?.count == 1)
        let queue = try DatabaseQueue(path: directory.databasePath)
        try await queue.read { db in
            #expect(try String.fetchOne(db, sql: "SELECT region FROM events WHERE seq = 41") == "eu-west")
            let indexes = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events' ORDER BY name")
            #expect(indexes == ["events_by_received_at", "events_completions", "events_feedback"])
        }
    }

    @Test func retriesAreRecognisedAfterReopening() async throws {
        let directory = try TemporaryDirectory()
        do {
            let store = try SQLiteStore(path: directory.databasePath, now: now)
            _ = try await store.append([interaction("a")], receivedAt: now)
        }
        let reopened = try SQLiteStore(path: directory.databasePath, now: now.addingTimeInterval(60))
        #expect(try await reopened.append([interaction("a"), interaction("b")], receivedAt: now) == [.duplicate, .accepted])
        let totals = try await reopened.aggregates(minutes: minutes, phase: nil, variant: nil, fromEpoch: nil, measures: nil).totals()
        #expect(totals[.latency]?.count == 2)
    }

    /// Segment rows are kept in memory for the latest minutes too: reopening reloads them, a later batch merges
    /// into them, and a store without the mirror (every read from SQL) answers the same.
    @Test(arguments: [180, 0])
    func segmentRowsSurviveReopeningAndMerge(recentMinutes: Int) async throws {
        let directory = try TemporaryDirectory()
        func call(_ id: String, _ latency: Double) -> RecordedEvent {
            var recorded = interaction(id, latency: latency)
            recorded.event.payload = .aiInteraction(AIInteraction(feature: "hints", model: "m", latencyMs: latency, outcome: .ok))
            recorded.dimensions = [.feature: 5]
            return recorded
        }
        do {
            let store = try SQLiteStore(path: directory.databasePath, now: now, recentMinutes: recentMinutes)
            _ = try await store.append([call("a", 100)], receivedAt: now)
        }
        let reopened = try SQLiteStore(path: directory.databasePath, now: now.addingTimeInterval(60), recentMinutes: recentMinutes)
        _ = try await reopened.append([call("b", 300)], receivedAt: now)
        let totals = try await reopened.aggregates(minutes: minutes, phase: nil, variant: nil, fromEpoch: nil, measures: [.latency],
                                                   segment: Segment(.feature, "hints")).totals()
        #expect(totals[.latency]?.count == 2)
        #expect(totals[.latency]?.sum == 400)
    }

    @Test func dedupeHorizonIsBounded() async throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteStore(path: directory.databasePath, now: now, dedupeHorizon: 3600, dedupeCapacity: 2)
        _ = try await store.append([interaction("a"), interaction("b"), interaction("c")], receivedAt: now)
        // Capacity 2: the oldest id fell out of the window and is taken as new again.
        #expect(try await store.append([interaction("a"), interaction("c")], receivedAt: now) == [.accepted, .duplicate])
        #expect(store.recentIDs.withLock { $0.count } == 2)
    }

    @Test func filtersByPhaseAndVariant() async throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteStore(path: directory.databasePath, now: now)
        var control = interaction(nil, user: "u9")
        control.attribution = Attribution(phase: "alpha", variant: .control)
        var beta = interaction(nil, user: "u8")
        beta.attribution = Attribution(phase: "beta", variant: .treatment)
        _ = try await store.append([interaction(nil), control, beta], receivedAt: now)
        #expect(try await store.aggregates(minutes: minutes, phase: "alpha", variant: nil, fromEpoch: nil, measures: nil).totals()[.latency]?.count == 2)
        #expect(try await store.aggregates(minutes: minutes, phase: "alpha", variant: .treatment, fromEpoch: nil, measures: nil).totals()[.latency]?.count == 1)
        #expect(try await store.aggregates(minutes: minutes, phase: nil, variant: .treatment, fromEpoch: nil, measures: nil).totals()[.users]?.distinct?.count == 2)
    }

    @Test func sessionLengthAndSkillChangeComeFromHistory() async throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteStore(path: directory.databasePath, now: now)
        func event(_ payload: EventPayload, at offset: TimeInterval) -> RecordedEvent {
            RecordedEvent(event: Event(timestamp: now.addingTimeInterval(offset), userId: "u1", sessionId: "s1", payload: payload),
                          attribution: alpha)
        }
        _ = try await store.append([
            event(.sessionStart, at: -20),
            event(.assessment(Assessment(skill: "loops", score: 0.4)), at: -19),
        ], receivedAt: now)
        _ = try await store.append([
            event(.assessment(Assessment(skill: "loops", score: 0.9)), at: -2),
            event(.sessionEnd(SessionEnd()), at: 0),
        ], receivedAt: now)
        let totals = try await store.aggregates(minutes: minutes, phase: nil, variant: nil, fromEpoch: nil, measures: nil).totals()
        #expect(totals[.sessionDuration]?.sum == 20)
        #expect(abs(totals[.skillDelta]!.sum - 0.5) < 1e-12)
        #expect(totals[.assessmentScore]?.count == 2)
    }

    @Test func retentionCountsUsersBackOnDayN() async throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteStore(path: directory.databasePath, now: now)
        let day: TimeInterval = 86_400
        let start = now.addingTimeInterval(-10 * day)
        var events: [RecordedEvent] = []
        // u1 returns the next day; u2 returns after a week; u3 never returns.
        for (user, offsets) in [("u1", [0.0, 1]), ("u2", [0.0, 7]), ("u3", [0.0])] {
            for offset in offsets { events.append(interaction(nil, user: user, at: start.addingTimeInterval(offset * day))) }
        }
        _ = try await store.append(events, receivedAt: now)
        let firstDay = DayIndex(containing: start)
        #expect(try await store.retention(afterDays: 1, firstDays: firstDay...firstDay, phase: nil, variant: nil)
            == RetentionCounts(cohort: 3, returned: 1))
        #expect(try await store.retention(afterDays: 7, firstDays: firstDay...firstDay, phase: "alpha", variant: .treatment)
            == RetentionCounts(cohort: 3, returned: 1))
        #expect(try await store.retention(afterDays: 7, firstDays: firstDay...firstDay, phase: "beta", variant: nil)
            == RetentionCounts(cohort: 0, returned: 0))
    }

    @Test func keysAreStoredAsHashesWithUniqueNames() async throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteStore(path: directory.databasePath, now: now)
        let key = StoredKey(id: "k1", name: "app", scope: .ingest, hash: Array(repeating: 7, count: 32), prefix: "lft_abcd", createdAt: now)
        try await store.insertKey(key)
        await #expect(throws: StoreError.self) {
            try await store.insertKey(StoredKey(id: "k2", name: "app", scope: .read, hash: Array(repeating: 8, count: 32), prefix: "x", createdAt: now))
        }
        #expect(try await store.activeKeys() == [key])
    }

    @Test func schemaRejectsInvalidRows() async throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteStore(path: directory.databasePath, now: now)
        _ = store
        // The schema itself, written to from another connection to the file, refuses invalid rows.
        let file = try DatabaseQueue(path: directory.databasePath)
        #expect(throws: DatabaseError.self) {
            try file.write { db in
                try db.execute(sql: "INSERT INTO events (type, occurred_at, received_at, phase, variant, payload) VALUES ('click', 0, 0, 'p', 'control', '{}')")
            }
        }
        #expect(throws: DatabaseError.self) {
            try file.write { db in
                try db.execute(sql: "INSERT INTO api_keys (id, name, scope, hash, prefix, created_at) VALUES ('x', 'n', 'root', zeroblob(32), 'p', 0)")
            }
        }
    }

    @Test func phaseHistoryEndsThePreviousPhase() async throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteStore(path: directory.databasePath, now: now)
        try await store.startPhase("internal", at: now)
        try await store.startPhase("alpha", at: now.addingTimeInterval(60))
        let history = try await store.phaseHistory()
        #expect(history.map(\.phase) == ["internal", "alpha"])
        #expect(history[0].endedAt == now.addingTimeInterval(60))
        #expect(history[1].endedAt == nil)
    }
}

@Suite("Stored payloads")
struct EventPayloadJSONTests {
    @Test(arguments: [
        EventPayload.aiInteraction(AIInteraction(feature: "code_analysis", model: "m", provider: "p", latencyMs: 812.5, inputTokens: 3,
                                                 outputTokens: 4, costUsd: 0.0012, outcome: .timeout, relevance: 0.9, accuracy: 0.8)),
        .feedback(Feedback(rating: 4, helpful: true, relevant: false, usability: 2, suggestion: "say \"why\"\n\u{01}🚀", interactionId: "i")),
        .sessionStart, .sessionEnd(SessionEnd(durationSeconds: 60)), .sessionEnd(SessionEnd()),
        .assessment(Assessment(skill: "loops", score: 0.25, level: "b")),
        .assessment(Assessment(skill: "loops", score: 0.5, level: "beginner", predictedLevel: "intermediate")), .completion(Completion(item: .path, itemId: "x", completed: false)),
        .securityIssue(SecurityIssue(severity: .high, title: "t")), .integrityViolation(IntegrityViolation(check: "c", detail: nil)),
        .integrityCheck(IntegrityCheck(check: "c", passed: false, detail: "3 of 5", feature: "progress_tracking")),
        .resource(ResourceSample(cpu: 0.5, memory: nil, infraCostUsd: 1e-7)),
        .payment(Payment(amountUsd: -12.5, kind: .refund, plan: "pro")), .payment(Payment(amountUsd: 5, kind: .oneTime)),
    ])
    func roundTrips(payload: EventPayload) throws {
        #expect(try EventPayloadJSON.decode(EventPayloadJSON.encode(payload), type: payload.type) == payload)
    }
}

@Suite("Guardrail epochs")
struct EpochTests {
    @Test func aggregatesCanBeNarrowedToLaterEpochsWithinOneMinute() async throws {
        let directory = try TemporaryDirectory()
        let now = Timestamp.parse("2026-11-29T10:00:30Z")!
        let store = try SQLiteStore(path: directory.databasePath, now: now)
        func event(epoch: Int) -> RecordedEvent {
            RecordedEvent(event: Event(timestamp: now, userId: "u", payload: .aiInteraction(AIInteraction(latencyMs: 10, outcome: .timeout))),
                          attribution: Attribution(phase: "p", variant: .treatment, epoch: epoch))
        }
        _ = try await store.append([event(epoch: 0), event(epoch: 0), event(epoch: 1)], receivedAt: now)
        let minute = AggregateTable.minute(of: now)
        #expect(try await store.aggregates(minutes: minute...minute, phase: "p", variant: .treatment, fromEpoch: nil, measures: nil).totals()[.latency]?.count == 3)
        #expect(try await store.aggregates(minutes: minute...minute, phase: "p", variant: .treatment, fromEpoch: 1, measures: nil).totals()[.latency]?.count == 1)
    }
}
