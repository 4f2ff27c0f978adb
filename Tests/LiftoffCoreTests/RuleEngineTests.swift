import Foundation
import Testing
@testable import LiftoffCore

@Suite("Rule state machine")
struct RuleEngineTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    func run(_ rule: Rule, _ judgements: [RuleJudgement], step: TimeInterval = 1) -> [RuleTransition] {
        var state = RuleState()
        var transitions: [RuleTransition] = []
        for (index, judgement) in judgements.enumerated() {
            let (next, transition) = RuleEngine.advance(rule, state, judgement, now: start.addingTimeInterval(Double(index) * step))
            state = next
            transitions.append(transition)
        }
        return transitions
    }

    let breach = RuleJudgement.breach(compared: 1)
    let clear = RuleJudgement.clear(compared: 0)

    @Test func firesAtOnceWithoutFor() {
        let rule = Rule(id: "r", kind: .rollback, metric: .errorRate, threshold: 0.05, actions: ["rollback"])
        #expect(run(rule, [clear, breach, breach, clear]) == [.none, .fired(acted: true), .none, .resolved])
    }

    @Test func pendingForTheForDuration() {
        let rule = Rule(id: "r", kind: .adjustment, metric: .responseTimeP95, threshold: 3000, forDuration: 2, actions: [])
        #expect(run(rule, [breach, breach, breach, breach]) == [.pending, .none, .fired(acted: true), .none])
        // A clear observation while pending starts over.
        #expect(run(rule, [breach, clear, breach, breach, breach]) == [.pending, .none, .pending, .none, .fired(acted: true)])
    }

    @Test func keepFiringForStopsFlapping() {
        let rule = Rule(id: "r", kind: .adjustment, metric: .responseTimeP95, threshold: 3000, keepFiringFor: 3, actions: [])
        #expect(run(rule, [breach, clear, clear, breach, clear, clear, clear]) == [.fired(acted: true), .none, .none, .none, .none, .none, .resolved])
    }

    @Test func cooldownHoldsActionsBack() {
        let rule = Rule(id: "r", kind: .adjustment, metric: .responseTimeP95, threshold: 3000, cooldown: 10, actions: ["scale"])
        #expect(run(rule, [breach, clear, breach, clear, breach], step: 4)
            == [.fired(acted: true), .resolved, .fired(acted: false), .resolved, .fired(acted: true)])
    }

    @Test func insufficientDataNeverFires() {
        let rule = Rule(id: "r", kind: .rollback, metric: .errorRate, threshold: 0.05, minSamples: 20, actions: ["rollback"])
        #expect(RuleEngine.judge(rule, MetricValue(value: 1, samples: 19, successes: 19)) == .insufficientData)
        #expect(run(rule, Array(repeating: .insufficientData, count: 5)) == Array(repeating: .none, count: 5))
    }

    @Test func ratesUseTheMonitoringBound() {
        let rule = Rule(id: "r", kind: .rollback, metric: .errorRate, threshold: 0.05, minSamples: 20, actions: ["rollback"])
        // 4 of 20 is 20%, but at 99.9% the exact lower bound (2.3%) is under 5%: not yet evidence of a spike.
        guard case .clear(let lower) = RuleEngine.judge(rule, MetricValue(value: 0.2, samples: 20, successes: 4)) else {
            Issue.record("4/20 should not breach")
            return
        }
        #expect(abs(lower - 0.0229) < 1e-3)
        #expect(RuleEngine.judge(rule, MetricValue(value: 0.4, samples: 20, successes: 8))
            == .breach(compared: MonitoringBound.rateLower(successes: 8, trials: 20)!))
        let below = Rule(id: "q", kind: .adjustment, metric: .completionRate, threshold: 0.5, when: .below, minSamples: 10, actions: [])
        #expect(RuleEngine.judge(below, MetricValue(value: 0.2, samples: 50, successes: 10))
            == .breach(compared: MonitoringBound.rateUpper(successes: 10, trials: 50)!))
    }

    @Test func quantilesUseTheirOrderStatisticBound() {
        let rule = Rule(id: "p", kind: .rollback, metric: .responseTimeP95, threshold: 5000, minSamples: 20, actions: ["rollback"])
        // p95 reads 6 s but its lower bound is 4 s: not yet above 5 s.
        #expect(RuleEngine.judge(rule, MetricValue(value: 6000, samples: 50, lowerBound: 4000)) == .clear(compared: 4000))
        #expect(RuleEngine.judge(rule, MetricValue(value: 9000, samples: 50, lowerBound: 5500)) == .breach(compared: 5500))
        // Too few samples for a lower bound: no verdict, whatever the point estimate.
        #expect(RuleEngine.judge(rule, MetricValue(value: 9000, samples: 50)) == .insufficientData)
    }

    @Test func spendIsComparedPerSecondOfTraffic() {
        let anomaly = Rule(id: "c", kind: .alert, metric: .apiCosts, threshold: 1, window: 3600, minSamples: 0, actions: [],
                           baseline: Rule.Baseline(window: 86_400, factor: 2))
        // The day before: two hours of traffic at $3/h, then six hours of none. The last hour: $3 again.
        let day = MetricValue(value: 6, samples: 2400, activeSeconds: 7200)
        let hour = MetricValue(value: 3, samples: 1200, activeSeconds: 3600)
        #expect(RuleEngine.judge(anomaly, hour, baseline: day, baselineSeconds: 8 * 3600) == .clear(compared: 3.0 / 3600))
        // Per wall second of the baseline, the same hour would have looked four times the average.
        #expect(RuleEngine.judge(anomaly, hour, baseline: MetricValue(value: 6, samples: 2400), baselineSeconds: 8 * 3600)
            == .breach(compared: 3.0 / 3600))
        // A doubled spend per call is an anomaly either way; under the $1 floor nothing is.
        #expect(RuleEngine.judge(anomaly, MetricValue(value: 7, samples: 1200, activeSeconds: 3600), baseline: day, baselineSeconds: 8 * 3600)
            == .breach(compared: 7.0 / 3600))
        #expect(RuleEngine.judge(anomaly, MetricValue(value: 0.9, samples: 10, activeSeconds: 600), baseline: MetricValue(value: 0.01, samples: 2, activeSeconds: 120))
            == .clear(compared: 0.9 / 600))
    }

    @Test func countsCompareTheValue() {
        let rule = Rule(id: "s", kind: .rollback, metric: .criticalSecurityIssues, threshold: 0, actions: ["rollback"])
        #expect(RuleEngine.judge(rule, MetricValue(value: 0, samples: 0)) == .clear(compared: 0))
        #expect(RuleEngine.judge(rule, MetricValue(value: 1, samples: 1)) == .breach(compared: 1))
    }

    @Test func baselinesAreAFactorAboveThePastAndAFloor() {
        let spike = Rule(id: "s", kind: .alert, metric: .errorRate, threshold: 0.02, minSamples: 50, actions: [],
                         baseline: Rule.Baseline(window: 3600, factor: 2))
        let calm = MetricValue(value: 0.01, samples: 1000, successes: 10)
        // 6% of 400: lower bound 3.0% at 99.9%, above twice the 1% baseline and the 2% floor.
        guard case .breach = RuleEngine.judge(spike, MetricValue(value: 0.06, samples: 400, successes: 24), baseline: calm) else {
            Issue.record("6% against a 1% baseline should breach")
            return
        }
        // The same window against a 3% baseline is business as usual.
        #expect(RuleEngine.judge(spike, MetricValue(value: 0.06, samples: 400, successes: 24), baseline: MetricValue(value: 0.03, samples: 1000, successes: 30))
            == .clear(compared: MonitoringBound.rateLower(successes: 24, trials: 400)!))
        // Without a baseline of its own minimum sample, no verdict.
        #expect(RuleEngine.judge(spike, MetricValue(value: 0.5, samples: 400, successes: 200), baseline: MetricValue(value: 0, samples: 10, successes: 0)) == .insufficientData)
        #expect(RuleEngine.judge(spike, MetricValue(value: 0.5, samples: 400, successes: 200), baseline: nil) == .insufficientData)
        // Totals are compared per second: 2 USD in an hour against 0.36 USD over three hours.
        let cost = Rule(id: "c", kind: .alert, metric: .apiCosts, threshold: 1, window: 3600, minSamples: 0, actions: [],
                        baseline: Rule.Baseline(window: 86_400, factor: 2))
        let judged = RuleEngine.judge(cost, MetricValue(value: 2, samples: 4), baseline: MetricValue(value: 0.36, samples: 36), baselineSeconds: 10_800)
        #expect(judged == .breach(compared: 2.0 / 3600))
    }

    /// Property: whatever the sequence of observations, a rule whose metric never has enough samples never fires.
    @Test func neverFiresBelowItsMinimumSample() {
        var random = SplitMix64(seed: 11)
        for _ in 0..<200 {
            let rule = Rule(id: "r", kind: .rollback, metric: .errorRate, threshold: Double.random(in: 0...0.5, using: &random),
                            minSamples: Int.random(in: 1...100, using: &random),
                            forDuration: Double(Int.random(in: 0...3, using: &random)), actions: ["rollback"])
            var state = RuleState()
            for step in 0..<50 {
                let samples = Int.random(in: 0..<rule.minSamples, using: &random)
                let errors = Int.random(in: 0...samples, using: &random)
                let value = MetricValue(value: samples > 0 ? Double(errors) / Double(samples) : nil, samples: samples, successes: errors)
                let (next, transition) = RuleEngine.advance(rule, state, RuleEngine.judge(rule, value), now: start.addingTimeInterval(Double(step)))
                #expect(next.phase == .inactive)
                #expect(transition == .none)
                state = next
            }
        }
    }
}
