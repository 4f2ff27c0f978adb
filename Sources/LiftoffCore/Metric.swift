/// The metric catalog (README, § Metrics). The raw values are the public contract: the API, the plan file, the
/// dashboard and the reports all name metrics by them.
public enum Metric: String, Sendable, CaseIterable, Codable {
    /// The 95th percentile: a bare `response_time` in a plan means the latency most users stay under.
    case responseTime = "response_time"
    case responseTimeP50 = "response_time.p50"
    case responseTimeP95 = "response_time.p95"
    case responseTimeP99 = "response_time.p99"
    case responseTimeAvg = "response_time.avg"
    case responseTimeMax = "response_time.max"
    case requestsPerSecond = "requests_per_second"
    case errorRate = "error_rate"
    case apiFailureRate = "api_failure_rate"
    case timeoutRate = "timeout_rate"
    case invalidResponseRate = "invalid_response_rate"
    case apiLimitRate = "api_limit_rate"
    case tokenUsage = "token_usage"
    case tokensPerInteraction = "tokens_per_interaction"
    /// The share of input tokens served from the provider's prompt cache (Σ cached ÷ Σ input).
    case cacheHitRate = "cache_hit_rate"
    case aiResponseRelevance = "ai_response_relevance"
    case codeAnalysisAccuracy = "code_analysis_accuracy"
    case userSatisfaction = "user_satisfaction"
    case usabilityScore = "usability_score"
    /// The share of feedback that called the answer helpful, among feedback that said (`helpful`): with
    /// `feature: visual_aids`, the seed's visual-aids effectiveness.
    case helpfulnessRate = "helpfulness_rate"
    case apiCosts = "api_costs"
    case infrastructureCosts = "infrastructure_costs"
    case costPerUser = "cost_per_user"
    case unpricedInteractions = "unpriced_interactions"
    case interactions
    case activeUsers = "active_users"
    case sessions
    case sessionDuration = "session_duration"
    /// The most sessions open at once in the window (the seed's "concurrent user support").
    case concurrentSessionsMax = "concurrent_sessions.max"
    case completionRate = "completion_rate"
    case assessmentScore = "assessment_score"
    case skillProgression = "skill_progression"
    /// The share of assessments whose measured level the AI's initial assessment predicted.
    case skillEvaluationAccuracy = "skill_evaluation_accuracy"
    case projectCompletionRate = "project_completion_rate"
    case retentionD1 = "retention_d1"
    case retentionD7 = "retention_d7"
    case criticalSecurityIssues = "critical_security_issues"
    case securityIssues = "security_issues"
    case highSecurityIssues = "high_security_issues"
    case mediumSecurityIssues = "medium_security_issues"
    case lowSecurityIssues = "low_security_issues"
    case dataInconsistencies = "data_inconsistencies"
    /// The share of integrity checks that passed (`integrity_check` events): with `feature: progress_tracking`,
    /// the seed's progress-tracking accuracy.
    case dataAccuracy = "data_accuracy"
    case resourceUsage = "resource_usage"
    /// Net revenue in USD: Σ payment amounts, refunds negative.
    case revenue
    /// Revenue per active user (ARPU): revenue ÷ distinct users with any event, like `cost_per_user`.
    case revenuePerUser = "revenue_per_user"
    /// Distinct users who paid a positive amount (refunds do not count).
    case payingUsers = "paying_users"
    /// (revenue − API cost − infrastructure cost) ÷ revenue; none while revenue is not positive.
    case grossMargin = "gross_margin"

    /// What kind of number the metric is, which decides how criteria and rules compare it.
    public enum Kind: String, Sendable, Codable {
        /// A share of samples (0–1) that had some property: compared through a Wilson bound.
        case rate
        /// A mean or quantile of sampled values.
        case statistic
        /// A count or sum over the window: no sample minimum makes sense for "no critical issues".
        case total
    }

    public var kind: Kind {
        switch self {
        case .errorRate, .apiFailureRate, .timeoutRate, .invalidResponseRate, .apiLimitRate,
             .completionRate, .projectCompletionRate, .retentionD1, .retentionD7, .skillEvaluationAccuracy,
             .helpfulnessRate, .dataAccuracy:
            .rate
        case .tokenUsage, .apiCosts, .infrastructureCosts, .unpricedInteractions, .interactions, .activeUsers,
             .sessions, .concurrentSessionsMax, .criticalSecurityIssues, .securityIssues, .highSecurityIssues, .mediumSecurityIssues,
             .lowSecurityIssues, .dataInconsistencies, .revenue, .payingUsers:
            .total
        default:
            .statistic
        }
    }

    /// The unit shown beside values.
    public var unit: String {
        switch self {
        case .responseTime, .responseTimeP50, .responseTimeP95, .responseTimeP99, .responseTimeAvg, .responseTimeMax: "ms"
        case .requestsPerSecond: "1/s"
        case .tokenUsage, .tokensPerInteraction: "tokens"
        case .apiCosts, .infrastructureCosts, .costPerUser, .revenue, .revenuePerUser: "USD"
        case .sessionDuration: "s"
        case .userSatisfaction, .usabilityScore: "1–5"
        case .unpricedInteractions, .interactions, .activeUsers, .sessions, .concurrentSessionsMax, .criticalSecurityIssues,
             .securityIssues, .highSecurityIssues, .mediumSecurityIssues, .lowSecurityIssues, .dataInconsistencies, .payingUsers: "count"
        default: "ratio"
        }
    }

    /// The unit as written after a number in a sentence (" ms", " USD"); empty for shares, counts and
    /// ratings, which read as plain numbers.
    public var unitSuffix: String {
        switch unit {
        case "ratio", "count", "1–5": ""
        default: " " + unit
        }
    }

    /// The quantile a latency percentile metric reads (0.95 for `response_time.p95`).
    public var quantile: Double? {
        switch self {
        case .responseTime, .responseTimeP95: 0.95
        case .responseTimeP50: 0.5
        case .responseTimeP99: 0.99
        default: nil
        }
    }

    /// The retention horizon in days, for the retention metrics.
    public var retentionDays: Int? {
        switch self {
        case .retentionD1: 1
        case .retentionD7: 7
        default: nil
        }
    }
}
