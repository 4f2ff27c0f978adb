import Foundation
import LiftoffAPI
import LiftoffCore

/// The rollout's story as inline SVG: a band per phase, a marker per decision (coloured by kind, one row per
/// kind so markers at the same moment stay apart), a labelled time axis. Each marker links to its row in the
/// decisions table below the chart (`#decision-N`), which says the same in words and links on to the incident
/// or the audit entry; the chart's description is its text alternative.
struct TimelineChart {
    var story: RolloutStory
    var width = 900.0

    static let bandFills = ["#ddf4ff", "#fff8c5", "#dafbe1", "#fbefff", "#ffebe9"]

    func render() -> HTML {
        let kinds = RolloutStory.Marker.Kind.allCases.filter { kind in story.markers.contains { $0.kind == kind } }
        let left = 8.0, right = 8.0, top = 22.0, row = 14.0, axis = 30.0
        let plotWidth = width - left - right
        let rows = max(Double(kinds.count), 1)
        let bandHeight = rows * row + 8
        let height = top + bandHeight + axis + 16
        let start = story.start.timeIntervalSince1970, end = max(story.end.timeIntervalSince1970, start + 60)
        func x(_ date: Date) -> Double { left + (date.timeIntervalSince1970 - start) / (end - start) * plotWidth }
        func number(_ value: Double) -> String { String(format: "%.1f", value) }
        var svg = HTML.element("title", ["id": "timeline-title"], .text("Rollout timeline: phases and decisions"))
        svg.append(.element("desc", ["id": "timeline-desc"], .text(summary)))
        for (index, band) in story.bands.enumerated() {
            let from = x(band.start), to = x(band.end ?? story.end)
            svg.append(.element("rect", ["class": "band", "x": number(from), "y": number(top), "width": number(max(to - from, 1)),
                                         "height": number(bandHeight), "fill": Self.bandFills[index % Self.bandFills.count], "stroke": "#d0d7de"],
                                .element("title", [:], .text("\(band.phase): \(ChartAxis.moment(band.start)) – \(band.end.map(ChartAxis.moment) ?? "now")"))))
            // The name sits above its band; a band too narrow for it keeps it in the title only.
            if to - from >= 40 {
                svg.append(.element("text", ["x": number(from + 3), "y": number(top - 6), "font-size": "11", "fill": "#1b1f24"],
                                    .text(band.phase)))
            }
        }
        for (index, marker) in story.markers.enumerated() {
            let position = x(marker.at)
            let lane = Double(kinds.firstIndex(of: marker.kind) ?? 0)
            let centre = top + 4 + lane * row + row / 2
            let mark = HTML.element("title", [:], .text("\(ChartAxis.moment(marker.at)): \(marker.title)"))
                + .element("line", ["x1": number(position), "y1": number(top), "x2": number(position), "y2": number(top + bandHeight),
                                    "stroke": marker.kind.color, "stroke-opacity": "0.35"])
                + .element("circle", ["cx": number(position), "cy": number(centre), "r": "5", "fill": marker.kind.color, "stroke": "#ffffff"])
            svg.append(.element("a", ["href": "#decision-\(index + 1)", "class": "marker \(marker.kind.rawValue)"], mark))
        }
        svg.append(ChartAxis.timeAxis(from: story.start, to: Date(timeIntervalSince1970: end), target: 8, baseline: top + bandHeight,
                                      left: left, right: width - right, edgeMargin: 30, x: x))
        for (index, kind) in kinds.enumerated() {
            let legendLeft = left + Double(index) * 100
            svg.append(.element("circle", ["cx": number(legendLeft + 5), "cy": number(height - 8), "r": "4", "fill": kind.color]))
            svg.append(.element("text", ["x": number(legendLeft + 13), "y": number(height - 4), "font-size": "11", "fill": "#1b1f24"],
                                .text(kind.rawValue)))
        }
        // In a box of its own that scrolls sideways on a phone, so the labels stay readable instead of shrinking.
        return .element("div", ["class": "chart", "role": "group", "aria-label": "Rollout timeline", "tabindex": "0"],
                        .element("svg", ["role": "img", "aria-labelledby": "timeline-title timeline-desc",
                                         "viewBox": "0 0 \(Int(width)) \(Int(height))", "width": "100%", "class": "timeline"], svg))
    }

    /// The text alternative: the phases with their dates and how many decisions of each kind.
    var summary: String {
        let phases = story.bands.map { "\($0.phase) from \(ChartAxis.moment($0.start))\($0.end.map { " to \(ChartAxis.moment($0))" } ?? ", current")" }
        let counts = RolloutStory.Marker.Kind.allCases.compactMap { kind -> String? in
            let count = story.markers.filter { $0.kind == kind }.count
            return count == 0 ? nil : "\(count) \(kind.rawValue)\(count == 1 ? "" : "s")"
        }
        return "Phases: " + (phases.isEmpty ? "none yet" : phases.joined(separator: "; ")) + ". Decisions: "
            + (counts.isEmpty ? "none yet" : counts.joined(separator: ", ")) + "; each is listed in the table below."
    }
}
