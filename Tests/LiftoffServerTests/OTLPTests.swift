import CompressNIO
import Foundation
import Hummingbird
import HummingbirdTesting
import LiftoffAPI
import LiftoffCore
import LiftoffOTLP
import NIOCore
import SwiftProtobuf
import Testing
@testable import LiftoffServer

/// OTLP/HTTP traces in: GenAI spans become `ai_interaction` events. The official OpenAI instrumentation against
/// a live server is `scripts/otel-openai.py`, in CI.
@Suite("OTLP traces")
struct OTLPTests {
    typealias Request = Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest
    typealias Span = Opentelemetry_Proto_Trace_V1_Span
    static let start = Timestamp.parse("2026-11-29T10:00:00Z")!

    static func attribute(_ key: String, _ value: Any) -> Opentelemetry_Proto_Common_V1_KeyValue {
        var pair = Opentelemetry_Proto_Common_V1_KeyValue()
        pair.key = key
        switch value {
        case let text as String: pair.value.stringValue = text
        case let number as Int: pair.value.intValue = Int64(number)
        case let number as Double: pair.value.doubleValue = number
        default: Issue.record("unsupported attribute \(value)")
        }
        return pair
    }

    static func span(_ index: UInt8, latencyMs: UInt64, _ attributes: [(String, Any)], error: Bool = false) -> Span {
        var span = Span()
        span.traceID = Data(repeating: 0xAB, count: 15) + Data([index])
        span.spanID = Data(repeating: 0xCD, count: 7) + Data([index])
        span.name = "chat gpt-4o-mini"
        span.startTimeUnixNano = UInt64(start.timeIntervalSince1970 * 1e9)
        span.endTimeUnixNano = span.startTimeUnixNano + latencyMs * 1_000_000
        span.attributes = attributes.map { attribute($0.0, $0.1) }
        if error { span.status.code = .error }
        return span
    }

    /// What the official OpenAI instrumentation sends, and what else shares the trace.
    static func request() -> Request {
        var request = Request()
        var resourceSpans = Opentelemetry_Proto_Trace_V1_ResourceSpans()
        resourceSpans.resource.attributes = [attribute("service.name", "tutor"), attribute("user.id", "dev-3")]
        var scope = Opentelemetry_Proto_Trace_V1_ScopeSpans()
        let call: [(String, Any)] = [("gen_ai.operation.name", "chat"), ("gen_ai.provider.name", "openai"),
                                     ("gen_ai.request.model", "gpt-4o-mini"), ("gen_ai.response.model", "gpt-4o-mini-2024-07-18"),
                                     ("gen_ai.usage.input_tokens", 900), ("gen_ai.usage.output_tokens", 250), ("session.id", "s-1"),
                                     ("liftoff.feature", "tutoring_chat")]
        var answered = span(1, latencyMs: 800, call)
        var evaluation = Span.Event()
        evaluation.name = "gen_ai.evaluation.result"
        evaluation.attributes = [attribute("gen_ai.evaluation.name", "Relevance"), attribute("gen_ai.evaluation.score.value", 0.92)]
        answered.events = [evaluation]
        // The older attribute names, and a timeout.
        let timedOut = span(2, latencyMs: 30_000, [("gen_ai.system", "openai"), ("gen_ai.request.model", "gpt-4o-mini"),
                                                   ("gen_ai.usage.prompt_tokens", 900), ("error.type", "openai.APITimeoutError")], error: true)
        let http = span(3, latencyMs: 5, [("http.request.method", "POST"), ("url.full", "https://api.openai.com/v1/chat/completions")])
        var broken = span(4, latencyMs: 10, [("gen_ai.operation.name", "chat")])
        broken.spanID = Data([1, 2])
        scope.spans = [answered, timedOut, http, broken]
        resourceSpans.scopeSpans = [scope]
        request.resourceSpans = [resourceSpans]
        return request
    }

