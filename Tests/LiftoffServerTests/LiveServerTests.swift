import Foundation
import Hummingbird
import HummingbirdTesting
import LiftoffAPI
import NIOHTTP1
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

    /// The simulator's transport skips only the socket: the same request gets the same status and body as
    /// over HTTP, refusals included (no key, a bad event in a batch, a path that does not exist).
    @Test func theInProcessTransportAnswersWhatHTTPAnswers() async throws {
        let server = try await TestServer()
        let built = try await server.build()
        let local = built.inProcess
        try await built.application.test(.live) { client in
            let http = HTTPTransport(baseURL: "http://127.0.0.1:\(try #require(client.port))")
            let admin = [(name: "Authorization", value: "Bearer \(TestServer.adminKey)")]
            let json = admin + [(name: "Content-Type", value: "application/json")]
            func batch(_ id: String) -> Data {
                Data(#"{"events":[{"id":"\#(id)","type":"ai_interaction","userId":"u1","timestamp":"2026-11-29T10:00:00Z","latencyMs":300,"outcome":"ok"},{"type":"ai_interaction","latencyMs":-1}]}"#.utf8)
            }
            let requests: [(TransportRequest, TransportRequest)] = [
                (TransportRequest(method: .GET, path: "/v1/rollout", headers: admin), TransportRequest(method: .GET, path: "/v1/rollout", headers: admin)),
                (TransportRequest(method: .GET, path: "/v1/rollout"), TransportRequest(method: .GET, path: "/v1/rollout")),
                (TransportRequest(method: .POST, path: "/v1/events", headers: json, body: batch("over-http")),
                 TransportRequest(method: .POST, path: "/v1/events", headers: json, body: batch("in-process"))),
                (TransportRequest(method: .GET, path: "/v1/metrics?names=interactions,response_time.p50", headers: admin),
                 TransportRequest(method: .GET, path: "/v1/metrics?names=interactions,response_time.p50", headers: admin)),
                (TransportRequest(method: .GET, path: "/v1/no-such-thing", headers: admin), TransportRequest(method: .GET, path: "/v1/no-such-thing", headers: admin)),
            ]
            var statuses: [Int] = []
            for (overHTTP, inProcess) in requests {
                let a = try await http.exchange(overHTTP)
                let b = try await local.exchange(inProcess)
                #expect(a.status == b.status, "\(overHTTP.path)")
                #expect(String(decoding: a.body, as: UTF8.self) == String(decoding: b.body, as: UTF8.self), "\(overHTTP.path)")
                statuses.append(b.status)
            }
            #expect(statuses == [200, 401, 200, 200, 404])
            let metrics = try await LiftoffClient(transport: local, key: TestServer.adminKey).metrics("names=interactions")
            #expect(metrics.metrics["interactions"]?.value == 2, "both transports' valid events are stored")
        }
    }
}
