import Foundation
import LiftoffAPI
import LiftoffCore

/// A line or bar chart as inline SVG (no script, no external asset): one or more series over time, an
/// optional threshold line, axis labels. Values are placed on a shared scale from zero.
struct SVGChart {
    /// Lines for values sampled over time; bars for values per period (a day's spend), where a line between
    /// two days would invent the values in between.
    enum Style { case line, bars }

    struct Series {
        var name: String
        var color: String
        var points: [(Date, Double?)]
    }

    var title: String
    var series: [Series]
    var threshold: Double?
    var unit: String
    var style = Style.line
    var width = 560.0
    var height = 180.0

    func render() -> HTML {
        let left = 48.0, right = 8.0, top = 10.0, bottom = 22.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let values = series.flatMap { $0.points.compactMap(\.1) } + (threshold.map { [$0] } ?? [])
        let maximum = max(values.max() ?? 1, 1e-9) * 1.1
        let times = series.flatMap { $0.points.map { $0.0.timeIntervalSince1970 } }
        let start = times.min() ?? 0, end = max(times.max() ?? 1, start + 1)
        func x(_ date: Date) -> Double { left + (date.timeIntervalSince1970 - start) / (end - start) * plotWidth }
        func y(_ value: Double) -> Double { top + plotHeight - value / maximum * plotHeight }
        var svg = HTML(raw: "<svg role=\"img\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"100%\" style=\"max-width:\(Int(width))px\">")
        svg.append(.element("title", [], .text(title)))
        svg.raw("<line x1=\"\(left)\" y1=\"\(top + plotHeight)\" x2=\"\(width - right)\" y2=\"\(top + plotHeight)\" stroke=\"#8c959f\"/>")
        svg.raw("<text x=\"2\" y=\"\(top + 10)\" font-size=\"10\" fill=\"#57606a\">\(ReportText.escape(DashboardLayout.number(maximum)))</text>")
        svg.raw("<text x=\"2\" y=\"\(top + plotHeight)\" font-size=\"10\" fill=\"#57606a\">0 \(ReportText.escape(unit))</text>")
        if let threshold {
            svg.raw("<line x1=\"\(left)\" y1=\"\(y(threshold))\" x2=\"\(width - right)\" y2=\"\(y(threshold))\" stroke=\"#cf222e\" stroke-dasharray=\"4 3\"/>")
            svg.raw("<text x=\"\(width - right - 90)\" y=\"\(y(threshold) - 3)\" font-size=\"10\" fill=\"#cf222e\">threshold \(ReportText.escape(DashboardLayout.number(threshold)))</text>")
        }
        let slot = plotWidth / Double(max(series.map(\.points.count).max() ?? 1, 1))
        for (index, line) in series.enumerated() where style == .bars {
            // Periods without samples draw nothing: no data is not zero.
            let barWidth = slot * 0.8 / Double(series.count)
            // Points of a per-period series are evenly spaced: each has its slot.
            for (position, (time, value)) in line.points.enumerated() {
                guard let value else { continue }
                let barLeft = left + Double(position) * slot + slot * 0.1 + Double(index) * barWidth
                svg.raw("<rect x=\"\(String(format: "%.1f", barLeft))\" y=\"\(String(format: "%.1f", y(value)))\" width=\"\(String(format: "%.1f", barWidth))\" "
                        + "height=\"\(String(format: "%.1f", max(0, top + plotHeight - y(value))))\" fill=\"\(line.color)\">")
                svg.append(.element("title", [], .text("\(Timestamp.format(time).prefix(10)): \(DashboardLayout.number(value)) \(unit)")))
                svg.raw("</rect>")
            }
        }
        for (index, line) in series.enumerated() {
            svg.raw("<text x=\"\(left + 4 + Double(index) * 90)\" y=\"\(height - 6)\" font-size=\"11\" fill=\"\(line.color)\">")
            svg.text(line.name)
            svg.raw("</text>")
        }
        for line in series where style == .line {
            // Gaps (no samples) break the line instead of drawing a made-up zero.
            var segments: [[String]] = [[]]
            for (time, value) in line.points {
                if let value { segments[segments.count - 1].append("\(String(format: "%.1f", x(time))),\(String(format: "%.1f", y(value)))") } else if !segments[segments.count - 1].isEmpty { segments.append([]) }
            }
            for segment in segments where !segment.isEmpty {
                if segment.count == 1 {
                    let parts = segment[0].split(separator: ",")
                    svg.raw("<circle cx=\"\(parts[0])\" cy=\"\(parts[1])\" r=\"2\" fill=\"\(line.color)\"/>")
                } else {
                    svg.raw("<polyline fill=\"none\" stroke=\"\(line.color)\" stroke-width=\"1.5\" points=\"\(segment.joined(separator: " "))\"/>")
                }
            }
        }
        svg.raw("</svg>")
        return svg
    }
}
