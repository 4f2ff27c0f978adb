import Foundation
import Testing
@testable import LiftoffCore

@Suite("Metric catalog on a hand-computed data set")
struct MetricCalculatorTests {
    static let minute = Date(timeIntervalSince1970: 1_795_000_020)
    static let prices = PriceBook(["m": ModelPrice(input: 1.0, output: 2.0)])

    static func recorded(_ user: String?, _ payload: EventPayload, sessionSeconds: Double? = nil, skillDelta: Double? = nil) -> RecordedEvent {
        let event = Event(timestamp: minute, userId: user, payload: payload)
        var recorded = RecordedEvent(event: event, attribution: Attribution(phase: "alpha", variant: .treatment),
                                     sessionSeconds: sessionSeconds, skillDelta: skillDelta)
        if case .aiInteraction(let interaction) = payload { recorded.costUsd = prices.cost(of: interaction) }
        return recorded
    }

    static var events: [RecordedEvent] {
        [
            recorded("u1", .aiInteraction(AIInteraction(feature: "code_analysis", model: "m", latencyMs: 100, inputTokens: 1000, outputTokens: 500, outcome: .ok, relevance: 0.9, accuracy: 0.8, cachedInputTokens: 600))),
            recorded("u1", .aiInteraction(AIInteraction(latencyMs: 200, inputTokens: 100, outputTokens: 0, costUsd: 0.01, outcome: .apiError, relevance: 0.7))),
            recorded("u2", .aiInteraction(AIInteraction(latencyMs: 300, outcome: .timeout))),
            recorded("u2", .aiInteraction(AIInteraction(model: "unknown", latencyMs: 400, inputTokens: 10, outcome: .rateLimited))),
            recorded("u2", .aiInteraction(AIInteraction(feature: "code_analysis", latencyMs: 1000, costUsd: 0.005, outcome: .invalidResponse, accuracy: 0.6))),
            recorded("u1", .feedback(Feedback(rating: 4, relevant: true))),
            recorded("u2", .feedback(Feedback(rating: 2, relevant: false, usability: 3))),
            // Visual aids: one helpful, one not; feedback without `helpful` does not count.
            recorded("u1", .feedback(Feedback(helpful: true, feature: "visual_aids"))),
            recorded("u2", .feedback(Feedback(helpful: false, feature: "visual_aids"))),
            { var start = recorded("u1", .sessionStart); start.concurrentSessions = 3; return start }(),
            recorded("u1", .sessionEnd(SessionEnd(durationSeconds: 600))),
            recorded("u2", .sessionEnd(SessionEnd()), sessionSeconds: 300),
            recorded("u1", .assessment(Assessment(skill: "loops", score: 0.5))),
            recorded("u1", .assessment(Assessment(skill: "loops", score: 0.8)), skillDelta: 0.3),
            // Predicted beginner, measured Beginner (agrees); predicted advanced, measured intermediate (does not).
            recorded("u2", .assessment(Assessment(skill: "arrays", score: 0.4, level: "Beginner ", predictedLevel: "beginner"))),
            recorded("u2", .assessment(Assessment(skill: "loops", score: 0.6, level: "intermediate", predictedLevel: "advanced"))),
            recorded("u1", .completion(Completion(item: .lesson, itemId: "l1"))),
            recorded("u1", .completion(Completion(item: .project, itemId: "p1"))),
            recorded("u2", .completion(Completion(item: .project, itemId: "p2", completed: false))),
            recorded(nil, .securityIssue(SecurityIssue(severity: .critical, title: "leak"))),
            recorded(nil, .securityIssue(SecurityIssue(severity: .low, title: "header"))),
            recorded(nil, .integrityViolation(IntegrityViolation(check: "progress"))),
            // Three checks, two passed: accuracy 2/3, and the failed one is a second inconsistency.
            recorded("u1", .integrityCheck(IntegrityCheck(check: "progress", passed: true, feature: "progress_tracking"))),
            recorded("u2", .integrityCheck(IntegrityCheck(check: "progress", passed: false, feature: "progress_tracking"))),
            recorded(nil, .integrityCheck(IntegrityCheck(check: "totals", passed: true))),
            recorded(nil, .resource(ResourceSample(cpu: 0.5, memory: 0.7, infraCostUsd: 1.5))),
            recorded(nil, .resource(ResourceSample(cpu: 0.3))),
            recorded("u1", .payment(Payment(amountUsd: 20, kind: .subscription, plan: "pro"))),
            recorded("u2", .payment(Payment(amountUsd: -5, kind: .refund))),
            recorded("u1", .payment(Payment(amountUsd: 10, kind: .renewal))),
        ]
    }

