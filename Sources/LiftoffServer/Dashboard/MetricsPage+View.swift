import Foundation
import LiftoffAPI
import LiftoffCore

extension MetricsPage {
    func render() -> HTML {
        var html = HTML.element("h1", [:], .text("Metrics: \(scope.text)"))
        var links = HTML.text("Range: ")
        for choice in Range.allCases {
            var attributes: [HTML.Attribute] = [("href", "/metrics?window=\(choice.rawValue)")]
            if choice == scope.range { attributes.append(("aria-current", "page")) }
            links.append(.element("a", attributes: attributes, .text(choice.label)))
            links.text(" ")
        }
        html.append(.element("p", [:], links))
        let cards = charts.map { chart in
            HTML.element("section", ["class": "card"], .element("h2", [:], .text(chart.metric.rawValue)) + SVGChart(
                title: "\(chart.metric.rawValue): treatment and control", series: [
                    .init(name: "treatment", color: "#0969da", points: chart.treatment),
                    .init(name: "control", color: "#8250df", points: chart.control),
                ], threshold: chart.threshold, unit: chart.metric.unit, bands: bands).render())
        }
        html.append(.element("div", ["class": "cards"], .join(cards)))
        html.append(.element("h2", [:], .text("Treatment against control (\(scope.text))")))
        html.append(.element("p", ["class": "scope"], .text("Difference = treatment − control with its 95% interval; "
            + "“real” when the interval corrected for the number of metrics (\(VariantComparison.correctionText(comparisons))) excludes zero.")))
        html.append(DashboardLayout.table(ComparisonRow.header, comparisons.map { ComparisonRow($0).cells.map { HTML.text($0) } }))
        html.append(problemAreasSection)
        html.append(breakdownsSection)
        html.append(learningPathsSection)
        return html
    }

    /// Features (when the plan declares the feature dimension) and lesson and project items, worst first.
    private var problemAreasSection: HTML {
        var html = HTML.element("h2", ["id": "problem-areas"], .text("Problem areas (\(scope.text), treatment)"))
        html.append(.element("p", ["class": "scope"], .text("Worst first by what the data shows at least: the side of the 95% "
            + "interval nearest to good (GET /v1/insights/problem-areas)."
            + (dimensions[.feature] == nil ? " Features are not ranked: the plan declares no feature dimension." : ""))))
        guard !problemAreas.isEmpty else { return html + .element("p", [:], .text("Not enough samples per feature or item yet.")) }
        html.append(DashboardLayout.table(["area", "signal", "value", "at least / at most", "samples"], problemAreas.map { area in
            let unit = Metric(rawValue: area.signal)?.unit ?? (area.signal == "abandonment_rate" ? "ratio" : "")
            return [.text("\(area.kind) \(area.name)"), .text(area.signal), .text(area.value.map { ChartAxis.format($0, unit: unit) } ?? "–"),
                    .text(area.bound.map { ChartAxis.format($0, unit: unit) } ?? "–"), .text(String(area.samples))]
        }))
        return html
    }

    /// Feature usage and one table per declared dimension (`GET /v1/metrics?groupBy=…` for the same scope).
    private var breakdownsSection: HTML {
        guard !dimensions.isEmpty else { return HTML() }
        var html = HTML.element("h2", ["id": "breakdowns"], .text("Breakdowns (\(scope.text), treatment and control)"))
        if let featureUsage {
            html.append(.element("h3", [:], .text("Feature usage")))
            html.append(.element("p", ["class": "scope"], .text("Each feature's interactions and users, with their share of the variant's "
                + "(GET /v1/insights/feature-usage)" + (featureUsage.full ? "; the feature dimension is full: later features count as other." : "."))))
            html.append(DashboardLayout.table(FeatureUsage.Row.header, featureUsage.rows.map { $0.cells.map { HTML.text($0) } }))
        }
        for table in breakdowns {
            html.append(.element("h3", [:], .text("By \(table.dimension.rawValue)")))
            html.append(.element("p", ["class": "scope"], .text(table.caption)))
            html.append(table.rows.isEmpty ? .element("p", [:], .text("No event has carried a \(table.dimension.rawValue) yet."))
                        : DashboardLayout.table(table.header, table.htmlCells))
        }
        return html
    }

    /// The routes learners take and where they stop (`GET /v1/insights/learning-paths` for the same scope).
    private var learningPathsSection: HTML {
        let analysis = paths.analysis
        var html = HTML.element("h2", ["id": "learning-paths"], .text("Learning paths (\(scope.text), treatment)"))
        guard analysis.learners > 0 else {
            return html + .element("p", [:], .text("No completion event yet: paths come from completion events with an itemId."))
        }
        html.append(.element("p", ["class": "scope"], .text("\(analysis.learners) learners, \(paths.completions) completion events"
            + (paths.truncated ? " (the oldest only: more fell in the window)" : "") + ". A path counts the learners whose "
            + "completed items start with it; a learner stopped at an item when their latest event abandoned it.")))
        let share = { (count: Int) in ChartAxis.format(Double(count) / Double(analysis.learners), unit: "ratio") }
        html.append(.element("h3", [:], .text("Most common paths")))
        html.append(DashboardLayout.table(["path", "learners", "share"], analysis.paths.prefix(6).map { path in
            [.text(path.items.joined(separator: " → ")), .text(String(path.learners)), .text(share(path.learners))]
        }))
        html.append(.element("h3", [:], .text("Where learners stop")))
        html.append(DashboardLayout.table(["item", "reached", "completed", "abandoned", "stopped here", "abandonment at least"],
                                          analysis.items.prefix(8).map { item in
            [.text("\(item.item.rawValue) \(item.itemId)"), .text(String(item.reached)), .text(String(item.completed)),
             .text(String(item.abandoned)), .text(String(item.stoppedHere)),
             .text(item.abandonmentInterval.map { ChartAxis.format($0.lowerBound, unit: "ratio") } ?? "–")]
        }))
        return html
    }
}
