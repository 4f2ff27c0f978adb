import Foundation
import LiftoffCore
import LiftoffStore

/// The phase report: criteria verdicts with their numbers, the seed's KPIs for treatment against control,
/// cost, feedback and incidents, as JSON, Markdown or printable HTML.
struct PhaseReports: Sendable {
    let store: any Store
    let state: RolloutState
    let metrics: MetricsQuery
    let clock: any WallClock

    static let kpis: [(section: String, metrics: [Metric])] = [
        ("User engagement", [.activeUsers, .sessions, .sessionDuration, .completionRate]),
        ("Learning effectiveness", [.skillProgression, .assessmentScore, .projectCompletionRate]),
        ("System performance", [.responseTimeP50, .responseTimeP95, .errorRate, .resourceUsage]),
        ("Quality", [.aiResponseRelevance, .codeAnalysisAccuracy, .userSatisfaction]),
        ("Business", [.retentionD1, .retentionD7, .costPerUser]),
        ("Cost", [.tokenUsage, .tokensPerInteraction, .apiCosts, .infrastructureCosts, .unpricedInteractions]),
    ]

    func report(phase name: String) async throws -> [String: JSONValue] {
        let snapshot = state.snapshot
        guard let record = snapshot.history.last(where: { $0.phase == name }) else {
            throw DomainError.notFound("phase '\(name)' has not started")
        }
        let now = clock.now()
        let end = record.endedAt ?? now
        let interval = MetricsQuery.Interval(start: record.startedAt, end: end)
        let all = Self.kpis.flatMap(\.metrics)
        let treatment = try await metrics.values(all, over: interval, phase: name, variant: .treatment)
        let control = try await metrics.values(all, over: interval, phase: name, variant: .control)
        let daily = try await metrics.series(.activeUsers, over: interval, step: 86_400, phase: name, variant: .treatment)
        let dailyUsers = daily.compactMap(\.1.value)

        var criteria: [JSONValue] = []
        if let plan = snapshot.plan.phases.first(where: { $0.name == name }), let exit = plan.exit {
            for criterion in exit.criteria {
                let window = criterion.window.map { MetricsQuery.Interval(start: max(record.startedAt, end.addingTimeInterval(-$0)), end: end) } ?? interval
                let value = try await metrics.values([criterion.metric], over: window, phase: name, variant: .treatment)[criterion.metric]
                    ?? MetricValue(value: nil, samples: 0)
                let result = CriterionResult(criterion: criterion, value: value)
                criteria.append(.object([
                    "criterion": .string(result.label), "value": Self.number(result.value), "bound": Self.number(result.bound),
                    "samples": .number(Double(result.samples)), "minSamples": .number(Double(criterion.minSamples)),
                    "verdict": .string(result.verdict.rawValue),
                    "interval": Self.interval(result.interval),
                    "samplesNeeded": result.samplesNeeded.map { .number(Double($0)) } ?? .null,
                ]))
            }
        }
        let span = try await metrics.observedSpan([.costPerUser], over: interval, phase: name, variant: .treatment)
        let projection = CostProjection(costPerUser: treatment[.costPerUser]?.value, observedSeconds: span?.duration ?? 0)
        let comparisons = VariantComparison.compare(all, treatment: treatment, control: control)
        let byMetric = Dictionary(comparisons.map { ($0.metric, $0) }, uniquingKeysWith: { first, _ in first })
        var kpis: [JSONValue] = []
        for (section, list) in Self.kpis {
            kpis.append(.object([
                "section": .string(section),
                "metrics": .array(list.compactMap { byMetric[$0].map(Self.row) }),
            ]))
        }
        let feedback = try await store.feedback(FeedbackFilter(phase: name, limit: 5000))
        var ratings = [Int](repeating: 0, count: 5)
        for entry in feedback { if let rating = entry.feedback.rating { ratings[rating - 1] += 1 } }
        let suggestions = feedback.compactMap(\.feedback.suggestion).prefix(10)
        let incidents = try await store.incidents().filter { $0.phase == name }.map { incident -> JSONValue in
            let trigger: JSONValue
            if case .object(let report)? = try? JSONParser.parse(incident.report), let value = report["trigger"] { trigger = value } else { trigger = .null }
            return .object(["id": .number(Double(incident.id ?? 0)), "openedAt": .string(Timestamp.format(incident.openedAt)),
                            "rule": .string(incident.ruleId), "trigger": trigger])
        }
        let signOffs = snapshot.signOffs.filter { $0.phase == name }.map { signOff -> JSONValue in
            .object(["item": .string(signOff.item), "by": .string(signOff.actor), "at": .string(Timestamp.format(signOff.at)),
                     "note": signOff.note.map(JSONValue.string) ?? .null])
        }
        return [
            "rollout": .string(snapshot.plan.rollout), "phase": .string(name),
            "startedAt": .string(Timestamp.format(record.startedAt)),
            "endedAt": record.endedAt.map { .string(Timestamp.format($0)) } ?? .null,
            "generatedAt": .string(Timestamp.format(now)),
            "criteria": .array(criteria), "kpis": .array(kpis),
            "comparison": .object([
                "confidence": .number(0.95), "correction": .string(VariantComparison.correctionText(comparisons)),
                "real": .string("a difference is marked real when its Bonferroni-corrected interval excludes zero"),
            ]),
            "dailyActiveUsers": dailyUsers.isEmpty ? .null : .number(dailyUsers.reduce(0, +) / Double(dailyUsers.count)),
            "feedback": .object([
                "responses": .number(Double(feedback.count)),
                "ratings": .object(Dictionary(uniqueKeysWithValues: (1...5).map { (String($0), JSONValue.number(Double(ratings[$0 - 1]))) })),
                "suggestions": .array(suggestions.map(JSONValue.string)),
            ]),
            "incidents": .array(incidents), "checklist": .array(signOffs),
            "pricePoint": snapshot.plan.pricePoint.map(JSONValue.number) ?? .null,
            "costPerUserPerMonth": Self.number(projection?.perUserPerMonth),
            "costObservedDays": Self.number(projection?.observedDays),
        ]
    }

