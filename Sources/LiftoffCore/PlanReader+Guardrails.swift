import Foundation
import Yams

extension PlanReader {
    static let ruleOptions = ["window", "minSamples", "for", "keepFiringFor", "cooldown", "severity", "when"]

    /// Reads `adjustments`, `scaling`, `rollback`, `actions` and `alerts`, checking that every action a rule
    /// names exists.
    mutating func guardrails(_ members: [String: Node]) -> Guardrails {
        var guardrails = Guardrails()
        if let node = members["actions"], let actions = mapping(node, "actions") {
            for (name, definition) in actions.sorted(by: { $0.key < $1.key }) {
                if ActionDefinition.builtIns[name] != nil {
                    report(definition, "actions.\(name)", "'\(name)' is a built-in action and cannot be redefined")
                } else if let action = action(definition, "actions.\(name)") {
                    guardrails.actions[name] = action
                }
            }
        }
        var references: [(Node, String, String)] = []
        if let node = members["adjustments"], let list = sequence(node, "adjustments") {
            for (index, item) in list.enumerated() {
                let path = "adjustments[\(index)]"
                if let rule = triggerRule(item, path, kind: .adjustment, id: path, references: &references) {
                    if rule.actions.isEmpty { report(item, "\(path).action", "required") }
                    guardrails.rules.append(rule)
                }
            }
        }
        if let node = members["rollback"], let list = sequence(node, "rollback") {
            for (index, item) in list.enumerated() {
                let path = "rollback[\(index)]"
                if var rule = triggerRule(item, path, kind: .rollback, id: path, references: &references) {
                    if !rule.actions.contains("rollback") { rule.actions.insert("rollback", at: 0) }
                    guardrails.rules.append(rule)
                }
            }
        }
        if let node = members["scaling"] {
            guardrails.rules += scaling(node, references: &references)
        }
        var alerts: [String: Node] = [:]
        if let node = members["alerts"] {
            alerts = mapping(node, "alerts", allowed: ["routes", "repeatInterval", "errorRateSpike", "costAnomaly", "dailyBudget", "securityIssues"]) ?? [:]
        }
        if let routesNode = alerts["routes"], let routes = sequence(routesNode, "alerts.routes") {
            guardrails.routes = routes.enumerated().compactMap { route($0.element, "alerts.routes[\($0.offset)]") }
        }
        if let node = alerts["repeatInterval"], let interval = duration(node, "alerts.repeatInterval") {
            if interval > 0 { guardrails.repeatInterval = interval } else { report(node, "alerts.repeatInterval", "must be longer than 0s") }
        }
        guardrails.rules += alertRules(alerts)
        for (node, path, name) in references where guardrails.action(name) == nil {
            let known = (Array(ActionDefinition.builtIns.keys) + Array(guardrails.actions.keys)).sorted()
            report(node, path, "unknown action '\(name)'; known actions: \(known.joined(separator: ", "))")
        }
        return guardrails
    }

    private mutating func action(_ node: Node, _ path: String) -> ActionDefinition? {
        guard let fields = mapping(node, path, allowed: ["webhook", "set", "sticky"]) else { return nil }
        if let webhook = fields["webhook"] {
            guard let hook = mapping(webhook, "\(path).webhook", allowed: ["url", "secret"]) else { return nil }
            let url = required(hook, "url", webhook, "\(path).webhook").flatMap { self.url($0, "\(path).webhook.url") }
            let secret = required(hook, "secret", webhook, "\(path).webhook").flatMap { string($0, "\(path).webhook.secret") }
            guard let url, let secret else { return nil }
            return .webhook(url: url, secret: secret)
        }
        if let set = fields["set"] {
            guard case .object(let values)? = json(set, "\(path).set"), !values.isEmpty else {
                report(set, "\(path).set", "expected a mapping of config values")
                return nil
            }
            let sticky = fields["sticky"].flatMap { $0.bool } ?? false
            return .set(values: values, sticky: sticky)
        }
        report(node, path, "an action needs 'webhook' or 'set'")
        return nil
    }

