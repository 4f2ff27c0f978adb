import Foundation
import LiftoffAPI
import Hummingbird
import HummingbirdTesting
import LiftoffCore
import Testing
@testable import LiftoffServer

/// Criteria and rules on one dimension value: a feature that regresses while the phase average holds is
/// caught by its own rule, and a gate judges a feature on that feature's samples alone.
@Suite("Segment criteria and rules")
struct SegmentRuleTests {
    static let plan = try! PlanDecoder.decode(yaml: """
        rollout: ai-tutor
        dimensions:
          feature: { maxValues: 10 }
        phases:
          - name: alpha
            audience: { groups: { testers: [t-1, t-2] } }
            exit:
              criteria:
                - { metric: ai_response_relevance, feature: path_generation, above: 0.85, minSamples: 20 }
                - { metric: ai_response_relevance, above: 0.85, minSamples: 20 }
          - name: beta
            audience: { percentage: 100 }
        rollback:
          - { trigger: ai_response_relevance, feature: path_generation, when: below, threshold: 0.7, minSamples: 20, window: 15m }
        """)

    /// `count` scored calls of `feature`, every one with relevance `relevance`.
    static func calls(_ count: Int, feature: String, relevance: Double, user: String = "t-1") -> String {
        let events = (0..<count).map { _ in
            #"{"type":"ai_interaction","userId":"\#(user)","feature":"\#(feature)","latencyMs":300,"outcome":"ok","relevance":\#(relevance)}"#
        }
        return #"{"events":[\#(events.joined(separator: ","))]}"#
    }

    @Test func aFeatureRegressionRollsBackWhileThePhaseAverageHolds() async throws {
        let server = try await TestServer(plan: Self.plan)
        let built = try await server.build()
        let guardrails = built.guardrails
        try await built.application.test(.router) { client in
            // 200 good calls of other features, 40 bad ones of path generation: the phase's relevance is 0.87.
            _ = try await client.request(.post, "/v1/events", json: Self.calls(200, feature: "code_analysis", relevance: 0.95))
            _ = try await client.request(.post, "/v1/events", json: Self.calls(40, feature: "path_generation", relevance: 0.45))
            let whole = try await client.request(.get, "/v1/metrics?window=15m&names=ai_response_relevance")
            #expect(abs((whole.metric("ai_response_relevance")?.value ?? 0) - (200 * 0.95 + 40 * 0.45) / 240) < 1e-9)
            await guardrails.tick()
            let rollout = try await RolloutAPITests.rollout(client)
            #expect(rollout.status.rawValue == "rolled_back", "the feature's own rule caught what the average hides")
            let alerts = try await client.request(.get, "/v1/alerts", key: TestServer.keys[.read]).decode(AlertList.self).alerts
            let alert = try #require(alerts.first { $0.rule == "rollback[0]" })
            #expect(alert.labels["feature"] == "path_generation")
            #expect(alert.annotations["summary"] == "ai_response_relevance [feature=path_generation] below 0.7 over 15m")
            #expect(alert.annotations["samples"] == "40")
            let rules = try await client.request(.get, "/v1/guardrails", key: TestServer.keys[.read]).decode(GuardrailsView.self).rules
            #expect(rules.first { $0.id == "rollback[0]" }?.segment == "feature=path_generation")
        }
    }

    @Test func theGateJudgesAFeatureOnItsOwnSamples() async throws {
        let server = try await TestServer(plan: Self.plan)
        try await server.withClient { client in
            _ = try await client.request(.post, "/v1/events", json: Self.calls(100, feature: "code_analysis", relevance: 0.95))
            _ = try await client.request(.post, "/v1/events", json: Self.calls(10, feature: "path_generation", relevance: 0.95))
            let gate = try await RolloutAPITests.rollout(client).gate
            let feature = try #require(gate.criteria.first { $0.segment == "feature=path_generation" })
            #expect(feature.samples == 10)
            #expect(feature.verdict == .insufficientData, "10 of the 20 samples the criterion needs")
            let everyone = try #require(gate.criteria.first { $0.segment == nil })
            #expect(everyone.samples == 110)
            #expect(gate.unmet.contains { $0.contains("[feature=path_generation]") })
        }
    }

    @Test func aSegmentNeedsADeclaredDimension() {
        do {
            _ = try PlanDecoder.decode(yaml: """
                rollout: r
                phases:
                  - name: alpha
                    audience: { percentage: 100 }
                    exit:
                      criteria:
                        - { metric: ai_response_relevance, feature: path_generation, above: 0.85 }
                rollback:
                  - { trigger: error_rate, feature: a, region: eu, threshold: 0.1 }
                """)
            Issue.record("accepted")
        } catch {
            let text = "\(error)"
            #expect(text.contains("line 7, column 53: phases[0].exit.criteria[0].feature: the plan does not declare the dimension feature"))
            #expect(text.contains("rollback[0]: names feature and region; a criterion or rule watches one dimension value"))
        }
    }
}
