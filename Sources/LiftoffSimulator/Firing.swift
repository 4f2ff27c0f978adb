import Foundation
import LiftoffAPI
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

    /// The firings among `/v1/alerts`, oldest first.
    static func list(from alerts: [AlertView]) -> [Firing] {
        alerts.compactMap { alert -> Firing? in
            guard let ruleKind = alert.labels["kind"].flatMap(Rule.Kind.init), let watched = alert.labels["metric"].flatMap(Metric.init)
            else { return nil }
            return Firing(rule: alert.rule, kind: ruleKind, metric: watched, at: alert.startsAt)
        }.sorted { $0.at < $1.at }
    }
}

/// A rule as `/v1/guardrails` describes it: enough to know which rules a scenario's truth expects.
struct RuleSummary: Sendable {
    var id: String
    var kind: Rule.Kind
    var metric: Metric
    var window: TimeInterval

    static func list(from guardrails: GuardrailsView) -> [RuleSummary] {
        guardrails.rules.compactMap { rule in
            guard let kind = Rule.Kind(rawValue: rule.kind), let metric = Metric(rawValue: rule.metric),
                  let window = DurationText.parse(rule.window) else { return nil }
            return RuleSummary(id: rule.id, kind: kind, metric: metric, window: window)
        }
    }
}
