import Foundation
import LiftoffAPI
import LiftoffCore
import LiftoffStore

/// The cost page's model: every number it shows, read once and shaped here, so the shaping is unit-tested
/// without a server; `render()` (CostPage+View) only draws it. Every total says its scope, and the numbers are the
/// ones `/v1/metrics` answers for that scope.
struct CostPage {
    /// One UTC day of the last 14, all phases, treatment and control; nil where the day had no samples of it.
    struct Day: Equatable {
        var start: Date
        var apiCosts: Double?
        var tokens: Double?
        var revenue: Double?
        /// API plus infrastructure cost, when either had samples.
        var spend: Double?
    }

    static let dailyMetrics: [Metric] = [.apiCosts, .tokenUsage, .revenue, .infrastructureCosts]
    static let monthlyMetrics: [Metric] = [.costPerUser, .apiCosts, .infrastructureCosts, .activeUsers, .unpricedInteractions,
                                           .revenue, .revenuePerUser, .payingUsers, .grossMargin]
    static let monthScope = "treatment, all phases, last 30 days (GET /v1/metrics?window=30d&variant=treatment)"

    var days: [Day]
    /// Treatment over the last 30 days.
    var month: [Metric: MetricValue]
    var projection: CostProjection?
    var pricePoint: Double?
    var breakdown: CostBreakdown

    init(perDay: [Metric: [(Date, MetricValue)]], month: [Metric: MetricValue], projection: CostProjection?, pricePoint: Double?,
         breakdown: CostBreakdown) {
        func known(_ metric: Metric, _ index: Int) -> Double? {
            guard let point = perDay[metric]?[index], point.1.samples > 0 else { return nil }
            return point.1.value
        }
        days = (perDay[.apiCosts] ?? []).indices.map { index in
            let costs = [known(.apiCosts, index), known(.infrastructureCosts, index)].compactMap { $0 }
            return Day(start: perDay[.apiCosts]![index].0, apiCosts: known(.apiCosts, index), tokens: known(.tokenUsage, index),
                       revenue: known(.revenue, index), spend: costs.isEmpty ? nil : costs.reduce(0, +))
        }
        self.month = month
        self.projection = projection
        self.pricePoint = pricePoint
        self.breakdown = breakdown
    }

    /// Reads the page's numbers: 14 days of daily series in one read, 30 days of treatment totals, the span
    /// actually observed (what the monthly projection rests on), and the spend by model and user.
    static func read(metrics: MetricsQuery, store: any Store, pricePoint: Double?, now: Date) async throws -> CostPage {
        // Whole UTC days, today the last: a bucket from one afternoon to the next would carry one day's label and
        // another day's spend.
        let fortnight = MetricsQuery.Interval(start: DayIndex(containing: now).advanced(by: -13).start, end: now)
        let perDay = try await metrics.series(dailyMetrics, over: fortnight, step: 86_400, phase: nil, variant: nil)
        let month = MetricsQuery.Interval(start: now.addingTimeInterval(-30 * 86_400), end: now)
        let values = try await metrics.values(monthlyMetrics, over: month, phase: nil, variant: .treatment)
        let span = try await metrics.observedSpan([.costPerUser], over: month, phase: nil, variant: .treatment)
        let projection = CostProjection(costPerUser: values[.costPerUser]?.value, observedSeconds: span?.duration ?? 0)
        return CostPage(perDay: perDay, month: values, projection: projection, pricePoint: pricePoint,
                        breakdown: try await store.costBreakdown(since: month.start, limit: 20))
    }

    var revenuePerPayingUser: Double? { PhaseReports.perPayer(revenue: month[.revenue], payers: month[.payingUsers]) }

    /// Per user and month, side by side: what a user costs (projected), what a paying user brought, and what the
    /// plan charges. Nil where not known.
    var perUserPerMonth: [(label: String, usd: Double?)] {
        [("projected cost per user", projection?.perUserPerMonth), ("revenue per paying user", revenuePerPayingUser),
         ("price point", pricePoint)]
    }

    /// The summary table's rows: label and value, in the order the page reads them.
    var summary: [(String, String)] {
        let usd = { (value: Double?) in value.map { String(format: "$%.2f", $0) } ?? "–" }
        var rows: [(String, String)] = [
            ("cost per user over the observed span", projection.map { String(format: "$%.4f", $0.costPerUser) } ?? "–"),
            ("observed span (first to last minute with traffic)", projection.map { DashboardLayout.days($0.observedDays) } ?? "no traffic"),
            ("projected cost per user per month (× 30 / observed days)", usd(projection?.perUserPerMonth)),
            ("active users", DashboardLayout.number(month[.activeUsers]?.value)),
            ("API + infrastructure spend", usd((month[.apiCosts]?.value ?? 0) + (month[.infrastructureCosts]?.value ?? 0))),
            ("unpriced interactions (no cost, no price)", DashboardLayout.number(month[.unpricedInteractions]?.value)),
            ("revenue (payments less refunds)", month[.revenue]?.samples ?? 0 > 0 ? usd(month[.revenue]?.value) : "no payments"),
            ("paying users", DashboardLayout.number(month[.payingUsers]?.value)),
            ("revenue per active user (beside cost per user, same users and span)", usd(month[.revenuePerUser]?.value)),
            ("revenue per paying user", usd(revenuePerPayingUser)),
            ("gross margin ((revenue − API − infrastructure) ÷ revenue)", month[.grossMargin]?.value.map { String(format: "%.1f%%", $0 * 100) } ?? "–"),
        ]
        if let pricePoint {
            rows.append(("price point (plan, per user per month)", String(format: "$%.2f", pricePoint)))
            rows.append(("margin per user per month (against the projection)", projection.map {
                let margin = $0.margin(against: pricePoint)
                return String(format: "$%.2f (%.0f%%)", margin.amount, margin.share * 100)
            } ?? "–"))
        } else {
            rows.append(("price point", "not set: add pricePoint to the plan"))
        }
        return rows
    }

    /// Said under the summary when the projection rests on less than a week.
    var projectionCaveat: String {
        guard let projection, projection.observedDays < 7 else { return "" }
        return "The projection rests on \(DashboardLayout.days(projection.observedDays)) of data: read it as an early estimate."
    }
}
