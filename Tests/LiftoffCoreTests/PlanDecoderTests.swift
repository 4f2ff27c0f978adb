import Foundation
import Testing
@testable import LiftoffCore

@Suite("Plan files")
struct PlanDecoderTests {
    static let examplePath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("examples/learning-platform.yml")

    func problems(_ yaml: String) -> [String] {
        do {
            _ = try PlanDecoder.decode(yaml: yaml)
            Issue.record("a broken plan was accepted")
            return []
        } catch {
            return error.problems.map(\.description)
        }
    }

    @Test func theExamplePlanEncodesTheSeed() throws {
        let plan = try PlanDecoder.decode(yaml: String(contentsOf: Self.examplePath, encoding: .utf8))
        #expect(plan.rollout == "ai-tutor")
        #expect(plan.phases.map(\.name) == ["internal", "alpha", "beta", "full"])
        let planned: [TimeInterval?] = [1_209_600, 2_419_200, 4_838_400, nil]
        #expect(plan.phases.map(\.plannedDuration) == planned)
        let first = plan.phases[0]
        #expect(first.audience.groups.map(\.name) == ["developers", "content-creators", "education-specialists"])
        #expect(first.audience.groups.map(\.members.count) == [5, 3, 2])
        let criteria = first.exit!.criteria
        #expect(criteria.contains(Criterion(metric: .responseTimeP95, comparator: .below, threshold: 3000, window: 86_400, minSamples: 100)))
        #expect(criteria.contains { $0.metric == .errorRate && $0.comparator == .below && $0.threshold == 0.01 })
        #expect(criteria.contains { $0.metric == .aiResponseRelevance && $0.comparator == .above && $0.threshold == 0.90 })
        #expect(criteria.contains { $0.metric == .criticalSecurityIssues && $0.comparator == .atMost && $0.threshold == 0 })
        #expect(plan.phases[1].audience.invite == Audience.Invite(min: 20, max: 30))
        #expect(plan.phases[2].audience.waitlist == Audience.Waitlist(cap: 200, batch: 25, min: 100))
        #expect(plan.phases[2].exit!.checklist == ["Performance optimization complete", "Cost optimization implemented",
                                                   "Security audit passed", "Documentation updated", "Support system in place"])
        #expect(plan.phases[3].audience.percentage == 100)
        #expect(plan.pricing.prices["gpt-4o-mini"] == ModelPrice(input: 0.15, output: 0.60, cachedInput: 0.075))
        #expect(plan.config["maxTokens"] == .number(1024))
        let rules = plan.guardrails.rules
        #expect(rules.map(\.id) == ["adjustments[0]", "adjustments[1]", "rollback[0]", "rollback[1]", "rollback[2]", "rollback[3]",
                                    "rollback[4]", "rollback[5]", "rollback[6]", "scaling.costThreshold", "scaling.errorRate", "scaling.responseTime", "scaling.users",
                                    "alerts.errorRateSpike", "alerts.costAnomaly", "alerts.security.critical", "alerts.security.high",
                                    "alerts.security.medium", "alerts.security.low"])
        #expect(rules[0].metric == .responseTimeP95 && rules[0].threshold == 3000 && rules[0].actions == ["scale_resources"])
        #expect(rules[1].metric == .tokenUsage && rules[1].window == 1800 && rules[1].actions == ["optimize_prompts"])
        #expect(rules[2].metric == .errorRate && rules[2].threshold == 0.05 && rules[2].actions == ["rollback"] && rules[2].severity == .critical)
        #expect(rules[4].metric == .criticalSecurityIssues && rules[4].minSamples == 0)
        #expect(rules[6].metric == .aiResponseRelevance && rules[6].when == .below && rules[6].window == 900)
        #expect(rules[7].metric == .errorRate && rules[7].threshold == 0.02 && rules[7].window == 300
            && rules[7].versusControl == Rule.VersusControl(window: 3600, factor: 2) && rules[7].actions == ["rollback"])
        #expect(rules[2].versusControl == nil)
        #expect(rules[8].metric == .aiResponseRelevance && rules[8].segment == Segment(.feature, "learning_path_generation")
            && rules[8].threshold == 0.75 && rules[8].minSamples == 20 && rules[8].actions == ["rollback"])
        #expect(rules[9].metric == .apiCosts && rules[9].window == 86_400)
        #expect(rules[11].metric == .responseTimeP95 && rules[11].window == 900)
        #expect(plan.guardrails.actions["scale_resources"] == .webhook(url: "https://infra.example/scale", secret: "change-me"))
        #expect(plan.guardrails.actions["optimize_prompts"] == .set(values: ["promptProfile": .string("economy"), "maxTokens": .number(512)], sticky: false))
        #expect(plan.guardrails.routes == [AlertRoute(url: "https://hooks.example/alerts", format: .alertmanager, minSeverity: .warning)])
    }

    @Test func theIssueExampleDecodes() throws {
        let plan = try PlanDecoder.decode(yaml: """
            rollout: ai-tutor
            config: { promptProfile: standard, maxTokens: 1024 }
            pricing: { gpt-4o-mini: { input: 0.15, output: 0.60 } }
            phases:
              - name: internal
                plannedDuration: 14d
                audience:
                  groups: { developers: [dev-1, dev-2], education-specialists: [edu-1] }
                exit:
                  minDuration: 7d
                  promotion: manual
                  criteria:
                    - { metric: response_time.p95, below: 3000, window: 24h, minSamples: 100 }
                    - { metric: error_rate, below: 0.01 }
                    - { metric: ai_response_relevance, above: 0.90 }
                    - { metric: critical_security_issues, atMost: 0 }
                  checklist: [security review done]
              - name: alpha
                plannedDuration: 28d
                audience: { invite: { min: 20, max: 30 } }
              - name: beta
                plannedDuration: 56d
                audience: { waitlist: { cap: 200, batch: 25 } }
              - name: full
                audience: { percentage: 100 }
            """)
        #expect(plan.phases.count == 4)
        #expect(plan.phases[0].exit?.criteria.count == 4)
        #expect(plan.phases[0].exit?.criteria[1].window == nil)
        #expect(plan.config == ["promptProfile": .string("standard"), "maxTokens": .number(1024)])
    }

    @Test func brokenPlansSayWhereAndWhat() {
        #expect(problems("""
            rollout: t
            phases:
              - name: a
                audience: { groups: { g: [u] } }
                exit:
                  criteria:
                    - { metric: happiness, below: 3 }
                    - { metric: error_rate, under: 0.1 }
                    - { metric: error_rate, below: 0.1, above: 0.01 }
                    - { metric: error_rate, below: low }
              - name: a
                audience: { percentage: 150 }
            """) == [
            "line 7, column 21: phases[0].exit.criteria[0].metric: unknown metric 'happiness'",
            "line 8, column 11: phases[0].exit.criteria[1]: needs one comparator: below, above, atMost, atLeast",
            "line 8, column 33: phases[0].exit.criteria[1].under: unknown field; expected one of metric, window, minSamples, below, above, atMost, atLeast, feature, model, skillLevel, region",
            "line 9, column 11: phases[0].exit.criteria[2]: has 2 comparators (below, above); give exactly one",
            "line 10, column 40: phases[0].exit.criteria[3].below: expected a number, got 'low'",
            "line 11, column 5: phases[1].name: duplicate phase 'a' (also phases[0])",
            "line 12, column 29: phases[1].audience.percentage: must be between 0 and 100",
        ])
    }

    @Test func missingAndMistypedFields() {
        #expect(problems("phases: []\n") == [
            "line 1, column 1: rollout: required",
            "line 1, column 9: phases: at least one phase is required",
        ])
        #expect(problems("rollout: t\nphases:\n  - name: a\n") == ["line 3, column 5: phases[0].audience: required"])
        #expect(problems("rollout: t\nphases: nope\n") == ["line 2, column 9: phases: expected a list, got 'nope'"])
        #expect(problems("rollout: t\nphases:\n  - name: a\n    plannedDuration: 2 weeks\n    audience: { invite: { max: many } }\n") == [
            "line 4, column 22: phases[0].plannedDuration: '2 weeks' is not a duration such as 0s, 90s, 5m, 24h, 14d",
            "line 5, column 32: phases[0].audience.invite.max: expected a whole number, got 'many'",
        ])
        #expect(problems("rollout: t\nrollout: u\nphases: []\n").first?.contains("duplicate key 'rollout'") == true)
        #expect(problems("rollout: [\n") .first?.hasPrefix("line 2") == true)
        #expect(problems("") == ["line 1, column 1: the plan file is empty"])
    }

    /// Plans people write: anchors kept under an `x-` key, merged with `<<`, and overridden beside it.
    @Test func mergeKeysAndExtensionKeys() throws {
        let plan = try PlanDecoder.decode(yaml: """
            rollout: t
            x-criteria:
              hourly: &hourly { window: 1h, minSamples: 100 }
              strict: &strict { minSamples: 500 }
            x-owner: launch-team
            phases:
              - name: alpha
                audience: { invite: { min: 20, max: 30 } }
                exit:
                  criteria:
                    - { <<: *hourly, metric: error_rate, below: 0.01 }
                    - <<: *hourly
                      metric: user_satisfaction
                      atLeast: 4
                      minSamples: 30
                    - { <<: [*strict, *hourly], metric: response_time.p95, below: 3000 }
              - name: full
                audience: { percentage: 100 }
            """)
        let criteria = plan.phases[0].exit!.criteria
        #expect(criteria[0] == Criterion(metric: .errorRate, comparator: .below, threshold: 0.01, window: 3600, minSamples: 100))
        // A key written beside the merge wins over the merged one.
        #expect(criteria[1] == Criterion(metric: .userSatisfaction, comparator: .atLeast, threshold: 4, window: 3600, minSamples: 30))
        // In a list of merged mappings, the earlier one wins.
        #expect(criteria[2] == Criterion(metric: .responseTimeP95, comparator: .below, threshold: 3000, window: 3600, minSamples: 500))
        // `x-` is allowed at the top only; elsewhere an unknown key is still an error.
        #expect(problems("rollout: t\nphases:\n  - name: a\n    x-note: hi\n    audience: { percentage: 5 }\n")
            == ["line 4, column 5: phases[0].x-note: unknown field; expected one of name, plannedDuration, audience, exit"])
        // A merged key the field does not know is reported too, as merged in.
        #expect(problems("rollout: t\nx-bad: &bad { colour: red }\nphases:\n  - name: a\n    <<: *bad\n    audience: { percentage: 5 }\n")
            == ["line 2, column 15: phases[0].colour: unknown field (merged in); expected one of name, plannedDuration, audience, exit"])
    }

    /// A duplicate key is reported where the second one stands: that is the line to delete.
    @Test func duplicateKeysPointAtTheSecondOccurrence() {
        #expect(problems("rollout: t\nphases:\n  - name: a\n    audience: { percentage: 5 }\n    name: b\n")
            == ["line 5, column 5: duplicate key 'name' (first at line 3, column 5)"])
        #expect(problems("rollout: t\nrollout: u\nphases: []\n") == ["line 2, column 1: duplicate key 'rollout' (first at line 1, column 1)"])
        #expect(problems("rollout: t\nphases:\n  - { name: a, audience: { percentage: 5 }, name: b }\n")
            == ["line 3, column 45: duplicate key 'name' (first at line 3, column 7)"])
    }

    @Test func brokenGuardrailsSayWhereAndWhat() {
        #expect(problems("""
            rollout: t
            phases:
              - name: a
                audience: { percentage: 1 }
            adjustments:
              - { trigger: latency, threshold: 3000, action: scale }
              - { trigger: error_rate, threshold: 0.1 }
            rollback:
              - { trigger: error_rate, threshold: 0.05, window: 0s, severity: fatal }
            actions:
              scale: { webhook: { url: "ftp://x", secret: s } }
              pause: { set: { a: 1 } }
            """) == [
            "line 6, column 16: adjustments[0].trigger: unknown metric 'latency'",
            // The action's URL is invalid, so the action does not exist either.
            "line 6, column 50: adjustments[0].action: unknown action 'scale'; known actions: notify, pause, rollback, start_admissions, stop_admissions",
            "line 7, column 5: adjustments[1].action: required",
            "line 9, column 53: rollback[0].window: must be longer than 0s",
            "line 9, column 67: rollback[0].severity: 'fatal' is not one of info, warning, critical",
            "line 11, column 28: actions.scale.webhook.url: 'ftp://x' is not an http(s) URL",
            "line 12, column 10: actions.pause: 'pause' is a built-in action and cannot be redefined",
        ])
    }

    @Test func comparisonsWithControlSayWhatIsWrong() {
        #expect(problems("""
            rollout: t
            phases:
              - name: a
                audience: { percentage: 1 }
            rollback:
              - { trigger: error_rate, threshold: 0.02, versus: control }
              - { trigger: error_rate, threshold: 0.02, versus: treatment }
              - { trigger: response_time.p95, threshold: 5000, versus: control }
              - { trigger: completion_rate, threshold: 0.5, when: below, versus: control }
              - { trigger: error_rate, threshold: 0.02, factor: 3 }
              - { trigger: error_rate, threshold: 0.02, versus: control, factor: 0.5, controlWindow: 0s }
            """) == [
            "line 7, column 53: rollback[1].versus: 'treatment' cannot be compared with; the one comparison is 'versus: control'",
            "line 8, column 60: rollback[2].versus: compares rates (error_rate, timeout_rate, …); 'response_time.p95' is a statistic",
            "line 9, column 55: rollback[3].when: a comparison with control watches rates that must stay low: 'above' only",
            "line 10, column 53: rollback[4].factor: only with 'versus: control'",
            "line 11, column 70: rollback[5].factor: must be at least 1",
            "line 11, column 90: rollback[5].controlWindow: must be longer than 0s",
        ])
        let plan = try? PlanDecoder.decode(yaml: """
            rollout: t
            phases:
              - name: a
                audience: { percentage: 1 }
            rollback:
              - { trigger: timeout_rate, threshold: 0.01, versus: control }
            """)
        #expect(plan?.guardrails.rules.first?.versusControl == Rule.VersusControl(window: 3600, factor: 2))
        #expect(plan?.guardrails.rules.first?.label == "timeout_rate above 2× control's (last 1h) over 5m (and above 0.01)")
    }

    @Test func comparatorsHold() {
        #expect(Criterion.Comparator.below.holds(1, 2) && !Criterion.Comparator.below.holds(2, 2))
        #expect(Criterion.Comparator.atMost.holds(2, 2) && Criterion.Comparator.atLeast.holds(2, 2))
        #expect(Criterion.Comparator.above.holds(3, 2) && !Criterion.Comparator.above.holds(2, 2))
    }
}
