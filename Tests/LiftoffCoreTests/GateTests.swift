import Foundation
import Testing
@testable import LiftoffCore

@Suite("Gate verdicts")
struct GateTests {
    @Test func wilsonBounds() {
        let none = Wilson.interval(successes: 0, trials: 25)!
        #expect(none.lowerBound == 0)
        #expect(abs(none.upperBound - 0.133_19) < 1e-4)
        let some = Wilson.interval(successes: 10, trials: 100)!
        #expect(abs(some.lowerBound - 0.055_2) < 1e-3 && abs(some.upperBound - 0.174_4) < 1e-3)
        #expect(Wilson.interval(successes: 0, trials: 0) == nil)
    }

    /// An alpha of 25 users: a rate criterion passes only once the sample proves it, not on luck, and fails
    /// only on evidence of a breach; in between the data cannot tell yet.
    @Test func rateCriteriaOnASmallCohort() {
        let criterion = Criterion(metric: .errorRate, comparator: .below, threshold: 0.01, minSamples: 100)
        // 25 users × 4 calls, no errors: the upper bound (3.7%) is still above 1%, the lower (0) below it.
        let early = CriterionResult(criterion: criterion, value: MetricValue(value: 0, samples: 100, successes: 0))
        #expect(early.verdict == .inconclusive)
        // At 0 errors, Wilson's upper bound z²/(n + z²) falls under 1% past n = 381: 281 more.
        #expect(early.samplesNeeded == 281)
        // 25 users × 20 calls, no errors: the bound (0.76%) is below 1%.
        let proven = CriterionResult(criterion: criterion, value: MetricValue(value: 0, samples: 500, successes: 0))
        #expect(proven.verdict == .pass)
        #expect(abs(proven.bound! - 0.007_625) < 1e-4)
        // 2 errors in 500: observed 0.4%, but the bound (1.45%) is above 1%: not proven either way.
        #expect(CriterionResult(criterion: criterion, value: MetricValue(value: 0.004, samples: 500, successes: 2)).verdict == .inconclusive)
        // 20 errors in 500 (4%): even the lower bound (2.6%) is above 1%: evidence of a breach, and no number
        // of further samples at 4% would pass it.
        let breached = CriterionResult(criterion: criterion, value: MetricValue(value: 0.04, samples: 500, successes: 20))
        #expect(breached.verdict == .fail)
        #expect(breached.samplesNeeded == nil)
        // Below the minimum sample: no verdict either way.
        #expect(CriterionResult(criterion: criterion, value: MetricValue(value: 0.5, samples: 20, successes: 10)).verdict == .insufficientData)
    }

    @Test func highIsGoodUsesTheLowerBound() {
        let criterion = Criterion(metric: .completionRate, comparator: .above, threshold: 0.5, minSamples: 10)
        #expect(CriterionResult(criterion: criterion, value: MetricValue(value: 0.6, samples: 20, successes: 12)).verdict == .inconclusive)
        #expect(CriterionResult(criterion: criterion, value: MetricValue(value: 0.25, samples: 20, successes: 5)).verdict == .fail)
        #expect(CriterionResult(criterion: criterion, value: MetricValue(value: 0.8, samples: 100, successes: 80)).verdict == .pass)
    }

    @Test func statisticsAndTotalsCompareTheValue() {
        let latency = Criterion(metric: .responseTimeP95, comparator: .below, threshold: 3000, minSamples: 100)
        #expect(CriterionResult(criterion: latency, value: MetricValue(value: 2900, samples: 100)).verdict == .pass)
        #expect(CriterionResult(criterion: latency, value: MetricValue(value: 3000, samples: 100)).verdict == .fail)
        #expect(CriterionResult(criterion: latency, value: MetricValue(value: 100, samples: 99)).verdict == .insufficientData)
        let security = Criterion(metric: .criticalSecurityIssues, comparator: .atMost, threshold: 0)
        #expect(security.minSamples == 0)
        #expect(CriterionResult(criterion: security, value: MetricValue(value: 0, samples: 0)).verdict == .pass)
        #expect(CriterionResult(criterion: security, value: MetricValue(value: 1, samples: 1)).verdict == .fail)
    }

