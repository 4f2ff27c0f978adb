import Foundation
import LiftoffAPI
import LiftoffCore
import LiftoffStore

/// The content of each dashboard page, from the same sources as the API.
struct DashboardPages: Sendable {
    let store: any Store
    let state: RolloutState
    let controller: RolloutCoordinator
    let metrics: MetricsQuery
    let reports: IncidentReports
    let clock: any WallClock

    /// The metrics charted on the metrics page.
    static let charted: [Metric] = [.responseTimeP95, .errorRate, .aiResponseRelevance, .userSatisfaction, .activeUsers,
                                    .sessionDuration, .tokenUsage, .apiCosts]

    /// The threshold to draw for `metric`: the current phase's criterion, else a guardrail rule's.
    func threshold(_ metric: Metric) -> Double? {
        let snapshot = state.snapshot
        if let criterion = snapshot.phase.exit?.criteria.first(where: { $0.metric == metric || ($0.metric == .responseTime && metric == .responseTimeP95) }) {
            return criterion.threshold
        }
        return snapshot.plan.guardrails.rules.first { $0.metric == metric && $0.baseline == nil && $0.versusControl == nil }?.threshold
    }

    /// The metrics page's ranges: the last hour, day or week of the current phase, the whole current phase, or
    /// the whole rollout (every phase, drawn as bands behind the lines).
    enum Range: String, CaseIterable {
        case hour = "1h", day = "24h", week = "7d", phase, rollout

        var label: String {
            switch self {
            case .hour, .day, .week: "last \(rawValue)"
            case .phase: "this phase"
            case .rollout: "whole rollout"
            }
        }
    }

    func metricsPage(window text: String?) async throws -> HTML {
        let range = text.flatMap(Range.init(rawValue:)) ?? .day
        let snapshot = state.snapshot
        let now = clock.now()
        let start: Date
        switch range {
        case .hour: start = now.addingTimeInterval(-3600)
        case .day: start = now.addingTimeInterval(-86_400)
        case .week: start = now.addingTimeInterval(-604_800)
        case .phase: start = min(snapshot.phaseStartedAt, now.addingTimeInterval(-60))
        case .rollout: start = min(snapshot.history.first?.startedAt ?? now, now.addingTimeInterval(-60))
        }
        let interval = MetricsQuery.Interval(start: start, end: now)
        // About sixty points whatever the range, on whole minutes.
        let step = max(60, (interval.seconds / 60 / 60).rounded(.up) * 60)
        let phase: String? = range == .rollout ? nil : snapshot.phase.name
        let scope = phase.map { "phase \($0), \(range.label)" } ?? "every phase, whole rollout"
        var html = HTML()
        html.append(.element("h1", [:], .text("Metrics: \(scope)")))
        var links = HTML.text("Range: ")
        for choice in Range.allCases {
            var attributes: [HTML.Attribute] = [("href", "/metrics?window=\(choice.rawValue)")]
            if choice == range { attributes.append(("aria-current", "page")) }
            links.append(.element("a", attributes: attributes, .text(choice.label)))
            links.text(" ")
        }
        html.append(.element("p", [:], links))
        let bands = range == .rollout || range == .week
            ? snapshot.history.map { RolloutStory.Band(phase: $0.phase, start: $0.startedAt, end: $0.endedAt) } : []
        var cards = HTML()
        let treatmentSeries = try await metrics.series(Self.charted, over: interval, step: step, phase: phase, variant: .treatment)
        let controlSeries = try await metrics.series(Self.charted, over: interval, step: step, phase: phase, variant: .control)
        for metric in Self.charted {
            let (treatment, control) = (treatmentSeries[metric] ?? [], controlSeries[metric] ?? [])
            let chart = SVGChart(title: "\(metric.rawValue): treatment and control", series: [
                .init(name: "treatment", color: "#0969da", points: treatment.map { ($0.0, $0.1.value) }),
                .init(name: "control", color: "#8250df", points: control.map { ($0.0, $0.1.value) }),
            ], threshold: threshold(metric), unit: metric.unit, bands: bands)
            var card = HTML()
            card.append(.element("h2", [:], .text(metric.rawValue)))
            card.append(chart.render())
            cards.append(.element("section", ["class": "card"], card))
        }
        html.append(.element("div", ["class": "cards"], cards))
        let compared = PhaseReports.kpis.flatMap(\.metrics)
        let treatment = try await metrics.values(compared, over: interval, phase: phase, variant: .treatment)
        let control = try await metrics.values(compared, over: interval, phase: phase, variant: .control)
        let comparisons = VariantComparison.compare(compared, treatment: treatment, control: control)
        html.append(.element("h2", [:], .text("Treatment against control (\(scope))")))
        html.append(.element("p", ["class": "scope"], .text("Difference = treatment − control with its 95% interval; "
            + "“real” when the interval corrected for the number of metrics (\(VariantComparison.correctionText(comparisons))) excludes zero.")))
        html.append(DashboardLayout.table(ComparisonRow.header, comparisons.map { ComparisonRow($0).cells.map { HTML.text($0) } }))
        let paths = try await LearningPathReading.read(store, over: interval, phase: phase, variant: .treatment)
        try await appendBreakdowns(to: &html, over: interval, phase: phase, scope: scope, paths: paths.analysis)
        appendLearningPaths(paths, to: &html, scope: scope)
        return html
    }

