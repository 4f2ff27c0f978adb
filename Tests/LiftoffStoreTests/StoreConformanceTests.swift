import Foundation
import LiftoffCore
import LiftoffPostgres
import LiftoffSQLite
import LiftoffStore
import Testing

/// An engine under test: runs a body on a fresh, empty store of it, and throws the store away afterwards.
struct StoreEngine: Sendable, CustomTestStringConvertible {
    var name: String
    var run: @Sendable (Date, (any Store) async throws -> Void) async throws -> Void

    var testDescription: String { name }

    static let sqlite = StoreEngine(name: "sqlite") { now, body in
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("liftoff-conformance-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try await body(try SQLiteStore.open(at: folder.appendingPathComponent("liftoff.sqlite").path, now: now))
    }

    /// The simulator's store: in memory, aggregates kept decoded only.
    static let sqliteScratch = StoreEngine(name: "sqlite-scratch") { now, body in
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("liftoff-conformance-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try await body(try SQLiteStore.open(at: folder.appendingPathComponent("liftoff.sqlite").path, now: now, durability: .scratch))
    }

    /// A new database on the server `LIFTOFF_TEST_DATABASE_URL` names, dropped afterwards.
    static let postgres = StoreEngine(name: "postgres") { _, body in
        try await TestPostgres.withFreshDatabase { configuration in
            try await PostgresStore.withStore(configuration, logger: TestPostgres.logger) { store in try await body(store) }
        }
    }

    /// Every engine the suite runs against: PostgreSQL when a test server is configured (`.ci/run` starts one).
    static let all: [StoreEngine] = TestPostgres.isConfigured ? [.sqlite, .sqliteScratch, .postgres] : [.sqlite, .sqliteScratch]
}

/// What any `Store` must do, written against the protocol alone: the same tests run on every engine.
@Suite("Store conformance")
struct StoreConformanceTests {
    static let now = Timestamp.parse("2026-11-29T10:00:30Z")!
    let now = Self.now
    let minute = AggregateTable.minute(of: Self.now)

    func interaction(_ id: String?, user: String = "u1", latency: Double = 100, phase: String = "alpha", variant: Variant = .treatment,
                     epoch: Int = 0, model: String = "m") -> RecordedEvent {
        RecordedEvent(event: Event(id: id, timestamp: now, userId: user,
                                   payload: .aiInteraction(AIInteraction(model: model, latencyMs: latency, outcome: .ok))),
                      attribution: Attribution(phase: phase, variant: variant, epoch: epoch), costUsd: 0.001)
    }

    func withStore(_ engine: StoreEngine, _ body: (any Store) async throws -> Void) async throws {
        try await engine.run(now, body)
    }

    // MARK: Events and aggregates

    @Test(arguments: StoreEngine.all)
    func appendedEventsFeedAggregatesAndRetriesAreRecognised(_ engine: StoreEngine) async throws {
        try await withStore(engine) { store in
            #expect(try await store.append([interaction("a"), interaction("b", latency: 300), interaction(nil), interaction("a")],
                                           receivedAt: now) == [.accepted, .accepted, .accepted, .duplicate])
            #expect(try await store.append([interaction("b"), interaction("c", latency: 200)], receivedAt: now) == [.duplicate, .accepted])
            let totals = try await store.aggregates(minutes: minute...minute, phase: nil, variant: nil, fromEpoch: nil, measures: nil).totals()
            #expect(totals[.latency]?.count == 4)
            #expect(totals[.latency]?.sum == 700)
            // Σx² is kept, so a mean has its sample variance: 100² + 300² + 100² + 200².
            #expect(totals[.latency]?.sumOfSquares == 150_000)
            #expect(totals[.latency]?.min == 100 && totals[.latency]?.max == 300)
            #expect(totals[.users]?.distinct?.count == 1)
            // The raw events are there too: four interactions of model m.
            let spend = try await store.costBreakdown(since: now.addingTimeInterval(-60), limit: 10)
            #expect(spend.byModel.map(\.interactions) == [4])
        }
    }

