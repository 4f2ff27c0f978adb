import Foundation
import LiftoffCore
import Testing
@testable import LiftoffServer

/// The metrics page's ranges and the lines it draws, from a plan and a clock alone.
@Suite("Metrics page model")
struct MetricsPageTests {
    static let now = Date(timeIntervalSince1970: 1_795_000_000)

    @Test func rangesCoverWhatTheySayAtAboutSixtyPoints() {
        let phaseStart = Self.now.addingTimeInterval(-5 * 3600), rolloutStart = Self.now.addingTimeInterval(-10 * 86_400)
        let scope = { (range: MetricsPage.Range) in
            MetricsPage.Scope(range: range, phase: "beta", phaseStart: phaseStart, rolloutStart: rolloutStart, now: Self.now)
        }
        #expect(scope(.hour).start == Self.now.addingTimeInterval(-3600) && scope(.hour).step == 60)
        #expect(scope(.day).step == 1440 && scope(.day).text == "phase beta, last 24h")
        #expect(scope(.phase).start == phaseStart && scope(.phase).step == 300)
        // A week over a phase of five hours: the sparklines cover the five hours (24 points of 12.5 minutes → 13).
        #expect(scope(.week).observed.start == phaseStart && scope(.week).sparklineStep == 780)
        // The whole rollout: every phase, ten days in 4-hour steps (60 points), 24 sparkline points of 10 hours.
        #expect(scope(.rollout).phase == nil && scope(.rollout).text == "every phase, whole rollout")
        #expect(scope(.rollout).start == rolloutStart && scope(.rollout).step == 14_400 && scope(.rollout).sparklineStep == 36_000)
        // A phase that started this second still spans a minute.
        let fresh = MetricsPage.Scope(range: .phase, phase: "beta", phaseStart: Self.now, rolloutStart: Self.now, now: Self.now)
        #expect(fresh.start == Self.now.addingTimeInterval(-60))
    }

    /// A criterion's line first, then a rule's; never a segment's line on the whole population's chart, nor a
    /// line that moves (a baseline or a comparison with control).
    @Test func thresholdsComeFromWholePopulationCriteriaThenRules() throws {
        let plan = try PlanDecoder.decode(yaml: """
            rollout: r
            dimensions: { feature: { maxValues: 5 } }
            phases:
              - name: alpha
                audience: { percentage: 10 }
                exit:
                  criteria:
                    - { metric: ai_response_relevance, feature: hints, above: 0.85, minSamples: 50 }
                    - { metric: ai_response_relevance, above: 0.9, minSamples: 50 }
                    - { metric: response_time, below: 3000, minSamples: 50 }
            rollback:
              - { trigger: error_rate, threshold: 0.02, versus: control, factor: 2 }
              - { trigger: error_rate, threshold: 0.05 }
              - { trigger: user_satisfaction, feature: hints, threshold: 3, when: below }
            """)
        let line = { (metric: Metric) in MetricsPage.threshold(metric, phase: plan.phases[0], plan: plan) }
        #expect(line(.aiResponseRelevance) == 0.9)
        #expect(line(.responseTimeP95) == 3000)
        #expect(line(.errorRate) == 0.05)
        #expect(line(.userSatisfaction) == nil)
        #expect(line(.apiCosts) == nil)
    }
}
