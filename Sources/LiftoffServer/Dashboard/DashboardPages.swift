import Foundation
import LiftoffAPI
import LiftoffCore
import LiftoffStore

/// The content of each dashboard page, from the same sources as the API.
struct DashboardPages: Sendable {
    let store: any Store
    let state: RolloutState
    let controller: RolloutCoordinator
    let metrics: MetricsQuery
    let reports: IncidentReports
    let clock: any WallClock

    /// The metrics page (`MetricsPage`: the model, read and shaped; its `render()` draws it); an unknown range
    /// reads as the last 24 hours.
    func metricsPage(window text: String?) async throws -> HTML {
        let range = text.flatMap(MetricsPage.Range.init(rawValue:)) ?? .day
        return try await MetricsPage.read(range, snapshot: state.snapshot, store: store, metrics: metrics, now: clock.now()).render()
    }

    /// The cost page (`CostPage`: the model, read and shaped; its `render()` draws it).
    func costPage() async throws -> HTML {
        try await CostPage.read(metrics: metrics, store: store, pricePoint: state.snapshot.plan.pricePoint, now: clock.now()).render()
    }

    func incidentPage(_ id: Int) async throws -> HTML {
        let report = try await reports.report(id)
        let number = { (value: Double?) in ReportText.number(value) }
        var html = HTML()
        html.append(.element("h1", [:], .text("Incident \(id): \(report.trigger)")))
        var facts: [[HTML]] = [
            [.text("opened"), .text(Timestamp.format(report.openedAt))],
            [.text("rollout / phase"), .text("\(report.rollout) / \(report.phase)")],
            [.text("value / 99.9% bound / threshold"), .text("\(number(report.value)) / \(number(report.bound)) / \(number(report.threshold))")],
            [.text("samples"), .text(String(report.samples))],
        ]
        if let control = report.control {
            // A rule held against control: what control did over the comparison's window.
            facts.append([.text("control: value / samples"), .text("\(number(control.value)) / \(control.samples)")])
        }
        facts.append([.text("affected users"), .text(number(report.affectedUsers))])
        html.append(DashboardLayout.table(["", ""], facts))
        if let points = report.series {
            html.append(.element("h2", [:], .text("\(report.metric) around the breach")))
            html.append(SVGChart(title: "series around the breach",
                                 series: [.init(name: "treatment", color: "#0969da", points: points.map { ($0.t, $0.value) })],
                                 threshold: report.threshold, unit: "").render())
        }
        html.append(.element("h2", [:], .text("Timeline")))
        html.append(DashboardLayout.table(["when", "who", "what", "detail"], (report.timeline ?? []).map { entry in
            [.text(Timestamp.format(entry.at)), .text(entry.actor), .text(entry.what), .text(entry.detail)]
        }))
        if let findings = report.findings, !findings.isEmpty {
            html.append(.element("h2", [:], .text("Findings (newest first)")))
            html.append(DashboardLayout.table(["finding"], findings.map { [.text(JSONValue.object($0).compactText)] }))
        }
        html.append(.element("h2", [:], .text("Failing interactions (sample)")))
        html.append(DashboardLayout.table(["interaction"], (report.failingInteractions ?? []).map { [.text(JSONValue.object($0).compactText)] }))
        return html
    }

    /// The overview (`OverviewPage`: the model, read and shaped; its `render(session:)` draws it).
    func overview(_ session: DashboardSessions.Session) async throws -> HTML {
        let snapshot = state.snapshot
        let gate = try await controller.gate(of: snapshot)
        return try await OverviewPage.read(snapshot: snapshot, gate: gate, store: store, metrics: metrics, now: clock.now()).render(session: session)
    }

    func audience(_ session: DashboardSessions.Session) -> HTML {
        let snapshot = state.snapshot
        var html = HTML()
        html.append(.element("h1", [:], .text("Audience")))
        var groups: [[HTML]] = []
        for phase in snapshot.plan.phases.prefix(snapshot.phaseIndex + 1) {
            for group in phase.audience.groups { groups.append([.text(group.name), .text(phase.name), .text(String(group.members.count))]) }
        }
        html.append(.element("h2", [:], .text("Groups")))
        html.append(DashboardLayout.table(["group (role)", "phase", "members"], groups))
        html.append(.element("h2", [:], .text("Invited (\(snapshot.invitations.count))")))
        html.append(DashboardLayout.table(["user", "phase", "invited"], snapshot.invitations.map {
            [.text($0.userId), .text($0.phase), .text(DashboardLayout.time($0.at))]
        }))
        html.append(.element("h2", [:], .text("Waitlist (\(snapshot.waitlist.filter { $0.admittedAt == nil }.count) waiting)")))
        if session.key.scope.covers(.operate), let waitlist = snapshot.phase.audience.waitlist {
            html.append(DashboardLayout.form(.admit, session: session, fields: DashboardLayout.input("count", label: "how many", type: "number", value: String(waitlist.batch)),
                                             button: "Admit next batch"))
        }
        html.append(DashboardLayout.table(["position", "user", "status", "signed up"], snapshot.waitlist.map {
            [.text(String($0.position)), .text($0.userId), .text($0.admittedAt == nil ? "waiting" : "admitted into \($0.admittedPhase ?? "")"),
             .text(DashboardLayout.time($0.signedUpAt))]
        }))
        return html
    }

