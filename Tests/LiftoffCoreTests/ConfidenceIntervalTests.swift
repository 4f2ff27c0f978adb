import Foundation
import Testing
@testable import LiftoffCore

/// Every bound against a reference computed independently: scipy 1.17 (`stats.t`, `stats.norm`,
/// `stats.ttest_ind(equal_var=False).confidence_interval`, `stats.binom`) on the same fixed data, or exact
/// enumeration.
@Suite("Confidence intervals and verdicts")
struct ConfidenceIntervalTests {
    @Test func distributionsMatchScipy() {
        #expect(abs(StandardNormal.quantile(0.975) - 1.959_963_984_540_054) < 1e-9)
        #expect(abs(StandardNormal.quantile(0.9995) - 3.290_526_731_491_925_5) < 1e-9)
        #expect(abs(StudentT.quantile(0.975, degreesOfFreedom: 29) - 2.045_229_642_132_703) < 1e-7)
        #expect(abs(StudentT.quantile(0.975, degreesOfFreedom: 1) - 12.706_204_736_174_694) < 1e-6)
        #expect(abs(StudentT.quantile(0.9995, degreesOfFreedom: 3.5) - 10.204_828_631_656_21) < 1e-6)
    }

    /// The issue's case: `error_rate below 0.01` with 3 errors in 500 calls is not a failure.
    @Test func threeErrorsInFiveHundredAreInconclusive() {
        let criterion = Criterion(metric: .errorRate, comparator: .below, threshold: 0.01, minSamples: 100)
        let result = CriterionResult(criterion: criterion, value: MetricValue(value: 0.006, samples: 500, successes: 3))
        #expect(result.verdict == .inconclusive)
        // scipy: Wilson 95% of 3/500 is (0.002043, 0.017490).
        #expect(abs(result.interval!.lower - 0.002_042_596) < 1e-8)
        #expect(abs(result.interval!.upper - 0.017_490_252) < 1e-8)
        #expect(abs(result.bound! - 0.017_490_252) < 1e-8)
        // Holding the share at 0.6%, Wilson's upper bound falls under 1% at 2,377 calls (linear search in
        // Python): 1,877 more.
        #expect(result.samplesNeeded == 1877)
    }

    /// `user_satisfaction atLeast 4.0` over 30 ratings no longer passes on the mean alone.
    @Test func meansCarryStudentsInterval() {
        var ratings = Aggregate(for: .rating)
        for rating in Array(repeating: 4.0, count: 20) + Array(repeating: 5.0, count: 7) + Array(repeating: 3.0, count: 3) {
            ratings.add(rating)
        }
        let value = MetricCalculator(totals: [.rating: ratings], windowSeconds: 3600).value(of: .userSatisfaction)
        #expect(abs(value.value! - 4.133_333_333) < 1e-9)
        // scipy: t.interval(0.95, 29, loc=4.1333, scale=0.571346/√30) = (3.919989, 4.346678).
        let interval = try! #require(value.interval())
        #expect(abs(interval.lower - 3.919_989_057_563_99) < 1e-7)
        #expect(abs(interval.upper - 4.346_677_609_102_677) < 1e-7)
        let criterion = Criterion(metric: .userSatisfaction, comparator: .atLeast, threshold: 4.0, minSamples: 30)
        let result = CriterionResult(criterion: criterion, value: value)
        #expect(result.verdict == .inconclusive)
        // Half-width to the deciding side 0.21334 against a margin of 0.13333: 30 × (0.21334 / 0.13333)² = 76.8 → 77 in all.
        #expect(result.samplesNeeded == 47)
        let strict = Criterion(metric: .userSatisfaction, comparator: .atLeast, threshold: 3.9, minSamples: 30)
        #expect(CriterionResult(criterion: strict, value: value).verdict == .pass)
        let high = Criterion(metric: .userSatisfaction, comparator: .atLeast, threshold: 4.4, minSamples: 30)
        #expect(CriterionResult(criterion: high, value: value).verdict == .fail)
        #expect(CriterionResult(criterion: high, value: value).samplesNeeded == nil)
        // One rating has no spread to bound its mean with: neither pass nor fail, however high.
        var one = Aggregate(for: .rating)
        one.add(5)
        let single = MetricCalculator(totals: [.rating: one], windowSeconds: 3600).value(of: .userSatisfaction)
        let lone = CriterionResult(criterion: Criterion(metric: .userSatisfaction, comparator: .atLeast, threshold: 4, minSamples: 1), value: single)
        #expect(lone.verdict == .inconclusive && lone.bound == nil && lone.samplesNeeded == nil)
    }

    /// Quantiles: the order statistics at the binomial rank bounds, and no estimate outside what was observed.
    @Test func quantilesUseTheOrderStatisticInterval() {
        // scipy.stats.binom: for p95 of 200 samples at 97.5% a side, ranks 184 and 197.
        let ranks = MonitoringBound.quantileRanks(0.95, count: 200, alpha: 0.025)
        #expect(ranks.lower == 184 && ranks.upper == 197)
        // 200 latencies 1, 2, …, 200 ms: the bounds are the 184th and 197th values within the sketch's 1%.
        var latency = Aggregate(for: .latency)
        for value in 1...200 { latency.add(Double(value)) }
        let p95 = MetricCalculator(totals: [.latency: latency], windowSeconds: 60).value(of: .responseTimeP95)
        let interval = try! #require(p95.interval())
        #expect(abs(interval.lower - 184) <= 184 * 0.01)
        #expect(abs(interval.upper - 197) <= 197 * 0.01)
        // 20 samples cannot bound p95 from above at 97.5% (0.95^20 = 0.36): that side is open, so a
        // `below` criterion cannot pass yet, however low the values.
        var few = Aggregate(for: .latency)
        for value in 1...20 { few.add(Double(value)) }
        let small = MetricCalculator(totals: [.latency: few], windowSeconds: 60).value(of: .responseTimeP95)
        #expect(small.interval()!.upper == .infinity)
        let criterion = Criterion(metric: .responseTimeP95, comparator: .below, threshold: 3000, minSamples: 10)
        let result = CriterionResult(criterion: criterion, value: small)
        #expect(result.verdict == .inconclusive)
        #expect(result.bound == nil)
        // 0.95^n ≤ 0.025 from n = 72.
        #expect(result.samplesNeeded == 52)
    }

