import Foundation
import LiftoffAPI
import LiftoffCore
import LiftoffStore
import Testing
@testable import LiftoffServer

/// The cost page's model, from hand-made numbers: no server, no store.
@Suite("Cost page model")
struct CostPageTests {
    static let day0 = Date(timeIntervalSince1970: 1_795_000_000)

    static func page(pricePoint: Double?) -> CostPage {
        let day1 = day0.addingTimeInterval(86_400)
        let perDay: [Metric: [(Date, MetricValue)]] = [
            .apiCosts: [(day0, MetricValue(value: 2, samples: 40)), (day1, MetricValue(value: 0, samples: 0))],
            .infrastructureCosts: [(day0, MetricValue(value: 0, samples: 0)), (day1, MetricValue(value: 1.5, samples: 1))],
            .tokenUsage: [(day0, MetricValue(value: 90_000, samples: 40)), (day1, MetricValue(value: 0, samples: 0))],
            .revenue: [(day0, MetricValue(value: 24, samples: 2)), (day1, MetricValue(value: 0, samples: 0))],
        ]
        let month: [Metric: MetricValue] = [
            .costPerUser: MetricValue(value: 0.35, samples: 10), .apiCosts: MetricValue(value: 2, samples: 40),
            .infrastructureCosts: MetricValue(value: 1.5, samples: 1), .activeUsers: MetricValue(value: 10, samples: 10),
            .revenue: MetricValue(value: 24, samples: 2), .payingUsers: MetricValue(value: 2, samples: 2),
            .revenuePerUser: MetricValue(value: 2.4, samples: 10), .grossMargin: MetricValue(value: 20.5 / 24, samples: 2),
        ]
        // 0.35 per user over 3.5 days: 3.00 a month.
        let projection = CostProjection(costPerUser: 0.35, observedSeconds: 3.5 * 86_400)
        return CostPage(perDay: perDay, month: month, projection: projection, pricePoint: pricePoint,
                        breakdown: CostBreakdown(byModel: [], byUser: []))
    }

    @Test func daysSpendAndTheComparisonWithThePricePoint() throws {
        let page = Self.page(pricePoint: 12)
        // A day with no samples of a metric has no value, not zero; spend adds whichever costs had samples.
        #expect(page.days.map(\.apiCosts) == [2, nil])
        #expect(page.days.map(\.spend) == [2, 1.5])
        #expect(page.days.map(\.revenue) == [24, nil])
        #expect(page.perUserPerMonth.map(\.usd) == [3, 12, 12])
        let summary = Dictionary(uniqueKeysWithValues: page.summary)
        #expect(summary["projected cost per user per month (× 30 / observed days)"] == "$3.00")
        #expect(summary["API + infrastructure spend"] == "$3.50")
        #expect(summary["revenue per paying user"] == "$12.00")
        #expect(summary["margin per user per month (against the projection)"] == "$9.00 (75%)")
        #expect(page.projectionCaveat == "The projection rests on 3.5 days of data: read it as an early estimate.")
        let bars = CostPage.comparison(page.perUserPerMonth).description
        #expect(bars.contains(#"aria-label="Per user per month: projected cost per user: $3.00; revenue per paying user: $12.00; price point: $12.00""#))
    }

    @Test func withoutAPricePointThePageSaysHowToSetOne() {
        let page = Self.page(pricePoint: nil)
        #expect(page.summary.last?.1 == "not set: add pricePoint to the plan")
        #expect(CostPage.comparison(page.perUserPerMonth).description.contains("price point: not known"))
    }
}
