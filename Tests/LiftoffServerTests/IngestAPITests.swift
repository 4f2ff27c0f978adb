import CompressNIO
import Foundation
import LiftoffAPI
import Hummingbird
import HummingbirdTesting
import LiftoffCore
import NIOCore
import Testing
@testable import LiftoffServer

@Suite("POST /v1/events")
struct IngestAPITests {
    static let interaction = #"{"type":"ai_interaction","userId":"u1","latencyMs":800,"outcome":"ok","model":"gpt-4o-mini","inputTokens":1000,"outputTokens":1000}"#

    @Test func healthAndReadinessNeedNoKey() async throws {
        let server = try await TestServer()
        try await server.withClient { client in
            #expect(try await client.request(.get, "/healthz", key: nil).status == .ok)
            let ready = try await client.request(.get, "/readyz", key: nil)
            #expect(ready.status == .ok)
            #expect(ready.decoded(HealthStatus.self)?.status == "ready")
        }
    }

    @Test func anEmbeddedServerIsAClusterOfOneLeader() async throws {
        let server = try await TestServer()
        try await server.withClient { client in
            let response = try await client.request(.get, "/v1/cluster")
            #expect(response.wire["self"] as? String == "local")
            let cluster = try #require(response.decoded(ClusterView.self))
            #expect(cluster.node == "local")
            #expect(cluster.nodes.map(\.id) == ["local"] && cluster.nodes.map(\.leader) == [true])
            #expect(cluster.nodes.first?.version == 1)
            #expect(try await client.request(.get, "/v1/cluster", key: nil).status == .unauthorized)
        }
    }