    private mutating func url(_ node: Node, _ path: String) -> String? {
        guard let text = string(node, path) else { return nil }
        guard let url = URL(string: text), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil else {
            report(node, path, "'\(text)' is not an http(s) URL")
            return nil
        }
        return text
    }

    private mutating func triggerRule(_ node: Node, _ path: String, kind: Rule.Kind, id: String,
                                      references: inout [(Node, String, String)]) -> Rule? {
        guard let fields = mapping(node, path, allowed: ["trigger", "threshold", "action", "actions"] + Self.ruleOptions + Self.versusOptions
                                   + MetricDimension.allCases.map(\.rawValue))
        else { return nil }
        var metric: Metric?
        if let triggerNode = required(fields, "trigger", node, path), let name = string(triggerNode, "\(path).trigger") {
            metric = Metric(rawValue: name)
            if metric == nil { report(triggerNode, "\(path).trigger", "unknown metric '\(name)'") }
        }
        let threshold = required(fields, "threshold", node, path).flatMap { number($0, "\(path).threshold") }
        var actions: [String] = []
        if let actionNode = fields["action"], let name = string(actionNode, "\(path).action") {
            actions.append(name)
            references.append((actionNode, "\(path).action", name))
        }
        if let listNode = fields["actions"], let list = sequence(listNode, "\(path).actions") {
            for (index, item) in list.enumerated() {
                if let name = string(item, "\(path).actions[\(index)]") {
                    actions.append(name)
                    references.append((item, "\(path).actions[\(index)]", name))
                }
            }
        }
        let segment = segment(fields, node, path, metric: metric)
        guard let metric, let threshold else { return nil }
        var rule = Rule(id: id, kind: kind, metric: metric, threshold: threshold, actions: actions)
        rule.segment = segment
        rule.severity = kind == .rollback ? .critical : .warning
        rule.cooldown = kind == .rollback ? 0 : 600
        applyOptions(fields, path, to: &rule)
        applyVersus(fields, path, to: &rule)
        return rule
    }

    static let versusOptions = ["versus", "factor", "controlWindow"]

    /// `versus: control` (with `factor`, default 2, and `controlWindow`, default 1h): the rule compares
    /// treatment with control, for rates that must stay low.
    private mutating func applyVersus(_ fields: [String: Node], _ path: String, to rule: inout Rule) {
        guard let versusNode = fields["versus"] else {
            for key in ["factor", "controlWindow"] {
                if let node = fields[key] { report(node, "\(path).\(key)", "only with 'versus: control'") }
            }
            return
        }
        guard let name = string(versusNode, "\(path).versus") else { return }
        guard name == Variant.control.rawValue else {
            report(versusNode, "\(path).versus", "'\(name)' cannot be compared with; the one comparison is 'versus: control'")
            return
        }
        guard rule.metric.kind == .rate else {
            report(versusNode, "\(path).versus", "compares rates (error_rate, timeout_rate, …); '\(rule.metric.rawValue)' is a \(rule.metric.kind.rawValue)")
            return
        }
        guard rule.when == .above else {
            report(fields["when"], "\(path).when", "a comparison with control watches rates that must stay low: 'above' only")
            return
        }
        var versus = Rule.VersusControl(window: 3600, factor: 2)
        if let node = fields["factor"], let value = number(node, "\(path).factor") {
            if value >= 1 { versus.factor = value } else { report(node, "\(path).factor", "must be at least 1") }
        }
        if let node = fields["controlWindow"], let value = duration(node, "\(path).controlWindow") {
            if value > 0 { versus.window = value } else { report(node, "\(path).controlWindow", "must be longer than 0s") }
        }
        rule.versusControl = versus
    }

