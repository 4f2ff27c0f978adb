import Foundation
import LiftoffAPI
import LiftoffCore
import LiftoffStore

/// The incidents page's model: every incident with the report it was opened with.
struct IncidentsPage {
    var incidents: [(record: IncidentRecord, report: IncidentReport)]

    static func read(store: any Store) async throws -> IncidentsPage {
        IncidentsPage(incidents: try await store.incidents().map { ($0, try IncidentReports.decode($0)) })
    }

    func render() -> HTML {
        let rows = incidents.map { record, report -> [HTML] in
            [.element("a", ["href": DashboardPath.incident(record.id ?? 0)], .text(String(record.id ?? 0))),
             .text(DashboardLayout.time(record.openedAt)), .text(record.phase), .text(report.trigger), .text(ReportText.number(report.value)),
             .text(ReportText.number(report.affectedUsers)), .text(report.actions.joined(separator: ", "))]
        }
        return .element("h1", [:], .text("Incidents"))
            + DashboardLayout.table(["#", "opened", "phase", "trigger", "value", "affected users", "actions"], rows)
    }
}

extension IncidentReport {
    /// The incident's page: its facts, the series around the breach, its timeline, findings and failing interactions.
    func render(id: Int) -> HTML {
        let number = { (value: Double?) in ReportText.number(value) }
        var html = HTML.element("h1", [:], .text("Incident \(id): \(trigger)"))
        var facts: [[HTML]] = [
            [.text("opened"), .text(Timestamp.format(openedAt))],
            [.text("rollout / phase"), .text("\(rollout) / \(phase)")],
            [.text("value / 99.9% bound / threshold"), .text("\(number(value)) / \(number(bound)) / \(number(threshold))")],
            [.text("samples"), .text(String(samples))],
        ]
        if let control {
            // A rule held against control: what control did over the comparison's window.
            facts.append([.text("control: value / samples"), .text("\(number(control.value)) / \(control.samples)")])
        }
        facts.append([.text("affected users"), .text(number(affectedUsers))])
        html.append(DashboardLayout.table(["", ""], facts))
        if let series {
            html.append(.element("h2", [:], .text("\(metric) around the breach")))
            html.append(SVGChart(title: "series around the breach",
                                 series: [.init(name: "treatment", color: "#0969da", points: series.map { ($0.t, $0.value) })],
                                 threshold: threshold, unit: Metric(rawValue: metric)?.unit ?? "").render())
        }
        html.append(.element("h2", [:], .text("Timeline")))
        html.append(DashboardLayout.table(["when", "who", "what", "detail"], (timeline ?? []).map { entry in
            [.text(Timestamp.format(entry.at)), .text(entry.actor), .text(entry.what), .text(entry.detail)]
        }))
        if let findings, !findings.isEmpty {
            html.append(.element("h2", [:], .text("Findings (newest first)")))
            html.append(DashboardLayout.table(["finding"], findings.map { [.text(JSONValue.object($0).compactText)] }))
        }
        html.append(.element("h2", [:], .text("Failing interactions (sample)")))
        html.append(DashboardLayout.table(["interaction"], (failingInteractions ?? []).map { [.text(JSONValue.object($0).compactText)] }))
        return html
    }
}
