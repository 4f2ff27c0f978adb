import Foundation
import LiftoffCore
import Testing
@testable import LiftoffServer

/// What the overview charts across the rollout, from a plan alone.
@Suite("Overview model")
struct OverviewPageTests {
    @Test func keyChartsAreActiveUsersTheCriteriaAndTheRollbackTriggersEachOnce() throws {
        let plan = try PlanDecoder.decode(yaml: """
            rollout: r
            dimensions: { feature: { maxValues: 5 } }
            phases:
              - name: alpha
                audience: { percentage: 10 }
                exit:
                  criteria:
                    - { metric: error_rate, below: 0.01, minSamples: 100 }
                    - { metric: ai_response_relevance, feature: hints, above: 0.85, minSamples: 50 }
                    - { metric: ai_response_relevance, above: 0.9, minSamples: 50 }
              - name: full
                audience: { percentage: 100 }
            rollback:
              - { trigger: error_rate, threshold: 0.05 }
              - { trigger: error_rate, threshold: 0.02, versus: control, factor: 2 }
              - { trigger: response_time.p95, threshold: 5000 }
            """)
        let charted = OverviewPage.charted(phase: plan.phases[0], plan: plan)
        // error_rate's rollback line is already charted by its criterion; the comparison with control is the
        // two lines themselves.
        #expect(charted.map { "\($0.metric.rawValue)\($0.segment.map { "[\($0)]" } ?? "")" }
            == ["active_users", "error_rate", "ai_response_relevance[feature=hints]", "ai_response_relevance", "response_time.p95"])
        #expect(charted.map(\.threshold) == [nil, 0.01, 0.85, 0.9, 5000])
        let many = (0..<20).map { "        - { metric: error_rate, below: 0.\($0 + 10), minSamples: 1, feature: f\($0) }" }.joined(separator: "\n")
        let crowded = try PlanDecoder.decode(yaml: """
            rollout: r
            dimensions: { feature: { maxValues: 50 } }
            phases:
              - name: alpha
                audience: { percentage: 10 }
                exit:
                  criteria:
            \(many)
            """)
        #expect(OverviewPage.charted(phase: crowded.phases[0], plan: crowded).count == OverviewPage.maxKeyCharts)
    }
}