    private mutating func applyOptions(_ fields: [String: Node], _ path: String, to rule: inout Rule) {
        if let node = fields["window"], let value = duration(node, "\(path).window") {
            if value > 0 { rule.window = value } else { report(node, "\(path).window", "must be longer than 0s") }
        }
        if let node = fields["minSamples"], let value = integer(node, "\(path).minSamples") { rule.minSamples = value }
        if let node = fields["for"], let value = duration(node, "\(path).for") { rule.forDuration = value }
        if let node = fields["keepFiringFor"], let value = duration(node, "\(path).keepFiringFor") { rule.keepFiringFor = value }
        if let node = fields["cooldown"], let value = duration(node, "\(path).cooldown") { rule.cooldown = value }
        if let node = fields["severity"], let text = string(node, "\(path).severity") {
            if let severity = Rule.Severity(rawValue: text) { rule.severity = severity } else {
                report(node, "\(path).severity", "'\(text)' is not one of info, warning, critical")
            }
        }
        if let node = fields["when"], let text = string(node, "\(path).when") {
            if let when = Rule.When(rawValue: text) { rule.when = when } else {
                report(node, "\(path).when", "'\(text)' is not one of above, below")
            }
        }
    }

    /// The seed's scaling triggers, each a rule that runs the scaling action.
    /// Scaling answers sustained load, so its triggers look at 15 minutes: long enough to bound p95 and an
    /// error rate tightly at beta traffic (the simulator's latency-creep scenario measured this).
    static let scalingMetrics: [String: (Metric, TimeInterval)] = [
        "users": (.activeUsers, 300), "responseTime": (.responseTimeP95, 900), "errorRate": (.errorRate, 900),
        "costThreshold": (.apiCosts, 86_400), "resourceUsage": (.resourceUsage, 300), "costPerUser": (.costPerUser, 86_400),
    ]

    private mutating func scaling(_ node: Node, references: inout [(Node, String, String)]) -> [Rule] {
        guard let fields = mapping(node, "scaling", allowed: ["triggers", "action"] + Self.ruleOptions) else { return [] }
        var action: String?
        if let actionNode = required(fields, "action", node, "scaling"), let name = string(actionNode, "scaling.action") {
            action = name
            references.append((actionNode, "scaling.action", name))
        }
        guard let triggersNode = required(fields, "triggers", node, "scaling"),
              let triggers = mapping(triggersNode, "scaling.triggers", allowed: Self.scalingMetrics.keys.sorted()) else { return [] }
        var rules: [Rule] = []
        for (name, valueNode) in triggers.sorted(by: { $0.key < $1.key }) {
            guard let threshold = number(valueNode, "scaling.triggers.\(name)"), let (metric, window) = Self.scalingMetrics[name] else { continue }
            var rule = Rule(id: "scaling.\(name)", kind: .scaling, metric: metric, threshold: threshold, window: window,
                            cooldown: 600, severity: .warning, actions: action.map { [$0] } ?? [])
            applyOptions(fields, "scaling", to: &rule)
            if fields["window"] == nil { rule.window = window }
            rules.append(rule)
        }
        return rules
    }

