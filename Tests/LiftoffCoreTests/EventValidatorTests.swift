import Foundation
import Testing
@testable import LiftoffCore

@Suite("Event validation")
struct EventValidatorTests {
    let now = Timestamp.parse("2026-11-29T12:00:00Z")!
    let validator = EventValidator()

    func json(_ text: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    func validate(_ text: String) throws -> Event {
        try validator.validate(try json(text), now: now)
    }

    func rejection(_ text: String) throws -> String {
        let value = try json(text)
        do {
            _ = try validator.validate(value, now: now)
            Issue.record("accepted an invalid event: \(text)")
            return ""
        } catch {
            return error.description
        }
    }

    /// Cached input and reasoning tokens are parts of input and output tokens: kept, written back with the
    /// payload, and refused with the field named when they exceed their whole or come without it.
    @Test func cachedAndReasoningTokensArePartsOfTheirWhole() throws {
        let event = try validate("""
            {"type":"ai_interaction","timestamp":"2026-11-29T10:00:00Z","userId":"u","latencyMs":812,"outcome":"ok",
             "inputTokens":1200,"cachedInputTokens":1024,"outputTokens":300,"reasoningTokens":120}
            """)
        guard case .aiInteraction(let interaction) = event.payload else { Issue.record("not an interaction"); return }
        #expect(interaction.cachedInputTokens == 1024 && interaction.reasoningTokens == 120 && interaction.totalTokens == 1500)
        #expect(String(decoding: event.payload.compactJSONUTF8, as: UTF8.self).contains(#""cachedInputTokens":1024"#))
        let base = #""type":"ai_interaction","timestamp":"2026-11-29T10:00:00Z","userId":"u","latencyMs":8,"outcome":"ok""#
        #expect(try rejection("{\(base),\"inputTokens\":1000,\"cachedInputTokens\":1200}")
                == "cachedInputTokens: 1200 is more than inputTokens (1000); it is a part of inputTokens, never added to it")
        #expect(try rejection("{\(base),\"cachedInputTokens\":10}")
                == "cachedInputTokens: needs inputTokens: it is the part of inputTokens that was served from the cache")
        #expect(try rejection("{\(base),\"outputTokens\":100,\"reasoningTokens\":101}")
                == "reasoningTokens: 101 is more than outputTokens (100); it is a part of outputTokens, never added to it")
        #expect(try rejection("{\(base),\"inputTokens\":10,\"cachedInputTokens\":-1}").hasPrefix("cachedInputTokens: "))
    }

    @Test func interactionWithEveryField() throws {
        let event = try validate("""
            {"id":"e-1","type":"ai_interaction","timestamp":"2026-11-29T10:00:00Z","userId":"u-17","sessionId":"s-9",
             "feature":"code_analysis","model":"gpt-4o-mini","provider":"openai","latencyMs":812,"inputTokens":1200,
             "outputTokens":300,"costUsd":0.0012,"outcome":"ok","relevance":0.92,"accuracy":0.88,"extra":"ignored"}
            """)
        #expect(event.id == "e-1")
        #expect(event.userId == "u-17")
        #expect(event.sessionId == "s-9")
        #expect(event.timestamp == Timestamp.parse("2026-11-29T10:00:00Z"))
        #expect(event.payload == .aiInteraction(AIInteraction(
            feature: "code_analysis", model: "gpt-4o-mini", provider: "openai", latencyMs: 812, inputTokens: 1200,
            outputTokens: 300, costUsd: 0.0012, outcome: .ok, relevance: 0.92, accuracy: 0.88)))
    }

    @Test func missingTimestampMeansNow() throws {
        let event = try validate(#"{"type":"session_start","userId":"u","sessionId":"s"}"#)
        #expect(event.timestamp == now)
        #expect(event.payload == .sessionStart)
    }

    @Test func fractionalSecondsAndOffsets() throws {
        let event = try validate(#"{"type":"session_start","userId":"u","sessionId":"s","timestamp":"2026-11-29T11:00:00.250+01:00"}"#)
        #expect(event.timestamp == Timestamp.parse("2026-11-29T10:00:00.250Z"))
    }

    @Test func everyOtherType() throws {
        #expect(try validate(#"{"type":"feedback","userId":"u","rating":4,"helpful":true,"relevant":false,"usability":5,"suggestion":"more hints","interactionId":"e-1"}"#).payload
            == .feedback(Feedback(rating: 4, helpful: true, relevant: false, usability: 5, suggestion: "more hints", interactionId: "e-1")))
        #expect(try validate(#"{"type":"session_end","userId":"u","sessionId":"s","durationSeconds":600}"#).payload
            == .sessionEnd(SessionEnd(durationSeconds: 600)))
        #expect(try validate(#"{"type":"assessment","userId":"u","skill":"loops","score":0.7,"level":"beginner"}"#).payload
            == .assessment(Assessment(skill: "loops", score: 0.7, level: "beginner")))
        #expect(try validate(#"{"type":"completion","userId":"u","item":"project","itemId":"p-1","completed":false}"#).payload
            == .completion(Completion(item: .project, itemId: "p-1", completed: false)))
        #expect(try validate(#"{"type":"security_issue","severity":"critical","title":"prompt injection"}"#).payload
            == .securityIssue(SecurityIssue(severity: .critical, title: "prompt injection")))
        #expect(try validate(#"{"type":"integrity_violation","check":"progress-sum","detail":"negative"}"#).payload
            == .integrityViolation(IntegrityViolation(check: "progress-sum", detail: "negative")))
        #expect(try validate(#"{"type":"integrity_check","check":"progress","passed":false,"feature":"progress_tracking"}"#).payload
            == .integrityCheck(IntegrityCheck(check: "progress", passed: false, feature: "progress_tracking")))
        #expect(try validate(#"{"type":"resource","cpu":0.5,"memory":0.75,"infraCostUsd":1.5}"#).payload
            == .resource(ResourceSample(cpu: 0.5, memory: 0.75, infraCostUsd: 1.5)))
    }

    @Test(arguments: [
        (#"{"userId":"u"}"#, "type: required"),
        (#"{"type":"click","userId":"u"}"#, "type: 'click' is not one of ai_interaction, feedback, session_start, session_end, assessment, completion, security_issue, integrity_violation, integrity_check, resource, payment"),
        (#"[1]"#, "event: expected an object, got an array"),
        (#"{"type":"integrity_check","check":"progress"}"#, "passed: required (true when the check found the data consistent, false when it did not)"),
        (#"{"type":"integrity_check","passed":"yes","check":"progress"}"#, "passed: expected a boolean, got a string"),
        (#"{"type":"integrity_check","passed":true}"#, "check: required"),
        (#"{"type":"assessment","userId":"u","skill":"loops","score":0.5,"predictedLevel":"beginner"}"#, "predictedLevel: needs level: the level this assessment measured, which the prediction is judged against"),
        (#"{"type":"payment","userId":"u","amountUsd":9.5,"kind":"refund"}"#, "amountUsd: a refund is negative: the money given back, e.g. -9.50 for a refund of 9.50"),
        (#"{"type":"payment","userId":"u","amountUsd":-1,"kind":"renewal"}"#, "amountUsd: -1.00 is negative; only kind refund gives money back"),
        (#"{"type":"payment","userId":"u","amountUsd":"12","kind":"one_time"}"#, "amountUsd: expected a number, got a string"),
        (#"{"type":"payment","userId":"u","amountUsd":12,"kind":"lifetime"}"#, "kind: 'lifetime' is not one of subscription, renewal, one_time, refund"),
        (#"{"type":"payment","amountUsd":12,"kind":"one_time"}"#, "userId: required"),
        (#"{"type":"ai_interaction","userId":"u","outcome":"ok"}"#, "latencyMs: required"),
        (#"{"type":"ai_interaction","userId":"u","latencyMs":"fast","outcome":"ok"}"#, "latencyMs: expected a number, got a string"),
        (#"{"type":"ai_interaction","userId":"u","latencyMs":-1,"outcome":"ok"}"#, "latencyMs: -1 is outside 0…86400000"),
        (#"{"type":"ai_interaction","userId":"u","latencyMs":5,"outcome":"boom"}"#, "outcome: 'boom' is not one of ok, api_error, timeout, invalid_response, rate_limited"),
        (#"{"type":"ai_interaction","userId":"u","latencyMs":5,"outcome":"ok","inputTokens":1.5}"#, "inputTokens: expected a whole number, got 1.5"),
        (#"{"type":"ai_interaction","userId":"u","latencyMs":5,"outcome":"ok","relevance":1.2}"#, "relevance: 1.2 is outside 0…1"),
        (#"{"type":"ai_interaction","latencyMs":5,"outcome":"ok"}"#, "userId: required"),
        (#"{"type":"ai_interaction","userId":"","latencyMs":5,"outcome":"ok"}"#, "userId: must not be empty"),
        (#"{"type":"ai_interaction","userId":42,"latencyMs":5,"outcome":"ok"}"#, "userId: expected a string, got a number"),
        (#"{"type":"feedback","userId":"u","rating":6}"#, "rating: 6 is outside 1…5"),
        (#"{"type":"feedback","userId":"u"}"#, "rating: feedback needs at least one of rating, helpful, relevant, usability, suggestion"),
        (#"{"type":"feedback","userId":"u","helpful":"yes"}"#, "helpful: expected a boolean, got a string"),
        (#"{"type":"session_start","userId":"u"}"#, "sessionId: required"),
        (#"{"type":"session_end","userId":"u","sessionId":"s","durationSeconds":-5}"#, "durationSeconds: -5 is outside 0…31536000"),
        (#"{"type":"assessment","userId":"u","skill":"loops"}"#, "score: required"),
        (#"{"type":"completion","userId":"u","item":"chapter","itemId":"c"}"#, "item: 'chapter' is not one of lesson, project, path"),
        (#"{"type":"security_issue","severity":"urgent","title":"x"}"#, "severity: 'urgent' is not one of critical, high, medium, low"),
        (#"{"type":"integrity_violation"}"#, "check: required"),
        (#"{"type":"resource"}"#, "cpu: a resource sample needs at least one of cpu, memory, infraCostUsd"),
        (#"{"type":"session_start","userId":"u","sessionId":"s","timestamp":"yesterday"}"#, "timestamp: 'yesterday' is not an RFC 3339 time such as 2026-11-29T10:00:00Z"),
        (#"{"type":"session_start","userId":"u","sessionId":"s","timestamp":"2030-01-01T00:00:00Z"}"#, "timestamp: 2030-01-01T00:00:00Z is more than 300 s in the future"),
        (#"{"type":"session_start","userId":"u","sessionId":"s","timestamp":"1990-01-01T00:00:00Z"}"#, "timestamp: 1990-01-01T00:00:00Z is before 2000-01-01T00:00:00.000Z"),
    ])
    func rejectsNamingTheField(input: String, expected: String) throws {
        #expect(try rejection(input) == expected)
    }

    @Test func identifiersAreLengthLimited() throws {
        let long = String(repeating: "x", count: 129)
        #expect(try rejection(#"{"type":"session_start","userId":"\#(long)","sessionId":"s"}"#) == "userId: longer than 128 characters")
    }
}
