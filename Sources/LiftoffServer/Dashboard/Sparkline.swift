import Foundation
import LiftoffAPI

/// A word-sized chart for a table cell (Tufte's sparkline): one series over the table's range, broken where a
/// step has no samples, its latest point marked, and a text alternative with its range and latest value.
struct Sparkline {
    var name: String
    var unit: String
    var points: [(Date, Double?)]
    var width = 96.0
    var height = 20.0

    func render() -> HTML {
        let known = points.compactMap { point in point.1.map { (point.0, $0) } }
        guard let last = known.last, let low = known.map(\.1).min(), let high = known.map(\.1).max() else {
            return .text("no data")
        }
        let span = max(high - low, abs(high) * 0.01, 1e-9)
        func x(_ index: Int) -> Double { 1 + Double(index) / Double(max(points.count - 1, 1)) * (width - 4) }
        func y(_ value: Double) -> Double { 2 + (high - value) / span * (height - 4) }
        func number(_ value: Double) -> String { String(format: "%.1f", value) }
        var svg = HTML()
        var segment: [String] = []
        func flush() {
            if segment.count > 1 {
                svg.append(.element("polyline", ["fill": "none", "stroke": "#0969da", "stroke-width": "1.2", "points": segment.joined(separator: " ")]))
            }
            segment = []
        }
        var lastIndex = 0
        for (index, point) in points.enumerated() {
            guard let value = point.1 else { flush(); continue }
            segment.append("\(number(x(index))),\(number(y(value)))")
            lastIndex = index
        }
        flush()
        svg.append(.element("circle", ["cx": number(x(lastIndex)), "cy": number(y(last.1)), "r": "1.8", "fill": "#0969da"]))
        let label = "\(name): \(known.count) of \(points.count) steps with data, from \(ChartAxis.format(low, unit: unit)) to "
            + "\(ChartAxis.format(high, unit: unit)), latest \(ChartAxis.format(last.1, unit: unit)) at \(ChartAxis.moment(last.0))"
        return .element("svg", ["role": "img", "aria-label": label, "class": "spark", "width": String(Int(width)), "height": String(Int(height)),
                                "viewBox": "0 0 \(Int(width)) \(Int(height))"],
                        .element("title", [:], .text(label)) + svg)
    }
}