    static let expected: [(Metric, Double?, Int)] = [
        (.responseTime, 1000, 5), (.responseTimeP95, 1000, 5), (.responseTimeP99, 1000, 5), (.responseTimeP50, 300, 5),
        (.responseTimeAvg, 400, 5), (.responseTimeMax, 1000, 5), (.requestsPerSecond, 5.0 / 60, 5),
        (.errorRate, 0.8, 5), (.apiFailureRate, 0.2, 5), (.timeoutRate, 0.2, 5), (.invalidResponseRate, 0.2, 5),
        (.apiLimitRate, 0.2, 5), (.tokenUsage, 1610, 3), (.tokensPerInteraction, 1610.0 / 3, 3),
        (.cacheHitRate, 600.0 / 1110, 3),
        (.aiResponseRelevance, 0.65, 4), (.codeAnalysisAccuracy, 0.7, 2), (.userSatisfaction, 3, 2), (.usabilityScore, 3, 1),
        (.apiCosts, 0.017, 3), (.infrastructureCosts, 1.5, 1), (.costPerUser, 0.7585, 2), (.unpricedInteractions, 2, 5),
        (.interactions, 5, 5), (.activeUsers, 2, 2), (.sessions, 1, 1), (.sessionDuration, 450, 2), (.concurrentSessionsMax, 3, 1),
        (.completionRate, 2.0 / 3, 3), (.projectCompletionRate, 0.5, 2), (.assessmentScore, 0.575, 4),
        (.skillEvaluationAccuracy, 0.5, 2),
        (.skillProgression, 0.3, 1), (.retentionD1, 0.25, 4), (.retentionD7, nil, 0),
        (.criticalSecurityIssues, 1, 1), (.securityIssues, 2, 2),
        (.highSecurityIssues, 0, 0), (.mediumSecurityIssues, 0, 0), (.lowSecurityIssues, 1, 1), (.dataInconsistencies, 2, 2),
        (.dataAccuracy, 2.0 / 3, 3), (.helpfulnessRate, 0.5, 2), (.resourceUsage, 0.5, 2),
        // Payments 20 + 10 − 5; one payer (u2 only got a refund); two active users; (25 − 0.017 − 1.5) ÷ 25.
        (.revenue, 25, 3), (.payingUsers, 1, 1), (.revenuePerUser, 12.5, 2), (.grossMargin, 23.483 / 25, 3),
    ]

    @Test func everyCatalogMetricIsCovered() {
        #expect(Set(Self.expected.map(\.0)) == Set(Metric.allCases))
    }

    @Test(arguments: expected)
    func value(metric: Metric, value: Double?, samples: Int) {
        var table = AggregateTable()
        Self.events.forEach { table.fold($0) }
        let calculator = MetricCalculator(totals: table.totals(), windowSeconds: 60,
                                          retention: [1: RetentionCounts(cohort: 4, returned: 1)])
        let result = calculator.value(of: metric)
        #expect(result.samples == samples)
        if let value {
            let tolerance = metric.rawValue.hasPrefix("response_time.p") || metric == .responseTime
                ? value * QuantileSketch.relativeAccuracy : 1e-12
            #expect(abs(result.value! - value) <= tolerance, "\(metric.rawValue) = \(String(describing: result.value)), expected \(value)")
        } else {
            #expect(result.value == nil)
        }
    }