    /// The routes learners take and where they stop (`GET /v1/insights/learning-paths` for the same scope).
    private func appendLearningPaths(_ reading: LearningPathReading, to html: inout HTML, scope: String) {
        let analysis = reading.analysis
        html.append(.element("h2", ["id": "learning-paths"], .text("Learning paths (\(scope), treatment)")))
        guard analysis.learners > 0 else {
            html.append(.element("p", [:], .text("No completion event yet: paths come from completion events with an itemId.")))
            return
        }
        html.append(.element("p", ["class": "scope"], .text("\(analysis.learners) learners, \(reading.completions) completion events"
            + (reading.truncated ? " (the oldest only: more fell in the window)" : "") + ". A path counts the learners whose "
            + "completed items start with it; a learner stopped at an item when their latest event abandoned it.")))
        let share = { (count: Int) in ChartAxis.format(Double(count) / Double(analysis.learners), unit: "ratio") }
        html.append(.element("h3", [:], .text("Most common paths")))
        html.append(DashboardLayout.table(["path", "learners", "share"], analysis.paths.prefix(6).map { path in
            [.text(path.items.joined(separator: " → ")), .text(String(path.learners)), .text(share(path.learners))]
        }))
        html.append(.element("h3", [:], .text("Where learners stop")))
        html.append(DashboardLayout.table(["item", "reached", "completed", "abandoned", "stopped here", "abandonment at least"],
                                          analysis.items.prefix(8).map { item in
            [.text("\(item.item.rawValue) \(item.itemId)"), .text(String(item.reached)), .text(String(item.completed)),
             .text(String(item.abandoned)), .text(String(item.stoppedHere)),
             .text(item.abandonmentInterval.map { ChartAxis.format($0.lowerBound, unit: "ratio") } ?? "–")]
        }))
    }

