import Foundation

/// What a new version of the plan changes against the live one, and whether it may be applied to a rollout
/// that is under way. Pure: both plans are already decoded and valid.
public enum PlanChanges {
    /// One line per change, grouped by part: the rollout's phases (order, audience, exit criteria, checklist),
    /// guardrail rules by id, actions by name, alert routes, and the rest (config, pricing, privacy). Empty when
    /// the plans are equal.
    public static func between(_ live: Plan, _ next: Plan) -> [String] {
        var lines: [String] = []
        let liveNames = live.phases.map(\.name), nextNames = next.phases.map(\.name)
        for name in nextNames where !liveNames.contains(name) { lines.append("phase '\(name)' added") }
        for name in liveNames where !nextNames.contains(name) { lines.append("phase '\(name)' removed") }
        let kept = nextNames.filter(liveNames.contains)
        if kept != liveNames.filter(nextNames.contains) {
            lines.append("phases reordered: \(liveNames.joined(separator: ", ")) → \(nextNames.joined(separator: ", "))")
        }
        for name in kept {
            guard let old = live.phases.first(where: { $0.name == name }), let new = next.phases.first(where: { $0.name == name }) else { continue }
            if old.audience != new.audience { lines.append("phase '\(name)': audience changed") }
            if old.plannedDuration != new.plannedDuration { lines.append("phase '\(name)': planned duration changed") }
            let oldCriteria = old.exit?.criteria.map(describe) ?? [], newCriteria = new.exit?.criteria.map(describe) ?? []
            for criterion in newCriteria where !oldCriteria.contains(criterion) { lines.append("phase '\(name)': criterion added: \(criterion)") }
            for criterion in oldCriteria where !newCriteria.contains(criterion) { lines.append("phase '\(name)': criterion removed: \(criterion)") }
            if old.exit?.checklist != new.exit?.checklist { lines.append("phase '\(name)': checklist changed") }
            if old.exit?.minDuration != new.exit?.minDuration || old.exit?.promotion != new.exit?.promotion {
                lines.append("phase '\(name)': exit timing or promotion changed")
            }
        }
        let oldRules = Dictionary(live.guardrails.rules.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let newRules = Dictionary(next.guardrails.rules.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for rule in next.guardrails.rules where oldRules[rule.id] == nil { lines.append("rule \(rule.id) added: \(rule.label)") }
        for rule in live.guardrails.rules where newRules[rule.id] == nil { lines.append("rule \(rule.id) removed: \(rule.label)") }
        for rule in next.guardrails.rules {
            if let old = oldRules[rule.id], old != rule { lines.append("rule \(rule.id) changed: \(old.label) → \(rule.label)") }
        }
        for name in Set(live.guardrails.actions.keys).union(next.guardrails.actions.keys).sorted() {
            switch (live.guardrails.actions[name], next.guardrails.actions[name]) {
            case (nil, _?): lines.append("action '\(name)' added")
            case (_?, nil): lines.append("action '\(name)' removed")
            case let (old?, new?) where old != new: lines.append("action '\(name)' changed")
            default: break
            }
        }
        if live.guardrails.routes != next.guardrails.routes {
            lines.append("alert routes changed (\(live.guardrails.routes.count) → \(next.guardrails.routes.count))")
        }
        if live.guardrails.repeatInterval != next.guardrails.repeatInterval { lines.append("alert repeat interval changed") }
        for key in Set(live.config.keys).union(next.config.keys).sorted() where live.config[key] != next.config[key] {
            let old = live.config[key].map(\.compactText) ?? "(none)", new = next.config[key].map(\.compactText) ?? "(none)"
            lines.append("config handed to treatment users: \(key) \(old) → \(new)")
        }
        if live.pricing != next.pricing || live.pricePoint != next.pricePoint { lines.append("pricing changed") }
        if live.privacy != next.privacy { lines.append("privacy settings changed") }
        return lines
    }

    /// Why `next` cannot replace `live` while the rollout is in `currentPhase`, or nil when it can. A plan that
    /// is for another rollout, removes the current phase, changes the phases up to it (which the history already
    /// went through), or turns user pseudonymisation on or off (which would split every user's history in two)
    /// would strand the live rollout.
    public static func strandReason(live: Plan, next: Plan, currentPhase: String) -> String? {
        guard next.rollout == live.rollout else {
            return "the plan is for rollout '\(next.rollout)', but the live rollout is '\(live.rollout)'"
        }
        guard let nextIndex = next.index(of: currentPhase) else {
            return "it removes phase '\(currentPhase)', the phase the rollout is in; promote past it or roll back first"
        }
        let liveIndex = live.index(of: currentPhase) ?? 0
        let lived = live.phases.prefix(liveIndex + 1).map(\.name), planned = next.phases.prefix(nextIndex + 1).map(\.name)
        guard lived == planned else {
            return "it changes the phases up to '\(currentPhase)', which the rollout already went through "
                + "(live: \(lived.joined(separator: " → ")); new: \(planned.joined(separator: " → ")))"
        }
        guard live.privacy.pseudonymizeUserIds == next.privacy.pseudonymizeUserIds else {
            return "it turns privacy.pseudonymizeUserIds \(next.privacy.pseudonymizeUserIds ? "on" : "off"), which would split every user's history in two"
        }
        return nil
    }

    private static func describe(_ criterion: Criterion) -> String {
        var text = "\(criterion.subject) \(criterion.comparator.rawValue) \(ReportNumber.text(criterion.threshold))"
        if let window = criterion.window { text += " over \(DurationText.format(window))" }
        return text + ", min \(criterion.minSamples) samples"
    }
}

/// A number as a plan writes it: integers without a fraction.
enum ReportNumber {
    static func text(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
