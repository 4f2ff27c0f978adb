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

    /// A label says the threshold in the metric's unit, as a page or chat message reads it; shares and counts
    /// read as plain numbers.
    @Test func labelsCarryTheUnit() {
        #expect(Rule(id: "r", kind: .rollback, metric: .responseTimeP95, threshold: 3000, actions: []).label
                == "response_time.p95 above 3000 ms over 5m")
        #expect(Rule(id: "r", kind: .adjustment, metric: .apiCosts, threshold: 50, window: 86_400, actions: []).label
                == "api_costs above 50 USD over 1d")
        #expect(Rule(id: "r", kind: .rollback, metric: .errorRate, threshold: 0.05, actions: []).label == "error_rate above 0.05 over 5m")
        #expect(Rule(id: "r", kind: .rollback, metric: .criticalSecurityIssues, threshold: 0, actions: []).label
                == "critical_security_issues above 0 over 5m")
    }

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

    @Test func controlComparisonNeedsTreatmentWorseThanControlAndAboveTheFloor() {
        let rule = Rule(id: "v", kind: .rollback, metric: .errorRate, threshold: 0.02, minSamples: 20, actions: ["rollback"],
                        versusControl: Rule.VersusControl(window: 3600, factor: 2))
        let control = MetricValue(value: 6.0 / 1200, samples: 1200, successes: 6)
        // 12 errors in 100 calls against control's 6 in 1,200: worse than twice control (p ≈ 6e-7) and above 2%.
        let spike = MetricValue(value: 0.12, samples: 100, successes: 12)
        #expect(RuleEngine.judge(rule, spike, control: control) == .breach(compared: MonitoringBound.rateLower(successes: 12, trials: 100)!))
        // 2 in 100 is within what twice control's rate gives by chance.
        #expect(RuleEngine.judge(rule, MetricValue(value: 0.02, samples: 100, successes: 2), control: control)
            == .clear(compared: MonitoringBound.rateLower(successes: 2, trials: 100)!))
        // An outage that hits control as hard is not the new experience's fault.
        #expect(RuleEngine.judge(rule, spike, control: MetricValue(value: 0.1, samples: 1200, successes: 120))
            == .clear(compared: MonitoringBound.rateLower(successes: 12, trials: 100)!))
        // Far worse than control but not surely above the 2% floor: 3 of 30 against 0 of 1,200.
        #expect(RuleEngine.judge(rule, MetricValue(value: 0.1, samples: 30, successes: 3), control: MetricValue(value: 0, samples: 1200, successes: 0))
            == .clear(compared: MonitoringBound.rateLower(successes: 3, trials: 30)!))
        // No control, or too little of it: no verdict.
        #expect(RuleEngine.judge(rule, spike) == .insufficientData)
        #expect(RuleEngine.judge(rule, spike, control: MetricValue(value: 0, samples: 10, successes: 0)) == .insufficientData)
    }

    @Test func controlComparisonMatchesTheBinomialTail() {
        // Against scipy.stats.binom.sf(x - 1, x + y, F·n / (F·n + m)).
        let cases: [(Int, Int, Int, Int, Double, Double)] = [
            (12, 100, 6, 1200, 2, 5.75341784299889e-07), (8, 100, 6, 1200, 2, 0.0002315680596654764),
            (2, 100, 6, 1200, 2, 0.3201666458217726), (5, 50, 1, 50, 1, 0.109375), (30, 200, 40, 2000, 3, 0.00019271943977637238),
        ]
        for (x, n, y, m, factor, expected) in cases {
            let p = ControlComparison.pValue(treatment: (x, n), control: (y, m), factor: factor)
            #expect(abs(p - expected) <= expected * 1e-6, "x=\(x) n=\(n) y=\(y) m=\(m): \(p) vs \(expected)")
        }
        #expect(ControlComparison.pValue(treatment: (0, 100), control: (5, 100), factor: 1) == 1)
        #expect(ControlComparison.isWorse(treatment: (12, 100), control: (6, 1200), factor: 2))
        #expect(ControlComparison.isWorse(treatment: (8, 100), control: (6, 1200), factor: 2))
        #expect(!ControlComparison.isWorse(treatment: (6, 100), control: (6, 1200), factor: 2))
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
