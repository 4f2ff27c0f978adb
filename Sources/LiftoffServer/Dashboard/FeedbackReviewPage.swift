import Foundation
import LiftoffAPI
import LiftoffCore
import LiftoffStore

/// The feedback page's model: the last week's answer quality (treatment), how the shown responses rated, and
/// the responses themselves, optionally those whose suggestion contains a search text.
struct FeedbackReviewPage {
    static let qualityMetrics: [Metric] = [.aiResponseRelevance, .userSatisfaction, .usabilityScore]

    var query: String?
    var quality: [Metric: MetricValue]
    var entries: [FeedbackRecord]

    /// Responses per rating 1 to 5 among `entries` (those without a rating are not counted).
    var ratingCounts: [Int] {
        var counts = [Int](repeating: 0, count: 5)
        for entry in entries { if let rating = entry.feedback.rating, (1...5).contains(rating) { counts[rating - 1] += 1 } }
        return counts
    }

    static func read(query: String?, store: any Store, metrics: MetricsQuery, now: Date) async throws -> FeedbackReviewPage {
        let entries = try await store.feedback(FeedbackFilter(text: query?.isEmpty == false ? query : nil, limit: 200))
        let quality = try await metrics.values(qualityMetrics, over: MetricsQuery.Interval(start: now.addingTimeInterval(-7 * 86_400), end: now),
                                               phase: nil, variant: .treatment)
        return FeedbackReviewPage(query: query, quality: quality, entries: entries)
    }

    func render() -> HTML {
        var html = HTML.element("h1", [:], .text("Feedback"))
        html.append(DashboardLayout.table(["last 7 days, treatment", "value", "samples"], Self.qualityMetrics.map { metric in
            [.text(metric.rawValue), .text(DashboardLayout.number(quality[metric]?.value)), .text(String(quality[metric]?.samples ?? 0))]
        }))
        html.append(DashboardLayout.table(["rating", "1", "2", "3", "4", "5"], [[.text("responses")] + ratingCounts.map { .text(String($0)) }]))
        html.append(.element("form", ["method": "get", "action": DashboardPath.feedback.rawValue, "class": "inline", "role": "search"],
                             DashboardLayout.input("q", label: "search suggestions", value: query)
                                + .element("button", ["type": "submit"], .text("Search"))))
        html.append(DashboardLayout.table(["when", "user", "phase", "variant", "rating", "relevant", "suggestion"], entries.map { entry in
            [.text(DashboardLayout.time(entry.at)), .text(entry.userId ?? "–"), .text(entry.phase), .text(entry.variant.rawValue),
             .text(entry.feedback.rating.map(String.init) ?? "–"), .text(entry.feedback.relevant.map { $0 ? "yes" : "no" } ?? "–"),
             .text(entry.feedback.suggestion ?? "")]
        }))
        return html
    }
}
