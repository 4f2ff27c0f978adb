import Foundation
import LiftoffAPI
import LiftoffCore
import Testing
@testable import LiftoffServer

@Suite("Dashboard views")
struct DashboardViewTests {
    @Test func htmlEscapesEverythingThatIsText() {
        let element = HTML.element("a", ["href": "/x?a=1&b=\"2\""], .text("<b>Tom & 'Jerry'</b>"))
        #expect(element.description == #"<a href="/x?a=1&amp;b=&quot;2&quot;">&lt;b&gt;Tom &amp; &#39;Jerry&#39;&lt;/b&gt;</a>"#)
        // A value cannot leave its attribute, in either list form.
        let field = HTML.void("input", attributes: [("value", "\"><script>alert(1)</script>")])
        #expect(field.description == #"<input value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;">"#)
        let page = HTML.document(title: "</title><script>", body: .text("x"), bodyAttributes: ["class": "report"]).description
        #expect(page.hasPrefix("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"))
        #expect(page.contains("<title>&lt;/title&gt;&lt;script&gt;</title>") && page.hasSuffix("<body class=\"report\">x</body></html>"))
    }

    /// A criterion's samples read as a count and a bar toward its minimum; a count of findings has no bar.
    @Test func criteriaShowTheirProgressTowardMinSamples() {
        let relevance = CriterionResult(criterion: Criterion(metric: .aiResponseRelevance, comparator: .above, threshold: 0.9, minSamples: 50),
                                        value: MetricValue(value: 0.93, samples: 20))
        #expect(DashboardLayout.sampleProgress(relevance).description
            == #"20 / 50 <meter min="0" max="50" value="20" aria-label="ai_response_relevance above 0.9: 20 of 50 samples">20 of 50</meter>"#)
        var full = relevance
        full.samples = 80
        #expect(DashboardLayout.sampleProgress(full).description.contains(#"value="50""#))
        let findings = CriterionResult(criterion: Criterion(metric: .criticalSecurityIssues, comparator: .atMost, threshold: 0),
                                       value: MetricValue(value: 0, samples: 0))
        #expect(DashboardLayout.sampleProgress(findings).description == "0 / 0")
    }

    @Test func chartsBreakAtGapsAndDrawTheThreshold() {
        let start = Date(timeIntervalSince1970: 0)
        let points: [(Date, Double?)] = [(start, 1), (start.addingTimeInterval(60), 2), (start.addingTimeInterval(120), nil),
                                         (start.addingTimeInterval(180), 3), (start.addingTimeInterval(240), 4)]
        let svg = SVGChart(title: "p95 <ms>", series: [.init(name: "treatment", color: "#00f", points: points)], threshold: 2.5, unit: "ms")
            .render().description
        #expect(svg.components(separatedBy: "<polyline").count - 1 == 2)
        #expect(svg.contains("stroke-dasharray"))
        #expect(svg.contains("-title\">p95 &lt;ms&gt;</title>"))
        let lonely = SVGChart(title: "t", series: [.init(name: "s", color: "#00f", points: [(start, 5)])], threshold: nil, unit: "")
            .render().description
        #expect(lonely.contains("<circle") && !lonely.contains("<polyline"))
    }

    /// A sparkline breaks where a step has no samples, marks its latest point and says what it shows.
    @Test func sparklinesBreakAtGapsAndDescribeThemselves() {
        let start = Date(timeIntervalSince1970: 1_795_000_000)
        let points: [(Date, Double?)] = [(start, 4), (start.addingTimeInterval(60), 6), (start.addingTimeInterval(120), nil),
                                         (start.addingTimeInterval(180), 2), (start.addingTimeInterval(240), 8)]
        let svg = Sparkline(name: "interactions of feature hints", unit: "count", points: points).render().description
        #expect(svg.components(separatedBy: "<polyline").count - 1 == 2)
        #expect(svg.contains(#"aria-label="interactions of feature hints: 4 of 5 steps with data, from 2 to 8, latest 8 at "#))
        #expect(svg.contains(#"<circle cx="93.0" cy="2.0""#), "the latest point, at the right edge and the top")
        #expect(Sparkline(name: "n", unit: "count", points: [(start, nil)]).render().description == "no data")
    }

    @Test func tablesSayNoneWhenEmpty() {
        #expect(DashboardLayout.table(["a", "b"], []).description.contains(#"<td colspan="2">none</td>"#))
    }

    @Test func reportTablesCarryThePricePointAndMargin() {
        let start = Date(timeIntervalSince1970: 1_780_000_000)
        let report = PhaseReport(
            rollout: "r", phase: "p", startedAt: start, endedAt: nil, generatedAt: start, criteria: [], kpis: [],
            comparison: .init(confidence: 0.95, correction: "none", real: ""), dailyActiveUsers: nil,
            feedback: .init(responses: 0, ratings: [:], suggestions: []), incidents: [], checklist: [],
            pricePoint: 12, costPerUserPerMonth: 3, costObservedDays: 2.5, revenuePerPayingUser: 11.5)
        let price = report.tables.first { $0.title == "Price point" }
        #expect(price?.rows == [["3", "2.5", "12", "9.00 (75%)", "11.5"]])
    }
}