    /// A user's active days over several batches: the first event of a day decides its phase, a later batch
    /// of the same day changes nothing (stores remember the days they marked and skip them), and a new day
    /// is marked again.
    @Test(arguments: StoreEngine.all)
    func activeDaysOverSeveralBatchesKeepTheirFirstPhase(_ engine: StoreEngine) async throws {
        try await withStore(engine) { store in
            let today = DayIndex(containing: now)
            func on(_ day: Int, _ phase: String, user: String = "u1") -> RecordedEvent {
                var event = interaction(nil, user: user, phase: phase)
                event.event.timestamp = now.addingTimeInterval(Double(day) * 86_400)
                return event
            }
            _ = try await store.append([on(0, "alpha"), on(0, "alpha", user: "u2")], receivedAt: now)
            _ = try await store.append([on(0, "beta"), on(0, "beta", user: "u3")], receivedAt: now)
            _ = try await store.append([on(1, "beta"), on(0, "beta")], receivedAt: now)
            #expect(try await store.retention(afterDays: 1, firstDays: today...today, phase: "alpha", variant: nil)
                == RetentionCounts(cohort: 2, returned: 1))
            #expect(try await store.retention(afterDays: 1, firstDays: today...today, phase: "beta", variant: nil)
                == RetentionCounts(cohort: 1, returned: 0))
        }
    }

    @Test(arguments: StoreEngine.all)
    func aggregatesNarrowByPhaseVariantEpochAndMeasure(_ engine: StoreEngine) async throws {
        try await withStore(engine) { store in
            _ = try await store.append([
                interaction(nil, phase: "alpha", variant: .treatment), interaction(nil, phase: "alpha", variant: .control),
                interaction(nil, phase: "beta", variant: .treatment, epoch: 1), interaction(nil, phase: "beta", variant: .treatment, epoch: 2),
            ], receivedAt: now)
            func count(phase: String?, variant: Variant?, fromEpoch: Int? = nil) async throws -> Int {
                try await store.aggregates(minutes: minute...minute, phase: phase, variant: variant, fromEpoch: fromEpoch,
                                           measures: [.latency]).totals()[.latency]?.count ?? 0
            }
            #expect(try await count(phase: "alpha", variant: nil) == 2)
            #expect(try await count(phase: "alpha", variant: .control) == 1)
            #expect(try await count(phase: nil, variant: .treatment) == 3)
            #expect(try await count(phase: "beta", variant: nil, fromEpoch: 2) == 1)
            let narrowed = try await store.aggregates(minutes: minute...minute, phase: nil, variant: nil, fromEpoch: nil, measures: [.cost])
            #expect(Set(narrowed.rows.keys.map(\.measure)) == [.cost])
            #expect(try await store.aggregates(minutes: minute.advanced(by: 1)...minute.advanced(by: 9), phase: nil, variant: nil, fromEpoch: nil, measures: nil).rows.isEmpty)
        }
    }

    // MARK: Rollout state and audience

    @Test(arguments: StoreEngine.all)
    func transitionsAreVersionedAndAudited(_ engine: StoreEngine) async throws {
        try await withStore(engine) { store in
            #expect(try await store.rolloutRecord() == nil)
            let first = RolloutRecord(rollout: "r", phase: "alpha", status: .running, version: 1)
            try await store.createRollout(first, at: now)
            #expect(try await store.rolloutRecord() == first)
            #expect(try await store.phaseHistory().map(\.phase) == ["alpha"])
            let next = RolloutRecord(rollout: "r", phase: "beta", status: .running, version: 2)
            let later = now.addingTimeInterval(60)
            try await store.transition(to: next, expectedVersion: 1, at: later,
                                       audit: AuditEntry(at: later, actor: "ops", action: "rollout.promote", reason: "gate held"), startsEpoch: false)
            #expect(try await store.rolloutRecord() == next)
            let history = try await store.phaseHistory()
            #expect(history.map(\.phase) == ["alpha", "beta"])
            #expect(history[0].endedAt == later && history[1].startedAt == later && history[1].endedAt == nil)
            // A stale version is a conflict, and changes nothing.
            await #expect(throws: StoreError.self) {
                try await store.transition(to: RolloutRecord(rollout: "r", phase: "gamma", status: .running, version: 2), expectedVersion: 1,
                                           at: later, audit: AuditEntry(at: later, actor: "ops", action: "rollout.promote", reason: nil),
                                           startsEpoch: false)
            }
            #expect(try await store.rolloutRecord() == next)
            let audit = try await store.auditLog(limit: 10, before: nil, action: "rollout.promote")
            #expect(audit.map(\.reason) == ["gate held"])
        }
    }

    /// Two servers starting on one store both find no rollout; the second to create it gets a conflict (and reads
    /// the first one's), on every engine.
    @Test(arguments: StoreEngine.all)
    func creatingTheRolloutTwiceIsAConflict(_ engine: StoreEngine) async throws {
        try await withStore(engine) { store in
            let record = RolloutRecord(rollout: "r", phase: "alpha", status: .running, version: 1)
            try await store.createRollout(record, at: now)
            let error = await #expect(throws: StoreError.self) { try await store.createRollout(record, at: now) }
            #expect(error?.code == .conflict)
            #expect(try await store.phaseHistory().count == 1)
        }
    }

    @Test(arguments: StoreEngine.all)
    func epochsStartOnResume(_ engine: StoreEngine) async throws {
        try await withStore(engine) { store in
            try await store.createRollout(RolloutRecord(rollout: "r", phase: "alpha", status: .rolledBack, version: 1), at: now)
            let before = try await store.ruleEpoch()?.number ?? 0
            try await store.transition(to: RolloutRecord(rollout: "r", phase: "alpha", status: .running, version: 2), expectedVersion: 1,
                                       at: now, audit: AuditEntry(at: now, actor: "ops", action: "rollout.resume", reason: "fixed"), startsEpoch: true)
            #expect(try await store.ruleEpoch()?.number == before + 1)
        }
    }

    @Test(arguments: StoreEngine.all)
    func invitationsAndTheWaitlistKeepTheirCaps(_ engine: StoreEngine) async throws {
        try await withStore(engine) { store in
            let audit = AuditEntry(at: now, actor: "ops", action: "audience.invite", reason: nil)
            #expect(try await store.invite(["a", "b"], phase: "alpha", max: 3, at: now, audit: audit) == ["a", "b"])
            // Already invited users are not counted twice; past the maximum is a conflict.
            #expect(try await store.invite(["b", "c"], phase: "alpha", max: 3, at: now, audit: audit) == ["c"])
            await #expect(throws: StoreError.self) { try await store.invite(["d"], phase: "alpha", max: 3, at: now, audit: audit) }
            #expect(Set(try await store.invitations().map(\.userId)) == ["a", "b", "c"])

            let first = try await store.joinWaitlist("w1", at: now)
            #expect(try await store.joinWaitlist("w1", at: now.addingTimeInterval(5)) == first)
            _ = try await store.joinWaitlist("w2", at: now.addingTimeInterval(1))
            _ = try await store.joinWaitlist("w3", at: now.addingTimeInterval(2))
            let admit = AuditEntry(at: now, actor: "ops", action: "waitlist.admit", reason: nil)
            #expect(try await store.admit(count: 5, cap: 2, phase: "beta", at: now, audit: admit) == ["w1", "w2"])
            #expect(try await store.admit(count: 5, cap: 2, phase: "beta", at: now, audit: admit) == [])
            #expect(try await store.waitlist().filter { $0.admittedPhase == "beta" }.map(\.userId) == ["w1", "w2"])
        }
    }

    @Test(arguments: StoreEngine.all)
    func theAuditLogPagesNewestFirst(_ engine: StoreEngine) async throws {
        try await withStore(engine) { store in
            for index in 0..<5 {
                try await store.appendAudit(AuditEntry(at: now.addingTimeInterval(Double(index)), actor: "ops",
                                                       action: index % 2 == 0 ? "even" : "odd", reason: "\(index)"))
            }
            let newest = try await store.auditLog(limit: 2, before: nil, action: nil)
            #expect(newest.map(\.reason) == ["4", "3"])
            let older = try await store.auditLog(limit: 10, before: newest.last?.sequence, action: nil)
            #expect(older.map(\.reason) == ["2", "1", "0"])
            #expect(try await store.auditLog(limit: 10, before: nil, action: "odd").map(\.reason) == ["3", "1"])
            // The newest of each kind, in one read: two evens (of three) and both odds, newest first across them.
            #expect(try await store.auditLog(newest: 2, of: ["even", "odd", "none"]).map(\.reason) == ["4", "3", "2", "1"])
            #expect(try await store.auditLog(newest: 2, of: []).isEmpty)
        }
    }

    // MARK: Guardrails and the outbox

    @Test(arguments: StoreEngine.all)
    func aGuardrailCommitIsOneTransactionAndTheOutboxDeliversOnce(_ engine: StoreEngine) async throws {
        try await withStore(engine) { store in
            try await store.createRollout(RolloutRecord(rollout: "r", phase: "alpha", status: .running, version: 1), at: now)
            var state = RuleState()
            state.phase = .firing
            state.firings = 1
            var commit = GuardrailCommit(at: now)
            commit.states["rollback[0]"] = state
            commit.newAlerts = [AlertRecord(ruleId: "rollback[0]", firing: 1, fingerprint: "f", severity: .critical, labels: ["rule": "rollback[0]"],
                                            annotations: ["value": "1"], startsAt: now)]
            commit.rollout = RolloutChange(next: RolloutRecord(rollout: "r", phase: "alpha", status: .rolledBack, version: 2), expectedVersion: 1,
                                           audit: AuditEntry(at: now, actor: "liftoff", action: "rollout.rollback", reason: "rollback[0]"))
            commit.outbox = [OutboxMessage(kind: .webhook, target: "http://127.0.0.1:9/hook", signing: nil, body: "{}", ruleId: "rollback[0]",
                                           nextAttemptAt: now, createdAt: now)]
            commit.incidents = [IncidentRecord(ruleId: "rollback[0]", firing: 1, openedAt: now, phase: "alpha", report: "{}")]
            commit.setOverrides = [ConfigOverride(ruleId: "adjust", values: ["promptProfile": .string("economy")], sticky: false, setAt: now)]
            try await store.commit(commit)

            #expect(try await store.ruleStates()["rollback[0]"] == state)
            #expect(try await store.rolloutRecord()?.status == .rolledBack)
            #expect(try await store.alerts(limit: 10).map(\.ruleId) == ["rollback[0]"])
            #expect(try await store.incidents().map(\.ruleId) == ["rollback[0]"])
            #expect(try await store.configOverrides().map(\.ruleId) == ["adjust"])
            let due = try await store.dueMessages(at: now, limit: 10)
            #expect(due.count == 1)
            try await store.markDelivered(due[0].id!, at: now, attempts: 1)
            #expect(try await store.dueMessages(at: now.addingTimeInterval(3600), limit: 10).isEmpty)
            #expect(try await store.messages(limit: 10).first?.status == .delivered)

            // A commit against a stale rollout version is a conflict and leaves nothing behind.
            var stale = GuardrailCommit(at: now)
            stale.states["rollback[1]"] = state
            stale.rollout = RolloutChange(next: RolloutRecord(rollout: "r", phase: "alpha", status: .paused, version: 2), expectedVersion: 1,
                                          audit: AuditEntry(at: now, actor: "liftoff", action: "rollout.pause", reason: nil))
            await #expect(throws: StoreError.self) { try await store.commit(stale) }
            #expect(try await store.ruleStates()["rollback[1]"] == nil)
        }
    }

    @Test(arguments: StoreEngine.all)
    func aFailedDeliveryIsRetriedLater(_ engine: StoreEngine) async throws {
        try await withStore(engine) { store in
            var commit = GuardrailCommit(at: now)
            commit.outbox = [OutboxMessage(kind: .alert, target: "http://127.0.0.1:9/alerts", signing: nil, body: "{}", ruleId: "r",
                                           nextAttemptAt: now, createdAt: now)]
            try await store.commit(commit)
            let message = try #require(try await store.dueMessages(at: now, limit: 10).first)
            try await store.markFailedAttempt(message.id!, attempts: 1, error: "connection refused", retryAt: now.addingTimeInterval(30))
            #expect(try await store.dueMessages(at: now.addingTimeInterval(10), limit: 10).isEmpty)
            #expect(try await store.dueMessages(at: now.addingTimeInterval(30), limit: 10).first?.attempts == 1)
            try await store.markFailedAttempt(message.id!, attempts: 2, error: "gave up", retryAt: nil)
            #expect(try await store.messages(limit: 10).first?.status == .failed)
        }
    }

    // MARK: Keys, secrets, retention

    @Test(arguments: StoreEngine.all)
    func keysAreUniqueAndRevocable(_ engine: StoreEngine) async throws {
        try await withStore(engine) { store in
            let key = StoredKey(id: "k1", name: "app", scope: .ingest, hash: Array(repeating: 7, count: 32), prefix: "lft_abc", createdAt: now)
            try await store.insertKey(key)
            await #expect(throws: StoreError.self) {
                try await store.insertKey(StoredKey(id: "k2", name: "app", scope: .read, hash: Array(repeating: 8, count: 32), prefix: "x", createdAt: now))
            }
            #expect(try await store.activeKeys() == [key])
            let revoked = try await store.revokeKey("k1", at: now, audit: AuditEntry(at: now, actor: "admin", action: "key.revoke", reason: "leaked"))
            #expect(revoked)
            #expect(try await store.revokeKey("k1", at: now, audit: AuditEntry(at: now, actor: "admin", action: "key.revoke", reason: nil)) == false)
            #expect(try await store.activeKeys().isEmpty)
            #expect(try await store.allKeys().first?.revokedAt == now)
        }
    }

    @Test(arguments: StoreEngine.all)
    func aSecretIsMadeOnceAndKept(_ engine: StoreEngine) async throws {
        try await withStore(engine) { store in
            let first = try await store.secret(named: "pseudonym") { Array(repeating: 1, count: 32) }
            let second = try await store.secret(named: "pseudonym") { Array(repeating: 2, count: 32) }
            #expect(first == second && first == Array(repeating: 1, count: 32))
        }
    }

    @Test(arguments: StoreEngine.all)
    func retentionDeletesRawEventsAndKeepsAggregates(_ engine: StoreEngine) async throws {
        try await withStore(engine) { store in
            _ = try await store.append([interaction("old")], receivedAt: now)
            _ = try await store.append([interaction("new")], receivedAt: now.addingTimeInterval(3600))
            let purged = try await store.purge(eventsBefore: now.addingTimeInterval(60), feedbackTextBefore: nil) { deleted, redacted in
                AuditEntry(at: now, actor: "liftoff", action: "retention.purge", reason: "\(deleted) deleted, \(redacted) redacted")
            }
            #expect(purged.deleted == 1 && purged.redacted == 0)
            #expect(try await store.costBreakdown(since: now.addingTimeInterval(-60), limit: 10).byModel.map(\.interactions) == [1])
            let totals = try await store.aggregates(minutes: minute...minute, phase: nil, variant: nil, fromEpoch: nil, measures: [.latency]).totals()
            #expect(totals[.latency]?.count == 2)
            #expect(try await store.auditLog(limit: 5, before: nil, action: "retention.purge").count == 1)
        }
    }

    // MARK: What events leave behind besides aggregates

    func event(_ id: String?, _ payload: EventPayload, user: String = "u1", session: String? = nil, at offset: TimeInterval = 0,
               phase: String = "alpha", variant: Variant = .treatment) -> RecordedEvent {
        RecordedEvent(event: Event(id: id, timestamp: now.addingTimeInterval(offset), userId: user, sessionId: session, payload: payload),
                      attribution: Attribution(phase: phase, variant: variant, epoch: 0))
    }

    @Test(arguments: StoreEngine.all)
    func sessionsAndAssessmentsFeedDerivedMeasures(_ engine: StoreEngine) async throws {
        try await withStore(engine) { store in
            // The end arrives in the same batch as its start, the second assessment in a later one.
            _ = try await store.append([
                event("s1", .sessionStart, session: "sess-1", at: -25),
                event("s2", .sessionEnd(SessionEnd()), session: "sess-1", at: 5),
                event("a1", .assessment(Assessment(skill: "loops", score: 0.5))),
            ], receivedAt: now)
            _ = try await store.append([event("a2", .assessment(Assessment(skill: "loops", score: 0.75)), at: 10)], receivedAt: now)
            let totals = try await store.aggregates(minutes: minute.advanced(by: -1)...minute, phase: nil, variant: nil, fromEpoch: nil,
                                                    measures: [.sessionDuration, .skillDelta]).totals()
            #expect(totals[.sessionDuration]?.count == 1 && totals[.sessionDuration]?.sum == 30)
            #expect(totals[.skillDelta]?.count == 1 && totals[.skillDelta]?.sum == 0.25)
        }
    }

    @Test(arguments: StoreEngine.all)
    func retentionCountsUsersByTheirFirstDay(_ engine: StoreEngine) async throws {
        try await withStore(engine) { store in
            let day = 86_400.0
            _ = try await store.append([
                event(nil, .sessionStart, user: "back", session: "b1"), event(nil, .sessionStart, user: "gone", session: "g1"),
                event(nil, .sessionStart, user: "control", session: "c1", variant: .control),
                event(nil, .sessionStart, user: "back", session: "b2", at: day),
                event(nil, .sessionStart, user: "control", session: "c2", at: day, variant: .control),
            ], receivedAt: now)
            let today = DayIndex(containing: now)
            #expect(try await store.retention(afterDays: 1, firstDays: today...today, phase: nil, variant: nil) == RetentionCounts(cohort: 3, returned: 2))
            #expect(try await store.retention(afterDays: 1, firstDays: today...today, phase: "alpha", variant: .treatment)
                    == RetentionCounts(cohort: 2, returned: 1))
            #expect(try await store.retention(afterDays: 2, firstDays: today...today, phase: nil, variant: nil) == RetentionCounts(cohort: 3, returned: 0))
        }
    }

    /// A batch larger than one multi-row insert, with absent and empty values and text that needs escaping,
    /// reads back whole. (The order of sequence numbers within one batch is not a contract: PostgreSQL inserts
    /// in event-id order so that nodes take index locks in the same order.)
    @Test(arguments: StoreEngine.all)
    func aLargeBatchIsStoredWhole(_ engine: StoreEngine) async throws {
        try await withStore(engine) { store in
            let texts = ["", "say \"why\"\n\u{01}\\", "🚀 naïve", "plain"]
            let batch = (0..<137).map { (index: Int) -> RecordedEvent in
                let id: String? = index % 3 == 0 ? nil : "e\(index)"
                let suggestion: String? = index % 7 == 0 ? nil : texts[index % 4]
                let user = index % 5 == 0 ? "" : "u\(index)"
                let session: String? = index % 2 == 0 ? nil : "s\(index)"
                let variant: Variant = index % 2 == 0 ? .treatment : .control
                return event(id, .feedback(Feedback(rating: 1 + index % 5, suggestion: suggestion)), user: user, session: session,
                             at: Double(index) / 1000, variant: variant)
            }
            #expect(try await store.append(batch, receivedAt: now).allSatisfy { $0 == .accepted })
            let stored = try await store.feedback(FeedbackFilter(limit: 500)).sorted { $0.at < $1.at }
            #expect(stored.count == 137)
            let sent = batch.map { (recorded: RecordedEvent) -> Feedback? in
                if case .feedback(let feedback) = recorded.event.payload { return feedback }
                return nil
            }
            #expect(stored.map(\.feedback) == sent)
            #expect(stored.map(\.userId) == batch.map(\.event.userId))
            #expect(stored.map(\.sessionId) == batch.map(\.event.sessionId))
            #expect(stored.map(\.variant) == batch.map(\.attribution.variant))
            #expect(stored.map { ($0.at.timeIntervalSince1970 * 1000).rounded() } == batch.map { ($0.event.timestamp.timeIntervalSince1970 * 1000).rounded() })
        }
    }

    /// A user's first event of each day marks them active, whichever batch it arrives in, and later ones
    /// do not change the day's first attribution.
    @Test(arguments: StoreEngine.all)
    func usersAreMarkedActiveOncePerDayAcrossBatches(_ engine: StoreEngine) async throws {
        try await withStore(engine) { store in
            let day: TimeInterval = 86_400
            _ = try await store.append([event(nil, .sessionStart, user: "a"), event(nil, .sessionStart, user: "b")], receivedAt: now)
            _ = try await store.append([event(nil, .sessionStart, user: "a", variant: .control)], receivedAt: now)
            _ = try await store.append([event(nil, .sessionStart, user: "a", at: day), event(nil, .sessionStart, user: "c", at: day)],
                                       receivedAt: now.addingTimeInterval(day))
            _ = try await store.append([event(nil, .sessionStart, user: "b", at: 2 * day)], receivedAt: now.addingTimeInterval(2 * day))
            let today = DayIndex(containing: now)
            #expect(try await store.retention(afterDays: 1, firstDays: today...today, phase: nil, variant: nil) == RetentionCounts(cohort: 2, returned: 1))
            #expect(try await store.retention(afterDays: 1, firstDays: today...today, phase: nil, variant: .treatment) == RetentionCounts(cohort: 2, returned: 1))
            #expect(try await store.retention(afterDays: 1, firstDays: today...today, phase: nil, variant: .control) == RetentionCounts(cohort: 0, returned: 0))
            #expect(try await store.retention(afterDays: 2, firstDays: today...today, phase: nil, variant: nil) == RetentionCounts(cohort: 2, returned: 1))
            let tomorrow = today.advanced(by: 1)
            #expect(try await store.retention(afterDays: 1, firstDays: tomorrow...tomorrow, phase: nil, variant: nil) == RetentionCounts(cohort: 1, returned: 0))
        }
    }

    @Test(arguments: StoreEngine.all)
    func feedbackIsFilteredPagedAndItsTextPurged(_ engine: StoreEngine) async throws {
        try await withStore(engine) { store in
            _ = try await store.append([
                event("f1", .feedback(Feedback(rating: 2, suggestion: "Hints are TOO vague"))),
                event("f2", .feedback(Feedback(rating: 5, suggestion: "great")), variant: .control),
                event("f3", .feedback(Feedback(rating: 2))),
            ], receivedAt: now)
            #expect(try await store.feedback(FeedbackFilter()).map(\.feedback.rating) == [2, 5, 2])
            #expect(try await store.feedback(FeedbackFilter(rating: 2)).count == 2)
            #expect(try await store.feedback(FeedbackFilter(text: "too VAGUE")).map(\.feedback.suggestion) == ["Hints are TOO vague"])
            #expect(try await store.feedback(FeedbackFilter(variant: .control)).map(\.feedback.rating) == [5])
            let newest = try await store.feedback(FeedbackFilter(limit: 1))
            #expect(try await store.feedback(FeedbackFilter(before: newest[0].sequence)).count == 2)
            let purged = try await store.purge(eventsBefore: nil, feedbackTextBefore: now.addingTimeInterval(1)) { deleted, redacted in
                AuditEntry(at: now, actor: "liftoff", action: "retention.purge", reason: "\(deleted) deleted, \(redacted) redacted")
            }
            #expect(purged == PurgeResult(deleted: 0, redacted: 2))
            #expect(try await store.feedback(FeedbackFilter()).compactMap(\.feedback.suggestion).isEmpty)
            #expect(try await store.feedback(FeedbackFilter()).map(\.feedback.rating) == [2, 5, 2])
        }
    }

    @Test(arguments: StoreEngine.all)
    func failingInteractionsAreTheTreatmentsNewestFailures(_ engine: StoreEngine) async throws {
        try await withStore(engine) { store in
            func call(_ outcome: Outcome, variant: Variant = .treatment, user: String) -> RecordedEvent {
                event(nil, .aiInteraction(AIInteraction(model: "m", latencyMs: 100, outcome: outcome)), user: user, session: "s", variant: variant)
            }
            _ = try await store.append([call(.timeout, user: "u1"), call(.ok, user: "u2"), call(.apiError, variant: .control, user: "u3"),
                                        call(.apiError, user: "u4")], receivedAt: now)
            let failing = try await store.failingInteractions(phase: "alpha", since: now.addingTimeInterval(-60), limit: 10)
            #expect(failing.map { $0["userId"] } == [.string("u4"), .string("u1")])
            #expect(failing.first?["outcome"] == .string("api_error") && failing.first?["sessionId"] == .string("s"))
        }
    }

    @Test(arguments: StoreEngine.all)
    func recentEventsOfATypeAreTheTreatmentsNewest(_ engine: StoreEngine) async throws {
        try await withStore(engine) { store in
            func finding(_ title: String, variant: Variant = .treatment, phase: String = "alpha") -> RecordedEvent {
                RecordedEvent(event: Event(timestamp: now, userId: nil, payload: .securityIssue(SecurityIssue(severity: .critical, title: title))),
                              attribution: Attribution(phase: phase, variant: variant))
            }
            _ = try await store.append([finding("first"), finding("in control", variant: .control), finding("in beta", phase: "beta"),
                                        interaction("x"), finding("second")], receivedAt: now)
            let found = try await store.recentEvents(of: .securityIssue, phase: "alpha", since: now.addingTimeInterval(-60), limit: 10)
            #expect(found.map { $0["title"] } == [.string("second"), .string("first")])
            #expect(found.first?["severity"] == .string("critical") && found.first?["userId"] == nil)
            #expect(try await store.recentEvents(of: .securityIssue, phase: "alpha", since: now.addingTimeInterval(60), limit: 10).isEmpty)
            #expect(try await store.recentEvents(of: .securityIssue, phase: "alpha", since: now.addingTimeInterval(-60), limit: 1).count == 1)
        }
    }

    @Test(arguments: StoreEngine.all)
    func silencesAreKeptWithTheirAudit(_ engine: StoreEngine) async throws {
        try await withStore(engine) { store in
            let silence = SilenceRecord(id: "s1", matchers: ["rule": "latency"], startsAt: now, endsAt: now.addingTimeInterval(3600),
                                        createdBy: "ops", comment: "deploy", createdAt: now)
            try await store.addSilence(silence, audit: AuditEntry(at: now, actor: "ops", action: "silence.create", reason: "deploy"))
            #expect(try await store.silences() == [silence])
            #expect(try await store.auditLog(limit: 5, before: nil, action: "silence.create").count == 1)
        }
    }

    @Test(arguments: StoreEngine.all)
    func upsertingAKeyReplacesItsHashAndRevivesIt(_ engine: StoreEngine) async throws {
        try await withStore(engine) { store in
            let key = StoredKey(id: "k1", name: "admin", scope: .admin, hash: Array(repeating: 1, count: 32), prefix: "lft_a", createdAt: now)
            try await store.upsertKey(key)
            _ = try await store.revokeKey("k1", at: now, audit: AuditEntry(at: now, actor: "admin", action: "key.revoke", reason: nil))
            var replaced = key
            replaced.id = "k2"
            replaced.hash = Array(repeating: 2, count: 32)
            try await store.upsertKey(replaced)
            let active = try await store.activeKeys()
            #expect(active.map(\.hash) == [Array(repeating: 2, count: 32)] && active.map(\.id) == ["k1"])
        }
    }

    // MARK: Plan versions

    @Test(arguments: StoreEngine.all)
    func planVersionsAreNumberedAuditedAndGuardedAgainstRaces(_ engine: StoreEngine) async throws {
        try await withStore(engine) { store in
            #expect(try await store.livePlan() == nil)
            let audit = AuditEntry(at: now, actor: "ops", action: "plan.apply", reason: "first")
            let sha = String(repeating: "a", count: 64)
            let first = try await store.applyPlan(text: "rollout: r", sha256: sha, expectedLive: nil, actor: "ops", reason: "first",
                                                  at: now, audit: audit)
            #expect(first.number == 1)
            let second = try await store.applyPlan(text: "rollout: r2", sha256: String(repeating: "b", count: 64), expectedLive: 1,
                                                   actor: "ops", reason: "second", at: now, audit: audit)
            #expect(second.number == 2 && second.text == "rollout: r2")
            // Applying against a version that is no longer live is a conflict and stores nothing.
            await #expect(throws: StoreError.self) {
                try await store.applyPlan(text: "stale", sha256: sha, expectedLive: 1, actor: "ops", reason: nil, at: now, audit: audit)
            }
            #expect(try await store.livePlan() == second)
            #expect(try await store.planVersions(limit: 10).map(\.number) == [2, 1])
            #expect(try await store.auditLog(limit: 10, before: nil, action: "plan.apply").count == 2)
        }
    }
}
