import Foundation
import LiftoffCore
import LiftoffPostgres
import LiftoffStore
import PostgresNIO
import Testing

/// What several nodes on one PostgreSQL database must get right, beyond what one store promises.
@Suite("PostgreSQL nodes", .enabled(if: TestPostgres.isConfigured, "needs LIFTOFF_TEST_DATABASE_URL"))
struct PostgresNodesTests {
    static let now = Timestamp.parse("2026-11-29T10:00:30Z")!
    let now = Self.now
    let minute = MinuteIndex(containing: Self.now)

    func interaction(_ id: String?, latency: Double = 100) -> RecordedEvent {
        RecordedEvent(event: Event(id: id, timestamp: now, userId: "u-\(id ?? "none")",
                                   payload: .aiInteraction(AIInteraction(model: "m", latencyMs: latency, outcome: .ok))),
                      attribution: Attribution(phase: "alpha", variant: .treatment, epoch: 0), costUsd: 0.001)
    }

    /// Two nodes, each with its own client, on one fresh database.
    func withTwoNodes(_ body: (PostgresStore, PostgresStore) async throws -> Void) async throws {
        try await TestPostgres.withFreshDatabase { configuration in
            try await PostgresStore.withStore(configuration, node: "node-a", logger: TestPostgres.logger) { a in
                try await PostgresStore.withStore(configuration, node: "node-b", logger: TestPostgres.logger) { b in
                    try await body(a, b)
                }
            }
        }
    }

    @Test func anEventSentToTwoNodesIsStoredOnce() async throws {
        try await withTwoNodes { a, b in
            #expect(try await a.append([interaction("e1"), interaction("e2", latency: 300)], receivedAt: now) == [.accepted, .accepted])
            // The retry reaches the other node: the database recognises it.
            #expect(try await b.append([interaction("e2"), interaction("e3", latency: 200)], receivedAt: now) == [.duplicate, .accepted])
            // Each node wrote its own partial; a read on either merges them.
            for node in [a, b] {
                let totals = try await node.aggregates(minutes: minute...minute, phase: nil, variant: nil, fromEpoch: nil, measures: nil).totals()
                #expect(totals[.latency]?.count == 3 && totals[.latency]?.sum == 600)
                #expect(totals[.latency]?.quantile(1) ?? 0 >= 299)
                #expect(totals[.users]?.distinct?.count == 3)
            }
            #expect(try await a.costBreakdown(since: now.addingTimeInterval(-60), limit: 10).byModel.map(\.interactions) == [3])
        }
    }

