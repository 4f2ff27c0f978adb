import Foundation

extension ComparisonRow {
    public static let header = ["metric", "unit", "treatment (n)", "control (n)", "difference", "relative", "95% interval", "real?"]

    /// The row as table cells, for the report and the dashboard alike.
    public var cells: [String] {
        [metric, unit, "\(ReportText.number(treatment)) (\(treatmentSamples))", "\(ReportText.number(control)) (\(controlSamples))",
         ReportText.number(difference), ReportText.percent(relativeDifference), ReportText.interval(interval),
         real.map { $0 ? "yes" : "no" } ?? "not tested"]
    }
}

extension PhaseReport {
    public var title: String { "Phase report: \(rollout) / \(phase)" }

    public var summary: String {
        "\(ReportText.time(startedAt)) – \(endedAt.map(ReportText.time) ?? "ongoing") · "
            + "daily active users (treatment, mean): \(ReportText.number(dailyActiveUsers)) · generated \(ReportText.time(generatedAt))"
    }

    /// The report as tables, shared by the Markdown and HTML renderings.
    public var tables: [ReportTable] {
        var tables = [ReportTable(
            title: "Exit criteria (treatment)", header: ["criterion", "value", "95% interval", "samples", "verdict", "more samples needed"],
            rows: criteria.map { row in
                [row.criterion, ReportText.number(row.value), row.interval == nil ? "exact" : ReportText.interval(row.interval),
                 "\(row.samples)/\(row.minSamples)", row.verdict.rawValue.replacingOccurrences(of: "_", with: " "),
                 ReportText.number(row.samplesNeeded)]
            })]
        for section in kpis {
            tables.append(ReportTable(title: "\(section.section) (treatment against control; \(comparison.correction))",
                                      header: ComparisonRow.header, rows: section.metrics.map(\.cells)))
        }
        tables.append(ReportTable(title: "Feedback (\(feedback.responses) responses)", header: ["rating", "count"],
                                  rows: (1...5).map { [String($0), ReportText.number(feedback.ratings[String($0)])] }))
        if !feedback.suggestions.isEmpty {
            tables.append(ReportTable(title: "Recent suggestions", header: ["suggestion"], rows: feedback.suggestions.map { [$0] }))
        }
        let margin = pricePoint.flatMap { price in
            costPerUserPerMonth.map { cost in String(format: "%.2f (%.0f%%)", price - cost, (price - cost) / price * 100) }
        }
        tables.append(ReportTable(
            title: "Price point", header: ["cost per user per month (treatment, projected)", "from days observed", "price point", "margin",
                                           "revenue per paying user (treatment, phase)"],
            rows: [[ReportText.number(costPerUserPerMonth), ReportText.number(costObservedDays), ReportText.number(pricePoint),
                    margin ?? ReportText.absent, ReportText.number(revenuePerPayingUser)]]))
        if let insights { tables += insights.tables }
        tables.append(ReportTable(title: "Incidents", header: ["id", "opened", "rule", "trigger"],
                                  rows: incidents.map { [String($0.id), ReportText.time($0.openedAt), $0.rule, ReportText.text($0.trigger)] }))
        tables.append(ReportTable(title: "Checklist sign-offs", header: ["item", "by", "at", "note"],
                                  rows: checklist.map { [$0.item, $0.by, ReportText.time($0.at), ReportText.text($0.note)] }))
        return tables
    }

    public var markdown: String {
        (["# \(title)", "", summary, ""] + tables.flatMap(\.markdown)).joined(separator: "\n")
    }

    /// Printable HTML in the dashboard's stylesheet; every text from users or the plan is escaped.
    public var html: String {
        let body = HTML.element("h1", [:], .text(title)) + .element("p", [:], .text(summary)) + .join(tables.map(\.html))
        return HTML.document(title: title, head: .style(Stylesheet.css), body: body, bodyAttributes: ["class": "report"]).description
    }
}

extension PhaseReport.Insights {
    /// Feature usage, problem areas, the most common paths and where learners stop.
    public var tables: [ReportTable] {
        var tables: [ReportTable] = []
        if let featureUsage {
            tables.append(ReportTable(
                title: "Feature usage (share of the variant's interactions and active users)",
                header: FeatureUsage.Row.header, rows: featureUsage.map(\.cells)))
        }
        tables.append(ReportTable(
            title: "Problem areas (treatment, worst first by the side of the 95% interval nearest to good)",
            header: ["area", "signal", "value", "at least / at most", "samples"],
            rows: problemAreas.map { ["\($0.kind) \($0.name)", $0.signal, ReportText.number($0.value), ReportText.number($0.bound), String($0.samples)] }))
        let paths = learningPaths
        tables.append(ReportTable(
            title: "Most common learning paths (treatment, \(paths.learners) learners\(paths.truncated ? ", oldest completions only" : ""))",
            header: ["path", "learners", "share"],
            rows: paths.paths.map { [$0.items.joined(separator: " → "), String($0.learners), ReportText.share($0.share)] }))
        tables.append(ReportTable(
            title: "Where learners stop (treatment)", header: ["item", "reached", "completed", "abandoned", "stopped here", "abandonment at least"],
            rows: paths.items.map { [$0.itemId, String($0.reached), String($0.completed), String($0.abandoned), String($0.stoppedHere),
                                     ReportText.share($0.abandonmentBound)] }))
        return tables
    }
}

extension FeatureUsage.Row {
    public static let header = ["feature", "treatment interactions", "treatment users", "control interactions", "control users"]

    /// The row as table cells (count and share), for the report and the dashboard alike.
    public var cells: [String] {
        let (treatment, control) = (variants["treatment"], variants["control"])
        return [feature, Self.usage(treatment?.interactions, treatment?.interactionShare), Self.usage(treatment?.users, treatment?.userShare),
                Self.usage(control?.interactions, control?.interactionShare), Self.usage(control?.users, control?.userShare)]
    }

    private static func usage(_ count: Int?, _ share: Double?) -> String {
        guard let count else { return ReportText.absent }
        return "\(count) (\(ReportText.share(share)))"
    }
}
