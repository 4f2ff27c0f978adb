import Foundation
import LiftoffCore
import LiftoffStore
@testable import LiftoffSQLite
import Logging
import ServiceLifecycle
import Testing
@testable import LiftoffServer

@Suite("Ingest pipeline")
struct IngestPipelineTests {
    /// One writer, as for SQLite, and several in flight at once, as for PostgreSQL.
    @Test(arguments: [1, 3])
    func gracefulShutdownCommitsEverythingItAccepted(writers: Int) async throws {
        let server = try await TestServer()
        let store = try SQLiteStore(path: server.configuration.databasePath, now: server.clock.now())
        let pipeline = IngestPipeline(store: store, clock: server.clock, logger: Logger(label: "test"), writers: writers)
        let group = ServiceGroup(configuration: .init(services: [pipeline], logger: Logger(label: "test")))
        let now = server.clock.now()
        let event = { @Sendable (index: Int) in
            RecordedEvent(event: Event(id: "e\(index)", timestamp: now, userId: "u",
                                       payload: .aiInteraction(AIInteraction(latencyMs: 10, outcome: .ok))),
                          attribution: Attribution(phase: "p", variant: .control))
        }
        let acknowledged = try await withThrowingTaskGroup(of: Int.self) { tasks in
            tasks.addTask { try await group.run(); return 0 }
            for index in 0..<400 {
                tasks.addTask {
                    do {
                        return try await pipeline.submit([event(index)]) == [.accepted] ? 1 : 0
                    } catch {
                        #expect((error as? APIError)?.status == .serviceUnavailable)
                        return 0
                    }
                }
            }
            try await Task.sleep(for: .milliseconds(5))
            await group.triggerGracefulShutdown()
            return try await tasks.reduce(0, +)
        }
        #expect(acknowledged > 0)
        let minute = AggregateTable.minute(of: now)
        let stored = try await store.aggregates(minutes: minute...minute, phase: nil, variant: nil, fromEpoch: nil, measures: nil).totals()[.latency]?.count
        // Every acknowledged event is committed; none is committed without having been acknowledged.
        #expect(stored == acknowledged)
        await #expect(throws: DomainError.unavailable("the server is shutting down; retry against another instance or later")) {
            try await pipeline.submit([event(1000)])
        }
    }
}
