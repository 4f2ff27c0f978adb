import Foundation
import LiftoffCore

/// OpenTelemetry's GenAI semantic conventions (https://opentelemetry.io/docs/specs/semconv/gen-ai/) mapped to
/// Liftoff's `ai_interaction` events, written with the ingest API's field names so they go through the same
/// validation, attribution, pricing and pipeline as `POST /v1/events`. The README's "OpenTelemetry" table
/// is this mapping.
public enum GenAISpans {
    /// A span that became an event, with where it came from for messages about it.
    public struct Mapped: Sendable {
        public var event: JSONValue
        /// "resourceSpans[0].scopeSpans[1].spans[2]"
        public var path: String
    }

    /// What an export request held.
    public struct Batch: Sendable {
        public var events: [Mapped] = []
        /// Spans that are not model calls (HTTP, database, the app's own): not Liftoff's business.
        public var ignored = 0
        /// Model-call spans that cannot become events, with why.
        public var rejected: [(path: String, reason: String)] = []
    }

    /// The attribute that names the app's feature (`tutoring_chat`, `code_analysis`, …), on the span or its resource.
    public static let featureAttribute = "liftoff.feature"
    /// A cost the app computed itself (USD); without it the plan's prices apply.
    public static let costAttribute = "liftoff.cost_usd"

    public static func events(from request: Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest) -> Batch {
        var batch = Batch()
        for (r, resourceSpans) in request.resourceSpans.enumerated() {
            let resource = Attributes(resourceSpans.resource.attributes)
            for (s, scopeSpans) in resourceSpans.scopeSpans.enumerated() {
                for (index, span) in scopeSpans.spans.enumerated() {
                    let path = "resourceSpans[\(r)].scopeSpans[\(s)].spans[\(index)]"
                    let attributes = Attributes(span.attributes)
                    guard isModelCall(attributes) else {
                        batch.ignored += 1
                        continue
                    }
                    switch event(span, attributes, resource: resource) {
                    case .success(let event): batch.events.append(Mapped(event: event, path: path))
                    case .failure(let problem): batch.rejected.append((path, problem.reason))
                    }
                }
            }
        }
        return batch
    }

    struct Problem: Error {
        var reason: String
    }

    /// A model call has GenAI attributes: an operation, a provider or a requested model.
    static func isModelCall(_ attributes: Attributes) -> Bool {
        ["gen_ai.operation.name", "gen_ai.provider.name", "gen_ai.system", "gen_ai.request.model"].contains { attributes[$0] != nil }
    }

    static func event(_ span: Opentelemetry_Proto_Trace_V1_Span, _ attributes: Attributes, resource: Attributes) -> Result<JSONValue, Problem> {
        guard span.traceID.count == 16, span.spanID.count == 8 else {
            return .failure(Problem(reason: "a span needs a 16-byte trace id and an 8-byte span id (they make retries idempotent)"))
        }
        guard span.traceID.contains(where: { $0 != 0 }), span.spanID.contains(where: { $0 != 0 }) else {
            return .failure(Problem(reason: "an all-zero trace id or span id is invalid (OTLP)"))
        }
        guard span.startTimeUnixNano > 0, span.endTimeUnixNano >= span.startTimeUnixNano else {
            return .failure(Problem(reason: "startTimeUnixNano and endTimeUnixNano must be set, the end not before the start"))
        }
        var fields: [String: JSONValue] = [
            "id": .string("otlp-\(span.traceID.hexText)-\(span.spanID.hexText)"),
            "type": .string("ai_interaction"),
            "timestamp": .string(Timestamp.format(Date(timeIntervalSince1970: Double(span.endTimeUnixNano) / 1e9))),
            "latencyMs": .number(Double(span.endTimeUnixNano - span.startTimeUnixNano) / 1e6),
            "outcome": .string(outcome(span, attributes)),
        ]
        func put(_ field: String, _ value: JSONValue?) { if let value { fields[field] = value } }
        put("userId", (attributes.text("user.id", "enduser.id") ?? resource.text("user.id", "enduser.id")).map(JSONValue.string))
        put("sessionId", (attributes.text("session.id", "gen_ai.conversation.id") ?? resource.text("session.id", "gen_ai.conversation.id")).map(JSONValue.string))
        put("feature", (attributes.text(featureAttribute) ?? resource.text(featureAttribute)).map(JSONValue.string))
        put("provider", attributes.text("gen_ai.provider.name", "gen_ai.system").map(JSONValue.string))
        put("model", attributes.text("gen_ai.response.model", "gen_ai.request.model").map(JSONValue.string))
        // The older names are what instrumentations built on earlier conventions still send.
        put("inputTokens", attributes.number("gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens"))
        put("outputTokens", attributes.number("gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens"))
        cacheReads(attributes, into: &fields)
        put("costUsd", attributes.number(costAttribute))
        for event in span.events where event.name == "gen_ai.evaluation.result" {
            let result = Attributes(event.attributes)
            guard let name = result.text("gen_ai.evaluation.name")?.lowercased(),
                  let score = result.number("gen_ai.evaluation.score.value") else { continue }
            if name.contains("relevan") { fields["relevance"] = score }
            if name.contains("accura") || name.contains("correct") { fields["accuracy"] = score }
        }
        return .success(.object(fields))
    }