    /// Problem areas (features when the plan declares the feature dimension, lesson and project items always),
    /// then feature usage and one table per dimension the plan declares (`GET /v1/metrics?groupBy=…` for the
    /// same scope).
    private func appendBreakdowns(to html: inout HTML, over interval: MetricsQuery.Interval, phase: String?, scope: String,
                                  paths: LearningPathAnalysis) async throws {
        let declared = state.snapshot.plan.dimensions
        let areas = try await ProblemAreaRanking.rank(metrics, over: interval, phase: phase, variant: .treatment, featureCap: declared[.feature],
                                                      paths: paths)
            .filter { $0.severity != nil }.prefix(8)
        html.append(.element("h2", ["id": "problem-areas"], .text("Problem areas (\(scope), treatment)")))
        html.append(.element("p", ["class": "scope"], .text("Worst first by what the data shows at least: the side of the 95% "
            + "interval nearest to good (GET /v1/insights/problem-areas)."
            + (declared[.feature] == nil ? " Features are not ranked: the plan declares no feature dimension." : ""))))
        if areas.isEmpty {
            html.append(.element("p", [:], .text("Not enough samples per feature or item yet.")))
        } else {
            html.append(DashboardLayout.table(["area", "signal", "value", "at least / at most", "samples"], areas.map { area in
                let unit = Metric(rawValue: area.signal)?.unit ?? (area.signal == "abandonment_rate" ? "ratio" : "")
                return [.text("\(area.kind) \(area.name)"), .text(area.signal), .text(area.value.map { ChartAxis.format($0, unit: unit) } ?? "–"),
                        .text(area.bound.map { ChartAxis.format($0, unit: unit) } ?? "–"), .text(String(area.samples))]
            }))
        }
        guard !declared.isEmpty else { return }
        html.append(.element("h2", ["id": "breakdowns"], .text("Breakdowns (\(scope), treatment and control)")))
        let admitted = try await store.dimensionValues()
        if let cap = declared[.feature] {
            let (usage, full) = try await FeatureUsageReading.read(metrics, over: interval, phase: phase, variants: [.treatment, .control], cap: cap)
            html.append(.element("h3", [:], .text("Feature usage")))
            html.append(.element("p", ["class": "scope"], .text("Each feature's interactions and users, with their share of the variant's "
                + "(GET /v1/insights/feature-usage)" + (full ? "; the feature dimension is full: later features count as other." : "."))))
            html.append(DashboardLayout.table(FeatureUsage.Row.header, usage.map { $0.cells.map { HTML.text($0) } }))
        }
        for (dimension, cap) in declared.sorted(by: { $0.key < $1.key }) {
            let table = try await BreakdownTable.read(dimension, cap: cap, admitted: admitted, metrics: metrics, over: interval,
                                                      step: max(60, (interval.seconds / 24 / 60).rounded(.up) * 60), phase: phase)
            html.append(.element("h3", [:], .text("By \(dimension.rawValue)")))
            html.append(.element("p", ["class": "scope"], .text(table.caption)))
            if table.rows.isEmpty {
                html.append(.element("p", [:], .text("No event has carried a \(dimension.rawValue) yet.")))
            } else {
                html.append(DashboardLayout.table(table.header, table.htmlCells))
            }
        }
    }

    /// The cost page (`CostPage`: the model, read and shaped; its `render()` draws it).
    func costPage() async throws -> HTML {
        try await CostPage.read(metrics: metrics, store: store, pricePoint: state.snapshot.plan.pricePoint, now: clock.now()).render()
    }

    func incidentPage(_ id: Int) async throws -> HTML {
        let report = try await reports.report(id)
        let number = { (value: Double?) in ReportText.number(value) }
        var html = HTML()
        html.append(.element("h1", [:], .text("Incident \(id): \(report.trigger)")))
        var facts: [[HTML]] = [
            [.text("opened"), .text(Timestamp.format(report.openedAt))],
            [.text("rollout / phase"), .text("\(report.rollout) / \(report.phase)")],
            [.text("value / 99.9% bound / threshold"), .text("\(number(report.value)) / \(number(report.bound)) / \(number(report.threshold))")],
            [.text("samples"), .text(String(report.samples))],
        ]
        if let control = report.control {
            // A rule held against control: what control did over the comparison's window.
            facts.append([.text("control: value / samples"), .text("\(number(control.value)) / \(control.samples)")])
        }
        facts.append([.text("affected users"), .text(number(report.affectedUsers))])
        html.append(DashboardLayout.table(["", ""], facts))
        if let points = report.series {
            html.append(.element("h2", [:], .text("\(report.metric) around the breach")))
            html.append(SVGChart(title: "series around the breach",
                                 series: [.init(name: "treatment", color: "#0969da", points: points.map { ($0.t, $0.value) })],
                                 threshold: report.threshold, unit: "").render())
        }
        html.append(.element("h2", [:], .text("Timeline")))
        html.append(DashboardLayout.table(["when", "who", "what", "detail"], (report.timeline ?? []).map { entry in
            [.text(Timestamp.format(entry.at)), .text(entry.actor), .text(entry.what), .text(entry.detail)]
        }))
        if let findings = report.findings, !findings.isEmpty {
            html.append(.element("h2", [:], .text("Findings (newest first)")))
            html.append(DashboardLayout.table(["finding"], findings.map { [.text(JSONValue.object($0).compactText)] }))
        }
        html.append(.element("h2", [:], .text("Failing interactions (sample)")))
        html.append(DashboardLayout.table(["interaction"], (report.failingInteractions ?? []).map { [.text(JSONValue.object($0).compactText)] }))
        return html
    }

