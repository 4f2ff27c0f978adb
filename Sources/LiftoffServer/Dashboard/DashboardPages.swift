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

    func overview(_ session: DashboardSessions.Session) async throws -> HTML {
        let snapshot = state.snapshot
        let gate = try await controller.gate(of: snapshot)
        let canOperate = session.key.scope.covers(.operate)
        var html = HTML()
        html.append(.element("h1", [:], .text("\(snapshot.plan.rollout): phase \(snapshot.phase.name)")))
        var status = HTML.text("Status ")
        status.append(.element("span", ["class": "badge"], .text(snapshot.record.status.rawValue.replacingOccurrences(of: "_", with: " "))))
        status.text(" · gate ")
        let gateText = gate.isFinal ? "last phase" : gate.ready ? "ready" : "not ready"
        status.append(.element("span", ["class": gate.ready || gate.isFinal ? "badge ready" : "badge notready", "id": "gate-state"], .text(gateText)))
        status.text(" · promotion \((snapshot.phase.exit?.promotion ?? .manual).rawValue)")
        html.append(.element("p", [:], status))
        html.append(.element("p", ["id": "rollout-summary"], .text(RolloutView.summary(snapshot: snapshot, gate: gate))))
        let story = try await story(snapshot)
        html.append(.element("h2", ["id": "story"], .text("The rollout at a glance")))
        html.append(TimelineChart(story: story).render())
        html.append(try await audienceGrowth(snapshot, story: story))
        html.append(.element("h2", [:], .text("Exit criteria (treatment users)")))
        html.append(DashboardLayout.table(["criterion", "value", "95% interval", "samples", "verdict", "more samples needed"], gate.criteria.map { result in
            [.text(result.label + " (" + (result.criterion.window.map(DurationText.format) ?? "phase") + ")"),
             .text(DashboardLayout.number(result.value)), .text(DashboardLayout.interval(result.interval)),
             DashboardLayout.sampleProgress(result),
             .element("span", ["class": result.verdict.rawValue], .text(result.verdict.rawValue.replacingOccurrences(of: "_", with: " "))),
             .text(DashboardLayout.samplesNeeded(result))]
        }))
        html.append(try await keyMetrics(snapshot, story: story))
        html.append(.element("h2", [:], .text("Checklist")))
        html.append(DashboardLayout.table(["item", "signed", ""], gate.checklist.map { item in
            var sign = HTML()
            if !item.isSigned && canOperate {
                var fields = HTML.void("input", ["type": "hidden", "name": "item", "value": item.item])
                fields.append(DashboardLayout.input("note", label: "note"))
                sign = DashboardLayout.form(.checklist, session: session, fields: fields, button: "Sign")
            }
            return [.text(item.item), .text(item.signedBy.map { "by \($0), \(DashboardLayout.time(item.signedAt))" } ?? "not yet"), sign]
        }))
        if !gate.unmet.isEmpty {
            html.append(.element("h2", [:], .text("Unmet")))
            html.append(.element("ul", ["id": "unmet"], .join(gate.unmet.map { .element("li", [:], .text($0)) })))
        }
        if canOperate {
            html.append(.element("h2", [:], .text("Actions")))
            var promote = DashboardLayout.input("reason", label: "reason")
            if session.key.scope == .admin {
                promote.append(DashboardLayout.input("force", label: "force past the gate (admin)", type: "checkbox"))
                promote.append(DashboardLayout.input("confirmForced", label: "I confirm a forced promotion", type: "checkbox"))
            }
            html.append(DashboardLayout.form(.promote, session: session, fields: promote, button: "Promote"))
            html.append(DashboardLayout.form(.pause, session: session, fields: DashboardLayout.input("reason", label: "reason"), button: "Pause"))
            html.append(DashboardLayout.form(.resume, session: session, fields: DashboardLayout.input("reason", label: "reason"), button: "Resume"))
            var rollback = DashboardLayout.input("reason", label: "reason (required)", required: true)
            rollback.append(DashboardLayout.input("confirm", label: "I confirm the rollback", type: "checkbox", required: true))
            html.append(DashboardLayout.form(.rollback, session: session, fields: rollback, button: "Roll back", danger: true))
        }
        html.append(decisions(story, session: session))
        html.append(.element("h2", [:], .text("Timeline: planned against actual")))
        html.append(DashboardLayout.table(["phase", "planned start", "planned end", "started", "ended", "overrun"],
                                          RolloutView.timeline(snapshot: snapshot, now: clock.now()).map { entry in
            [.text(entry.phase), .text(DashboardLayout.time(entry.plannedStart)), .text(DashboardLayout.time(entry.plannedEnd)),
             .text(DashboardLayout.time(entry.startedAt)), .text(DashboardLayout.time(entry.endedAt)),
             .text(entry.overrunDays.map { String(format: "%.1f d", $0) } ?? "–")]
        }))
        html.append(try await planVersions(snapshot))
        return html
    }

    /// The phases as they happened and every decision, from the phase history, the audit log and the incidents.
    private func story(_ snapshot: RolloutState.Snapshot) async throws -> RolloutStory {
        var audit: [AuditEntry] = []
        for action in RolloutStory.actions { audit += try await store.auditLog(limit: 500, before: nil, action: action) }
        return RolloutStory(history: snapshot.history, audit: audit, incidents: try await store.incidents(), now: clock.now())
    }

    /// How many users the rollout had let in by name over its course, with the phases behind (the audience's size,
    /// which active users, charted below, are a part of).
    private func audienceGrowth(_ snapshot: RolloutState.Snapshot, story: RolloutStory) async throws -> HTML {
        let growth = AudienceGrowth(plan: snapshot.plan, history: snapshot.history, invitations: try await store.invitations(),
                                    waitlist: try await store.waitlist(), now: story.end)
        var html = HTML.element("h2", ["id": "audience-size"], .text("Audience size over the rollout"))
        if let note = growth.note { html.append(.element("p", ["class": "scope"], .text(note))) }
        html.append(SVGChart(title: "Users let in by name (groups, invitations, waitlist admissions)",
                             series: [.init(name: "users let in", color: "#1a7f37", points: growth.points)],
                             threshold: nil, unit: "count", bands: story.bands, width: 900, height: 160).render())
        return html
    }

    /// Each decision of the story in words, the rows the timeline's markers link to, newest first.
    private func decisions(_ story: RolloutStory, session: DashboardSessions.Session) -> HTML {
        var html = HTML()
        html.append(.element("h2", ["id": "decisions"], .text("Decisions")))
        let head = HTML.element("thead", [:], .element("tr", [:], .join(["when", "kind", "what", "record"].map { .element("th", ["scope": "col"], .text($0)) })))
        var rows = HTML()
        for (index, marker) in story.markers.enumerated().reversed() {
            var record = HTML()
            if let incident = marker.incident {
                record.append(.element("a", ["href": DashboardPath.incident(incident)], .text("incident #\(incident)")))
            } else if session.key.scope == .admin {
                record.append(.element("a", ["href": "\(DashboardPath.audit.rawValue)?before=\(marker.audit + 1)#audit-\(marker.audit)"],
                                       .text("audit #\(marker.audit)")))
            } else {
                record.text("audit #\(marker.audit)")
            }
            rows.append(.element("tr", ["id": "decision-\(index + 1)"],
                                 .element("td", [:], .text(DashboardLayout.time(marker.at)))
                                    + .element("td", [:], .element("span", ["class": "kind \(marker.kind.rawValue)"], .text(marker.kind.rawValue)))
                                    + .element("td", [:], .text(marker.title)) + .element("td", [:], record)))
        }
        if story.markers.isEmpty { rows = .element("tr", [:], .element("td", ["colspan": "4"], .text("none yet"))) }
        html.append(.element("table", ["id": "decision-log"], head + .element("tbody", [:], rows)))
        return html
    }

    /// The current phase's criteria metrics and the rollback triggers across the whole rollout, with the phases
    /// behind them and each one's line, plus active users (the audience using each experience).
    private func keyMetrics(_ snapshot: RolloutState.Snapshot, story: RolloutStory) async throws -> HTML {
        var charted: [(Metric, Segment?, Double?)] = [(.activeUsers, nil, nil)]
        for criterion in snapshot.phase.exit?.criteria ?? [] where !charted.contains(where: { $0.0 == criterion.metric && $0.1 == criterion.segment }) {
            charted.append((criterion.metric, criterion.segment, criterion.threshold))
        }
        for rule in snapshot.plan.guardrails.rules where rule.actions.contains("rollback") && rule.versusControl == nil
            && !charted.contains(where: { $0.0 == rule.metric && $0.1 == rule.segment }) {
            charted.append((rule.metric, rule.segment, rule.threshold))
        }
        let interval = MetricsQuery.Interval(start: story.start, end: story.end)
        // About a hundred points whatever the rollout's length, on whole minutes.
        let step = max(60, (interval.seconds / 100 / 60).rounded(.up) * 60)
        var html = HTML()
        html.append(.element("h2", ["id": "key-metrics"], .text("Key metrics across the rollout (every phase; the current phase's criteria and the rollback triggers)")))
        var cards = HTML()
        let shown = Array(charted.prefix(9))
        // One read per variant and segment for all the charts, not one per chart and variant.
        var bySegment: [Segment?: (treatment: [Metric: [(Date, MetricValue)]], control: [Metric: [(Date, MetricValue)]])] = [:]
        for segment in Set(shown.map(\.1)) {
            let wanted = shown.filter { $0.1 == segment }.map(\.0)
            bySegment[segment] = (try await metrics.series(wanted, over: interval, step: step, phase: nil, variant: .treatment, segment: segment),
                                  try await metrics.series(wanted, over: interval, step: step, phase: nil, variant: .control, segment: segment))
        }
        for (metric, segment, threshold) in shown {
            let treatment = bySegment[segment]?.treatment[metric] ?? [], control = bySegment[segment]?.control[metric] ?? []
            let name = metric.rawValue + (segment.map { " [\($0)]" } ?? "")
            let chart = SVGChart(title: "\(name) across the rollout: treatment and control", series: [
                .init(name: "treatment", color: "#0969da", points: treatment.map { ($0.0, $0.1.value) }),
                .init(name: "control", color: "#8250df", points: control.map { ($0.0, $0.1.value) }),
            ], threshold: threshold, unit: metric.unit, bands: story.bands)
            var card = HTML()
            card.append(.element("h3", [:], .text(name)))
            card.append(chart.render())
            cards.append(.element("section", ["class": "card"], card))
        }
        html.append(.element("div", ["class": "cards"], cards))
        return html
    }

    /// The plan's stored versions, newest first, with the one this page was drawn from marked.
    private func planVersions(_ snapshot: RolloutState.Snapshot) async throws -> HTML {
        var html = HTML()
        html.append(.element("h2", [:], .text("Plan versions")))
        let versions = try await store.planVersions(limit: 10)
        guard !versions.isEmpty else {
            html.append(.element("p", ["id": "plan-version"], .text("No plan version is stored: this server was given its plan in code.")))
            return html
        }
        let served = snapshot.planVersion.map { "This page shows plan version \($0)." } ?? "This page shows a plan given in code."
        html.append(.element("p", ["id": "plan-version"], .text(served + " Apply a new one with liftoff plan apply FILE --reason …")))
        html.append(DashboardLayout.table(["version", "applied", "by", "reason", "SHA-256"], versions.map { version in
            [.text(String(version.number) + (version.number == snapshot.planVersion ? " (live)" : "")), .text(DashboardLayout.time(version.appliedAt)),
             .text(version.actor), .text(version.reason ?? ""), .text(String(version.sha256.prefix(12)))]
        }))
        return html
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