    static func number(_ value: Double?) -> JSONValue { value.map(JSONValue.number) ?? .null }

    /// `[lower, upper]`, a side null where it is unbounded; null without an interval.
    static func interval(_ interval: ConfidenceInterval?) -> JSONValue {
        interval.map { .array([$0.lower, $0.upper].map { $0.isFinite ? .number($0) : .null }) } ?? .null
    }

    /// One treatment-against-control row: both values and sample counts, the difference absolute and relative,
    /// its 95% interval (null sides where unbounded, null where the metric has none), and whether it is real.
    static func row(_ comparison: VariantComparison) -> JSONValue {
        .object([
            "metric": .string(comparison.metric.rawValue), "unit": .string(comparison.metric.unit),
            "treatment": number(comparison.treatment.value), "control": number(comparison.control.value),
            "samples": .number(Double(comparison.treatment.samples)),
            "treatmentSamples": .number(Double(comparison.treatment.samples)), "controlSamples": .number(Double(comparison.control.samples)),
            "difference": number(comparison.difference), "relativeDifference": number(comparison.relativeDifference),
            "interval": interval(comparison.interval), "real": comparison.isReal.map(JSONValue.bool) ?? .null,
        ])
    }

    /// A value as text for people (Markdown and HTML): lists as comma-separated items ("none" when empty),
    /// objects as `key: value` pairs in key order, never JSON.
    static func text(_ value: JSONValue?) -> String {
        switch value {
        case .string(let text)?: return text
        case .number(let number)?: return number.rounded() == number && abs(number) < 1e12 ? String(Int(number)) : String(format: "%.4g", number)
        case .bool(let flag)?: return flag ? "yes" : "no"
        case .array(let items)?: return items.isEmpty ? "none" : items.map { text($0) }.joined(separator: ", ")
        case .object(let members)?:
            return members.keys.sorted().map { "\($0): \(text(members[$0]))" }.joined(separator: "; ")
        case .null?, nil: return "–"
        }
    }