    /// The overview (`OverviewPage`: the model, read and shaped; its `render(session:)` draws it).
    func overview(_ session: DashboardSessions.Session) async throws -> HTML {
        let snapshot = state.snapshot
        let gate = try await controller.gate(of: snapshot)
        return try await OverviewPage.read(snapshot: snapshot, gate: gate, store: store, metrics: metrics, now: clock.now()).render(session: session)
    }

    func audience(_ session: DashboardSessions.Session) -> HTML {
        let snapshot = state.snapshot
        var html = HTML()
        html.append(.element("h1", [:], .text("Audience")))
        var groups: [[HTML]] = []
        for phase in snapshot.plan.phases.prefix(snapshot.phaseIndex + 1) {
            for group in phase.audience.groups { groups.append([.text(group.name), .text(phase.name), .text(String(group.members.count))]) }
        }
        html.append(.element("h2", [:], .text("Groups")))
        html.append(DashboardLayout.table(["group (role)", "phase", "members"], groups))
        html.append(.element("h2", [:], .text("Invited (\(snapshot.invitations.count))")))
        html.append(DashboardLayout.table(["user", "phase", "invited"], snapshot.invitations.map {
            [.text($0.userId), .text($0.phase), .text(DashboardLayout.time($0.at))]
        }))
        html.append(.element("h2", [:], .text("Waitlist (\(snapshot.waitlist.filter { $0.admittedAt == nil }.count) waiting)")))
        if session.key.scope.covers(.operate), let waitlist = snapshot.phase.audience.waitlist {
            html.append(DashboardLayout.form(.admit, session: session, fields: DashboardLayout.input("count", label: "how many", type: "number", value: String(waitlist.batch)),
                                             button: "Admit next batch"))
        }
        html.append(DashboardLayout.table(["position", "user", "status", "signed up"], snapshot.waitlist.map {
            [.text(String($0.position)), .text($0.userId), .text($0.admittedAt == nil ? "waiting" : "admitted into \($0.admittedPhase ?? "")"),
             .text(DashboardLayout.time($0.signedUpAt))]
        }))
        return html
    }

