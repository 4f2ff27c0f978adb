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
    /// Phases drawn behind a line chart, each named at its top left.
    var bands: [RolloutStory.Band] = []
    var width = 560.0
    var height = 180.0

    func render() -> HTML {
        let values = series.flatMap { $0.points.compactMap(\.1) } + (threshold.map { [$0] } ?? [])
        let ticks = ChartAxis.valueTicks(upTo: max(values.max() ?? 0, 0))
        // Wide enough for the longest tick label (`1.5M tokens`) at about 6 px a character of 10 px text.
        let widest = ticks.map { ChartAxis.format($0, unit: unit).count }.max() ?? 0
        let left = max(64.0, Double(widest) * 6 + 10), right = 8.0, top = 10.0, bottom = 40.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let maximum = ticks.last ?? 1
        let times = series.flatMap { $0.points.map { $0.0.timeIntervalSince1970 } }
        let start = times.min() ?? 0, end = max(times.max() ?? 1, start + 1)
        func x(_ date: Date) -> Double { left + (date.timeIntervalSince1970 - start) / (end - start) * plotWidth }
        func y(_ value: Double) -> Double { top + plotHeight - value / maximum * plotHeight }
        func number(_ value: Double) -> String { String(format: "%.1f", value) }
        func label(_ value: Double) -> String { ChartAxis.format(value, unit: unit) }
        // The title and a summary of each series are the chart's text alternative for screen readers.
        let id = "chart-" + String(StableHash.hash64(title), radix: 16)
        var svg = HTML.element("title", ["id": "\(id)-title"], .text(title))
        svg.append(.element("desc", ["id": "\(id)-desc"], .text(summary(label))))
        for (index, band) in bands.enumerated() where style == .line {
            let from = max(left, x(band.start)), to = min(width - right, x(band.end ?? Date(timeIntervalSince1970: end)))
            guard to > from else { continue }
            svg.append(.element("rect", ["x": number(from), "y": number(top), "width": number(to - from), "height": number(plotHeight),
                                         "fill": TimelineChart.bandFills[index % TimelineChart.bandFills.count], "fill-opacity": "0.6"]))
            if to - from >= 36 {
                svg.append(.element("text", ["x": number(from + 2), "y": number(top + 9), "font-size": "9", "fill": "#57606a"],
                                    .text(band.phase)))
            }
        }
        for tick in ticks {
            svg.append(.element("line", ["x1": number(left), "y1": number(y(tick)), "x2": number(width - right), "y2": number(y(tick)),
                                         "stroke": tick == 0 ? "#8c959f" : "#eaeef2"]))
            svg.append(.element("text", ["x": number(left - 4), "y": number(y(tick) + 3), "font-size": "10", "text-anchor": "end",
                                         "fill": "#57606a"], .text(label(tick))))
        }
        if style == .line {
            svg.append(ChartAxis.timeAxis(from: Date(timeIntervalSince1970: start), to: Date(timeIntervalSince1970: end), baseline: top + plotHeight,
                                          left: left, right: width - right, edgeMargin: 20, x: x))
        }
        if let threshold {
            svg.append(.element("line", ["x1": number(left), "y1": number(y(threshold)), "x2": number(width - right),
                                         "y2": number(y(threshold)), "stroke": "#cf222e", "stroke-dasharray": "4 3"]))
            svg.append(.element("text", ["x": number(width - right - 4), "y": number(y(threshold) - 3), "font-size": "10",
                                         "text-anchor": "end", "fill": "#cf222e"], .text("threshold \(label(threshold))")))
        }
        let slot = plotWidth / Double(max(series.map(\.points.count).max() ?? 1, 1))
        for (index, line) in series.enumerated() where style == .bars {
            // Periods without samples draw nothing: no data is not zero.
            let barWidth = slot * 0.8 / Double(series.count)
            // Points of a per-period series are evenly spaced: each has its slot, labelled with its day (every
            // other one when there are many, counted from the latest, which is always named).
            for (position, (time, value)) in line.points.enumerated() {
                let barLeft = left + Double(position) * slot + slot * 0.1 + Double(index) * barWidth
                if index == 0 && (line.points.count <= 8 || (line.points.count - 1 - position) % 2 == 0) {
                    svg.append(.element("text", ["x": number(barLeft + slot * 0.4), "y": number(top + plotHeight + 15), "font-size": "10",
                                                 "text-anchor": "middle", "fill": "#57606a"], .text(ChartAxis.day(time))))
                }
                guard let value else { continue }
                svg.append(.element("rect", ["tabindex": "0", "x": number(barLeft), "y": number(y(value)), "width": number(barWidth),
                                             "height": number(max(0, top + plotHeight - y(value))), "fill": line.color],
                                    .element("title", [:], .text("\(line.name), \(ChartAxis.day(time)): \(label(value))"))))
            }
        }
        for line in series where style == .line {
            // Gaps (no samples) break the line instead of drawing a made-up zero.
            var segments: [[String]] = [[]]
            for (time, value) in line.points {
                if let value { segments[segments.count - 1].append("\(number(x(time))),\(number(y(value)))") } else if !segments[segments.count - 1].isEmpty { segments.append([]) }
            }
            for segment in segments where segment.count > 1 {
                svg.append(.element("polyline", ["fill": "none", "stroke": line.color, "stroke-width": "1.5",
                                                 "points": segment.joined(separator: " ")]))
            }
            // Every point can be read: its value on hover and, reached with the keyboard, on focus.
            for (time, value) in line.points {
                guard let value else { continue }
                svg.append(.element("circle", ["class": "point", "tabindex": "0", "cx": number(x(time)), "cy": number(y(value)),
                                               "r": "2.5", "fill": line.color],
                                    .element("title", [:], .text("\(line.name), \(ChartAxis.moment(time)): \(label(value))"))))
            }
        }
        // The legend: each series' colour and name.
        for (index, line) in series.enumerated() {
            let legendLeft = left + Double(index) * 110
            svg.append(.element("rect", ["x": number(legendLeft), "y": number(height - 12), "width": "10", "height": "3",
                                         "fill": line.color]))
            svg.append(.element("text", ["x": number(legendLeft + 14), "y": number(height - 8), "font-size": "11", "fill": "#1b1f24"],
                                .text(line.name)))
        }
        // In a box of its own that scrolls sideways on a phone, so the chart keeps readable text instead of shrinking.
        return .element("div", ["class": "chart", "role": "group", "aria-label": title, "tabindex": "0"],
                        .element("svg", ["role": "img", "aria-labelledby": "\(id)-title \(id)-desc", "viewBox": "0 0 \(Int(width)) \(Int(height))",
                                         "width": "100%", "style": "max-width:\(Int(width))px"], svg))
    }

    /// One sentence per series for the text alternative: how many points, the range and the latest value.
    func summary(_ label: (Double) -> String) -> String {
        let sentences = series.map { line -> String in
            let known = line.points.compactMap { point in point.1.map { (point.0, $0) } }
            guard let last = known.last, let low = known.map(\.1).min(), let high = known.map(\.1).max() else {
                return "\(line.name): no data."
            }
            return "\(line.name): \(known.count) of \(line.points.count) points with data, from \(label(low)) to \(label(high)); "
                + "latest \(label(last.1)) at \(ChartAxis.moment(last.0))."
        }
        return sentences.joined(separator: " ") + (threshold.map { " Threshold \(label($0))." } ?? "")
    }
}