    @Test func emptyWindowHasNoValuesButZeroCounts() {
        let calculator = MetricCalculator(totals: [:], windowSeconds: 60)
        #expect(calculator.value(of: .errorRate) == MetricValue(value: nil, samples: 0, successes: 0))
        #expect(calculator.value(of: .responseTimeP95).value == nil)
        #expect(calculator.value(of: .criticalSecurityIssues).value == 0)
        #expect(calculator.value(of: .tokenUsage).value == 0)
    }

    @Test func eventsFoldIntoTheirMinute() {
        var table = AggregateTable()
        let later = Event(timestamp: Self.minute.addingTimeInterval(60), userId: "u", payload: .sessionStart)
        table.fold(RecordedEvent(event: later, attribution: Attribution(phase: "p", variant: .control)))
        table.fold(Self.recorded("u", .sessionStart))
        let minutes = Set(table.rows.keys.map(\.minute))
        #expect(minutes == [AggregateTable.minute(of: Self.minute), AggregateTable.minute(of: Self.minute).advanced(by: 1)])
    }
}

@Suite("Durations, windows, scopes, prices")
struct SmallPartsTests {
    @Test func durations() {
        #expect(DurationText.parse("0s") == 0)
        #expect(DurationText.parse("90s") == 90)
        #expect(DurationText.parse("5m") == 300)
        #expect(DurationText.parse("24h") == 86_400)
        #expect(DurationText.parse("14d") == 1_209_600)
        #expect(DurationText.parse("2w") == 1_209_600)
        #expect(DurationText.parse("5") == nil)
        #expect(DurationText.parse("m") == nil)
        #expect(DurationText.parse("-5m") == nil)
        #expect(DurationText.parse("1.5h") == nil)
        #expect(DurationText.format(300) == "5m")
        #expect(DurationText.format(90) == "90s")
    }

    @Test func windows() {
        #expect(MetricWindow("30s") == .last(30))
        #expect(MetricWindow("7d") == .last(604_800))
        #expect(MetricWindow("phase") == .phase)
        #expect(MetricWindow("all") == .all)
        #expect(MetricWindow("0s") == nil)
        #expect(MetricWindow("soon") == nil)
        let end = Date(timeIntervalSince1970: 600 * 60 + 30)
        #expect(MetricWindow.minutes(from: end.addingTimeInterval(-3600), to: end) == MinuteIndex(rawValue: 540)...MinuteIndex(rawValue: 600))
    }

    @Test func scopes() {
        #expect(Scope.admin.covers(.ingest) && Scope.admin.covers(.operate))
        #expect(Scope.operate.covers(.read) && !Scope.operate.covers(.ingest) && !Scope.operate.covers(.admin))
        #expect(Scope.read.covers(.read) && !Scope.read.covers(.operate))
        #expect(Scope.ingest.covers(.ingest) && !Scope.ingest.covers(.read))
    }

    @Test func datedModelSnapshotsArePricedAsTheirFamily() {
        let mini = ModelPrice(input: 0.15, output: 0.60), full = ModelPrice(input: 2.5, output: 10)
        let book = PriceBook(["gpt-4o": full, "gpt-4o-mini": mini])
        #expect(book.price(of: "gpt-4o-mini") == mini)
        #expect(book.price(of: "gpt-4o-mini-2024-07-18") == mini)
        #expect(book.price(of: "gpt-4o-2024-08-06") == full)
        #expect(book.price(of: "gpt-4") == nil)
        #expect(book.price(of: "gpt-4omni") == nil)
    }

