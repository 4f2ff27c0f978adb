import Foundation
import LiftoffAPI
import LiftoffCore
import LiftoffStore

extension OverviewPage {
    /// The page for `session`: controls only for keys that may use them, audit links only for admins.
    func render(session: DashboardSessions.Session) -> HTML {
        let canOperate = session.key.scope.covers(.operate)
        var html = HTML.element("h1", [:], .text("\(rollout): phase \(phase)"))
        var status = HTML.text("Status ")
        status.append(.element("span", ["class": "badge"], .text(self.status.rawValue.replacingOccurrences(of: "_", with: " "))))
        status.text(" · gate ")
        status.append(.element("span", ["class": gate.ready || gate.isFinal ? "badge ready" : "badge notready", "id": "gate-state"], .text(gateText)))
        if let promotion { status.text(" · promotion \(promotion.rawValue)") }
        html.append(.element("p", [:], status))
        html.append(.element("p", ["id": "rollout-summary"], .text(summary)))
        html.append(.element("h2", ["id": "story"], .text("The rollout at a glance")))
        html.append(TimelineChart(story: story).render())
        html.append(audienceChart)
        html.append(.element("h2", [:], .text("Exit criteria (treatment users)")))
        html.append(DashboardLayout.table(["criterion", "value", "95% interval", "samples", "verdict", "more samples needed"], gate.criteria.map { result in
            [.text(result.label + " (" + (result.criterion.window.map(DurationText.format) ?? "phase") + ")"),
             .text(DashboardLayout.number(result.value)), .text(DashboardLayout.interval(result.interval)),
             DashboardLayout.sampleProgress(result),
             .element("span", ["class": result.verdict.rawValue], .text(result.verdict.rawValue.replacingOccurrences(of: "_", with: " "))),
             .text(DashboardLayout.samplesNeeded(result))]
        }))
        html.append(keyMetrics)
        html.append(.element("h2", [:], .text("Checklist")))
        html.append(DashboardLayout.table(["item", "signed", ""], gate.checklist.map { item in
            var sign = HTML()
            if !item.isSigned && canOperate {
                var fields = HTML.void("input", ["type": "hidden", "name": "item", "value": item.item])
                fields.append(DashboardLayout.input("note", label: "note"))
                sign = DashboardLayout.form(.checklist, session: session, fields: fields, button: "Sign")
            }
            return [.text(item.item), .text(item.signedBy.map { "by \($0), \(DashboardLayout.time(item.signedAt))" } ?? "not yet"), sign]
        }))
        if !gate.unmet.isEmpty {
            html.append(.element("h2", [:], .text("Unmet")))
            html.append(.element("ul", ["id": "unmet"], .join(gate.unmet.map { .element("li", [:], .text($0)) })))
        }
        if canOperate { html.append(Self.actions(session)) }
        html.append(decisions(admin: session.key.scope == .admin))
        html.append(.element("h2", [:], .text("Timeline: planned against actual")))
        html.append(DashboardLayout.table(["phase", "planned start", "planned end", "started", "ended", "overrun"], timeline.map { entry in
            [.text(entry.phase), .text(DashboardLayout.time(entry.plannedStart)), .text(DashboardLayout.time(entry.plannedEnd)),
             .text(DashboardLayout.time(entry.startedAt)), .text(DashboardLayout.time(entry.endedAt)),
             .text(entry.overrunDays.map { String(format: "%.1f d", $0) } ?? "–")]
        }))
        html.append(planVersionsSection)
        return html
    }

    private static func actions(_ session: DashboardSessions.Session) -> HTML {
        var html = HTML.element("h2", [:], .text("Actions"))
        var promote = DashboardLayout.input("reason", label: "reason")
        if session.key.scope == .admin {
            promote.append(DashboardLayout.input("force", label: "force past the gate (admin)", type: "checkbox"))
            promote.append(DashboardLayout.input("confirmForced", label: "I confirm a forced promotion", type: "checkbox"))
        }
        html.append(DashboardLayout.form(.promote, session: session, fields: promote, button: "Promote"))
        html.append(DashboardLayout.form(.pause, session: session, fields: DashboardLayout.input("reason", label: "reason"), button: "Pause"))
        html.append(DashboardLayout.form(.resume, session: session, fields: DashboardLayout.input("reason", label: "reason"), button: "Resume"))
        var rollback = DashboardLayout.input("reason", label: "reason (required)", required: true)
        rollback.append(DashboardLayout.input("confirm", label: "I confirm the rollback", type: "checkbox", required: true))
        html.append(DashboardLayout.form(.rollback, session: session, fields: rollback, button: "Roll back", danger: true))
        return html
    }

