import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import LiftoffServer

@Suite("Real HTTP on loopback")
struct LiveServerTests {
    @Test func ingestAndQueryOverASocket() async throws {
        let server = try await TestServer()
        try await server.build().application.test(.live) { client in
            let response = try await client.request(.post, "/v1/events", json: MetricsAPITests.interactions([120, 240]))
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json; charset=utf-8")
            #expect(try await client.request(.get, "/v1/metrics?names=interactions").metric("interactions")?.value == 2)
        }
    }
}