    func alerts(_ session: DashboardSessions.Session) async throws -> HTML {
        var html = HTML()
        html.append(.element("h1", [:], .text("Alerts")))
        let states = try await store.ruleStates()
        let rules = state.snapshot.plan.guardrails.rules.filter { (states[$0.id]?.phase ?? .inactive) != .inactive }
        html.append(.element("h2", [:], .text("Rules pending or firing")))
        html.append(DashboardLayout.table(["rule", "state", "since", "condition", "severity", "actions"], rules.map { rule in
            let ruleState = states[rule.id] ?? RuleState()
            return [.text(rule.id), .text(ruleState.phase.rawValue), .text(DashboardLayout.time(ruleState.since)), .text(rule.label),
                    .text(rule.severity.rawValue), .text(rule.actions.isEmpty ? "alert only" : rule.actions.joined(separator: ", "))]
        }))
        html.append(.element("h2", [:], .text("Alerts")))
        let alerts = try await store.alerts(limit: 200)
        html.append(DashboardLayout.table(["rule", "status", "severity", "summary", "value", "since", "silenced"], alerts.map { alert in
            [.text(alert.ruleId), .text(alert.resolved ? "resolved" : "firing"), .text(alert.severity.rawValue),
             .text(alert.annotations["summary"] ?? ""), .text(alert.annotations["value"] ?? "–"), .text(DashboardLayout.time(alert.startsAt)),
             .text(alert.silenced ? "yes" : "")]
        }))
        html.append(.element("h2", [:], .text("Silences")))
        if session.key.scope.covers(.operate) {
            var fields = DashboardLayout.input("rule", label: "rule to silence, e.g. rollback[0]", required: true)
            fields.append(DashboardLayout.input("hours", label: "hours", type: "number", value: "4"))
            fields.append(DashboardLayout.input("comment", label: "comment (required)", required: true))
            html.append(DashboardLayout.form(.silences, session: session, fields: fields, button: "Silence"))
        }
        let now = clock.now()
        html.append(DashboardLayout.table(["matchers", "until", "by", "comment", "active"], try await store.silences().map { silence in
            [.text(silence.matchers.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")),
             .text(DashboardLayout.time(silence.endsAt)), .text(silence.createdBy), .text(silence.comment),
             .text(silence.startsAt <= now && now < silence.endsAt ? "yes" : "no")]
        }))
        return html
    }

    func incidents() async throws -> HTML {
        var html = HTML()
        html.append(.element("h1", [:], .text("Incidents")))
        var rows: [[HTML]] = []
        for incident in try await store.incidents() {
            let report = try IncidentReports.decode(incident)
            rows.append([.element("a", ["href": DashboardPath.incident(incident.id ?? 0)], .text(String(incident.id ?? 0))),
                         .text(DashboardLayout.time(incident.openedAt)), .text(incident.phase),
                         .text(report.trigger), .text(ReportText.number(report.value)),
                         .text(ReportText.number(report.affectedUsers)), .text(report.actions.joined(separator: ", "))])
        }
        html.append(DashboardLayout.table(["#", "opened", "phase", "trigger", "value", "affected users", "actions"], rows))
        return html
    }

    func feedback(query: String?) async throws -> HTML {
        var html = HTML()
        html.append(.element("h1", [:], .text("Feedback")))
        let entries = try await store.feedback(FeedbackFilter(text: query?.isEmpty == false ? query : nil, limit: 200))
        let now = clock.now()
        let quality = try await metrics.values([.aiResponseRelevance, .userSatisfaction, .usabilityScore],
                                               over: MetricsQuery.Interval(start: now.addingTimeInterval(-7 * 86_400), end: now), phase: nil, variant: .treatment)
        html.append(DashboardLayout.table(["last 7 days, treatment", "value", "samples"], [Metric.aiResponseRelevance, .userSatisfaction, .usabilityScore].map { metric in
            [.text(metric.rawValue), .text(DashboardLayout.number(quality[metric]?.value)), .text(String(quality[metric]?.samples ?? 0))]
        }))
        var counts = [Int](repeating: 0, count: 5)
        for entry in entries { if let rating = entry.feedback.rating { counts[rating - 1] += 1 } }
        html.append(DashboardLayout.table(["rating", "1", "2", "3", "4", "5"], [[.text("responses")] + counts.map { .text(String($0)) }]))
        html.append(.element("form", ["method": "get", "action": DashboardPath.feedback.rawValue, "class": "inline", "role": "search"],
                             DashboardLayout.input("q", label: "search suggestions", value: query)
                                + .element("button", ["type": "submit"], .text("Search"))))
        html.append(DashboardLayout.table(["when", "user", "phase", "variant", "rating", "relevant", "suggestion"], entries.map { entry in
            [.text(DashboardLayout.time(entry.at)), .text(entry.userId ?? "–"), .text(entry.phase), .text(entry.variant.rawValue),
             .text(entry.feedback.rating.map(String.init) ?? "–"), .text(entry.feedback.relevant.map { $0 ? "yes" : "no" } ?? "–"),
             .text(entry.feedback.suggestion ?? "")]
        }))
        return html
    }

    /// The newest 200 entries, or those before the sequence number `before` (the overview's decisions link to an
    /// entry that way); each row's anchor is `audit-<sequence>`.
    func audit(before: Int?) async throws -> HTML {
        var html = HTML()
        html.append(.element("h1", [:], .text("Audit log")))
        let entries = try await store.auditLog(limit: 200, before: before, action: nil)
        html.append(DashboardLayout.table(["#", "when", "actor", "action", "reason", "after"], entries.map {
            [.element("span", ["id": "audit-\($0.sequence ?? 0)"], .text(String($0.sequence ?? 0))), .text(DashboardLayout.time($0.at)),
             .text($0.actor), .text($0.action), .text($0.reason ?? ""), .text($0.after ?? "")]
        }))
        if let oldest = entries.last?.sequence, entries.count == 200 {
            html.append(.element("p", [:], .element("a", ["href": "\(DashboardPath.audit.rawValue)?before=\(oldest)"], .text("Older entries"))))
        }
        return html
    }
}
