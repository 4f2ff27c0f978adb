/// Computes catalog metrics from merged aggregates: the one definition of every number Liftoff shows.
public struct MetricCalculator: Sendable {
    public var totals: [Measure: Aggregate]
    /// The window's length, for per-second rates.
    public var windowSeconds: Double
    /// Retention cohorts by horizon in days; retention metrics without an entry have no samples.
    public var retention: [Int: RetentionCounts]

    public init(totals: [Measure: Aggregate], windowSeconds: Double, retention: [Int: RetentionCounts] = [:]) {
        self.totals = totals
        self.windowSeconds = windowSeconds
        self.retention = retention
    }

    private func aggregate(_ measure: Measure) -> Aggregate { totals[measure] ?? Aggregate(for: measure) }

    private func count(_ measure: Measure) -> Int { aggregate(measure).count }

    public func value(of metric: Metric) -> MetricValue {
        let interactions = count(.latency)
        switch metric {
        case .responseTime, .responseTimeP95: return quantile(0.95)
        case .responseTimeP50: return quantile(0.50)
        case .responseTimeP99: return quantile(0.99)
        case .responseTimeAvg: return mean(.latency)
        case .responseTimeMax: return MetricValue(value: aggregate(.latency).max, samples: interactions)
        case .requestsPerSecond:
            return MetricValue(value: windowSeconds > 0 ? Double(interactions) / windowSeconds : nil, samples: interactions)
        case .errorRate:
            let errors = count(.apiErrors) + count(.timeouts) + count(.invalidResponses) + count(.rateLimited)
            return rate(errors, of: interactions)
        case .apiFailureRate: return rate(count(.apiErrors), of: interactions)
        case .timeoutRate: return rate(count(.timeouts), of: interactions)
        case .invalidResponseRate: return rate(count(.invalidResponses), of: interactions)
        case .apiLimitRate: return rate(count(.rateLimited), of: interactions)
        case .tokenUsage: return total(.tokens)
        case .tokensPerInteraction: return mean(.tokens)
        case .cacheHitRate:
            // A ratio of token sums, not a share of interactions: no interval over interactions would hold for it.
            let input = aggregate(.inputTokens)
            return MetricValue(value: input.sum > 0 ? aggregate(.cachedInputTokens).sum / input.sum : nil, samples: input.count)
        case .aiResponseRelevance: return mean(.relevance)
        case .codeAnalysisAccuracy: return mean(.codeAnalysisAccuracy)
        case .userSatisfaction: return mean(.rating)
        case .usabilityScore: return mean(.usability)
        case .helpfulnessRate: return rate(Int(aggregate(.helpfulFeedback).sum), of: count(.helpfulFeedback))
        case .apiCosts: return total(.cost)
        case .infrastructureCosts: return total(.infraCost)
        case .costPerUser:
            let users = activeUsers
            let spend = aggregate(.cost).sum + aggregate(.infraCost).sum
            return MetricValue(value: users > 0 ? spend / Double(users) : nil, samples: users)
        case .unpricedInteractions: return MetricValue(value: Double(count(.unpriced)), samples: interactions)
        case .interactions: return MetricValue(value: Double(interactions), samples: interactions)
        case .activeUsers: return MetricValue(value: Double(activeUsers), samples: activeUsers)
        case .sessions: return MetricValue(value: Double(count(.sessionStarts)), samples: count(.sessionStarts))
        case .sessionDuration: return mean(.sessionDuration)
        case .concurrentSessionsMax:
            // A maximum is exact: no interval, judged as it is.
            return MetricValue(value: count(.concurrentSessions) > 0 ? aggregate(.concurrentSessions).max : nil, samples: count(.concurrentSessions))
        case .completionRate: return rate(Int(aggregate(.completions).sum), of: count(.completions))
        case .projectCompletionRate: return rate(Int(aggregate(.projectCompletions).sum), of: count(.projectCompletions))
        case .assessmentScore: return mean(.assessmentScore)
        case .skillProgression: return mean(.skillDelta)
        case .skillEvaluationAccuracy: return rate(Int(aggregate(.levelPredictions).sum), of: count(.levelPredictions))
        case .retentionD1, .retentionD7:
            let counts = retention[metric.retentionDays!] ?? RetentionCounts(cohort: 0, returned: 0)
            return rate(counts.returned, of: counts.cohort)
        case .criticalSecurityIssues: return occurrences(count(.securityCritical))
        case .highSecurityIssues: return occurrences(count(.securityHigh))
        case .mediumSecurityIssues: return occurrences(count(.securityMedium))
        case .lowSecurityIssues: return occurrences(count(.securityLow))
        case .securityIssues:
            return occurrences(Severity.allCases.reduce(0) { $0 + count(.security($1)) })
        case .dataInconsistencies: return occurrences(count(.integrityViolations))
        case .dataAccuracy: return rate(Int(aggregate(.integrityChecks).sum), of: count(.integrityChecks))
        case .resourceUsage: return mean(.resourceUsage)
        case .revenue: return total(.revenue)
        case .revenuePerUser:
            let users = activeUsers
            return MetricValue(value: users > 0 ? aggregate(.revenue).sum / Double(users) : nil, samples: users)
        case .payingUsers:
            let payers = aggregate(.payingUsers).distinct?.count ?? 0
            return MetricValue(value: Double(payers), samples: payers)
        case .grossMargin:
            // Costs without revenue have no margin to speak of: none, not minus infinity.
            let revenue = aggregate(.revenue).sum
            let spend = aggregate(.cost).sum + aggregate(.infraCost).sum
            return MetricValue(value: revenue > 0 ? (revenue - spend) / revenue : nil, samples: count(.revenue))
        }
    }

    private var activeUsers: Int { aggregate(.users).distinct?.count ?? 0 }

    /// Every value and bound is clamped to the window's exact minimum and maximum (`Aggregate.quantile`).
    private func quantile(_ q: Double) -> MetricValue {
        let latency = aggregate(.latency)
        guard latency.sketch != nil, latency.count > 0 else { return MetricValue(value: nil, samples: latency.count) }
        let ranks = MonitoringBound.quantileRanks(q, count: latency.count)
        return MetricValue(value: latency.quantile(q), samples: latency.count,
                           lowerBound: ranks.lower.flatMap { latency.value(atRank: $0) },
                           upperBound: ranks.upper.flatMap { latency.value(atRank: $0) },
                           evidence: .quantile(q, aggregate: latency))
    }

    private func mean(_ measure: Measure) -> MetricValue {
        let aggregate = aggregate(measure)
        guard let mean = aggregate.mean else { return MetricValue(value: nil, samples: 0) }
        return MetricValue(value: mean, samples: aggregate.count,
                           evidence: .mean(mean, standardDeviation: aggregate.standardDeviation, count: aggregate.count))
    }

    private func total(_ measure: Measure) -> MetricValue {
        let aggregate = aggregate(measure)
        return MetricValue(value: aggregate.sum, samples: aggregate.count)
    }

    private func occurrences(_ count: Int) -> MetricValue {
        MetricValue(value: Double(count), samples: count)
    }

    private func rate(_ hits: Int, of samples: Int) -> MetricValue {
        MetricValue(value: samples > 0 ? Double(hits) / Double(samples) : nil, samples: samples, successes: hits)
    }
}
