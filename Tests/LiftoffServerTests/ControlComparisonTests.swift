import Foundation
import LiftoffAPI
import HummingbirdTesting
import LiftoffCore
import Testing
@testable import LiftoffServer

/// A rollback trigger that holds treatment against control (`versus: control`), through the real evaluator,
/// store and HTTP API.
@Suite("Guardrails: treatment against control")
struct ControlComparisonTests {
    static let plan = try! PlanDecoder.decode(yaml: """
        rollout: ai-tutor
        phases:
          - name: internal
            audience: { groups: { developers: [dev-1, dev-2] } }
          - name: full
            audience: { percentage: 100 }
        rollback:
          - { trigger: error_rate, threshold: 0.02, minSamples: 20, versus: control, factor: 2, controlWindow: 1h }
        alerts: { errorRateSpike: false, costAnomaly: false }
        """)

    /// `count` calls by `user`, the first `errors` of them API errors.
    static func calls(_ count: Int, errors: Int, user: String) -> String {
        let events = (0..<count).map { index in
            #"{"type":"ai_interaction","userId":"\#(user)","latencyMs":500,"outcome":"\#(index < errors ? "api_error" : "ok")"}"#
        }
        return #"{"events":[\#(events.joined(separator: ","))]}"#
    }

    static func rule(_ client: some TestClientProtocol) async throws -> RuleView {
        let rules = try await client.request(.get, "/v1/guardrails", key: TestServer.keys[.read]).decoded(GuardrailsView.self)?.rules ?? []
        return try #require(rules.first { $0.id == "rollback[0]" })
    }

    @Test func treatmentFailingFarMoreThanControlRollsBack() async throws {
        let server = try await TestServer(plan: Self.plan)
        let built = try await server.build()
        let guardrails = built.guardrails
        try await built.application.test(.router) { client in
            // Treatment alone, without control traffic: nothing to compare with, no verdict.
            _ = try await client.request(.post, "/v1/events", json: Self.calls(40, errors: 8, user: "dev-1"))
            await guardrails.tick()
            #expect(try await Self.rule(client).state == "inactive")
            #expect(try await RolloutAPITests.rollout(client).status.rawValue == "running")

            // Control (users outside the rollout) fails 1 call in 200; treatment 8 in 40.
            _ = try await client.request(.post, "/v1/events", json: Self.calls(200, errors: 1, user: "member-1"))
            await guardrails.tick()
            #expect(try await RolloutAPITests.rollout(client).status.rawValue == "rolled_back")
            let alerts = try await client.request(.get, "/v1/alerts", key: TestServer.keys[.read]).decoded(AlertList.self)?.alerts ?? []
            let annotations = try #require(alerts.first { $0.rule == "rollback[0]" }?.annotations)
            #expect(annotations["value"] == "0.2")
            #expect(annotations["control"] == "0.005")
            #expect(annotations["controlSamples"] == "200")
            #expect(annotations["summary"] == "error_rate above 2× control's (last 1h) over 5m (and above 0.02)")
            #expect(annotations["actions"] == "rollback")
            let incidents = try await client.request(.get, "/v1/incidents", key: TestServer.keys[.read]).decoded(IncidentList.self)?.incidents ?? []
            let id = try #require(incidents.first?.id)
            let incident = try await client.request(.get, "/v1/incidents/\(id)", key: TestServer.keys[.read]).decode(IncidentReport.self)
            #expect(incident.control?.samples == 200)
            #expect(incident.control?.value == 0.005)
            let markdown = try await client.request(.get, "/v1/incidents/\(id)?format=md", key: TestServer.keys[.read])
            #expect(String(buffer: markdown.body).contains("- **Control** (the comparison's window): 0.005 from 200 samples"))
        }
    }

    @Test func anOutageHittingControlTooIsNotTheNewExperiencesFault() async throws {
        let server = try await TestServer(plan: Self.plan)
        let built = try await server.build()
        let guardrails = built.guardrails
        try await built.application.test(.router) { client in
            _ = try await client.request(.post, "/v1/events", json: Self.calls(200, errors: 40, user: "member-1"))
            _ = try await client.request(.post, "/v1/events", json: Self.calls(40, errors: 8, user: "dev-1"))
            await guardrails.tick()
            let rule = try await Self.rule(client)
            #expect(rule.state == "inactive")
            #expect(rule.judgement == "clear")
            #expect(rule.summary == "error_rate above 2× control's (last 1h) over 5m (and above 0.02)")
            let versus = try #require(rule.versus)
            #expect(versus.variant == "control" && versus.factor == 2 && versus.window == "1h")
            #expect(rule.control?.samples == 200)
            #expect(rule.control?.value == 0.2)
            #expect(try await RolloutAPITests.rollout(client).status.rawValue == "running")
        }
    }
}
