import Foundation
import LiftoffAPI
import Hummingbird
import HummingbirdTesting
import LiftoffCore
import Testing
@testable import LiftoffServer

@Suite("GET /v1/metrics")
struct MetricsAPITests {
    static func interactions(_ latencies: [Int], user: String = "u1", outcome: String = "ok", at timestamp: String? = nil) -> String {
        let events = latencies.enumerated().map { index, latency in
            let time = timestamp.map { #","timestamp":"\#($0)""# } ?? ""
            return #"{"type":"ai_interaction","userId":"\#(user)-\#(index % 3)","latencyMs":\#(latency),"outcome":"\#(outcome)"\#(time)}"#
        }
        return #"{"events":[\#(events.joined(separator: ","))]}"#
    }

    @Test func windowsCoverTheMinutesTheyOverlap() async throws {
        let server = try await TestServer(now: Timestamp.parse("2026-11-29T10:00:30Z")!)
        try await server.withClient { client in
            _ = try await client.request(.post, "/v1/events", json: Self.interactions([100, 200], at: "2026-11-29T08:30:00Z"))
            _ = try await client.request(.post, "/v1/events", json: Self.interactions([300, 400, 500]))
            #expect(try await client.request(.get, "/v1/metrics?window=5m&names=interactions").metric("interactions")?.value == 3)
            #expect(try await client.request(.get, "/v1/metrics?window=2h&names=interactions").metric("interactions")?.value == 5)
            let avg = try await client.request(.get, "/v1/metrics?window=5m&names=response_time.avg,response_time.max,active_users")
            #expect(avg.metric("response_time.avg")?.value == 400)
            #expect(avg.metric("response_time.max")?.value == 500)
            #expect(avg.metric("active_users")?.value == 3)
            // 3 interactions over a 5-minute window.
            let rate = try await client.request(.get, "/v1/metrics?window=5m&names=requests_per_second")
            #expect(abs((rate.metric("requests_per_second")?.value ?? 0) - 3.0 / 300) < 1e-12)
        }
    }

    @Test func phaseAndAllWindows() async throws {
        let server = try await TestServer()
        try await server.withClient { client in
            _ = try await client.request(.post, "/v1/events", json: Self.interactions([100]))
            server.clock.advance(by: 3 * 86_400)
            _ = try await client.request(.post, "/v1/events", json: Self.interactions([300]))
            let phase = try await client.request(.get, "/v1/metrics?window=phase&names=interactions")
            #expect(phase.metric("interactions")?.value == 2)
            #expect(phase.decoded(MetricValues.self)?.window == "phase")
            #expect(try await client.request(.get, "/v1/metrics?window=all&names=interactions").metric("interactions")?.value == 2)
            #expect(try await client.request(.get, "/v1/metrics?window=1d&names=interactions").metric("interactions")?.value == 1)
            let unknown = try await client.request(.get, "/v1/metrics?window=phase&phase=beta")
            #expect(unknown.status == .notFound)
            #expect(unknown.errorMessage == "phase 'beta' has not started")
        }
    }

    @Test func everyCatalogMetricIsAnsweredByDefault() async throws {
        let server = try await TestServer()
        try await server.withClient { client in
            let response = try await client.request(.get, "/v1/metrics")
            #expect(response.status == .ok)
            let names = Set(try response.decode(MetricValues.self).metrics.keys)
            #expect(names == Set(Metric.allCases.map(\.rawValue)))
        }
    }

    @Test func badParametersSayWhichAndWhy() async throws {
        let server = try await TestServer()
        try await server.withClient { client in
            let window = try await client.request(.get, "/v1/metrics?window=soon")
            #expect(window.status == .badRequest)
            #expect(window.errorMessage == "window: 'soon' is not a duration such as 30s, 5m, 1h, 7d, nor 'phase' or 'all'")
            let name = try await client.request(.get, "/v1/metrics?names=error_rate,happiness")
            #expect(name.errorMessage == "names: unknown metric 'happiness'")
            let variant = try await client.request(.get, "/v1/metrics?variant=blue")
            #expect(variant.errorMessage == "variant: 'blue' is not one of treatment, control")
            let step = try await client.request(.get, "/v1/metrics/series?name=error_rate&step=30s")
            #expect(step.errorMessage == "step: '30s' is not a whole number of minutes such as 1m, 5m, 1h")
            let points = try await client.request(.get, "/v1/metrics/series?name=error_rate&step=1m&window=30d")
            #expect(points.status == .badRequest)
            #expect(try await client.request(.get, "/v1/metrics/series").errorMessage == "name: required (one catalog metric)")
        }
    }

    @Test func seriesHasOnePointPerStep() async throws {
        let server = try await TestServer(now: Timestamp.parse("2026-11-29T10:00:30Z")!)
        try await server.withClient { client in
            _ = try await client.request(.post, "/v1/events", json: Self.interactions([100, 100], outcome: "ok", at: "2026-11-29T09:58:10Z"))
            _ = try await client.request(.post, "/v1/events", json: Self.interactions([100], outcome: "timeout", at: "2026-11-29T09:58:20Z"))
            _ = try await client.request(.post, "/v1/events", json: Self.interactions([100], outcome: "timeout"))
            let response = try await client.request(.get, "/v1/metrics/series?name=error_rate&step=1m&window=5m")
            #expect(response.status == .ok)
            let points = try response.decode(MetricSeries.self).points
            #expect(points.count == 6)
            #expect(points.first?.t == Timestamp.parse("2026-11-29T09:55:00Z"))
            // Times on the wire are RFC 3339 with milliseconds.
            #expect((response.wire["points"] as? [[String: Any]])?.first?["t"] as? String == "2026-11-29T09:55:00.000Z")
            #expect(points.map(\.value) == [nil, nil, nil, 1.0 / 3, nil, 1.0])
            #expect(points.map(\.samples) == [0, 0, 0, 3, 0, 1])
        }
    }

    @Test func treatmentAndControlAreSeparate() async throws {
        let server = try await TestServer()
        try await server.withClient { client in
            _ = try await client.request(.post, "/v1/events", json: Self.interactions([100, 200]))
            // Without a plan everybody is in control, and nothing is credited to the treatment.
            #expect(try await client.request(.get, "/v1/metrics?names=interactions&variant=control").metric("interactions")?.value == 2)
            #expect(try await client.request(.get, "/v1/metrics?names=interactions&variant=treatment").metric("interactions")?.value == 0)
            #expect(try await client.request(.get, "/v1/metrics?names=interactions&phase=default").metric("interactions")?.value == 2)
        }
    }
}

@Suite("Restarts")
struct RestartTests {
    @Test func sameDataDirectoryGivesIdenticalAnswers() async throws {
        let server = try await TestServer()
        let query = "/v1/metrics?window=all"
        let body = MetricsAPITests.interactions(Array(stride(from: 50, to: 5000, by: 37)), outcome: "ok")
        let before = try await server.withClient { client in
            _ = try await client.request(.post, "/v1/events", json: body)
            _ = try await client.request(.post, "/v1/events", json: MetricsAPITests.interactions([900, 950], outcome: "timeout"))
            _ = try await client.request(.post, "/v1/events", json: #"{"events":[{"type":"feedback","userId":"u1","rating":4,"relevant":true}]}"#)
            return try await client.request(.get, query).body
        }
        let after = try await server.withClient { client in
            try await client.request(.get, query).body
        }
        #expect(before == after)
        #expect(before.readableBytes > 1000)
    }

    @Test func aGeneratedAdminKeyIsPrintedOnceAndStoredHashed() async throws {
        var server = try await TestServer()
        server.configuration.adminKey = nil
        let first = try await server.build()
        let secret = try #require(first.generatedAdminKey)
        #expect(secret.hasPrefix("lft_"))
        let second = try await server.build()
        #expect(second.generatedAdminKey == nil)
        let database = try Data(contentsOf: server.directory.appendingPathComponent("liftoff.sqlite"))
        #expect(database.range(of: Data(secret.utf8)) == nil)
        try await second.application.test(.router) { client in
            let response = try await client.request(.get, "/v1/metrics", key: secret)
            #expect(response.status == .ok)
        }
    }

    @Test func shortConfiguredAdminKeysAreRefused() async throws {
        var server = try await TestServer()
        server.configuration.adminKey = "short"
        await #expect(throws: ConfigurationError.self) { try await server.build() }
    }
}