    /// Cache reads as OpenAI reports them (inside the input) and as Anthropic's count has them (outside it, with
    /// cache writes): both become the part of the whole input that the cache served.
    @Test func cacheReadsBecomeCachedInputTokens() async throws {
        let server = try await TestServer(now: Self.start.addingTimeInterval(60))
        var request = Request()
        var resourceSpans = Opentelemetry_Proto_Trace_V1_ResourceSpans()
        var scope = Opentelemetry_Proto_Trace_V1_ScopeSpans()
        scope.spans = [
            Self.span(1, latencyMs: 700, [("gen_ai.provider.name", "openai"), ("user.id", "u1"), ("gen_ai.usage.input_tokens", 1000),
                                          ("gen_ai.usage.cache_read.input_tokens", 600), ("gen_ai.usage.output_tokens", 100)]),
            Self.span(2, latencyMs: 900, [("gen_ai.provider.name", "anthropic"), ("user.id", "u2"), ("gen_ai.usage.input_tokens", 50),
                                          ("gen_ai.usage.cache_read.input_tokens", 2000), ("gen_ai.usage.cache_creation.input_tokens", 150),
                                          ("gen_ai.usage.output_tokens", 100)]),
            Self.span(3, latencyMs: 800, [("gen_ai.provider.name", "openai"), ("user.id", "u3"), ("gen_ai.usage.cache_read.input_tokens", 300)]),
        ]
        resourceSpans.scopeSpans = [scope]
        request.resourceSpans = [resourceSpans]
        let body = try request.serializedData()
        try await server.withClient { client in
            let response = try await client.request(.post, "/otlp/v1/traces", key: TestServer.keys[.ingest],
                                                    headers: [.contentType: "application/x-protobuf"], body: ByteBuffer(bytes: body))
            #expect(response.status == .ok)
            let metrics = try await client.request(.get, "/v1/metrics?window=5m&names=interactions,cache_hit_rate,token_usage")
            #expect(metrics.metric("interactions")?.value == 3)
            // (600 + 2,000) cached of (1,000 + 50 + 2,000 + 150) input, over the two spans that counted input.
            #expect(metrics.metric("cache_hit_rate")?.value == 2600.0 / 3200)
            #expect(metrics.metric("cache_hit_rate")?.samples == 2)
            #expect(metrics.metric("token_usage")?.value == 3400)  // 3,200 input and 200 output
        }
    }