    /// The report as (title, rows) tables, shared by the Markdown and HTML renderings.
    static func tables(_ report: [String: JSONValue]) -> [(title: String, header: [String], rows: [[String]])] {
        var tables: [(title: String, header: [String], rows: [[String]])] = []
        func objects(_ key: String, in source: [String: JSONValue] = report) -> [[String: JSONValue]] {
            guard case .array(let items)? = source[key] else { return [] }
            return items.compactMap { if case .object(let object) = $0 { object } else { nil } }
        }
        tables.append(("Exit criteria (treatment)", ["criterion", "value", "95% interval", "samples", "verdict", "more samples needed"],
                       objects("criteria").map { [text($0["criterion"]), text($0["value"]),
                                                  $0["interval"] == .null ? "exact" : intervalText($0["interval"]),
                                                  "\(text($0["samples"]))/\(text($0["minSamples"]))", text($0["verdict"]).replacingOccurrences(of: "_", with: " "),
                                                  $0["samplesNeeded"] == .null ? "–" : text($0["samplesNeeded"])] }))
        let correction = report["comparison"]?["correction"].map { text($0) } ?? ""
        for section in objects("kpis") {
            tables.append(("\(text(section["section"])) (treatment against control; \(correction))",
                           comparisonHeader, objects("metrics", in: section).map(comparisonCells)))
        }
        if case .object(let feedback)? = report["feedback"], case .object(let ratings)? = feedback["ratings"] {
            tables.append(("Feedback (\(text(feedback["responses"])) responses)", ["rating", "count"],
                           (1...5).map { [String($0), text(ratings[String($0)])] }))
            if case .array(let suggestions)? = feedback["suggestions"], !suggestions.isEmpty {
                tables.append(("Recent suggestions", ["suggestion"], suggestions.map { [text($0)] }))
            }
        }
        tables.append(("Price point", ["cost per user per month (treatment, projected)", "from days observed", "price point", "margin"],
                       [[text(report["costPerUserPerMonth"]), text(report["costObservedDays"]), text(report["pricePoint"]),
                         { if case .number(let price)? = report["pricePoint"], case .number(let cost)? = report["costPerUserPerMonth"] {
                             String(format: "%.2f (%.0f%%)", price - cost, (price - cost) / price * 100) } else { "–" } }()]]))
        tables.append(("Incidents", ["id", "opened", "rule", "trigger"],
                       objects("incidents").map { [text($0["id"]), text($0["openedAt"]), text($0["rule"]), text($0["trigger"])] }))
        tables.append(("Checklist sign-offs", ["item", "by", "at", "note"],
                       objects("checklist").map { [text($0["item"]), text($0["by"]), text($0["at"]), text($0["note"])] }))
        return tables
    }

    static let comparisonHeader = ["metric", "unit", "treatment (n)", "control (n)", "difference", "relative", "95% interval", "real?"]

    /// A comparison row (`row(_:)`) as table cells, for the report and the dashboard alike.
    static func comparisonCells(_ row: [String: JSONValue]) -> [String] {
        [text(row["metric"]), text(row["unit"]),
         "\(text(row["treatment"])) (\(text(row["treatmentSamples"])))", "\(text(row["control"])) (\(text(row["controlSamples"])))",
         text(row["difference"]), percent(row["relativeDifference"]), intervalText(row["interval"]),
         { switch row["real"] { case .bool(true)?: "yes"; case .bool(false)?: "no"; default: "not tested" } }()]
    }

    static func percent(_ value: JSONValue?) -> String {
        guard case .number(let number)? = value else { return "–" }
        return String(format: "%+.1f%%", number * 100)
    }

    static func intervalText(_ value: JSONValue?) -> String {
        guard case .array(let sides)? = value, sides.count == 2 else { return "–" }
        let side = { (value: JSONValue) -> String in if case .number = value { text(value) } else { "unbounded" } }
        return "\(side(sides[0])) to \(side(sides[1]))"
    }

    static func title(_ report: [String: JSONValue]) -> String {
        "Phase report: \(text(report["rollout"])) / \(text(report["phase"]))"
    }

    static func summary(_ report: [String: JSONValue]) -> String {
        "\(text(report["startedAt"])) – \(report["endedAt"] == .null ? "ongoing" : text(report["endedAt"])) · "
            + "daily active users (treatment, mean): \(text(report["dailyActiveUsers"])) · generated \(text(report["generatedAt"]))"
    }

    static func markdown(_ report: [String: JSONValue]) -> String {
        var lines = ["# \(title(report))", "", summary(report), ""]
        for table in tables(report) {
            lines += ["## \(table.title)", ""]
            if table.rows.isEmpty { lines += ["none", ""]; continue }
            lines.append("| " + table.header.joined(separator: " | ") + " |")
            lines.append("|" + String(repeating: " --- |", count: table.header.count))
            for row in table.rows { lines.append("| " + row.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |") }
            lines.append("")
        }
        return lines.joined(separator: "\n")
    }

    /// Printable HTML; every text from users or the plan is escaped.
    static func html(_ report: [String: JSONValue]) -> String {
        var body = "<h1>\(escape(title(report)))</h1><p>\(escape(summary(report)))</p>"
        for table in tables(report) {
            body += "<h2>\(escape(table.title))</h2>"
            if table.rows.isEmpty { body += "<p>none</p>"; continue }
            body += "<table><thead><tr>" + table.header.map { "<th>\(escape($0))</th>" }.joined() + "</tr></thead><tbody>"
            for row in table.rows { body += "<tr>" + row.map { "<td>\(escape($0))</td>" }.joined() + "</tr>" }
            body += "</tbody></table>"
        }
        return """
            <!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(title(report)))</title><style>
            body{font:14px/1.45 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1f24}
            table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}th,td{border-bottom:1px solid #d0d7de;padding:.3rem .5rem;text-align:left}
            th{background:#f6f8fa}@media print{body{margin:0;max-width:none}h2{break-after:avoid}table{break-inside:avoid}}
            </style></head><body>\(body)</body></html>
            """
    }

    static func escape(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