    func alerts(_ session: DashboardSessions.Session) async throws -> HTML {
        var html = HTML()
        html.append(.element("h1", [:], .text("Alerts")))
        let states = try await store.ruleStates()
        let rules = state.snapshot.plan.guardrails.rules.filter { (states[$0.id]?.phase ?? .inactive) != .inactive }
        html.append(.element("h2", [:], .text("Rules pending or firing")))
        html.append(DashboardLayout.table(["rule", "state", "since", "condition", "severity", "actions"], rules.map { rule in
            let ruleState = states[rule.id] ?? RuleState()
            return [.text(rule.id), .text(ruleState.phase.rawValue), .text(DashboardLayout.time(ruleState.since)), .text(rule.label),
                    .text(rule.severity.rawValue), .text(rule.actions.isEmpty ? "alert only" : rule.actions.joined(separator: ", "))]
        }))
        html.append(.element("h2", [:], .text("Alerts")))
        let alerts = try await store.alerts(limit: 200)
        html.append(DashboardLayout.table(["rule", "status", "severity", "summary", "value", "since", "silenced"], alerts.map { alert in
            [.text(alert.ruleId), .text(alert.resolved ? "resolved" : "firing"), .text(alert.severity.rawValue),
             .text(alert.annotations["summary"] ?? ""), .text(alert.annotations["value"] ?? "–"), .text(DashboardLayout.time(alert.startsAt)),
             .text(alert.silenced ? "yes" : "")]
        }))
        html.append(.element("h2", [:], .text("Silences")))
        if session.key.scope.covers(.operate) {
            var fields = DashboardLayout.input("rule", label: "rule to silence, e.g. rollback[0]", required: true)
            fields.append(DashboardLayout.input("hours", label: "hours", type: "number", value: "4"))
            fields.append(DashboardLayout.input("comment", label: "comment (required)", required: true))
            html.append(DashboardLayout.form(.silences, session: session, fields: fields, button: "Silence"))
        }
        let now = clock.now()
        html.append(DashboardLayout.table(["matchers", "until", "by", "comment", "active"], try await store.silences().map { silence in
            [.text(silence.matchers.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")),
             .text(DashboardLayout.time(silence.endsAt)), .text(silence.createdBy), .text(silence.comment),
             .text(silence.startsAt <= now && now < silence.endsAt ? "yes" : "no")]
        }))
        return html
    }

    func incidents() async throws -> HTML {
        var html = HTML()
        html.append(.element("h1", [:], .text("Incidents")))
        var rows: [[HTML]] = []
        for incident in try await store.incidents() {
            let report = try IncidentReports.decode(incident)
            rows.append([.element("a", ["href": DashboardPath.incident(incident.id ?? 0)], .text(String(incident.id ?? 0))),
                         .text(DashboardLayout.time(incident.openedAt)), .text(incident.phase),
                         .text(report.trigger), .text(ReportText.number(report.value)),
                         .text(ReportText.number(report.affectedUsers)), .text(report.actions.joined(separator: ", "))])
        }
        html.append(DashboardLayout.table(["#", "opened", "phase", "trigger", "value", "affected users", "actions"], rows))
        return html
    }

    func feedback(query: String?) async throws -> HTML {
        var html = HTML()
        html.append(.element("h1", [:], .text("Feedback")))
        let entries = try await store.feedback(FeedbackFilter(text: query?.isEmpty == false ? query : nil, limit: 200))
        let now = clock.now()
        let quality = try await metrics.values([.aiResponseRelevance, .userSatisfaction, .usabilityScore],
                                               over: MetricsQuery.Interval(start: now.addingTimeInterval(-7 * 86_400), end: now), phase: nil, variant: .treatment)
        html.append(DashboardLayout.table(["last 7 days, treatment", "value", "samples"], [Metric.aiResponseRelevance, .userSatisfaction, .usabilityScore].map { metric in
            [.text(metric.rawValue), .text(DashboardLayout.number(quality[metric]?.value)), .text(String(quality[metric]?.samples ?? 0))]
        }))
        var counts = [Int](repeating: 0, count: 5)
        for entry in entries { if let rating = entry.feedback.rating { counts[rating - 1] += 1 } }
        html.append(DashboardLayout.table(["rating", "1", "2", "3", "4", "5"], [[.text("responses")] + counts.map { .text(String($0)) }]))
        html.append(.element("form", ["method": "get", "action": DashboardPath.feedback.rawValue, "class": "inline", "role": "search"],
                             DashboardLayout.input("q", label: "search suggestions", value: query)
                                + .element("button", ["type": "submit"], .text("Search"))))
        html.append(DashboardLayout.table(["when", "user", "phase", "variant", "rating", "relevant", "suggestion"], entries.map { entry in
            [.text(DashboardLayout.time(entry.at)), .text(entry.userId ?? "–"), .text(entry.phase), .text(entry.variant.rawValue),
             .text(entry.feedback.rating.map(String.init) ?? "–"), .text(entry.feedback.relevant.map { $0 ? "yes" : "no" } ?? "–"),
             .text(entry.feedback.suggestion ?? "")]
        }))
        return html
    }

    /// The newest 200 entries, or those before the sequence number `before` (the overview's decisions link to an
    /// entry that way); each row's anchor is `audit-<sequence>`.
    func audit(before: Int?) async throws -> HTML {
        var html = HTML()
        html.append(.element("h1", [:], .text("Audit log")))
        let entries = try await store.auditLog(limit: 200, before: before, action: nil)
        html.append(DashboardLayout.table(["#", "when", "actor", "action", "reason", "after"], entries.map {
            [.element("span", ["id": "audit-\($0.sequence ?? 0)"], .text(String($0.sequence ?? 0))), .text(DashboardLayout.time($0.at)),
             .text($0.actor), .text($0.action), .text($0.reason ?? ""), .text($0.after ?? "")]
        }))
        if let oldest = entries.last?.sequence, entries.count == 200 {
            html.append(.element("p", [:], .element("a", ["href": "\(DashboardPath.audit.rawValue)?before=\(oldest)"], .text("Older entries"))))
        }
        return html
    }
}
