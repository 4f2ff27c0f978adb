import Foundation
import Hummingbird
import LiftoffCore
import LiftoffOTLP
import NIOCore

/// OTLP/HTTP in (https://opentelemetry.io/docs/specs/otlp/#otlphttp), so an app traced with OpenTelemetry
/// reports by pointing its exporter here (`OTEL_EXPORTER_OTLP_ENDPOINT=http://HOST:PORT/otlp`, the ingest key in
/// `OTEL_EXPORTER_OTLP_HEADERS=Authorization=Bearer%20KEY`). Model-call spans become `ai_interaction` events
/// (`GenAISpans`) through the same validation and pipeline as `/v1/events`; other spans are ignored. Spans
/// that cannot be events are counted in `partial_success` with the reason. Metrics and logs are acknowledged
/// and not used, so a default SDK setup that exports all three logs no errors.
struct OTLPController {
    let events: EventsController
    let limits: IngestLimits

    func addRoutes(to routes: inout ScopedRoutes) {
        routes.add(.post, "/otlp/v1/traces", scope: .ingest) { request, _, _ in try await traces(request) }
        for signal in ["metrics", "logs"] {
            routes.add(.post, "/otlp/v1/\(signal)", scope: .ingest) { request, _, _ in
                let encoding = try Self.encoding(request)
                _ = try await RequestBody.read(request, limit: limits.maxBodyBytes)
                // An empty Export*ServiceResponse: accepted in full, nothing of it kept.
                return Self.response(encoding == .json ? Data("{}".utf8) : Data(), encoding)
            }
        }
    }

    static func encoding(_ request: Request) throws -> OTLPEncoding {
        guard let encoding = OTLPEncoding(contentType: request.headers[.contentType]) else {
            throw APIError(.unsupportedMediaType, code: "unsupported_media_type",
                           "Content-Type '\(request.headers[.contentType] ?? "")' is not OTLP's: send application/x-protobuf or application/json")
        }
        return encoding
    }

    func traces(_ request: Request) async throws -> Response {
        let encoding = try Self.encoding(request)
        let body = try await RequestBody.read(request, limit: limits.maxBodyBytes)
        let export: Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest
        do {
            export = try encoding.traces(body)
        } catch {
            throw APIError.badRequest(error.description, code: "invalid_otlp")
        }
        let batch = GenAISpans.events(from: export)
        guard batch.events.count <= limits.maxEventsPerRequest else {
            throw APIError(.contentTooLarge, code: "too_many_events",
                           "\(batch.events.count) model-call spans in one request, the limit is \(limits.maxEventsPerRequest)")
        }
        let report = try await events.record(batch.events.map(\.event))
        var reasons = batch.rejected.map { "\($0.path): \($0.reason)" }
        reasons += report.rejected.map { "\(batch.events[$0.index].path): \($0.error)" }
        var answer = Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceResponse()
        if !reasons.isEmpty {
            var partial = Opentelemetry_Proto_Collector_Trace_V1_ExportTracePartialSuccess()
            partial.rejectedSpans = Int64(reasons.count)
            partial.errorMessage = "\(reasons.count) span(s) rejected: " + reasons.prefix(10).joined(separator: "; ")
                + (reasons.count > 10 ? "; …" : "") + " (\(batch.ignored) span(s) that are not model calls ignored)"
            answer.partialSuccess = partial
        }
        return Self.response(try encoding.encode(answer), encoding)
    }

    static func response(_ body: Data, _ encoding: OTLPEncoding) -> Response {
        Response(status: .ok, headers: [.contentType: encoding.contentType], body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
