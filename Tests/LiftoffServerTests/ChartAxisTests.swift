import Foundation
import LiftoffCore
import Testing
@testable import LiftoffServer

@Suite("Chart axes")
struct ChartAxisTests {
    @Test func valueTicksAreNiceNumbersCoveringTheMaximum() {
        #expect(ChartAxis.valueTicks(upTo: 3400) == [0, 1000, 2000, 3000, 4000])
        #expect(ChartAxis.valueTicks(upTo: 0.047) == [0, 0.02, 0.04, 0.06])
        #expect(ChartAxis.valueTicks(upTo: 1.203e8) == [0, 5e7, 1e8, 1.5e8])
        #expect(ChartAxis.valueTicks(upTo: 9) == [0, 2.5, 5, 7.5, 10])
        #expect(ChartAxis.valueTicks(upTo: 0) == [0, 1])
    }

    /// The report's numbers: `1.203e+08` tokens, spend, latency and a small error rate read as people say them.
    @Test func valuesReadInTheirUnits() {
        #expect(ChartAxis.format(1.203e8, unit: "tokens") == "120M tokens")
        #expect(ChartAxis.format(1_200_000, unit: "tokens") == "1.2M tokens")
        #expect(ChartAxis.format(31.456, unit: "USD") == "$31.46")
        #expect(ChartAxis.format(0.0123, unit: "USD") == "$0.0123")
        #expect(ChartAxis.format(3200, unit: "ms") == "3.2 s")
        #expect(ChartAxis.format(850, unit: "ms") == "850 ms")
        #expect(ChartAxis.format(0.008, unit: "ratio") == "0.8%")
        #expect(ChartAxis.format(0, unit: "ratio") == "0%")
        #expect(ChartAxis.format(1500, unit: "s") == "25 min")
        #expect(ChartAxis.format(12_000, unit: "count") == "12k")
    }

    @Test func timeTicksFitTheSpan() {
        let start = Timestamp.parse("2026-11-30T10:07:00Z")!
        let hour = ChartAxis.timeTicks(from: start, to: start.addingTimeInterval(3600))
        #expect(hour.map(\.1) == ["10:15", "10:30", "10:45", "11:00"])
        let day = ChartAxis.timeTicks(from: start, to: start.addingTimeInterval(86_400))
        #expect(day.map(\.1) == ["12:00", "18:00", "Dec 1 00:00", "06:00"])
        let months = ChartAxis.timeTicks(from: start, to: start.addingTimeInterval(60 * 86_400))
        #expect((2...6).contains(months.count))
        #expect(months.allSatisfy { $0.1.wholeMatch(of: /[A-Z][a-z]{2} \d{1,2}/) != nil })
    }

    /// Each point has its value for hover and keyboard focus, the chart a text alternative, the axis labels
    /// in the metric's unit, and a gap stays a gap.
    @Test func chartsCanBeRead() {
        let start = Timestamp.parse("2026-11-30T10:00:00Z")!
        let chart = SVGChart(title: "response_time.p95, last hour",
                             series: [.init(name: "treatment", color: "#0969da",
                                            points: [(start, 800), (start.addingTimeInterval(60), nil), (start.addingTimeInterval(120), 3200),
                                                     (start.addingTimeInterval(180), 2900)])],
                             threshold: 3000, unit: "ms").render().description
        #expect(chart.contains("<title>treatment, Nov 30 10:02 UTC: 3.2 s</title>"))
        // The three points with data take focus, and so does the chart's box (it scrolls sideways on a phone).
        #expect(chart.components(separatedBy: "<circle class=\"point\" tabindex=\"0\"").count - 1 == 3)
        #expect(chart.hasPrefix("<div class=\"chart\" role=\"group\" aria-label=\"response_time.p95, last hour\" tabindex=\"0\">"))
        #expect(chart.contains(">threshold 3 s</text>"))
        #expect(chart.contains(">4 s</text>") && chart.contains(">0 ms</text>"))
        #expect(chart.contains(">10:01</text>"))
        #expect(chart.contains("treatment: 3 of 4 points with data, from 800 ms to 3.2 s; latest 2.9 s at Nov 30 10:03 UTC. Threshold 3 s."))
        // The gap after the first point: it stands alone, the last two make one line.
        #expect(chart.components(separatedBy: "<polyline").count - 1 == 1)
    }
}