    /// The seed's alert kinds, on unless the plan turns them off with `false`: error-rate spikes and cost
    /// anomalies against the trailing baseline, a daily budget, and security issues by severity.
    private mutating func alertRules(_ alerts: [String: Node]) -> [Rule] {
        var rules: [Rule] = []
        let baselineKeys = ["factor", "window", "baseline", "floor", "minSamples", "severity"]
        func enabled(_ node: Node?) -> Bool { node.map { $0.bool != false } ?? true }
        if enabled(alerts["errorRateSpike"]) {
            var rule = Rule(id: "alerts.errorRateSpike", kind: .alert, metric: .errorRate, threshold: 0.02, window: 300,
                            minSamples: 50, severity: .warning, actions: [], baseline: Rule.Baseline(window: 3600, factor: 2))
            if let node = alerts["errorRateSpike"], node.bool == nil { applyBaseline(node, "alerts.errorRateSpike", baselineKeys, to: &rule) }
            rules.append(rule)
        }
        if enabled(alerts["costAnomaly"]) {
            var rule = Rule(id: "alerts.costAnomaly", kind: .alert, metric: .apiCosts, threshold: 1, window: 3600,
                            minSamples: 0, severity: .warning, actions: [], baseline: Rule.Baseline(window: 86_400, factor: 2))
            if let node = alerts["costAnomaly"], node.bool == nil { applyBaseline(node, "alerts.costAnomaly", baselineKeys, to: &rule) }
            rules.append(rule)
        }
        if let node = alerts["dailyBudget"], let budget = number(node, "alerts.dailyBudget") {
            rules.append(Rule(id: "alerts.dailyBudget", kind: .alert, metric: .apiCosts, threshold: budget, window: 86_400,
                              minSamples: 0, severity: .critical, actions: []))
        }
        if enabled(alerts["securityIssues"]) {
            let bySeverity: [(Metric, String, Rule.Severity)] = [
                (.criticalSecurityIssues, "critical", .critical), (.highSecurityIssues, "high", .warning),
                (.mediumSecurityIssues, "medium", .info), (.lowSecurityIssues, "low", .info),
            ]
            for (metric, name, severity) in bySeverity {
                rules.append(Rule(id: "alerts.security.\(name)", kind: .alert, metric: metric, threshold: 0, window: 300,
                                  minSamples: 0, severity: severity, actions: []))
            }
        }
        return rules
    }

    private mutating func applyBaseline(_ node: Node, _ path: String, _ allowed: [String], to rule: inout Rule) {
        guard let fields = mapping(node, path, allowed: allowed) else { return }
        if let value = fields["factor"].flatMap({ number($0, "\(path).factor") }) {
            if value > 1 { rule.baseline?.factor = value } else { report(fields["factor"], "\(path).factor", "must be above 1") }
        }
        if let value = fields["window"].flatMap({ duration($0, "\(path).window") }), value > 0 { rule.window = value }
        if let value = fields["baseline"].flatMap({ duration($0, "\(path).baseline") }), value > 0 { rule.baseline?.window = value }
        if let value = fields["floor"].flatMap({ number($0, "\(path).floor") }) { rule.threshold = value }
        if let value = fields["minSamples"].flatMap({ integer($0, "\(path).minSamples") }) { rule.minSamples = value }
        if let severityNode = fields["severity"], let text = string(severityNode, "\(path).severity") {
            if let severity = Rule.Severity(rawValue: text) { rule.severity = severity } else {
                report(severityNode, "\(path).severity", "'\(text)' is not one of info, warning, critical")
            }
        }
    }

    private mutating func route(_ node: Node, _ path: String) -> AlertRoute? {
        guard let fields = mapping(node, path, allowed: ["url", "format", "minSeverity", "secret"]) else { return nil }
        let url = required(fields, "url", node, path).flatMap { self.url($0, "\(path).url") }
        var format = AlertRoute.Format.json
        if let formatNode = fields["format"], let text = string(formatNode, "\(path).format") {
            if let parsed = AlertRoute.Format(rawValue: text) { format = parsed } else {
                report(formatNode, "\(path).format",
                       "'\(text)' is not one of \(AlertRoute.Format.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        if format == .alertmanagerAPI, let url, !(URL(string: url)?.path ?? "").hasSuffix("/api/v2/alerts") {
            report(fields["url"], "\(path).url", "an alertmanager_api route posts to Alertmanager's /api/v2/alerts: '\(url)' does not end in it")
        }
        var severity = Rule.Severity.warning
        if let severityNode = fields["minSeverity"], let text = string(severityNode, "\(path).minSeverity") {
            if let parsed = Rule.Severity(rawValue: text) { severity = parsed } else {
                report(severityNode, "\(path).minSeverity", "'\(text)' is not one of info, warning, critical")
            }
        }
        let secret = fields["secret"].flatMap { string($0, "\(path).secret") }
        guard let url else { return nil }
        return AlertRoute(url: url, format: format, minSeverity: severity, secret: secret)
    }
}
