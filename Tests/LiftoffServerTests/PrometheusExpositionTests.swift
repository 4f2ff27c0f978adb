import Foundation
import Hummingbird
import HummingbirdTesting
import LiftoffAPI
import LiftoffCore
import Testing
@testable import LiftoffServer

@Suite("Prometheus exposition")
struct PrometheusExpositionTests {
    static func examplePlan() throws -> Plan {
        let yaml = try String(contentsOf: URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("examples/learning-platform.yml"), encoding: .utf8)
            .replacingOccurrences(of: "https://infra.example/scale", with: "http://127.0.0.1:9/scale")
            .replacingOccurrences(of: "https://hooks.example/alerts", with: "http://127.0.0.1:9/alerts")
        return try PlanDecoder.decode(yaml: yaml)
    }

    /// The sample lines of `name` whose labels include every one of `labels`.
    static func samples(_ text: String, _ name: String, _ labels: [String: String]) -> [Double] {
        text.split(separator: "\n").compactMap { line -> Double? in
            guard line.hasPrefix(name + "{") || line.hasPrefix(name + " ") else { return nil }
            guard labels.allSatisfy({ line.contains("\($0.key)=\"\($0.value)\"") }) else { return nil }
            return line.split(separator: " ").last.flatMap { Double($0) }
        }
    }

    @Test func catalogRolloutGuardrailsAndGateAreExposed() async throws {
        let server = try await TestServer(plan: try Self.examplePlan())
        let built = try await server.build()
        let guardrails = built.guardrails
        try await built.application.test(.router) { client in
            // 25 responses of 6 s from a developer (treatment in the internal phase), one of them an error.
            let events = (0..<25).map { index in
                #"{"type":"ai_interaction","userId":"dev-3","latencyMs":6000,"inputTokens":1000,"outputTokens":200,"model":"gpt-4o-mini","outcome":"\#(index == 0 ? "api_error" : "ok")"}"#
            }
            _ = try await client.request(.post, "/v1/events", json: #"{"events":[\#(events.joined(separator: ","))]}"#)
            await guardrails.tick()
            let response = try await client.request(.get, "/v1/metrics/prometheus", key: TestServer.keys[.read])
            #expect(response.status == .ok)
            let text = String(buffer: response.body)

            // Catalog metrics in base units, per variant and guardrail window.
            #expect(text.contains("# TYPE liftoff_response_time_p95_seconds gauge"))
            let p95 = Self.samples(text, "liftoff_response_time_p95_seconds", ["phase": "internal", "variant": "treatment", "window": "5m"])
            #expect(p95.count == 1 && abs(p95[0] - 6) < 0.1, "p95 \(p95)")
            #expect(Self.samples(text, "liftoff_error_rate_ratio", ["variant": "treatment", "window": "5m"]) == [0.04])
            #expect(Self.samples(text, "liftoff_token_usage_tokens", ["variant": "treatment", "window": "30m"]) == [30_000])
            #expect(Self.samples(text, "liftoff_metric_samples", ["metric": "error_rate", "variant": "treatment", "window": "5m"]) == [25])
            // No control traffic: its values are absent, not 0, and its sample counts are 0.
            #expect(Self.samples(text, "liftoff_error_rate_ratio", ["variant": "control"]).isEmpty)
            #expect(Self.samples(text, "liftoff_metric_samples", ["metric": "error_rate", "variant": "control", "window": "5m"]) == [0])

            // The 5 s rollback trigger fired and rolled back.
            #expect(Self.samples(text, "liftoff_rollout_status", ["status": "rolled_back"]) == [1])
            #expect(Self.samples(text, "liftoff_rollout_status", ["status": "running"]) == [0])
            #expect(Self.samples(text, "liftoff_guardrail_state", ["rule": "rollback[1]", "state": "firing"]) == [1])
            #expect(Self.samples(text, "liftoff_guardrail_state", ["rule": "rollback[1]", "state": "inactive"]) == [0])
            #expect(Self.samples(text, "liftoff_guardrail_firings_total", ["rule": "rollback[1]"]) == [1])
            #expect(Self.samples(text, "liftoff_guardrail_threshold", ["rule": "rollback[1]"]) == [5000])
            #expect((Self.samples(text, "liftoff_guardrail_observed", ["rule": "rollback[1]"]).first ?? 0) > 5000)

            // The internal phase's gate: 25 interactions are fewer than the error-rate criterion's 300.
            #expect(Self.samples(text, "liftoff_gate_criterion_verdict",
                                 ["criterion": "error_rate below 0.01", "verdict": "insufficient_data"]) == [1])
            #expect(Self.samples(text, "liftoff_gate_ready", ["phase": "internal"]) == [0])

            // Every sample belongs to a family announced with HELP and TYPE.
            let lines = text.split(separator: "\n")
            let typed = Set(lines.filter { $0.hasPrefix("# TYPE ") }.map { String($0.split(separator: " ")[2]) })
            let helped = Set(lines.filter { $0.hasPrefix("# HELP ") }.map { String($0.split(separator: " ")[2]) })
            for line in lines where !line.hasPrefix("#") {
                let name = String(line.prefix { $0 != "{" && $0 != " " })
                let family = ["_bucket", "_sum", "_count"].reduce(name) { name, suffix in
                    name.hasSuffix(suffix) && typed.contains(String(name.dropLast(suffix.count))) ? String(name.dropLast(suffix.count)) : name
                }
                #expect(typed.contains(family) && helped.contains(family), "\(name) has no TYPE or HELP")
            }
        }
    }

    @Test func labelValuesAndNumbersAreWrittenAsTheFormatSays() {
        var text = PrometheusText()
        text.family("liftoff_x", .gauge, help: "a\\b\nc")
        text.sample("liftoff_x", ["rule": #"say "hi"\ now"# + "\n"], 0.25)
        text.sample("liftoff_x", [:], .infinity)
        text.sample("liftoff_x", ["a": "b"], 3)
        #expect(text.text == """
            # HELP liftoff_x a\\\\b\\nc
            # TYPE liftoff_x gauge
            liftoff_x{rule="say \\"hi\\"\\\\ now\\n"} 0.25
            liftoff_x +Inf
            liftoff_x{a="b"} 3

            """)
    }
}