    @Test func retriesRacingOnTwoNodesAreStoredExactlyOnce() async throws {
        try await withTwoNodes { a, b in
            let ids = (0..<200).map { "race-\($0)" }
            let batches = stride(from: 0, to: ids.count, by: 20).map { Array(ids[$0..<$0 + 20]) }
            let accepted = try await withThrowingTaskGroup(of: Int.self) { group in
                for batch in batches {
                    for node in [a, b] {
                        group.addTask {
                            try await node.append(batch.map { self.interaction($0) }, receivedAt: self.now).filter { $0 == .accepted }.count
                        }
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(accepted == ids.count)
            let totals = try await a.aggregates(minutes: minute...minute, phase: nil, variant: nil, fromEpoch: nil, measures: [.latency]).totals()
            #expect(totals[.latency]?.count == ids.count)
        }
    }

    /// The benchmark's case: the same ids sent to two nodes in different orders deadlocked on the unique index.
    @Test func theSameIdsInOppositeOrdersOnTwoNodesDoNotDeadlock() async throws {
        try await withTwoNodes { a, b in
            let ids = (0..<500).map { "order-\($0)" }
            let results = try await withThrowingTaskGroup(of: [AppendStatus].self) { group in
                for round in 0..<4 {
                    group.addTask { try await a.append(ids.map { self.interaction("\(round)-\($0)") }, receivedAt: self.now) }
                    group.addTask { try await b.append(ids.reversed().map { self.interaction("\(round)-\($0)") }, receivedAt: self.now) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.flatMap { $0 }.filter { $0 == .accepted }.count == 4 * ids.count)
        }
    }

    @Test func concurrentBatchesOnOneNodeLoseNoAggregate() async throws {
        try await withTwoNodes { a, _ in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for batch in 0..<16 {
                    group.addTask {
                        _ = try await a.append((0..<25).map { self.interaction("n\(batch)-\($0)") }, receivedAt: self.now)
                    }
                }
                try await group.waitForAll()
            }
            let totals = try await a.aggregates(minutes: minute...minute, phase: nil, variant: nil, fromEpoch: nil, measures: [.latency]).totals()
            #expect(totals[.latency]?.count == 400)
        }
    }

    /// A node merges into the aggregate rows it committed without reading them back; a batch whose transaction
    /// fails after its merge must leave nothing of itself in what the next batch merges into. The failure is
    /// real and as late as it gets: a deferred trigger refuses the batch's aggregate row at COMMIT.
    @Test func aBatchThatFailsAfterItsMergeLeavesTheAggregatesExact() async throws {
        try await withTwoNodes { a, _ in
            _ = try await a.client.query("""
                CREATE FUNCTION refuse_huge_latency() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION 'refused by the test'; END $$
                """)
            _ = try await a.client.query("""
                CREATE CONSTRAINT TRIGGER refuse_huge_latency AFTER INSERT OR UPDATE ON minute_aggregates
                DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
                WHEN (NEW.measure = 'latency' AND NEW.max >= 999999) EXECUTE FUNCTION refuse_huge_latency()
                """)
            _ = try await a.append([interaction("f1"), interaction("f2", latency: 300)], receivedAt: now)
            await #expect(throws: (any Error).self) {
                _ = try await a.append([interaction("f3", latency: 999_999)], receivedAt: now)
            }
            _ = try await a.append([interaction("f4", latency: 200)], receivedAt: now)
            let totals = try await a.aggregates(minutes: minute...minute, phase: nil, variant: nil, fromEpoch: nil, measures: [.latency]).totals()
            #expect(totals[.latency]?.count == 3)
            #expect(totals[.latency]?.sum == 600)
            #expect(totals[.latency]?.max == 300)
        }
    }

    @Test func nodesStartingTogetherMigrateOnce() async throws {
        try await TestPostgres.withFreshDatabase { configuration in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<4 {
                    group.addTask {
                        try await PostgresStore.withStore(configuration, node: "n\(index)", logger: TestPostgres.logger) { store in
                            try await store.ping()
                        }
                    }
                }
                try await group.waitForAll()
            }
            let applied = try await PostgresStore.withStore(configuration, logger: TestPostgres.logger) { store in
                try await store.appliedMigrations()
            }
            #expect(applied == Array(1...PostgresStore.knownMigrations))
        }
    }

    @Test func twoNodesCreatingTheRolloutTogetherLeaveOne() async throws {
        try await withTwoNodes { a, b in
            let record = RolloutRecord(rollout: "r", phase: "alpha", status: .running, version: 1)
            try await a.createRollout(record, at: now)
            await #expect(throws: StoreError.self) { try await b.createRollout(record, at: now) }
            #expect(try await b.rolloutRecord() == record)
            #expect(try await a.phaseHistory().count == 1)
        }
    }
}

@Suite("PostgreSQL URLs")
struct PostgresURLTests {
    @Test func databaseURLsAreReadAsLibpqWritesThem() throws {
        let url = try PostgresURL("postgres://liftoff:s%40cret@db.internal:6543/launch?sslmode=require")
        #expect(url.user == "liftoff" && url.password == "s@cret" && url.host == "db.internal" && url.port == 6543)
        #expect(url.database == "launch" && url.tls == .require)
        #expect(url.description == "postgres://liftoff@db.internal:6543/launch")
        #expect(try PostgresURL("postgresql://me@localhost").database == "me")
        #expect(throws: PostgresURLError.self) { try PostgresURL("mysql://me@localhost/db") }
        #expect(throws: PostgresURLError.self) { try PostgresURL("postgres://localhost/db") }
        #expect(throws: PostgresURLError.self) { try PostgresURL("postgres://me@localhost/db?sslmode=maybe") }
        #expect(throws: PostgresURLError.self) { try PostgresURL("postgres://me@localhost/db?pool=5") }
    }
}
