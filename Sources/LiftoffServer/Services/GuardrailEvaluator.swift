import Foundation
import LiftoffAPI
import LiftoffCore
import LiftoffStore
import Logging
import Prometheus

/// Advances every guardrail on each tick: reads the rule's metric over its window (current phase, treatment
/// users, data since the last resume after a rollback), runs the state machine, and commits the new states
/// together with everything a firing does (rollout status, config overrides, admissions, alerts, outbox
/// messages, incident) in one transaction, so each firing acts exactly once, across crashes too.
actor GuardrailEvaluator {
    let store: any Store
    let state: RolloutState
    let metrics: MetricsQuery
    let clock: any WallClock
    let logger: Logger
    /// The live plan's guardrails: a new plan version takes effect at the next tick.
    nonisolated var guardrails: Guardrails { state.snapshot.plan.guardrails }
    let externalURL: String
    private var states: [String: RuleState]?
    /// The last observation of each rule, for `/v1/guardrails`.
    private(set) var observations: [String: (value: MetricValue, judgement: RuleJudgement, at: Date, control: MetricValue?)] = [:]
    /// When each `alertmanager_api` route (by URL) last got the alerts still firing. In memory: a new leader
    /// pushes them at once, which Alertmanager takes as the same alerts (it keys them by labels).
    private var alertmanagerPushes: [String: Date] = [:]
    /// How long each tick takes, reads included: `liftoff_guardrail_tick_duration_seconds`.
    private let tickDuration: DurationHistogram?

    init(store: any Store, state: RolloutState, metrics: MetricsQuery, clock: any WallClock, logger: Logger, externalURL: String,
         tickDuration: DurationHistogram? = nil) {
        self.store = store
        self.state = state
        self.metrics = metrics
        self.clock = clock
        self.logger = logger
        self.externalURL = externalURL
        self.tickDuration = tickDuration
    }

    /// The histogram of tick durations, registered in `registry`. A tick reads every rule's windows, so its
    /// cost is what to watch as traffic grows: it should follow rules × window minutes, not events or users.
    static func tickHistogram(in registry: PrometheusCollectorRegistry) -> DurationHistogram {
        registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(namespace: "liftoff", subsystem: "guardrail", metricName: "tick_duration", unitName: "seconds",
                                             helpText: "Time of one guardrail evaluation tick: every rule's windows read and judged, the outcome committed."),
            buckets: [.microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
                      .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
                      .seconds(1), .seconds(2.5), .seconds(5)])
    }

    func ruleStates() async throws -> [String: RuleState] {
        if let states { return states }
        let loaded = try await store.ruleStates()
        states = loaded
        return loaded
    }

    func tick() async {
        guard !guardrails.rules.isEmpty else { return }
        let start = ContinuousClock.now
        defer { tickDuration?.record(ContinuousClock.now - start) }
        do {
            try await evaluate()
        } catch let error as StoreError where error.code == .conflict {
            // The rollout changed under us (an operator acted): start over from the stored truth next tick.
            states = nil
        } catch {
            states = nil
            logger.error("guardrail evaluation failed", metadata: ["error": "\(error)"])
        }
    }

    private func evaluate() async throws {
        let snapshot = state.snapshot
        let now = clock.now()
        // A completed rollout is the release itself: its guardrails keep watching it. A rolled-back one is not
        // judged (nobody is on the new experience), but what fired stays firing until the resume, so receivers
        // still get it again: Alertmanager would otherwise resolve it after its endsAt.
        guard snapshot.record.status != .rolledBack else {
            var commit = GuardrailCommit(at: now)
            try await notify([], stillFiringFrom: [], now: now, into: &commit)
            if !commit.isEmpty { try await store.commit(commit) }
            return
        }
        var current = try await ruleStates()
        let epoch = snapshot.epoch
        let phase = snapshot.phase.name
        // Silences matter only to a rule that fires or resolves now: read once, when the first one does.
        var silences: [SilenceRecord]?
        var commit = GuardrailCommit(at: now)
        var record = snapshot.record
        var toNotify: [AlertRecord] = []
        // Rules over the same window and variant share one read (one merge of the window's minutes).
        let windows = guardrails.rules.map { RuleWindows(rule: $0, now: now, phaseStartedAt: snapshot.phaseStartedAt) }
        var reads: [RuleWindows.Read: [Metric]] = [:]
        for (rule, window) in zip(guardrails.rules, windows) {
            for read in window.reads where !(reads[read]?.contains(rule.metric) ?? false) { reads[read, default: []].append(rule.metric) }
        }
        var values: [RuleWindows.Read: [Metric: MetricValue]] = [:]
        for (read, metricsRead) in reads {
            values[read] = try await metrics.values(metricsRead, over: read.interval, phase: phase, variant: read.variant, fromEpoch: epoch,
                                                    segment: read.segment)
        }
        var changedBy: String?
        for (rule, window) in zip(guardrails.rules, windows) {
            let value = values[window.current]?[rule.metric] ?? MetricValue(value: nil, samples: 0)
            let baseline = window.baseline.flatMap { values[$0]?[rule.metric] }
            let baselineSeconds = window.baselineSeconds
            let control = window.control.flatMap { values[$0]?[rule.metric] }
            let judgement = RuleEngine.judge(rule, value, baseline: baseline, baselineSeconds: baselineSeconds, control: control)
            observations[rule.id] = (value, judgement, now, control)
            let previous = current[rule.id] ?? RuleState()
            let (next, transition) = RuleEngine.advance(rule, previous, judgement, now: now)
            if next != previous { commit.states[rule.id] = next }
            switch transition {
            case .fired(let acted):
                if silences == nil { silences = try await store.silences() }
                let findings = try await self.findings(of: rule, phase: phase, at: now)
                let alert = makeAlert(rule, firing: next.firings, value: value, judgement: judgement, phase: phase, at: now,
                                      silences: silences ?? [], control: control, findings: findings)
                commit.newAlerts.append(alert)
                if !alert.silenced { toNotify.append(alert) }
                var executed: [String] = []
                let recordBefore = record
                if acted {
                    for name in rule.actions {
                        if apply(name, rule: rule, alert: alert, record: &record, commit: &commit) { executed.append(name) }
                    }
                }
                let reason = "\(rule.id): \(rule.label); \(alert.annotations["value"] ?? "")"
                // The rollback or pause is explained by the rule that made it, not by whichever rule fired last.
                if record != recordBefore && changedBy == nil { changedBy = reason }
                commit.audit.append(AuditEntry(at: now, actor: SystemActor.name, action: "guardrail.fired", reason: reason,
                                               after: acted ? (executed.isEmpty ? "no actions" : "actions: \(executed.joined(separator: ", "))")
                                                   : "actions held back by the cooldown"))
                if executed.contains("rollback") || rule.severity == .critical {
                    commit.incidents.append(try await incident(rule, alert: alert, value: value, control: control, actions: executed, phase: phase,
                                                               at: now, findings: findings))
                }
            case .resolved:
                if silences == nil { silences = try await store.silences() }
                var resolved = makeAlert(rule, firing: previous.firings, value: value, judgement: judgement, phase: phase,
                                         at: previous.since ?? now, silences: silences ?? [])
                resolved.resolved = true
                resolved.endsAt = now
                commit.resolvedAlerts.append(AlertResolution(ruleId: rule.id, firing: previous.firings, at: now))
                if !resolved.silenced { toNotify.append(resolved) }
                for name in rule.actions {
                    if case .set(_, let sticky)? = guardrails.action(name), !sticky { commit.clearedOverrides.append(rule.id) }
                }
                commit.audit.append(AuditEntry(at: now, actor: SystemActor.name, action: "guardrail.resolved", reason: "\(rule.id): \(rule.label)"))
            case .pending, .none:
                break
            }
        }
        let anyFiring = guardrails.rules.contains { (commit.states[$0.id] ?? current[$0.id])?.phase == .firing }
        try await notify(toNotify, stillFiringFrom: anyFiring ? commit.resolvedAlerts : nil, now: now, into: &commit)
        guard !commit.isEmpty else { return }
        if record != snapshot.record {
            commit.rollout = RolloutChange(next: record, expectedVersion: snapshot.record.version, audit: AuditEntry(
                at: now, actor: SystemActor.name, action: record.status == .rolledBack ? "rollout.rollback" : "rollout.pause",
                reason: changedBy ?? commit.audit.last { $0.action == "guardrail.fired" }?.reason,
                before: RolloutCoordinator.describe(snapshot.record), after: RolloutCoordinator.describe(record)))
        }
        try await store.commit(commit)
        for (id, ruleState) in commit.states { current[id] = ruleState }
        states = current
        if commit.rollout != nil || !commit.setOverrides.isEmpty || !commit.clearedOverrides.isEmpty || commit.admissionsStopped != nil {
            try await state.reload(from: store)
        }
        for alert in commit.newAlerts {
            logger.warning("guardrail fired", metadata: ["rule": "\(alert.ruleId)", "severity": "\(alert.severity.rawValue)"])
        }
    }

    /// Applies one action to the commit; false when it does nothing in the current state.
    private func apply(_ name: String, rule: Rule, alert: AlertRecord, record: inout RolloutRecord, commit: inout GuardrailCommit) -> Bool {
        guard let action = guardrails.action(name) else { return false }
        switch action {
        case .rollback:
            guard record.status != .rolledBack else { return false }
            record.status = .rolledBack
            record.version = state.snapshot.record.version + 1
            return true
        case .pause:
            guard record.status == .running else { return false }
            record.status = .paused
            record.version = state.snapshot.record.version + 1
            return true
        case .set(let values, let sticky):
            commit.setOverrides.append(ConfigOverride(ruleId: rule.id, values: values, sticky: sticky, setAt: commit.at))
            return true
        case .stopAdmissions:
            commit.admissionsStopped = AdmissionsChange(stopped: true, reason: "\(rule.id) fired")
            return true
        case .startAdmissions:
            commit.admissionsStopped = AdmissionsChange(stopped: false, reason: "\(rule.id) fired")
            return true
        case .notify:
            return true
        case .webhook(let url, _):
            var body = alertPayload(alert)
            body["action"] = .string(name)
            body["event"] = .string("rule.fired")
            commit.outbox.append(OutboxMessage(kind: .webhook, target: url, signing: "action:\(name)", body: JSONValue.object(body).compactText,
                                               ruleId: rule.id, nextAttemptAt: commit.at, createdAt: commit.at))
            return true
        }
    }

    /// Sends this tick's news with the alerts still firing that are due again (after the repeat interval, and
    /// every minute to `alertmanager_api` routes); `resolvedNow` are the ones this tick resolves.
    /// `resolvedNow` nil: no rule is firing, so no stored alert is either (every alert is a rule's firing,
    /// resolved when its rule resolves) and the alert log need not be read.
    private func notify(_ news: [AlertRecord], stillFiringFrom resolvedNow: [AlertResolution]?, now: Date,
                        into commit: inout GuardrailCommit) async throws {
        var stillFiring: [AlertRecord] = []
        var toNotify = news
        if !guardrails.routes.isEmpty, let resolvedNow {
            let resolved = Set(resolvedNow.map { "\($0.ruleId)#\($0.firing)" })
            stillFiring = try await store.alerts(limit: 500).filter { alert in
                !alert.resolved && !alert.silenced && !resolved.contains("\(alert.ruleId)#\(alert.firing)")
            }
            for alert in stillFiring where now.timeIntervalSince(alert.lastNotifiedAt ?? alert.startsAt) >= guardrails.repeatInterval {
                toNotify.append(alert)
            }
        }
        try notify(toNotify, stillFiring: stillFiring, now: now, into: &commit)
    }

    /// One message per route for everything that changed in this evaluation (grouping), holding the alerts
    /// of at least the route's severity. An `alertmanager_api` route also gets every alert still firing once
    /// a minute: Alertmanager resolves an alert its clients stop sending.
    private func notify(_ alerts: [AlertRecord], stillFiring: [AlertRecord], now: Date, into commit: inout GuardrailCommit) throws {
        for (index, route) in guardrails.routes.enumerated() {
            var group = alerts.filter { $0.severity >= route.minSeverity }
            if route.format == .alertmanagerAPI,
               now.timeIntervalSince(alertmanagerPushes[route.url] ?? .distantPast) >= AlertMessages.alertmanagerResend {
                let included = Set(group.map { "\($0.ruleId)#\($0.firing)" })
                group += stillFiring.filter { $0.severity >= route.minSeverity && !included.contains("\($0.ruleId)#\($0.firing)") }
            }
            guard !group.isEmpty else { continue }
            if route.format == .alertmanagerAPI { alertmanagerPushes[route.url] = now }
            commit.outbox.append(OutboxMessage(
                kind: .alert, target: route.url, signing: route.secret == nil ? nil : "route:\(index)",
                body: try AlertMessages.body(group, format: route.format, rollout: state.snapshot.plan.rollout, externalURL: externalURL, now: now),
                ruleId: group.map(\.ruleId).joined(separator: ","), nextAttemptAt: commit.at, createdAt: commit.at))
        }
        for alert in alerts where !alert.resolved { commit.notifiedAlerts.append(AlertFiring(ruleId: alert.ruleId, firing: alert.firing)) }
    }

    private func alertPayload(_ alert: AlertRecord) -> [String: JSONValue] {
        [
            "rule": .string(alert.ruleId), "severity": .string(alert.severity.rawValue),
            "labels": .object(alert.labels.mapValues(JSONValue.string)),
            "annotations": .object(alert.annotations.mapValues(JSONValue.string)),
            "startsAt": .string(Timestamp.format(alert.startsAt)),
        ]
    }

    /// The newest findings a rule on findings counted in its window (security issues of its severities, failed
    /// integrity checks); empty for other rules.
    private func findings(of rule: Rule, phase: String, at: Date) async throws -> [[String: JSONValue]] {
        guard let (types, severities) = rule.metric.findings else { return [] }
        var found: [[String: JSONValue]] = []
        for type in types {
            let events = try await store.recentEvents(of: type, phase: phase, since: at.addingTimeInterval(-rule.window), limit: 200)
            found += events.filter { event in
                switch type {
                case .securityIssue:
                    guard case .string(let severity)? = event["severity"], let level = Severity(rawValue: severity) else { return false }
                    return severities.contains(level)
                case .integrityCheck:
                    return event["passed"] == .bool(false)
                default:
                    return true
                }
            }
        }
        // Timestamps share one format, so their text sorts as their time: the newest findings first across types.
        let time = { (event: [String: JSONValue]) -> String in if case .string(let text)? = event["timestamp"] { text } else { "" } }
        return Array(found.sorted { time($0) > time($1) }.prefix(20))
    }

    /// One line per finding for an alert: a security issue's severity and title, an integrity check's name and
    /// detail; the newest five, and how many more.
    static func findingsText(_ findings: [[String: JSONValue]]) -> String? {
        guard !findings.isEmpty else { return nil }
        let text = { (key: String, finding: [String: JSONValue]) -> String? in
            if case .string(let value)? = finding[key] { value } else { nil }
        }
        var lines = findings.prefix(5).map { finding in
            if let title = text("title", finding) { return "\(text("severity", finding) ?? "finding"): \(title)" }
            return [text("check", finding), text("detail", finding)].compactMap { $0 }.joined(separator: ": ")
        }
        if findings.count > 5 { lines.append("and \(findings.count - 5) more") }
        return lines.joined(separator: "; ")
    }

    private func makeAlert(_ rule: Rule, firing: Int, value: MetricValue, judgement: RuleJudgement, phase: String, at: Date,
                           silences: [SilenceRecord], control: MetricValue? = nil, findings: [[String: JSONValue]] = []) -> AlertRecord {
        let rollout = state.snapshot.plan.rollout
        var labels = [
            "alertname": rule.id, "rollout": rollout, "phase": phase, "variant": "treatment", "rule": rule.id,
            "severity": rule.severity.rawValue, "kind": rule.kind.rawValue, "metric": rule.metric.rawValue,
        ]
        // A segment rule's alert says which value, as a label receivers can route on (`feature="path_generation"`).
        if let segment = rule.segment { labels[segment.dimension.rawValue] = segment.value }
        var annotations = [
            "summary": rule.label, "threshold": CriterionResult.format(rule.threshold), "window": DurationText.format(rule.window),
            "samples": String(value.samples), "value": value.value.map { String(format: "%.6g", $0) } ?? "none",
        ]
        if case .breach(let compared) = judgement, rule.metric.kind == .rate {
            annotations["bound"] = String(format: "%.6g", compared)
        }
        if let control {
            annotations["control"] = control.value.map { String(format: "%.6g", $0) } ?? "none"
            annotations["controlSamples"] = String(control.samples)
        }
        // What firing did, so a page says "rolled back" and not only what crossed which line.
        if !rule.actions.isEmpty { annotations["actions"] = rule.actions.joined(separator: ", ") }
        if let text = Self.findingsText(findings) { annotations["findings"] = text }
        let fingerprint = String(StableHash.hash64(labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")), radix: 16)
        let silenced = silences.contains { $0.matches(labels, at: at) }
        return AlertRecord(ruleId: rule.id, firing: firing, fingerprint: fingerprint, severity: rule.severity, labels: labels,
                           annotations: annotations, startsAt: at, silenced: silenced)
    }

    private func incident(_ rule: Rule, alert: AlertRecord, value: MetricValue, control: MetricValue?, actions: [String], phase: String,
                          at: Date, findings: [[String: JSONValue]]) async throws -> IncidentRecord {
        let window = MetricsQuery.Interval(start: at.addingTimeInterval(-rule.window), end: at)
        let users = try await metrics.values([.activeUsers], over: window, phase: phase, variant: .treatment)[.activeUsers]?.value ?? 0
        let failing = try await store.failingInteractions(phase: phase, since: at.addingTimeInterval(-rule.window), limit: 20)
        let report = IncidentReport(
            rule: rule.id, kind: rule.kind.rawValue, trigger: rule.label, severity: rule.severity.rawValue, metric: rule.metric.rawValue,
            threshold: rule.threshold, window: DurationText.format(rule.window), value: value.value, samples: value.samples,
            bound: alert.annotations["bound"].flatMap(Double.init), rollout: state.snapshot.plan.rollout, phase: phase,
            affectedUsers: users, actions: actions, openedAt: at,
            // Held against control: the incident says what control did meanwhile.
            control: control.map { IncidentReport.ControlSide(value: $0.value, samples: $0.samples) },
            failingInteractions: failing, findings: findings.isEmpty ? nil : findings)
        return IncidentRecord(ruleId: rule.id, firing: alert.firing, openedAt: at, phase: phase, report: try APICoding.text(report))
    }
}

/// The windows one rule reads at one tick: its own over the treatment, the past one its baseline compares
/// with, the control's it is held against.
struct RuleWindows {
    struct Read: Hashable {
        var start: Date
        var end: Date
        var variant: Variant
        /// The rule's segment: rules over different segments never share a read.
        var segment: Segment?

        var interval: MetricsQuery.Interval { MetricsQuery.Interval(start: start, end: end) }
    }

    var current: Read
    var baseline: Read?
    /// The baseline's span, also when it is empty (the phase is younger than the rule's window).
    var baselineSeconds: TimeInterval?
    var control: Read?

    init(rule: Rule, now: Date, phaseStartedAt: Date) {
        let start = max(now.addingTimeInterval(-rule.window), phaseStartedAt)
        current = Read(start: min(start, now), end: now, variant: .treatment, segment: rule.segment)
        if let reference = rule.baseline {
            let end = now.addingTimeInterval(-rule.window)
            let start = max(end.addingTimeInterval(-reference.window), phaseStartedAt)
            baseline = start < end ? Read(start: start, end: end, variant: .treatment, segment: rule.segment) : nil
            baselineSeconds = end.timeIntervalSince(start)
        }
        if let versus = rule.versusControl {
            control = Read(start: min(max(now.addingTimeInterval(-versus.window), phaseStartedAt), now), end: now, variant: .control,
                           segment: rule.segment)
        }
    }

    var reads: [Read] { [current] + [baseline, control].compactMap { $0 } }
}