    /// How many users the rollout had let in by name over its course, with the phases behind (the audience's size,
    /// which active users, charted below, are a part of).
    private var audienceChart: HTML {
        var html = HTML.element("h2", ["id": "audience-size"], .text("Audience size over the rollout"))
        if let note = audience.note { html.append(.element("p", ["class": "scope"], .text(note))) }
        html.append(SVGChart(title: "Users let in by name (groups, invitations, waitlist admissions)",
                             series: [.init(name: "users let in", color: "#1a7f37", points: audience.points)],
                             threshold: nil, unit: "count", bands: story.bands, width: 900, height: 160).render())
        return html
    }

    /// Each decision of the story in words, the rows the timeline's markers link to, newest first.
    private func decisions(admin: Bool) -> HTML {
        var html = HTML.element("h2", ["id": "decisions"], .text("Decisions"))
        let head = HTML.element("thead", [:], .element("tr", [:], .join(["when", "kind", "what", "record"].map { .element("th", ["scope": "col"], .text($0)) })))
        var rows = HTML()
        for (index, marker) in story.markers.enumerated().reversed() {
            var record = HTML()
            if let incident = marker.incident {
                record.append(.element("a", ["href": DashboardPath.incident(incident)], .text("incident #\(incident)")))
            } else if admin {
                record.append(.element("a", ["href": "\(DashboardPath.audit.rawValue)?before=\(marker.audit + 1)#audit-\(marker.audit)"],
                                       .text("audit #\(marker.audit)")))
            } else if marker.kind == .alert {
                // The audit log is for admins; an alert is on the alerts page for anyone who can read.
                record.append(.element("a", ["href": DashboardPath.alerts.rawValue], .text("alerts")))
            } else {
                record.text("audit #\(marker.audit)")
            }
            rows.append(.element("tr", ["id": "decision-\(index + 1)"],
                                 .element("td", [:], .text(DashboardLayout.time(marker.at)))
                                    + .element("td", [:], .element("span", ["class": "kind \(marker.kind.rawValue)"], .text(marker.kind.rawValue)))
                                    + .element("td", [:], .text(marker.title)) + .element("td", [:], record)))
        }
        if story.markers.isEmpty { rows = .element("tr", [:], .element("td", ["colspan": "4"], .text("none yet"))) }
        html.append(.element("table", ["id": "decision-log"], head + .element("tbody", [:], rows)))
        return html
    }

    /// The current phase's criteria metrics and the rollback triggers across the whole rollout, with the phases
    /// behind them and each one's line, plus active users (the audience using each experience).
    private var keyMetrics: HTML {
        var html = HTML.element("h2", ["id": "key-metrics"],
                                .text("Key metrics across the rollout (every phase; the current phase's criteria and the rollback triggers)"))
        let cards = keyCharts.map { chart in
            HTML.element("section", ["class": "card"], .element("h3", [:], .text(chart.name)) + SVGChart(
                title: "\(chart.name) across the rollout: treatment and control", series: [
                    .init(name: "treatment", color: "#0969da", points: chart.treatment),
                    .init(name: "control", color: "#8250df", points: chart.control),
                ], threshold: chart.threshold, unit: chart.metric.unit, bands: story.bands).render())
        }
        html.append(.element("div", ["class": "cards"], .join(cards)))
        return html
    }

    /// The plan's stored versions, newest first, with the one this page was drawn from marked.
    private var planVersionsSection: HTML {
        var html = HTML.element("h2", [:], .text("Plan versions"))
        guard !planVersions.isEmpty else {
            html.append(.element("p", ["id": "plan-version"], .text("No plan version is stored: this server was given its plan in code.")))
            return html
        }
        let served = livePlanVersion.map { "This page shows plan version \($0)." } ?? "This page shows a plan given in code."
        html.append(.element("p", ["id": "plan-version"], .text(served + " Apply a new one with liftoff plan apply FILE --reason …")))
        html.append(DashboardLayout.table(["version", "applied", "by", "reason", "SHA-256"], planVersions.map { version in
            [.text(String(version.number) + (version.number == livePlanVersion ? " (live)" : "")), .text(DashboardLayout.time(version.appliedAt)),
             .text(version.actor), .text(version.reason ?? ""), .text(String(version.sha256.prefix(12)))]
        }))
        return html
    }
}
