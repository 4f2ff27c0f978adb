import Foundation
import LiftoffAPI
import LiftoffCore
import LiftoffStore

/// Renders a group of alerts (those that changed in one evaluation, or are due to be repeated) for each
/// receiver format as its typed document: `AlertGroupMessage` (plain JSON), `SlackMessage` (`text` and
/// blocks) and `AlertmanagerMessage` (the Alertmanager webhook payload, version 4).
enum AlertMessages {
    static func body(_ alerts: [AlertRecord], format: AlertRoute.Format, rollout: String, externalURL: String, now: Date) throws -> String {
        switch format {
        case .json: try APICoding.text(group(alerts, rollout: rollout, externalURL: externalURL))
        case .slack: try APICoding.text(slack(alerts, rollout: rollout))
        case .alertmanager: try APICoding.text(alertmanager(alerts, rollout: rollout, externalURL: externalURL))
        case .alertmanagerAPI: try APICoding.text(postable(alerts, externalURL: externalURL, now: now))
        }
    }

    /// How often an `alertmanager_api` route gets the alerts still firing again.
    static let alertmanagerResend: TimeInterval = 60

    /// The body of Alertmanager's `POST /api/v2/alerts`. A firing alert ends four re-sends ahead (Prometheus
    /// uses four times its resend delay the same way): if Liftoff stops sending, Alertmanager resolves it.
    static func postable(_ alerts: [AlertRecord], externalURL: String, now: Date) -> [AlertmanagerPostableAlert] {
        alerts.map { alert in
            AlertmanagerPostableAlert(labels: alert.labels, annotations: alert.annotations, startsAt: Timestamp.format(alert.startsAt),
                                      endsAt: Timestamp.format(alert.resolved ? (alert.endsAt ?? now) : now.addingTimeInterval(4 * alertmanagerResend)),
                                      generatorURL: "\(externalURL)\(DashboardPath.alerts.rawValue)")
        }
    }

    static func group(_ alerts: [AlertRecord], rollout: String, externalURL: String) -> AlertGroupMessage {
        AlertGroupMessage(status: status(alerts), rollout: rollout, url: "\(externalURL)/v1/alerts", alerts: alerts.map { alert in
            AlertGroupMessage.Alert(status: alert.resolved ? "resolved" : "firing", rule: alert.ruleId, severity: alert.severity.rawValue,
                                    labels: alert.labels, annotations: alert.annotations, startsAt: Timestamp.format(alert.startsAt),
                                    endsAt: endsAt(alert), fingerprint: alert.fingerprint)
        })
    }

    static func slack(_ alerts: [AlertRecord], rollout: String) -> SlackMessage {
        let lines = alerts.map { alert in
            let icon = alert.resolved ? ":white_check_mark:" : (alert.severity == .critical ? ":rotating_light:" : ":warning:")
            let actions = alert.resolved ? "" : alert.annotations["actions"].map { " → \($0)" } ?? ""
            let findings = alert.annotations["findings"].map { " — \($0)" } ?? ""
            return "\(icon) [\(alert.resolved ? "RESOLVED" : "FIRING")] \(alert.annotations["summary"] ?? alert.ruleId)\(actions)\(findings) "
                + "(rollout \(alert.labels["rollout"] ?? rollout), phase \(alert.labels["phase"] ?? ""))"
        }
        let blocks = zip(alerts, lines).map { alert, line in
            let detail = "*value* \(alert.annotations["value"] ?? "–") · *threshold* \(alert.annotations["threshold"] ?? "–") · "
                + "*window* \(alert.annotations["window"] ?? "–") · *samples* \(alert.annotations["samples"] ?? "–")"
            return SlackMessage.Block(text: SlackMessage.Text(text: line + "\n" + detail))
        }
        return SlackMessage(text: lines.joined(separator: "\n"), blocks: blocks)
    }

    static func alertmanager(_ alerts: [AlertRecord], rollout: String, externalURL: String) -> AlertmanagerMessage {
        // What every alert of the group shares, as Alertmanager computes its common labels and annotations.
        let common = { (pick: (AlertRecord) -> [String: String]) -> [String: String] in
            guard var shared = alerts.first.map(pick) else { return [:] }
            for alert in alerts.dropFirst() { shared = shared.filter { pick(alert)[$0.key] == $0.value } }
            return shared
        }
        return AlertmanagerMessage(
            groupKey: "{}:{rollout=\"\(rollout)\"}", status: status(alerts), receiver: "liftoff", groupLabels: ["rollout": rollout],
            commonLabels: common { $0.labels }, commonAnnotations: common { $0.annotations }, externalURL: externalURL,
            alerts: alerts.map { alert in
                AlertmanagerMessage.Alert(status: alert.resolved ? "resolved" : "firing", labels: alert.labels, annotations: alert.annotations,
                                          startsAt: Timestamp.format(alert.startsAt), endsAt: endsAt(alert),
                                          generatorURL: "\(externalURL)/v1/alerts", fingerprint: alert.fingerprint)
            })
    }

    private static func status(_ alerts: [AlertRecord]) -> String { alerts.contains { !$0.resolved } ? "firing" : "resolved" }

    /// Alertmanager's zero time means "not ended".
    private static func endsAt(_ alert: AlertRecord) -> String { alert.endsAt.map(Timestamp.format) ?? "0001-01-01T00:00:00Z" }
}
