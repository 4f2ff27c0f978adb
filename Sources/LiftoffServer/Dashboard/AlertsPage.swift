import Foundation
import LiftoffAPI
import LiftoffCore
import LiftoffStore

/// The alerts page's model: the rules pending or firing, the alerts, the silences and which are in force.
struct AlertsPage {
    var active: [(rule: Rule, state: RuleState)]
    var alerts: [AlertRecord]
    var silences: [(silence: SilenceRecord, inForce: Bool)]

    init(rules: [Rule], states: [String: RuleState], alerts: [AlertRecord], silences: [SilenceRecord], now: Date) {
        active = rules.compactMap { rule in
            guard let state = states[rule.id], state.phase != .inactive else { return nil }
            return (rule, state)
        }
        self.alerts = alerts
        self.silences = silences.map { ($0, $0.startsAt <= now && now < $0.endsAt) }
    }

    static func read(plan: Plan, store: any Store, now: Date) async throws -> AlertsPage {
        AlertsPage(rules: plan.guardrails.rules, states: try await store.ruleStates(), alerts: try await store.alerts(limit: 200),
                   silences: try await store.silences(), now: now)
    }

    func render(session: DashboardSessions.Session) -> HTML {
        var html = HTML.element("h1", [:], .text("Alerts"))
        html.append(.element("h2", [:], .text("Rules pending or firing")))
        html.append(DashboardLayout.table(["rule", "state", "since", "condition", "severity", "actions"], active.map { rule, state in
            [.text(rule.id), .text(state.phase.rawValue), .text(DashboardLayout.time(state.since)), .text(rule.label),
             .text(rule.severity.rawValue), .text(rule.actions.isEmpty ? "alert only" : rule.actions.joined(separator: ", "))]
        }))
        html.append(.element("h2", [:], .text("Alerts")))
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
        html.append(DashboardLayout.table(["matchers", "until", "by", "comment", "active"], silences.map { silence, inForce in
            [.text(silence.matchers.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")),
             .text(DashboardLayout.time(silence.endsAt)), .text(silence.createdBy), .text(silence.comment), .text(inForce ? "yes" : "no")]
        }))
        return html
    }
}
