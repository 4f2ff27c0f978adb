import Foundation
import LiftoffCore
import LiftoffStore

/// Incident reports: the part written when the incident opened (trigger, value, affected users, actions,
/// failing interactions), completed when read with the metric's series around the breach and the timeline
/// of what happened since.
struct IncidentReports: Sendable {
    let store: any Store
    let metrics: MetricsQuery
    let clock: any WallClock

    func list() async throws -> [JSONValue] {
        try await store.incidents().map { incident in
            guard case .object(var report) = try JSONParser.parse(incident.report) else { return .null }
            report["id"] = .number(Double(incident.id ?? 0))
            report.removeValue(forKey: "failingInteractions")
            return .object(report)
        }
    }

    func report(_ id: Int) async throws -> [String: JSONValue] {
        guard let incident = try await store.incident(id) else { throw DomainError.notFound("no incident \(id)") }
        guard case .object(var report) = try JSONParser.parse(incident.report) else {
            throw StoreError(.corrupt, "incident \(id) has an unreadable report")
        }
        report["id"] = .number(Double(id))
        let now = clock.now()
        let from = incident.openedAt.addingTimeInterval(-30 * 60)
        let to = min(now, incident.openedAt.addingTimeInterval(30 * 60))
        if case .string(let name)? = report["metric"], let metric = Metric(rawValue: name) {
            let points = try await metrics.series(metric, over: MetricsQuery.Interval(start: from, end: to), step: 60,
                                                  phase: incident.phase, variant: .treatment)
            report["series"] = .array(points.map { time, value in
                .object(["t": .string(Timestamp.format(time)), "value": value.value.map(JSONValue.number) ?? .null,
                         "samples": .number(Double(value.samples))])
            })
        }
        let audit = try await store.auditLog(limit: 200, before: nil, action: nil)
            .filter { $0.at >= incident.openedAt.addingTimeInterval(-60) && $0.at <= incident.openedAt.addingTimeInterval(3600) }
            .reversed()
        let deliveries = try await store.messages(limit: 500).filter { message in
            message.createdAt >= incident.openedAt && (message.ruleId?.split(separator: ",").contains { $0 == incident.ruleId } ?? false)
        }
        var timeline: [JSONValue] = audit.map { entry in
            .object(["at": .string(Timestamp.format(entry.at)), "actor": .string(entry.actor), "what": .string(entry.action),
                     "detail": .string(entry.reason ?? "")])
        }
        timeline += deliveries.reversed().map { message in
            .object(["at": .string(Timestamp.format(message.createdAt)), "actor": .string(SystemActor.name),
                     "what": .string("\(message.kind.rawValue) to \(message.target)"),
                     "detail": .string("\(message.status.rawValue) after \(message.attempts) attempt(s)\(message.lastError.map { "; last error: \($0)" } ?? "")")])
        }
        report["timeline"] = .array(timeline)
        return report
    }

    static func markdown(_ report: [String: JSONValue]) -> String {
        func text(_ key: String) -> String {
            switch report[key] {
            case .string(let value)?: return value
            case .number(let value)?: return CriterionResult.format(value)
            case let other: return PhaseReports.text(other)
            }
        }
        var lines = [
            "# Incident \(text("id")): \(text("trigger"))", "",
            "- **Opened**: \(text("openedAt"))",
            "- **Rollout / phase**: \(text("rollout")) / \(text("phase"))",
            "- **Rule**: `\(text("rule"))` (\(text("kind")), \(text("severity")))",
            "- **Value**: \(text("value")) over \(text("window")) from \(text("samples")) samples (99.9% bound \(text("bound"))); threshold \(text("threshold"))",
        ]
        if case .object(let control)? = report["control"], case .number(let samples)? = control["samples"] {
            var value = "–"
            if case .number(let number)? = control["value"] { value = CriterionResult.format(number) }
            lines.append("- **Control** (the comparison's window): \(value) from \(Int(samples)) samples")
        }
        lines += [
            "- **Affected users** (treatment, in the window): \(text("affectedUsers"))",
            "- **Actions**: \(text("actions"))", "",
            "## \(text("metric")) around the breach", "", "| minute | value | samples |", "| --- | --- | --- |",
        ]
        if case .array(let points)? = report["series"] {
            for case .object(let point) in points {
                let value: String
                if case .number(let number)? = point["value"] { value = String(format: "%.4g", number) } else { value = "–" }
                let samples: String
                if case .number(let count)? = point["samples"] { samples = String(Int(count)) } else { samples = "0" }
                if case .string(let time)? = point["t"] { lines.append("| \(time) | \(value) | \(samples) |") }
            }
        }
        lines += ["", "## Timeline", ""]
        if case .array(let entries)? = report["timeline"] {
            for case .object(let entry) in entries {
                let at = entry["at"].flatMap { if case .string(let v) = $0 { v } else { nil } } ?? ""
                let what = entry["what"].flatMap { if case .string(let v) = $0 { v } else { nil } } ?? ""
                let detail = entry["detail"].flatMap { if case .string(let v) = $0 { v } else { nil } } ?? ""
                lines.append("- \(at) — \(what): \(detail)")
            }
        }
        lines += ["", "## Failing interactions (sample)", ""]
        if case .array(let samples)? = report["failingInteractions"], !samples.isEmpty {
            for sample in samples { lines.append("- \(PhaseReports.text(sample))") }
        } else {
            lines.append("none recorded in the window")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
