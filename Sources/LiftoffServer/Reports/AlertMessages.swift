import Foundation
import LiftoffCore
import LiftoffStore

/// Renders a group of alerts (those that changed in one evaluation, or are due to be repeated) for each
/// receiver format: plain JSON, Slack (`text` and blocks), and the Alertmanager webhook payload (version 4),
/// so existing Alertmanager receivers take Liftoff's alerts unchanged.
enum AlertMessages {
    static func body(_ alerts: [AlertRecord], format: AlertRoute.Format, rollout: String, externalURL: String) -> String {
        let status = alerts.contains { !$0.resolved } ? "firing" : "resolved"
        switch format {
        case .json:
            return JSONValue.object([
                "status": .string(status), "rollout": .string(rollout), "url": .string("\(externalURL)/v1/alerts"),
                "alerts": .array(alerts.map { alert in
                    .object([
                        "status": .string(alert.resolved ? "resolved" : "firing"), "rule": .string(alert.ruleId),
                        "severity": .string(alert.severity.rawValue), "labels": labels(alert), "annotations": annotations(alert),
                        "startsAt": .string(Timestamp.format(alert.startsAt)), "endsAt": endsAt(alert),
                        "fingerprint": .string(alert.fingerprint),
                    ])
                }),
            ]).compactText
        case .slack:
            let lines = alerts.map { alert in
                let icon = alert.resolved ? ":white_check_mark:" : (alert.severity == .critical ? ":rotating_light:" : ":warning:")
                return "\(icon) [\(alert.resolved ? "RESOLVED" : "FIRING")] \(alert.annotations["summary"] ?? alert.ruleId) "
                    + "(rollout \(alert.labels["rollout"] ?? rollout), phase \(alert.labels["phase"] ?? ""))"
            }
            var blocks: [JSONValue] = []
            for (alert, line) in zip(alerts, lines) {
                let detail = "*value* \(alert.annotations["value"] ?? "–") · *threshold* \(alert.annotations["threshold"] ?? "–") · "
                    + "*window* \(alert.annotations["window"] ?? "–") · *samples* \(alert.annotations["samples"] ?? "–")"
                blocks.append(.object(["type": .string("section"), "text": .object(["type": .string("mrkdwn"), "text": .string(line + "\n" + detail)])]))
            }
            return JSONValue.object(["text": .string(lines.joined(separator: "\n")), "blocks": .array(blocks)]).compactText
        case .alertmanager:
            let common = { (pick: (AlertRecord) -> [String: String]) -> JSONValue in
                guard var shared = alerts.first.map(pick) else { return .object([:]) }
                for alert in alerts.dropFirst() { shared = shared.filter { pick(alert)[$0.key] == $0.value } }
                return .object(shared.mapValues(JSONValue.string))
            }
            return JSONValue.object([
                "version": .string("4"),
                "groupKey": .string("{}:{rollout=\"\(rollout)\"}"),
                "truncatedAlerts": .number(0),
                "status": .string(status),
                "receiver": .string("liftoff"),
                "groupLabels": .object(["rollout": .string(rollout)]),
                "commonLabels": common { $0.labels },
                "commonAnnotations": common { $0.annotations },
                "externalURL": .string(externalURL),
                "alerts": .array(alerts.map { alert in
                    .object([
                        "status": .string(alert.resolved ? "resolved" : "firing"), "labels": labels(alert),
                        "annotations": annotations(alert), "startsAt": .string(Timestamp.format(alert.startsAt)),
                        "endsAt": endsAt(alert), "generatorURL": .string("\(externalURL)/v1/alerts"),
                        "fingerprint": .string(alert.fingerprint),
                    ])
                }),
            ]).compactText
        }
    }

    private static func labels(_ alert: AlertRecord) -> JSONValue { .object(alert.labels.mapValues(JSONValue.string)) }
    private static func annotations(_ alert: AlertRecord) -> JSONValue { .object(alert.annotations.mapValues(JSONValue.string)) }
    /// Alertmanager's zero time means "not ended".
    private static func endsAt(_ alert: AlertRecord) -> JSONValue { .string(alert.endsAt.map(Timestamp.format) ?? "0001-01-01T00:00:00Z") }
}
