import Foundation
import LiftoffAPI
import LiftoffCore
import LiftoffStore

/// Builds the phase report (`LiftoffAPI.PhaseReport`): criteria verdicts with their numbers, the seed's KPIs
/// for treatment against control, cost, feedback and incidents. Rendering (JSON, Markdown, HTML) is the
/// document's own.
struct PhaseReports: Sendable {
    let store: any Store
    let state: RolloutState
    let metrics: MetricsQuery
    let clock: any WallClock

    static let kpis: [(section: String, metrics: [Metric])] = [
        ("User engagement", [.activeUsers, .sessions, .sessionDuration, .completionRate]),
        ("Learning effectiveness", [.skillProgression, .assessmentScore, .projectCompletionRate, .skillEvaluationAccuracy]),
        ("System performance", [.responseTimeP50, .responseTimeP95, .errorRate, .resourceUsage]),
        ("Quality", [.aiResponseRelevance, .codeAnalysisAccuracy, .userSatisfaction]),
        ("Business", [.retentionD1, .retentionD7, .costPerUser, .revenue, .revenuePerUser, .payingUsers, .grossMargin]),
        ("Cost", [.tokenUsage, .tokensPerInteraction, .apiCosts, .infrastructureCosts, .unpricedInteractions]),
    ]

    func report(phase name: String) async throws -> PhaseReport {
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

        var criteria: [PhaseReport.CriterionRow] = []
        if let plan = snapshot.plan.phases.first(where: { $0.name == name }), let exit = plan.exit {
            for criterion in exit.criteria {
                let window = criterion.window.map { MetricsQuery.Interval(start: max(record.startedAt, end.addingTimeInterval(-$0)), end: end) } ?? interval
                let value = try await metrics.values([criterion.metric], over: window, phase: name, variant: .treatment,
                                                     segment: criterion.segment)[criterion.metric]
                    ?? MetricValue(value: nil, samples: 0)
                let result = CriterionResult(criterion: criterion, value: value)
                criteria.append(PhaseReport.CriterionRow(
                    criterion: result.label, value: result.value, bound: result.bound, samples: result.samples,
                    minSamples: criterion.minSamples, verdict: result.verdict, interval: result.interval.map(IntervalSides.init),
                    samplesNeeded: result.samplesNeeded))
            }
        }
        let span = try await metrics.observedSpan([.costPerUser], over: interval, phase: name, variant: .treatment)
        let projection = CostProjection(costPerUser: treatment[.costPerUser]?.value, observedSeconds: span?.duration ?? 0)
        let comparisons = VariantComparison.compare(all, treatment: treatment, control: control)
        let byMetric = Dictionary(comparisons.map { ($0.metric, $0) }, uniquingKeysWith: { first, _ in first })
        let kpis = Self.kpis.map { section, list in
            PhaseReport.KPISection(section: section, metrics: list.compactMap { byMetric[$0].map(ComparisonRow.init) })
        }
        let feedback = try await store.feedback(FeedbackFilter(phase: name, limit: 5000))
        var ratings = [Int](repeating: 0, count: 5)
        for entry in feedback { if let rating = entry.feedback.rating { ratings[rating - 1] += 1 } }
        let incidents = try await store.incidents().filter { $0.phase == name }.map { incident in
            PhaseReport.IncidentSummary(id: incident.id ?? 0, openedAt: incident.openedAt, rule: incident.ruleId,
                                        trigger: (try? IncidentReports.decode(incident))?.trigger)
        }
        return PhaseReport(
            rollout: snapshot.plan.rollout, phase: name, startedAt: record.startedAt, endedAt: record.endedAt, generatedAt: now,
            criteria: criteria, kpis: kpis,
            comparison: PhaseReport.ComparisonMethod(
                confidence: 0.95, correction: VariantComparison.correctionText(comparisons),
                real: "a difference is marked real when its Bonferroni-corrected interval excludes zero"),
            dailyActiveUsers: dailyUsers.isEmpty ? nil : dailyUsers.reduce(0, +) / Double(dailyUsers.count),
            feedback: PhaseReport.FeedbackSummary(
                responses: feedback.count,
                ratings: Dictionary(uniqueKeysWithValues: (1...5).map { (String($0), ratings[$0 - 1]) }),
                suggestions: Array(feedback.compactMap(\.feedback.suggestion).prefix(10))),
            incidents: incidents,
            checklist: snapshot.signOffs.filter { $0.phase == name }.map {
                PhaseReport.SignOff(item: $0.item, by: $0.actor, at: $0.at, note: $0.note)
            },
            pricePoint: snapshot.plan.pricePoint,
            costPerUserPerMonth: projection?.perUserPerMonth,
            costObservedDays: projection?.observedDays,
            revenuePerPayingUser: Self.perPayer(revenue: treatment[.revenue], payers: treatment[.payingUsers]),
            insights: try await insights(phase: name, over: interval))
    }

    /// The insights endpoints' answers for the whole phase, treatment's problem areas and paths.
    private func insights(phase: String, over interval: MetricsQuery.Interval) async throws -> PhaseReport.Insights {
        let featureCap = state.snapshot.plan.dimensions[.feature]
        var usage: [FeatureUsage.Row]?
        if let featureCap {
            usage = try await FeatureUsageReading.read(metrics, over: interval, phase: phase, variants: [.treatment, .control], cap: featureCap).rows
        }
        let paths = try await LearningPathReading.read(store, over: interval, phase: phase, variant: .treatment)
        let areas = try await ProblemAreaRanking.rank(metrics, over: interval, phase: phase, variant: .treatment, featureCap: featureCap,
                                                      paths: paths.analysis)
        var answer = paths.answer(window: "phase", phase: phase, variant: .treatment, interval: interval, depth: 5)
        answer.items = Array(answer.items.prefix(10))
        return PhaseReport.Insights(featureUsage: usage, problemAreas: Array(areas.filter { $0.severity != nil }.prefix(10)),
                                    learningPaths: answer)
    }
}

extension PhaseReports {
    /// Revenue ÷ paying users; nil without a payer.
    static func perPayer(revenue: MetricValue?, payers: MetricValue?) -> Double? {
        guard let revenue = revenue?.value, let payers = payers?.value, payers > 0 else { return nil }
        return revenue / payers
    }
}

extension IntervalSides {
    /// Infinite sides (the data cannot bound them) become null.
    init(_ interval: ConfidenceInterval) {
        self.init(lower: interval.lower.isFinite ? interval.lower : nil, upper: interval.upper.isFinite ? interval.upper : nil)
    }
}

extension ComparisonRow {
    init(_ comparison: VariantComparison) {
        self.init(metric: comparison.metric.rawValue, unit: comparison.metric.unit, treatment: comparison.treatment.value,
                  control: comparison.control.value, treatmentSamples: comparison.treatment.samples,
                  controlSamples: comparison.control.samples, difference: comparison.difference,
                  relativeDifference: comparison.relativeDifference, interval: comparison.interval.map(IntervalSides.init),
                  real: comparison.isReal)
    }
}