    /// The issue's case: one interaction of 1234 ms reports 1234 at every quantile, not a bucket's 1224.38.
    @Test func quantilesStayWithinTheObservedMinimumAndMaximum() {
        var one = Aggregate(for: .latency)
        one.add(1234)
        let calculator = MetricCalculator(totals: [.latency: one], windowSeconds: 60)
        for metric in [Metric.responseTimeP50, .responseTimeP95, .responseTimeP99, .responseTime] {
            #expect(calculator.value(of: metric).value == 1234)
        }
        var equal = Aggregate(for: .latency)
        for _ in 0..<5000 { equal.add(812.5) }
        let same = MetricCalculator(totals: [.latency: equal], windowSeconds: 60)
        for metric in [Metric.responseTimeP50, .responseTimeP99] {
            let value = same.value(of: metric)
            #expect(value.value == 812.5)
            #expect(value.lowerBound == 812.5 && value.upperBound == 812.5)
            #expect(value.interval()!.lower == 812.5 && value.interval()!.upper == 812.5)
        }
    }

    @Test func countsAreJudgedAsTheyAre() {
        let criterion = Criterion(metric: .criticalSecurityIssues, comparator: .atMost, threshold: 0)
        let clean = CriterionResult(criterion: criterion, value: MetricValue(value: 0, samples: 0))
        #expect(clean.verdict == .pass && clean.interval == nil && clean.bound == 0 && clean.samplesNeeded == 0)
        let breached = CriterionResult(criterion: criterion, value: MetricValue(value: 1, samples: 1))
        #expect(breached.verdict == .fail && breached.samplesNeeded == nil)
    }

    @Test func differenceIntervalsMatchTheirReferences() {
        // Newcombe's hybrid score interval of 30/200 − 12/200, by hand in Python from the two Wilson intervals.
        let rates = DifferenceInterval.of(MetricValue(value: 0.15, samples: 200, successes: 30),
                                          MetricValue(value: 0.06, samples: 200, successes: 12), confidence: 0.95)!
        #expect(abs(rates.lower - 0.030_036_720_492_779_68) < 1e-9)
        #expect(abs(rates.upper - 0.151_520_428_860_891_15) < 1e-9)
        // scipy.stats.ttest_ind(a, b, equal_var=False).confidence_interval(0.95) = (86.359059, 460.540941).
        var a = Aggregate(for: .latency)
        var b = Aggregate(for: .latency)
        for value in [812.0, 640, 1200, 930, 700, 1500, 880, 760, 1010, 990] { a.add(value) }
        for value in [600.0, 720, 650, 800, 590, 610, 700, 680] { b.add(value) }
        let means = DifferenceInterval.of(MetricCalculator(totals: [.latency: a], windowSeconds: 60).value(of: .responseTimeAvg),
                                          MetricCalculator(totals: [.latency: b], windowSeconds: 60).value(of: .responseTimeAvg),
                                          confidence: 0.95)!
        #expect(abs(means.lower - 86.359_058_594_886_33) < 1e-6)
        #expect(abs(means.upper - 460.540_941_405_113_76) < 1e-6)
        #expect(DifferenceInterval.of(MetricValue(value: 5, samples: 5), MetricValue(value: 3, samples: 3), confidence: 0.95) == nil)
    }

    /// With several metrics compared at once, a difference is real only past the Bonferroni-corrected interval.
    @Test func comparisonsCorrectForTheNumberOfMetrics() {
        let treatment: [Metric: MetricValue] = [
            .errorRate: MetricValue(value: 0.15, samples: 200, successes: 30),
            .completionRate: MetricValue(value: 0.497, samples: 300, successes: 149),
            .tokenUsage: MetricValue(value: 1000, samples: 10),
        ]
        let control: [Metric: MetricValue] = [
            .errorRate: MetricValue(value: 0.06, samples: 200, successes: 12),
            .completionRate: MetricValue(value: 0.567, samples: 300, successes: 170),
            .tokenUsage: MetricValue(value: 800, samples: 8),
        ]
        let rows = VariantComparison.compare([.errorRate, .completionRate, .tokenUsage], treatment: treatment, control: control)
        #expect(rows[0].isReal == true)
        #expect(abs(rows[0].relativeDifference! - 1.5) < 1e-9)
        // 149/300 against 170/300: the 95% interval alone would not exclude 0 either, and corrected it surely does not.
        #expect(rows[1].isReal == false)
        #expect(rows[2].interval == nil && rows[2].isReal == nil && rows[2].difference == 200)
        #expect(rows[0].correctedInterval!.confidence == 1 - 0.05 / 2)
        #expect(VariantComparison.correctionText(rows) == "Bonferroni over 2 metrics with an interval (each at 97.50%)")
    }
}