    @Test func reportListsEveryUnmetCondition() throws {
        let plan = try PlanDecoder.decode(yaml: """
            rollout: t
            phases:
              - name: alpha
                audience: { invite: { min: 20, max: 30 } }
                exit:
                  minDuration: 7d
                  criteria:
                    - { metric: error_rate, below: 0.01, minSamples: 100 }
                    - { metric: critical_security_issues, atMost: 0 }
                  checklist: [security review done]
              - name: full
                audience: { percentage: 100 }
            """)
        let start = Date(timeIntervalSince1970: 0)
        let criteria = plan.phases[0].exit!.criteria
        let report = GateReport.judge(
            plan: plan, phaseIndex: 0, status: .running, phaseStart: start, now: start.addingTimeInterval(5 * 86_400),
            values: [criteria[0]: MetricValue(value: 0, samples: 40, successes: 0), criteria[1]: MetricValue(value: 0, samples: 0)],
            signOffs: [:], audienceSize: AudienceSize(invited: 12, admitted: 0))
        #expect(!report.ready)
        #expect(report.unmet == [
            "minimum duration: 2d remaining",
            "audience: 12 invited, at least 20 needed",
            "error_rate below 0.01: insufficient data (40 of 100 samples; observed 0, 95% interval 0 to 0.08762); about 341 more samples at this value",
            "checklist: 'security review done' is not signed",
        ])
        #expect(report.minDurationRemaining == 2 * 86_400)
        let ready = GateReport.judge(
            plan: plan, phaseIndex: 0, status: .running, phaseStart: start, now: start.addingTimeInterval(8 * 86_400),
            values: [criteria[0]: MetricValue(value: 0, samples: 600, successes: 0), criteria[1]: MetricValue(value: 0, samples: 0)],
            signOffs: ["security review done": ChecklistItemState(item: "security review done", signedBy: "ops", signedAt: start)],
            audienceSize: AudienceSize(invited: 25, admitted: 0))
        #expect(ready.ready, "\(ready.unmet)")
        let paused = GateReport.judge(
            plan: plan, phaseIndex: 0, status: .paused, phaseStart: start, now: start.addingTimeInterval(8 * 86_400),
            values: [:], signOffs: [:], audienceSize: AudienceSize(invited: 25, admitted: 0))
        #expect(paused.unmet.first == "the rollout is paused")
    }
}

@Suite("Flag decisions")
struct FlagEvaluatorTests {
    let plan = Plan(rollout: "ai-tutor", config: ["promptProfile": .string("standard")], phases: [
        PhasePlan(name: "internal", audience: Audience(groups: [.init(name: "developers", members: ["dev-1"])])),
        PhasePlan(name: "alpha", audience: Audience(invite: .init(min: 1, max: 2))),
        PhasePlan(name: "beta", audience: Audience(waitlist: .init(cap: 5, batch: 2))),
        PhasePlan(name: "full", audience: Audience(percentage: 100)),
    ])

    func decide(_ user: String, phase: Int, status: RolloutStatus = .running, membership: Membership = Membership()) -> FlagDecision {
        FlagEvaluator.decide(userId: user, plan: plan, phaseIndex: phase, status: status, membership: membership, config: plan.config)
    }

    @Test func reasons() {
        let membership = Membership(invited: ["inv": 1], admitted: ["wait": 2])
        #expect(decide("dev-1", phase: 0).reason == "group:developers")
        #expect(decide("dev-1", phase: 0).config == ["promptProfile": .string("standard")])
        #expect(decide("inv", phase: 0, membership: membership).reason == "not_in_audience")
        #expect(decide("inv", phase: 1, membership: membership).reason == "invited")
        #expect(decide("wait", phase: 2, membership: membership).reason == "waitlist")
        #expect(decide("stranger", phase: 2, membership: membership) == FlagDecision(enabled: false, phase: "beta", reason: "not_in_audience", config: [:]))
        #expect(decide("stranger", phase: 3).reason == "percentage")
        #expect(decide("stranger", phase: 3).variant == .treatment)
    }

    @Test func earlierPhasesKeepTheirUsers() {
        let membership = Membership(invited: ["inv": 1])
        #expect(decide("dev-1", phase: 2, membership: membership).reason == "group:developers")
        #expect(decide("inv", phase: 2, membership: membership).reason == "invited")
    }

    @Test func rollbackAndPause() {
        #expect(decide("dev-1", phase: 0, status: .rolledBack) == FlagDecision(enabled: false, phase: "internal", reason: "rolled_back", config: [:]))
        #expect(decide("dev-1", phase: 0, status: .paused).enabled)
        #expect(decide("stranger", phase: 0, status: .paused).reason == "paused")
    }
}
