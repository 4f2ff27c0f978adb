import Foundation
import Testing
@testable import LiftoffCore

@Suite struct MonitoringBoundTests {
    @Test func rateBoundsMatchTheExactClopperPearsonInterval() throws {
        // 95% two-sided Clopper–Pearson for 3 of 100 is [0.00623, 0.08518] (R: binom.test(3, 100)$conf.int).
        let lower = try #require(MonitoringBound.rateLower(successes: 3, trials: 100, alpha: 0.025))
        let upper = try #require(MonitoringBound.rateUpper(successes: 3, trials: 100, alpha: 0.025))
        #expect(abs(lower - 0.006230) < 0.00002)
        #expect(abs(upper - 0.085176) < 0.00002)
        #expect(MonitoringBound.rateLower(successes: 0, trials: 50) == 0)
        #expect(MonitoringBound.rateUpper(successes: 50, trials: 50) == 1)
        #expect(MonitoringBound.rateLower(successes: 1, trials: 0) == nil)
    }

    @Test func aFewErrorsInASmallCohortDoNotShowARateAboveOnePercent() throws {
        // Wilson's 97.5% lower bound puts 3 of 100 above 1%; the exact bound at 99.9% does not.
        #expect(try #require(Wilson.interval(successes: 3, trials: 100)).lowerBound > 0.01)
        #expect(try #require(MonitoringBound.rateLower(successes: 3, trials: 100)) < 0.01)
        // A real outage does: 30 of 100.
        #expect(try #require(MonitoringBound.rateLower(successes: 30, trials: 100)) > 0.15)
    }

    @Test func quantileRanksHoldTheirCoverage() throws {
        // The lower rank r satisfies P(Bin(n, q) ≥ r) ≥ 1 − α and r + 1 does not; checked by direct summation.
        for n in [20, 50, 100, 300, 1000] {
            let ranks = MonitoringBound.quantileRanks(0.95, count: n)
            let r = try #require(ranks.lower)
            func term(_ i: Int) -> Double {
                let choose: Double = lgamma(Double(n + 1)) - lgamma(Double(i + 1)) - lgamma(Double(n - i + 1))
                let powers: Double = Double(i) * log(0.95) + Double(n - i) * log(0.05)
                return exp(choose + powers)
            }
            func atLeast(_ k: Int) -> Double { (k...n).map(term).reduce(0, +) }
            #expect(atLeast(r) >= 0.999)
            if r < n { #expect(atLeast(r + 1) < 0.999) }
            #expect(r < Int(0.95 * Double(n)))
        }
        // The upper rank of p95 needs enough samples above it.
        #expect(MonitoringBound.quantileRanks(0.95, count: 50).upper == nil)
        #expect(MonitoringBound.quantileRanks(0.5, count: 100).upper != nil)
        #expect(MonitoringBound.quantileRanks(0.95, count: 0).lower == nil)
    }
}
