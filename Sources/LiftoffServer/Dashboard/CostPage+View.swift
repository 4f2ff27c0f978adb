import Foundation
import LiftoffAPI
import LiftoffCore
import LiftoffStore

extension CostPage {
    func render() -> HTML {
        var html = HTML.element("h1", [:], .text("Cost"))
        let scope = "all phases, treatment and control, last 14 days (UTC days)"
        var cards = HTML()
        for (metric, values) in [(Metric.apiCosts, days.map { ($0.start, $0.apiCosts) }), (.tokenUsage, days.map { ($0.start, $0.tokens) })] {
            // A day without samples is no bar, not a zero.
            let chart = SVGChart(title: "\(metric.rawValue) per day, last 14 days", series: [.init(name: "all users", color: "#0969da", points: values)],
                                 threshold: nil, unit: metric.unit, style: .bars)
            cards.append(Self.card("\(metric.rawValue) per day", scope: scope, chart.render()))
        }
        let money = SVGChart(title: "revenue and spend per day, last 14 days", series: [
            .init(name: "revenue", color: "#1a7f37", points: days.map { ($0.start, $0.revenue) }),
            .init(name: "spend", color: "#cf222e", points: days.map { ($0.start, $0.spend) }),
        ], threshold: nil, unit: "USD", style: .bars)
        cards.append(Self.card("revenue and spend per day", scope: scope + "; spend is API plus infrastructure cost, revenue is payments less refunds",
                               money.render()))
        html.append(.element("div", ["class": "cards"], cards))
        html.append(.element("h2", [:], .text("Cost and revenue per user against the price point")))
        html.append(.element("p", ["class": "scope"], .text("Scope: \(Self.monthScope). " + projectionCaveat)))
        html.append(Self.comparison(perUserPerMonth))
        html.append(DashboardLayout.table(["", "value"], summary.map { [HTML.text($0.0), .text($0.1)] }))
        let rows = { (lines: [CostBreakdown.Line]) in lines.map { line -> [HTML] in
            [.text(line.name), .text(String(line.interactions)), .text(String(line.tokens)), .text(String(format: "$%.4f", line.costUsd)),
             .text(String(line.unpriced))]
        } }
        html.append(.element("h2", [:], .text("By model (all phases, treatment and control, last 30 days)")))
        html.append(DashboardLayout.table(["model", "interactions", "tokens", "cost", "unpriced"], rows(breakdown.byModel)))
        html.append(.element("h2", [:], .text("Top users by cost (all phases, treatment and control, last 30 days)")))
        html.append(DashboardLayout.table(["user", "interactions", "tokens", "cost", "unpriced"], rows(breakdown.byUser)))
        return html
    }

    private static func card(_ title: String, scope: String, _ chart: HTML) -> HTML {
        .element("section", ["class": "card"], .element("h2", [:], .text(title)) + .element("p", ["class": "scope"], .text(scope)) + chart)
    }

    /// Horizontal bars on one dollar scale, one per amount, each labelled with its value: unknown amounts say so
    /// instead of drawing a zero. The labels and values are the text alternative too.
    static func comparison(_ amounts: [(label: String, usd: Double?)]) -> HTML {
        let width = 560.0, labelWidth = 180.0, row = 24.0
        let largest = max(amounts.compactMap(\.usd).map { abs($0) }.max() ?? 0, 1e-9)
        func number(_ value: Double) -> String { String(format: "%.1f", value) }
        let text = amounts.map { "\($0.label): \($0.usd.map { ChartAxis.format($0, unit: "USD") } ?? "not known")" }.joined(separator: "; ")
        var svg = HTML.element("title", [:], .text("Per user per month: " + text))
        for (index, amount) in amounts.enumerated() {
            let y = Double(index) * row + 4
            svg.append(.element("text", ["x": "0", "y": number(y + 13), "font-size": "11", "fill": "#1b1f24"], .text(amount.label)))
            guard let usd = amount.usd else {
                svg.append(.element("text", ["x": number(labelWidth), "y": number(y + 13), "font-size": "11", "fill": "#57606a"], .text("not known")))
                continue
            }
            let length = max(abs(usd) / largest * (width - labelWidth - 70), 1)
            svg.append(.element("rect", ["x": number(labelWidth), "y": number(y + 2), "width": number(length), "height": "14",
                                         "fill": usd < 0 ? "#cf222e" : "#0969da"]))
            svg.append(.element("text", ["x": number(labelWidth + length + 4), "y": number(y + 13), "font-size": "11", "fill": "#1b1f24"],
                                .text(ChartAxis.format(usd, unit: "USD"))))
        }
        let height = Double(amounts.count) * row + 8
        return .element("svg", ["role": "img", "aria-label": "Per user per month: " + text, "viewBox": "0 0 \(Int(width)) \(Int(height))",
                                "width": "100%", "style": "max-width:\(Int(width))px"], svg)
    }
}