    /// Cached input tokens are charged at the cached price, the rest of the input at the input price; without a
    /// cached price, as any input. `cache_hit_rate` is Σ cached ÷ Σ input over interactions that reported input.
    @Test func cachedTokensArePricedAndCounted() {
        let book = PriceBook(["gpt-4o": ModelPrice(input: 2.5, output: 10, cachedInput: 1.25), "plain": ModelPrice(input: 2.5, output: 10)])
        let cached = AIInteraction(model: "gpt-4o", latencyMs: 1, inputTokens: 1000, outputTokens: 200, cachedInputTokens: 400)
        // (600 × 2.5 + 400 × 1.25 + 200 × 10) / 1e6 = (1500 + 500 + 2000) / 1e6
        #expect(abs(book.cost(of: cached)! - 0.004) < 1e-15)
        var plain = cached
        plain.model = "plain"
        #expect(abs(book.cost(of: plain)! - 0.0045) < 1e-15)

        var table = AggregateTable()
        let at = Timestamp.parse("2026-11-29T10:00:00Z")!
        for interaction in [cached, AIInteraction(latencyMs: 1, inputTokens: 500, outputTokens: 50), AIInteraction(latencyMs: 1)] {
            table.fold(RecordedEvent(event: Event(timestamp: at, userId: "u", payload: .aiInteraction(interaction)),
                                     attribution: Attribution(phase: "p", variant: .treatment)))
        }
        let value = MetricCalculator(totals: table.totals(), windowSeconds: 60).value(of: .cacheHitRate)
        #expect(value.value == 400.0 / 1500.0)
        #expect(value.samples == 2)
        #expect(MetricCalculator(totals: [:], windowSeconds: 60).value(of: .cacheHitRate).value == nil)
    }

    @Test func pricing() {
        let book = PriceBook(["gpt-4o-mini": ModelPrice(input: 0.15, output: 0.60)])
        let priced = AIInteraction(model: "gpt-4o-mini", latencyMs: 1, inputTokens: 1_000_000, outputTokens: 500_000)
        #expect(abs(book.cost(of: priced)! - 0.45) < 1e-12)
        #expect(book.cost(of: AIInteraction(model: "gpt-4o-mini", latencyMs: 1, costUsd: 0.2)) == 0.2)
        #expect(book.cost(of: AIInteraction(model: "other", latencyMs: 1, inputTokens: 5)) == nil)
        #expect(book.cost(of: AIInteraction(model: "gpt-4o-mini", latencyMs: 1)) == nil)
        // Refused or failed by the provider before any usage: nothing billed, so not unpriced (the report's case:
        // failed calls from the OpenAI instrumentation carry no usage and showed up as unpriced).
        #expect(book.cost(of: AIInteraction(model: "gpt-4o-mini", latencyMs: 1, outcome: .rateLimited)) == 0)
        #expect(book.cost(of: AIInteraction(model: "unknown", latencyMs: 1, outcome: .apiError)) == 0)
        #expect(book.cost(of: AIInteraction(model: "gpt-4o-mini", latencyMs: 1, outcome: .timeout)) == nil)
        #expect(book.cost(of: AIInteraction(model: "gpt-4o-mini", latencyMs: 1, outcome: .invalidResponse)) == nil)
        let failedWithUsage = AIInteraction(model: "gpt-4o-mini", latencyMs: 1, inputTokens: 1_000_000, outcome: .apiError)
        #expect(abs(book.cost(of: failedWithUsage)! - 0.15) < 1e-12)
    }
}

@Suite("Metric inputs")
struct MetricMeasuresTests {
    /// Computing a metric from only its declared measures gives the same value as from all of them, so
    /// queries that read only those rows are exact.
    @Test(arguments: Metric.allCases)
    func declaredMeasuresSuffice(metric: Metric) {
        var table = AggregateTable()
        MetricCalculatorTests.events.forEach { table.fold($0) }
        let all = table.totals()
        let only = all.filter { metric.measures.contains($0.key) }
        let retention = [1: RetentionCounts(cohort: 4, returned: 1)]
        #expect(MetricCalculator(totals: only, windowSeconds: 60, retention: retention).value(of: metric)
            == MetricCalculator(totals: all, windowSeconds: 60, retention: retention).value(of: metric))
    }
}
