import Foundation
import LiftoffAPI
import GRDB
import Hummingbird
import HummingbirdTesting
import LiftoffCore
import LiftoffStore
import Testing
@testable import LiftoffServer
@testable import LiftoffSQLite

/// The database's own troubles reach the caller as what they are, through the one error mapping: never a 500.
@Suite("Store failures over HTTP")
struct StoreFailureTests {
    static func batch(_ count: Int, from start: Int) -> String {
        let events = (start..<start + count).map { index in
            #"{"id":"e-\#(index)","type":"ai_interaction","userId":"u-\#(index % 50)","latencyMs":\#(100 + index % 900),"outcome":"ok","model":"m","feature":"code_analysis"}"#
        }
        return #"{"events":[\#(events.joined(separator: ","))]}"#
    }

    /// A full disk (SQLite's page limit standing in for it): ingest answers 507 and records nothing, reads
    /// and flags keep working, and ingest resumes by itself once there is room again. In process and over a
    /// socket, where a single event is answered on the event loop's fast path and a large batch on the router.
    @Test(arguments: [false, true])
    func aFullDiskRefusesWritesAndKeepsReading(overASocket: Bool) async throws {
        let server = try await TestServer()
        let store = server.store
        try await server.withClient(overASocket: overASocket) { client in
            let first = try await client.request(.post, "/v1/events", key: TestServer.keys[.ingest], json: Self.batch(100, from: 0))
            #expect(first.decoded(IngestReport.self)?.accepted == 100)
            let pages = try await store.pool.write { db in try Int.fetchOne(db, sql: "PRAGMA page_count")! }
            _ = try await store.pool.write { db in try Int.fetchOne(db, sql: "PRAGMA max_page_count = \(pages)") }

            let refused = try await client.request(.post, "/v1/events", key: TestServer.keys[.ingest], json: Self.batch(2000, from: 100))
            #expect(refused.status.code == 507)
            #expect(refused.errorCode == "storage_full")
            #expect(refused.headers[.retryAfter] == "30")
            #expect(refused.errorMessage?.contains("disk is full") == true)
            let small = try await client.request(.post, "/v1/events", key: TestServer.keys[.ingest], json: Self.batch(40, from: 9000))
            #expect(small.status.code == 507)
            #expect(small.errorCode == "storage_full")
            #expect(small.headers[.retryAfter] == "30")
            let metrics = try await client.request(.get, "/v1/metrics?names=interactions&window=1h", key: TestServer.keys[.read])
            #expect(metrics.status == .ok)
            #expect(metrics.metric("interactions")?.value == 100)
            #expect(try await RolloutAPITests.evaluate(client, "u-1").variant == .control)

            _ = try await store.pool.write { db in try Int.fetchOne(db, sql: "PRAGMA max_page_count = 1073741823") }
            let resumed = try await client.request(.post, "/v1/events", key: TestServer.keys[.ingest], json: Self.batch(2000, from: 100))
            #expect(resumed.decoded(IngestReport.self)?.accepted == 2000)
            let after = try await client.request(.get, "/v1/metrics?names=interactions&window=1h", key: TestServer.keys[.read])
            #expect(after.metric("interactions")?.value == 2100)
        }
    }

    /// A store that cannot keep up (its writer held for 3 s, as a slow disk would): requests queue up to the
    /// bound, then are refused at once with 503 and Retry-After instead of queueing without limit; everything
    /// acknowledged is committed once the writer is free. (Over a socket: `IngestFastPathTests`.)
    @Test func overloadIsRefusedPastTheQueuesBound() async throws {
        let server = try await TestServer(limits: IngestLimits(maxQueuedEvents: 10))
        let store = server.store
        try await server.withClient { client in
            let blocker = Task { try await store.pool.write { _ in Thread.sleep(forTimeInterval: 3) } }
            try await Task.sleep(for: .milliseconds(500))
            async let first = client.request(.post, "/v1/events", key: TestServer.keys[.ingest], json: Self.batch(8, from: 0))
            try await Task.sleep(for: .milliseconds(500))
            // The first batch is in the stalled commit; the second waits in the queue (8 of at most 10).
            async let second = client.request(.post, "/v1/events", key: TestServer.keys[.ingest], json: Self.batch(8, from: 8))
            try await Task.sleep(for: .milliseconds(500))
            let refused = try await client.request(.post, "/v1/events", key: TestServer.keys[.ingest], json: Self.batch(8, from: 16))
            #expect(refused.status == .serviceUnavailable)
            #expect(refused.headers[.retryAfter] == "1")
            #expect(refused.errorMessage?.contains("ingest is behind: 8 events are waiting for their commit (at most 10)") == true)
            try await blocker.value
            #expect(try await first.decoded(IngestReport.self)?.accepted == 8)
            #expect(try await second.decoded(IngestReport.self)?.accepted == 8)
            let metrics = try await client.request(.get, "/v1/metrics?names=interactions&window=1h", key: TestServer.keys[.read])
            #expect(metrics.metric("interactions")?.value == 16)
            // Retried once the store keeps up, the refused batch goes in.
            let retried = try await client.request(.post, "/v1/events", key: TestServer.keys[.ingest], json: Self.batch(8, from: 16))
            #expect(retried.decoded(IngestReport.self)?.accepted == 8)
        }
    }

    @Test func databaseConditionsBecomeStoreErrors() {
        func code(_ result: ResultCode) -> StoreError.Code? {
            (SQLitePool.translate(DatabaseError(resultCode: result)) as? StoreError)?.code
        }
        #expect(code(.SQLITE_BUSY) == .busy)
        #expect(code(.SQLITE_FULL) == .storageFull)
        #expect(code(.SQLITE_READONLY) == .readOnly)
        #expect(code(.SQLITE_IOERR) == .unavailable)
        #expect(code(.SQLITE_CORRUPT) == .corrupt)
        #expect(code(.SQLITE_CONSTRAINT) == nil)
        let busy = ErrorMapping<AppRequestContext>.apiError(for: StoreError(.busy, "locked"), logger: .init(label: "test"))
        #expect(busy.status == .serviceUnavailable && busy.headers[.retryAfter] == "1")
        let readOnly = ErrorMapping<AppRequestContext>.apiError(for: StoreError(.readOnly, "ro"), logger: .init(label: "test"))
        #expect(readOnly.status == .serviceUnavailable && readOnly.headers[.retryAfter] == "30")
    }
}