    /// Cached input tokens over HTTP: a batch where one event claims more cached tokens than input tokens
    /// loses only that event (its index and field named); the rest feed `cache_hit_rate` and a cost priced at
    /// the cached rate.
    @Test func cachedInputTokensAreCheckedCountedAndPriced() async throws {
        var plan = Plan.everyoneInControl
        plan.pricing = PriceBook(["gpt-4o-mini": ModelPrice(input: 0.15, output: 0.60, cachedInput: 0.075)])
        let server = try await TestServer(plan: plan)
        let body = #"""
            {"events":[
             {"type":"ai_interaction","userId":"u1","latencyMs":800,"outcome":"ok","model":"gpt-4o-mini","inputTokens":1000,"cachedInputTokens":800,"outputTokens":100},
             {"type":"ai_interaction","userId":"u2","latencyMs":900,"outcome":"ok","model":"gpt-4o-mini","inputTokens":1000,"cachedInputTokens":1200,"outputTokens":100},
             {"type":"ai_interaction","userId":"u3","latencyMs":700,"outcome":"ok","model":"gpt-4o-mini","inputTokens":600,"outputTokens":100,"reasoningTokens":40}
            ]}
            """#
        try await server.withClient { client in
            let report = try #require(try await client.request(.post, "/v1/events", json: body).decoded(IngestReport.self))
            #expect(report.accepted == 2)
            #expect(report.rejected.map(\.index) == [1])
            #expect(report.rejected.first?.error == "cachedInputTokens: 1200 is more than inputTokens (1000); it is a part of inputTokens, never added to it")
            let metrics = try await client.request(.get, "/v1/metrics?names=cache_hit_rate,api_costs&variant=control")
            #expect(metrics.metric("cache_hit_rate")?.value == 800.0 / 1600)
            #expect(metrics.metric("cache_hit_rate")?.samples == 2)
            // (200 × 0.15 + 800 × 0.075 + 100 × 0.60 + 600 × 0.15 + 100 × 0.60) / 1e6
            let cost = try #require(metrics.metric("api_costs")?.value)
            #expect(abs(cost - 0.0003) < 1e-12)
        }
    }

    /// Revenue, its users and the margin, by hand: payments of 12 (a), 5 (b), 12 (c) and a refund of 12 (a) make
    /// 17 USD from 3 payers; 4 active users (d only used the AI); API cost 0.30 + 0.20 and infrastructure 1.50
    /// make 2 USD of spend, so the margin is (17 − 2) ÷ 17.
    @Test func paymentsMakeRevenueAndMargin() async throws {
        let server = try await TestServer()
        let body = #"""
            {"events":[
             {"type":"payment","userId":"a","amountUsd":12,"kind":"subscription","plan":"pro"},
             {"type":"payment","userId":"b","amountUsd":5,"kind":"one_time"},
             {"type":"payment","userId":"c","amountUsd":12,"kind":"renewal","plan":"pro"},
             {"type":"payment","userId":"a","amountUsd":-12,"kind":"refund","plan":"pro"},
             {"type":"payment","userId":"e","amountUsd":12,"kind":"refund"},
             {"type":"payment","userId":"e","amountUsd":-3,"kind":"subscription"},
             {"type":"payment","amountUsd":12,"kind":"subscription"},
             {"type":"payment","userId":"e","amountUsd":12},
             {"type":"ai_interaction","userId":"d","latencyMs":800,"outcome":"ok","costUsd":0.30},
             {"type":"ai_interaction","userId":"a","latencyMs":800,"outcome":"ok","costUsd":0.20},
             {"type":"resource","infraCostUsd":1.50}
            ]}
            """#
        try await server.withClient { client in
            let report = try #require(try await client.request(.post, "/v1/events", json: body).decoded(IngestReport.self))
            #expect(report.accepted == 7)
            #expect(report.rejected == [
                IngestRejection(index: 4, error: "amountUsd: a refund is negative: the money given back, e.g. -12.00 for a refund of 12.00"),
                IngestRejection(index: 5, error: "amountUsd: -3.00 is negative; only kind refund gives money back"),
                IngestRejection(index: 6, error: "userId: required"),
                IngestRejection(index: 7, error: "kind: required"),
            ])
            let metrics = try await client.request(.get, "/v1/metrics?names=revenue,paying_users,revenue_per_user,gross_margin,active_users")
            #expect(metrics.metric("revenue")?.value == 17)
            #expect(metrics.metric("revenue")?.samples == 4)
            #expect(Metric.revenue.unit == "USD" && Metric.payingUsers.unit == "count")
            #expect(metrics.metric("paying_users")?.value == 3)
            #expect(metrics.metric("active_users")?.value == 4)
            #expect(metrics.metric("revenue_per_user")?.value == 17.0 / 4)
            let margin = try #require(metrics.metric("gross_margin")?.value)
            #expect(abs(margin - 15.0 / 17) < 1e-12)
        }
    }

    /// The AI placed three learners; later assessments measured two of them where it said.
    @Test func predictedLevelsAreJudgedAgainstMeasuredOnes() async throws {
        let server = try await TestServer()
        let body = #"""
            {"events":[
             {"type":"assessment","userId":"a","skill":"python","score":0.4,"level":"beginner","predictedLevel":"beginner"},
             {"type":"assessment","userId":"b","skill":"python","score":0.7,"level":"advanced","predictedLevel":"Advanced"},
             {"type":"assessment","userId":"c","skill":"python","score":0.6,"level":"intermediate","predictedLevel":"beginner"},
             {"type":"assessment","userId":"d","skill":"python","score":0.6,"level":"intermediate"},
             {"type":"assessment","userId":"e","skill":"python","score":0.6,"predictedLevel":"beginner"}
            ]}
            """#
        try await server.withClient { client in
            let report = try #require(try await client.request(.post, "/v1/events", json: body).decoded(IngestReport.self))
            #expect(report.accepted == 4)
            #expect(report.rejected.map(\.index) == [4])
            let metrics = try await client.request(.get, "/v1/metrics?names=skill_evaluation_accuracy,assessment_score")
            #expect(metrics.metric("skill_evaluation_accuracy")?.value == 2.0 / 3)
            #expect(metrics.metric("skill_evaluation_accuracy")?.samples == 3)
            #expect(metrics.metric("assessment_score")?.samples == 4)
        }
    }

    @Test func keysAndScopes() async throws {
        let server = try await TestServer()
        let body = #"{"events":[\#(Self.interaction)]}"#
        try await server.withClient { client in
            let missing = try await client.request(.post, "/v1/events", key: nil, json: body)
            #expect(missing.status == .unauthorized)
            #expect(missing.errorMessage?.contains("Authorization: Bearer") == true)
            #expect(try await client.request(.post, "/v1/events", key: "lft_forged", json: body).status == .unauthorized)
            let weak = try await client.request(.post, "/v1/events", key: TestServer.keys[.read], json: body)
            #expect(weak.status == .forbidden)
            #expect(weak.errorMessage == "key 'read-key' has scope 'read', this route needs 'ingest'")
            #expect(try await client.request(.post, "/v1/events", key: TestServer.keys[.ingest], json: body).status == .ok)
            #expect(try await client.request(.post, "/v1/events", key: TestServer.adminKey, json: body).status == .ok)
            #expect(try await client.request(.get, "/v1/metrics", key: TestServer.keys[.ingest]).status == .forbidden)
            #expect(try await client.request(.get, "/v1/metrics", key: TestServer.keys[.operate]).status == .ok)
        }
    }

    @Test func validEventsAreKeptWhenOthersAreRejected() async throws {
        let server = try await TestServer(prices: PriceBook(["gpt-4o-mini": ModelPrice(input: 0.15, output: 0.60)]))
        try await server.withClient { client in
            let response = try await client.request(.post, "/v1/events", json: """
                {"events":[\(Self.interaction),{"type":"feedback","userId":"u1","rating":9},
                 {"type":"ai_interaction","userId":"u2","latencyMs":1200,"outcome":"timeout"}, "nonsense"]}
                """)
            #expect(response.status == .ok)
            #expect(response.decoded(IngestReport.self)?.accepted == 2)
            #expect(response.decoded(IngestReport.self)?.duplicates == 0)
            let rejected = response.decoded(IngestReport.self)?.rejected ?? []
            #expect(rejected.count == 2)
            #expect(rejected.first == IngestRejection(index: 1, error: "rating: 9 is outside 1…5"))
            #expect(rejected.last?.index == 3)

            let metrics = try await client.request(.get, "/v1/metrics?window=1h&names=interactions,error_rate,api_costs,unpriced_interactions,user_satisfaction")
            #expect(metrics.status == .ok)
            #expect(metrics.metric("interactions")?.value == 2)
            #expect(metrics.metric("error_rate")?.value == 0.5)
            #expect(abs((metrics.metric("api_costs")?.value ?? 0) - 0.00075) < 1e-12)
            #expect(metrics.metric("unpriced_interactions")?.value == 1)
            #expect(metrics.metric("user_satisfaction")?.value == nil)
            #expect(metrics.metric("user_satisfaction")?.samples == 0)
        }
    }

    @Test func aBatchWithNothingValidIsABadRequestThatListsEveryEvent() async throws {
        let server = try await TestServer()
        try await server.withClient { client in
            let response = try await client.request(.post, "/v1/events", json: #"{"events":[{"type":"feedback"},{"type":"nope"}]}"#)
            #expect(response.status == .badRequest)
            #expect(response.errorCode == "invalid_events")
            #expect(response.problem?.rejected?.count == 2)
            #expect(response.errorMessage?.contains("event 0: rating: feedback needs at least one of") == true)
        }
    }

    @Test func retriedBatchesAreStoredOnce() async throws {
        let server = try await TestServer()
        let body = """
            {"events":[{"id":"evt-1","type":"ai_interaction","userId":"u1","latencyMs":100,"outcome":"ok"},
                       {"id":"evt-2","type":"ai_interaction","userId":"u1","latencyMs":200,"outcome":"ok"}]}
            """
        try await server.withClient { client in
            let first = try await client.request(.post, "/v1/events", json: body)
            #expect(first.decoded(IngestReport.self)?.accepted == 2)
            let retry = try await client.request(.post, "/v1/events", json: body)
            #expect(retry.status == .ok)
            #expect(retry.decoded(IngestReport.self)?.accepted == 0)
            #expect(retry.decoded(IngestReport.self)?.duplicates == 2)
            let metrics = try await client.request(.get, "/v1/metrics?names=interactions")
            #expect(metrics.metric("interactions")?.value == 2)
        }
    }

    @Test func brokenJSONSaysWhere() async throws {
        let server = try await TestServer()
        try await server.withClient { client in
            let broken = try await client.request(.post, "/v1/events", json: "{\"events\": [\n  {\"type\": \"ai_interaction\",, }\n]}")
            #expect(broken.status == .badRequest)
            #expect(broken.errorCode == "invalid_json")
            #expect(broken.errorMessage == "the body is not valid JSON: expected a member name in quotes at line 2, column 29")
            let truncated = try await client.request(.post, "/v1/events", json: #"{"events":[{"type":"ai_inter"#)
            #expect(truncated.errorMessage == "the body is not valid JSON: the text ends inside a string at line 1, column 29")
            let noEvents = try await client.request(.post, "/v1/events", json: #"{"evnts":[]}"#)
            #expect(noEvents.status == .badRequest)
            #expect(noEvents.errorMessage == "events: required")
            let notArray = try await client.request(.post, "/v1/events", json: #"{"events":{}}"#)
            #expect(notArray.errorMessage == "events: expected an array")
        }
    }

    @Test func bodiesOverTheLimitAreRefusedNamingIt() async throws {
        let server = try await TestServer(limits: IngestLimits(maxBodyBytes: 1024, maxEventsPerRequest: 3))
        try await server.withClient { client in
            let big = #"{"events":[\#(Array(repeating: Self.interaction, count: 10).joined(separator: ","))]}"#
            let response = try await client.request(.post, "/v1/events", json: big)
            #expect(response.status == .contentTooLarge)
            #expect(response.errorMessage == "request body exceeds the limit of 1 KiB (1024 bytes)")
            let many = #"{"events":[{"type":"resource","cpu":0.1},{"type":"resource","cpu":0.1},{"type":"resource","cpu":0.1},{"type":"resource","cpu":0.1}]}"#
            let tooMany = try await client.request(.post, "/v1/events", json: many)
            #expect(tooMany.status == .contentTooLarge)
            #expect(tooMany.errorMessage == "events: 4 events in one request, the limit is 3")
        }
    }

    @Test func gzipBodiesAreAccepted() async throws {
        let server = try await TestServer(limits: IngestLimits(maxBodyBytes: 4096))
        try await server.withClient { client in
            var plain = ByteBuffer(string: #"{"events":[\#(Self.interaction),\#(Self.interaction)]}"#)
            let compressed = try plain.compress(with: .gzip)
            let response = try await client.request(.post, "/v1/events", json: "", headers: [.contentEncoding: "gzip"], body: compressed)
            #expect(response.status == .ok)
            #expect(response.decoded(IngestReport.self)?.accepted == 2)

            var bomb = ByteBuffer(string: #"{"events":[],"pad":""# + String(repeating: " ", count: 100_000) + "\"}")
            let small = try bomb.compress(with: .gzip)
            #expect(small.readableBytes < 4096)
            let refused = try await client.request(.post, "/v1/events", json: "", headers: [.contentEncoding: "gzip"], body: small)
            #expect(refused.status == .contentTooLarge)
            #expect(refused.errorMessage?.contains("once decompressed") == true)

            let garbage = try await client.request(.post, "/v1/events", json: "", headers: [.contentEncoding: "gzip"], body: ByteBuffer(string: "not gzip"))
            #expect(garbage.status == .badRequest)
            let brotli = try await client.request(.post, "/v1/events", json: "{}", headers: [.contentEncoding: "br"])
            #expect(brotli.status == .unsupportedMediaType)
        }
    }

    @Test func farFutureTimestampsAreRejected() async throws {
        let server = try await TestServer()
        try await server.withClient { client in
            let response = try await client.request(.post, "/v1/events", json: """
                {"events":[{"type":"session_start","userId":"u","sessionId":"s","timestamp":"2026-11-29T11:00:00Z"},
                           {"type":"session_start","userId":"u","sessionId":"s2","timestamp":"2026-11-29T10:01:00Z"}]}
                """)
            #expect(response.decoded(IngestReport.self)?.accepted == 1)
            let rejected = response.decoded(IngestReport.self)?.rejected
            #expect(rejected?.first?.error == "timestamp: 2026-11-29T11:00:00Z is more than 300 s in the future")
        }
    }

    @Test func serverSideTimingsAreExposedForPrometheus() async throws {
        let server = try await TestServer()
        try await server.withClient { client in
            _ = try await client.request(.post, "/v1/events", json: #"{"events":[\#(Self.interaction)]}"#)
            _ = try await client.request(.post, "/v1/events", key: nil, json: "{}")
            let metrics = try await client.request(.get, "/v1/metrics/prometheus", key: TestServer.keys[.read])
            #expect(metrics.status == .ok)
            let text = String(buffer: metrics.body)
            #expect(text.contains(#"liftoff_http_request_duration_seconds_count{route="/v1/events",method="POST",status="200"} 1"#))
            #expect(text.contains(#"liftoff_http_request_duration_seconds_count{route="/v1/events",method="POST",status="401"} 1"#))
            #expect(try await client.request(.get, "/v1/metrics/prometheus", key: nil).status == .unauthorized)
        }
    }

    @Test func unknownRoutesAre404InTheErrorFormat() async throws {
        let server = try await TestServer()
        try await server.withClient { client in
            let response = try await client.request(.get, "/v1/nothing-here")
            #expect(response.status == .notFound)
            #expect(response.errorCode == "not_found")
        }
    }
}
