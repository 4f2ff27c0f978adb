import Foundation
import LiftoffCore

/// One firing of a rule, as `/v1/alerts` reports it: every firing of every rule is an alert, whatever its
/// actions.
public struct Firing: Sendable, Equatable {
    public var rule: String
    public var kind: Rule.Kind
    public var metric: Metric
    public var at: Date

    public init(rule: String, kind: Rule.Kind, metric: Metric, at: Date) {
        self.rule = rule
        self.kind = kind
        self.metric = metric
        self.at = at
    }

    /// The firings in a `/v1/alerts` answer, oldest first.
    static func list(from answer: JSONValue) -> [Firing] {
        guard case .array(let alerts)? = answer["alerts"] else { return [] }
        return alerts.compactMap { alert -> Firing? in
            guard case .string(let rule)? = alert["rule"], case .string(let startsAt)? = alert["startsAt"],
                  case .string(let kind)? = alert["labels"]?["kind"], case .string(let metric)? = alert["labels"]?["metric"],
                  let at = Timestamp.parse(startsAt), let ruleKind = Rule.Kind(rawValue: kind), let watched = Metric(rawValue: metric)
            else { return nil }
            return Firing(rule: rule, kind: ruleKind, metric: watched, at: at)
        }.sorted { $0.at < $1.at }
    }
}

/// A rule as `/v1/guardrails` describes it: enough to know which rules a scenario's truth expects.
struct RuleSummary: Sendable {
    var id: String
    var kind: Rule.Kind
    var metric: Metric
    var window: TimeInterval

    static func list(from answer: JSONValue) -> [RuleSummary] {
        guard case .array(let rules)? = answer["rules"] else { return [] }
        return rules.compactMap { rule in
            guard case .string(let id)? = rule["id"], case .string(let kind)? = rule["kind"], case .string(let metric)? = rule["metric"],
                  case .string(let window)? = rule["window"], let ruleKind = Rule.Kind(rawValue: kind),
                  let watched = Metric(rawValue: metric), let seconds = DurationText.parse(window) else { return nil }
            return RuleSummary(id: id, kind: ruleKind, metric: watched, window: seconds)
        }
    }
}
