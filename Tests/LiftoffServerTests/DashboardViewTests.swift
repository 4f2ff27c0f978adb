import Foundation
import LiftoffAPI
import Testing
@testable import LiftoffServer

@Suite("Dashboard views")
struct DashboardViewTests {
    @Test func htmlEscapesEverythingThatIsText() {
        let element = HTML.element("a", [("href", "/x?a=1&b=\"2\"")], .text("<b>Tom & 'Jerry'</b>"))
        #expect(element.description == #"<a href="/x?a=1&amp;b=&quot;2&quot;">&lt;b&gt;Tom &amp; &#39;Jerry&#39;&lt;/b&gt;</a>"#)
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
