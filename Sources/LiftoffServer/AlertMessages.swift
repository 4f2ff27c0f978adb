import Foundation
import LiftoffCore
import LiftoffStore

/// Renders an alert for each receiver format: plain JSON, Slack (`text` and blocks), and the Alertmanager
/// webhook payload (version 4), so existing Alertmanager receivers take Liftoff's alerts unchanged.
enum AlertMessages {
    static func body(_ alert: AlertRecord, format: AlertRoute.Format, externalURL: String) -> String {
        let status = alert.resolved ? "resolved" : "firing"
        let labels = JSONValue.object(alert.labels.mapValues(JSONValue.string))
        let annotations = JSONValue.object(alert.annotations.mapValues(JSONValue.string))
        let startsAt = JSONValue.string(Timestamp.format(alert.startsAt))
        // Alertmanager's zero time means "not ended".
        let endsAt = JSONValue.string(alert.endsAt.map(Timestamp.format) ?? "0001-01-01T00:00:00Z")
        switch format {
        case .json:
            return JSONValue.object([
                "status": .string(status), "rule": .string(alert.ruleId), "severity": .string(alert.severity.rawValue),
                "labels": labels, "annotations": annotations, "startsAt": startsAt, "endsAt": endsAt,
                "fingerprint": .string(alert.fingerprint), "url": .string("\(externalURL)/alerts"),
            ]).compactText
        case .slack:
            let icon = alert.resolved ? ":white_check_mark:" : (alert.severity == .critical ? ":rotating_light:" : ":warning:")
            let text = "\(icon) [\(status.uppercased())] \(alert.annotations["summary"] ?? alert.ruleId) "
                + "(rollout \(alert.labels["rollout"] ?? ""), phase \(alert.labels["phase"] ?? ""))"
            let detail = "*value* \(alert.annotations["value"] ?? "–") · *threshold* \(alert.annotations["threshold"] ?? "–") · "
                + "*window* \(alert.annotations["window"] ?? "–") · *samples* \(alert.annotations["samples"] ?? "–")"
            return JSONValue.object([
                "text": .string(text),
                "blocks": .array([
                    .object(["type": .string("section"), "text": .object(["type": .string("mrkdwn"), "text": .string(text)])]),
                    .object(["type": .string("section"), "text": .object(["type": .string("mrkdwn"), "text": .string(detail)])]),
                ]),
            ]).compactText
        case .alertmanager:
            let groupLabels = JSONValue.object(["rule": .string(alert.ruleId)])
            return JSONValue.object([
                "version": .string("4"),
                "groupKey": .string("{}:{rule=\"\(alert.ruleId)\"}"),
                "truncatedAlerts": .number(0),
                "status": .string(status),
                "receiver": .string("liftoff"),
                "groupLabels": groupLabels,
                "commonLabels": labels,
                "commonAnnotations": annotations,
                "externalURL": .string(externalURL),
                "alerts": .array([.object([
                    "status": .string(status), "labels": labels, "annotations": annotations, "startsAt": startsAt,
                    "endsAt": endsAt, "generatorURL": .string("\(externalURL)/v1/alerts"),
                    "fingerprint": .string(alert.fingerprint),
                ])]),
            ]).compactText
        }
    }
}
