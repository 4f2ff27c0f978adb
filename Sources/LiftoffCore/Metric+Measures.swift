extension Metric {
    /// For a metric that counts findings (security issues of some severities, integrity violations and failed
    /// integrity checks): the event types and the severities it counts, so an alert on it can name the
    /// findings. Nil for others.
    public var findings: (types: [EventType], severities: Set<Severity>)? {
        switch self {
        case .criticalSecurityIssues: ([.securityIssue], [.critical])
        case .highSecurityIssues: ([.securityIssue], [.high])
        case .mediumSecurityIssues: ([.securityIssue], [.medium])
        case .lowSecurityIssues: ([.securityIssue], [.low])
        case .securityIssues: ([.securityIssue], Set(Severity.allCases))
        case .dataInconsistencies: ([.integrityViolation, .integrityCheck], [])
        default: nil
        }
    }

    /// Whether events that may come without a user (security findings, integrity violations, resource
    /// samples) feed this metric; those count with treatment while the rollout runs (see `RolloutState`).
    public var countsEventsWithoutUser: Bool { !measures.isDisjoint(with: Measure.fromSystemEvents) }

    /// The base measures this metric is computed from, so a query reads only those rows: a one-day window
    /// of `token_usage` should not decode a day of latency sketches.
    public var measures: Set<Measure> {
        switch self {
        case .responseTime, .responseTimeP50, .responseTimeP95, .responseTimeP99, .responseTimeAvg, .responseTimeMax,
             .requestsPerSecond, .interactions:
            [.latency]
        case .errorRate: [.latency, .apiErrors, .timeouts, .invalidResponses, .rateLimited]
        case .apiFailureRate: [.latency, .apiErrors]
        case .timeoutRate: [.latency, .timeouts]
        case .invalidResponseRate: [.latency, .invalidResponses]
        case .apiLimitRate: [.latency, .rateLimited]
        case .tokenUsage, .tokensPerInteraction: [.tokens]
        case .cacheHitRate: [.inputTokens, .cachedInputTokens]
        case .aiResponseRelevance: [.relevance]
        case .codeAnalysisAccuracy: [.codeAnalysisAccuracy]
        case .userSatisfaction: [.rating]
        case .usabilityScore: [.usability]
        case .helpfulnessRate: [.helpfulFeedback]
        case .apiCosts: [.cost]
        case .infrastructureCosts: [.infraCost]
        case .costPerUser: [.cost, .infraCost, .users]
        case .unpricedInteractions: [.unpriced, .latency]
        case .activeUsers: [.users]
        case .sessions: [.sessionStarts]
        case .sessionDuration: [.sessionDuration]
        case .concurrentSessionsMax: [.concurrentSessions]
        case .completionRate: [.completions]
        case .projectCompletionRate: [.projectCompletions]
        case .assessmentScore: [.assessmentScore]
        case .skillProgression: [.skillDelta]
        case .skillEvaluationAccuracy: [.levelPredictions]
        case .retentionD1, .retentionD7: []
        case .criticalSecurityIssues: [.securityCritical]
        case .highSecurityIssues: [.securityHigh]
        case .mediumSecurityIssues: [.securityMedium]
        case .lowSecurityIssues: [.securityLow]
        case .securityIssues: [.securityCritical, .securityHigh, .securityMedium, .securityLow]
        case .dataInconsistencies: [.integrityViolations]
        case .dataAccuracy: [.integrityChecks]
        case .resourceUsage: [.resourceUsage]
        case .revenue: [.revenue]
        case .revenuePerUser: [.revenue, .users]
        case .payingUsers: [.payingUsers]
        case .grossMargin: [.revenue, .cost, .infraCost]
        }
    }
}
