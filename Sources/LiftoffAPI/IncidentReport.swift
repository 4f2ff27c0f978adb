import Foundation
import LiftoffCore

/// An incident report (`GET /v1/incidents/{id}`): what was written when the rule fired (trigger, value,
/// affected users, actions, failing interactions), completed when read with the metric's series around the
/// breach and the timeline of what happened since. The list (`GET /v1/incidents`) leaves out the failing
/// interactions, the series and the timeline. One value, rendered as JSON and Markdown (`markdown`).
public struct IncidentReport: Codable, Sendable {
    /// Absent until stored.
    public var id: Int?
    public var rule: String
    /// `rollback`, `adjustment` or `alert`.
    public var kind: String
    /// The rule as the plan reads (`error_rate above 0.05 (15m)`).
    public var trigger: String
    public var severity: String
    public var metric: String
    public var threshold: Double
    /// A duration such as `15m`.
    public var window: String
    @ExplicitNull public var value: Double?
    public var samples: Int
    /// The 99.9% bound that decided the breach.
    @ExplicitNull public var bound: Double?
    public var rollout: String
    public var phase: String
    /// Active users in treatment over the rule's window.
    public var affectedUsers: Double
    /// The actions executed, in order.
    public var actions: [String]
    public var openedAt: Date
    /// For rules held against control: what control did over the comparison's window.
    public var control: ControlSide?
    /// Up to 20 failing interactions from the window, as stored (pseudonymised).
    public var failingInteractions: [[String: JSONValue]]?
    /// For a rule on findings (security issues, integrity checks): the newest ones it counted in its window,
    /// up to 20, as stored.
    public var findings: [[String: JSONValue]]?
    /// The metric minute by minute from 30 minutes before the breach to 30 minutes after.
    public var series: [MetricPoint]?
    public var timeline: [TimelineEntry]?

    public init(rule: String, kind: String, trigger: String, severity: String, metric: String, threshold: Double, window: String,
                value: Double?, samples: Int, bound: Double?, rollout: String, phase: String, affectedUsers: Double, actions: [String],
                openedAt: Date, control: ControlSide?, failingInteractions: [[String: JSONValue]]?, findings: [[String: JSONValue]]? = nil) {
        self.rule = rule
        self.kind = kind
        self.trigger = trigger
        self.severity = severity
        self.metric = metric
        self.threshold = threshold
        self.window = window
        self.value = value
        self.samples = samples
        self.bound = bound
        self.rollout = rollout
        self.phase = phase
        self.affectedUsers = affectedUsers
        self.actions = actions
        self.openedAt = openedAt
        self.control = control
        self.failingInteractions = failingInteractions
        self.findings = findings
    }

    public struct ControlSide: Codable, Sendable {
        @ExplicitNull public var value: Double?
        public var samples: Int
        public init(value: Double?, samples: Int) {
            self.value = value
            self.samples = samples
        }
    }

    /// A state change from the audit log, or a delivery of a message about the incident.
    public struct TimelineEntry: Codable, Sendable {
        public var at: Date
        public var actor: String
        public var what: String
        public var detail: String
        public init(at: Date, actor: String, what: String, detail: String) {
            self.at = at
            self.actor = actor
            self.what = what
            self.detail = detail
        }
    }
}

/// `GET /v1/incidents`.
public struct IncidentList: Codable, Sendable {
    public var incidents: [IncidentReport]
    public init(incidents: [IncidentReport]) { self.incidents = incidents }
}

extension IncidentReport {
    public var markdown: String {
        let number = { (value: Double?) in value.map(CriterionResult.format) ?? ReportText.absent }
        var lines = [
            "# Incident \(id.map(String.init) ?? ReportText.absent): \(trigger)", "",
            "- **Opened**: \(Timestamp.format(openedAt))",
            "- **Rollout / phase**: \(rollout) / \(phase)",
            "- **Rule**: `\(rule)` (\(kind), \(severity))",
            "- **Value**: \(number(value)) over \(window) from \(samples) samples (99.9% bound \(number(bound))); threshold \(number(threshold))",
        ]
        if let control {
            lines.append("- **Control** (the comparison's window): \(number(control.value)) from \(control.samples) samples")
        }
        lines += [
            "- **Affected users** (treatment, in the window): \(number(affectedUsers))",
            "- **Actions**: \(ReportText.list(actions))", "",
            "## \(metric) around the breach", "", "| minute | value | samples |", "| --- | --- | --- |",
        ]
        for point in series ?? [] {
            lines.append("| \(Timestamp.format(point.t)) | \(point.value.map { String(format: "%.4g", $0) } ?? ReportText.absent) | \(point.samples) |")
        }
        lines += ["", "## Timeline", ""]
        for entry in timeline ?? [] { lines.append("- \(Timestamp.format(entry.at)) — \(entry.what): \(entry.detail)") }
        if let findings, !findings.isEmpty {
            lines += ["", "## Findings (newest first)", ""]
            for finding in findings { lines.append("- \(ReportText.json(.object(finding)))") }
        }
        lines += ["", "## Failing interactions (sample)", ""]
        if let samples = failingInteractions, !samples.isEmpty {
            for sample in samples { lines.append("- \(ReportText.json(.object(sample)))") }
        } else {
            lines.append("none recorded in the window")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