    @Test func genAISpansBecomeInteractions() async throws {
        let server = try await TestServer(now: Self.start.addingTimeInterval(60), prices: PriceBook(["gpt-4o-mini": ModelPrice(input: 0.15, output: 0.60)]))
        try await server.withClient { client in
            let body = try Self.request().serializedData()
            let response = try await client.request(.post, "/otlp/v1/traces", key: TestServer.keys[.ingest],
                                                    headers: [.contentType: "application/x-protobuf"], body: ByteBuffer(bytes: body))
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/x-protobuf")
            let answer = try Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceResponse(serializedBytes: Data(response.body.readableBytesView))
            #expect(answer.partialSuccess.rejectedSpans == 1)
            #expect(answer.partialSuccess.errorMessage.contains("resourceSpans[0].scopeSpans[0].spans[3]: a span needs a 16-byte trace id and an 8-byte span id"))
            #expect(answer.partialSuccess.errorMessage.contains("1 span(s) that are not model calls ignored"))

            let metrics = try await client.request(.get, "/v1/metrics?window=5m&names=interactions,timeout_rate,token_usage,response_time.max,ai_response_relevance,api_costs,active_users")
            #expect(metrics.metric("interactions")?.value == 2)
            #expect(metrics.metric("timeout_rate")?.value == 0.5)
            #expect(metrics.metric("token_usage")?.value == 2050)
            #expect(metrics.metric("response_time.max")?.value == 30_000)
            #expect(metrics.metric("ai_response_relevance")?.value == 0.92)
            #expect(metrics.metric("active_users")?.value == 1)
            // Priced from the plan: 1,800 input tokens at $0.15 and 250 output at $0.60 per million.
            #expect(abs((metrics.metric("api_costs")?.value ?? 0) - (1800 * 0.15 + 250 * 0.60) / 1e6) < 1e-12)

            // The same spans again, as OTLP/JSON (hex ids) and gzip: recognised as retries by their ids.
            let json = try Self.request().jsonUTF8Data()
            var document = try JSONParser.parse(json)
            document = Self.hexIdentifiers(document)
            var zipped = ByteBuffer(bytes: document.compactUTF8)
            zipped = try zipped.compress(with: .gzip())
            let again = try await client.request(.post, "/otlp/v1/traces", key: TestServer.keys[.ingest],
                                                 headers: [.contentType: "application/json", .contentEncoding: "gzip"], body: zipped)
            #expect(again.status == .ok)
            #expect(again.headers[.contentType] == "application/json")
            #expect(try await client.request(.get, "/v1/metrics?window=5m&names=interactions").metric("interactions")?.value == 2)

            // deflate (zlib), as the Go and Java exporters can send.
            var deflated = ByteBuffer(bytes: try Self.request().serializedData())
            deflated = try deflated.compress(with: .zlib())
            let third = try await client.request(.post, "/otlp/v1/traces", key: TestServer.keys[.ingest],
                                                 headers: [.contentType: "application/x-protobuf", .contentEncoding: "deflate"], body: deflated)
            #expect(third.status == .ok)
            #expect(try Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceResponse(serializedBytes: Data(third.body.readableBytesView))
                .partialSuccess.rejectedSpans == 1)
        }
    }

    /// Reported by a new user: all-zero ids were taken, and a second span with them was dropped as a retry.
    @Test func allZeroIdsAreRejected() async throws {
        let server = try await TestServer(now: Self.start.addingTimeInterval(60))
        try await server.withClient { client in
            var request = Request()
            var resourceSpans = Opentelemetry_Proto_Trace_V1_ResourceSpans()
            var scope = Opentelemetry_Proto_Trace_V1_ScopeSpans()
            var zero = Self.span(1, latencyMs: 100, [("gen_ai.operation.name", "chat"), ("user.id", "dev-1")])
            zero.traceID = Data(count: 16)
            zero.spanID = Data(count: 8)
            scope.spans = [zero]
            resourceSpans.scopeSpans = [scope]
            request.resourceSpans = [resourceSpans]
            let response = try await client.request(.post, "/otlp/v1/traces", key: TestServer.keys[.ingest],
                                                    headers: [.contentType: "application/x-protobuf"], body: ByteBuffer(bytes: try request.serializedData()))
            let answer = try Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceResponse(serializedBytes: Data(response.body.readableBytesView))
            #expect(answer.partialSuccess.rejectedSpans == 1)
            #expect(answer.partialSuccess.errorMessage.contains("an all-zero trace id or span id is invalid"))
        }
    }

    /// swift-protobuf writes ids as base64; OTLP/JSON as hex.
    static func hexIdentifiers(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(var members):
            for (key, member) in members {
                if ["traceId", "spanId"].contains(key), case .string(let base64) = member, let data = Data(base64Encoded: base64) {
                    members[key] = .string(data.map { String(format: "%02x", $0) }.joined())
                } else {
                    members[key] = hexIdentifiers(member)
                }
            }
            return .object(members)
        case .array(let elements): return .array(elements.map(hexIdentifiers))
        default: return value
        }
    }

    /// Failures answer OTLP's `google.rpc.Status` in the request's encoding, with the HTTP status OTLP prescribes.
    @Test func badRequestsSayWhatIsWrong() async throws {
        let server = try await TestServer()
        try await server.withClient { client in
            func status(_ response: TestResponse) -> (code: Int?, message: String?) {
                guard case .object(let members)? = try? JSONParser.parse(Data(response.body.readableBytesView)) else { return (nil, nil) }
                guard case .number(let code)? = members["code"], case .string(let message)? = members["message"] else { return (nil, nil) }
                return (Int(code), message)
            }
            let wrongType = try await client.request(.post, "/otlp/v1/traces", key: TestServer.keys[.ingest],
                                                     headers: [.contentType: "text/plain"], body: ByteBuffer(string: "hi"))
            #expect(wrongType.status == .unsupportedMediaType)
            #expect(status(wrongType).code == 3)
            #expect(status(wrongType).message?.contains("send application/x-protobuf or application/json") == true)
            let garbage = try await client.request(.post, "/otlp/v1/traces", key: TestServer.keys[.ingest],
                                                   headers: [.contentType: "application/x-protobuf"], body: ByteBuffer(bytes: [0xFF, 0xFF, 0xFF]))
            #expect(garbage.status == .badRequest)
            #expect(garbage.headers[.contentType] == "application/x-protobuf")
            // google.rpc.Status: field 1 (code) = 3, then field 2 (message).
            #expect(Array(garbage.body.readableBytesView.prefix(3)) == [0x08, 0x03, 0x12])
            let badHex = try await client.request(.post, "/otlp/v1/traces", key: TestServer.keys[.ingest], json: #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"zz"}]}]}]}"#)
            #expect(badHex.status == .badRequest)
            #expect(status(badHex).message == "traceId: 'zz' is not hex (OTLP/JSON writes ids as hex strings)")
            let forbidden = try await client.request(.post, "/otlp/v1/traces", key: TestServer.keys[.read], json: "{}")
            #expect(forbidden.status == .forbidden && status(forbidden).code == 7)
            for signal in ["metrics", "logs"] {
                let acknowledged = try await client.request(.post, "/otlp/v1/\(signal)", key: TestServer.keys[.ingest], json: #"{"resourceMetrics":[]}"#)
                #expect(acknowledged.status == .ok && String(buffer: acknowledged.body) == "{}")
            }
        }
    }
}