    /// Prompt-cache reads become `cachedInputTokens`, a part of `inputTokens`. The conventions say
    /// `gen_ai.usage.input_tokens` includes cached tokens, and OpenAI's counts do; Anthropic's own count leaves
    /// out cache reads and cache writes, and instrumentations that copy it send more cache reads than input.
    /// Such a span's input is then the three added up, so the cached part is never larger than its whole.
    /// Without an input count the cache reads have no whole to be a part of and are left out.
    static func cacheReads(_ attributes: Attributes, into fields: inout [String: JSONValue]) {
        guard case .number(let input)? = fields["inputTokens"],
              case .number(let cached)? = attributes.number("gen_ai.usage.cache_read.input_tokens", "gen_ai.usage.cache_read_input_tokens",
                                                            "gen_ai.usage.input_tokens.cached") else { return }
        fields["cachedInputTokens"] = .number(cached)
        if cached > input {
            var written = 0.0
            if case .number(let creation)? = attributes.number("gen_ai.usage.cache_creation.input_tokens",
                                                               "gen_ai.usage.cache_creation_input_tokens") { written = creation }
            fields["inputTokens"] = .number(input + cached + written)
        }
    }

    /// ERROR status or an `error.type` is a failure; timeouts and rate limits are told apart by their type.
    static func outcome(_ span: Opentelemetry_Proto_Trace_V1_Span, _ attributes: Attributes) -> String {
        let errorType = attributes.text("error.type")
        guard span.status.code == .error || errorType != nil else { return "ok" }
        let text = (errorType ?? "") + " " + span.status.message
        let lowered = text.lowercased()
        if lowered.contains("timeout") || lowered.contains("timed out") || lowered.contains("deadline") { return "timeout" }
        if lowered.contains("ratelimit") || lowered.contains("rate_limit") || lowered.contains("rate limit") || lowered.contains("429") {
            return "rate_limited"
        }
        if lowered.contains("invalid") || lowered.contains("validation") || lowered.contains("parse") { return "invalid_response" }
        return "api_error"
    }
}

/// A span's or resource's attributes by key.
struct Attributes {
    private var values: [String: Opentelemetry_Proto_Common_V1_AnyValue.OneOf_Value] = [:]

    init(_ list: [Opentelemetry_Proto_Common_V1_KeyValue]) {
        for pair in list { if let value = pair.value.value { values[pair.key] = value } }
    }

    subscript(key: String) -> Opentelemetry_Proto_Common_V1_AnyValue.OneOf_Value? { values[key] }

    /// The first of `keys` present, as text (numbers and booleans written out: a numeric user id is an id).
    func text(_ keys: String...) -> String? {
        for key in keys {
            switch values[key] {
            case .stringValue(let text)?: return text
            case .intValue(let number)?: return String(number)
            case .boolValue(let flag)?: return String(flag)
            default: continue
            }
        }
        return nil
    }

    /// The first of `keys` present, as a number (a numeric string too: some SDKs send tokens as text).
    func number(_ keys: String...) -> JSONValue? {
        for key in keys {
            switch values[key] {
            case .intValue(let number)?: return .number(Double(number))
            case .doubleValue(let number)?: return .number(number)
            case .stringValue(let text)?: if let number = Double(text) { return .number(number) }
            default: continue
            }
        }
        return nil
    }
}
