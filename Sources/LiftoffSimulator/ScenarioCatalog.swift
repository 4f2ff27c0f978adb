import Foundation
import LiftoffCore

extension Scenario {
    static let latencyMetrics: Set<Metric> = [.responseTime, .responseTimeP50, .responseTimeP95, .responseTimeP99, .responseTimeAvg, .responseTimeMax]
    static let errorMetrics: Set<Metric> = [.errorRate, .apiFailureRate, .timeoutRate, .invalidResponseRate, .apiLimitRate]
    static let costMetrics: Set<Metric> = [.tokenUsage, .tokensPerInteraction, .apiCosts, .costPerUser]
    /// Onset of every regression: an hour of normal beta traffic first, so baselines have something to hold.
    static let onsetTime: TimeInterval = 3600

    /// Every scenario, in the order `--list` shows them. Beta plays with 200 admitted users at a busy hour's
    /// pace (one session an hour each, about 20 AI calls a minute), beside 200 users in control.
    public static let all: [Scenario] = [
        Scenario(name: "healthy", summary: "four hours of normal beta traffic; nothing should happen"),
        Scenario(name: "latency-step", summary: "the model provider degrades: median latency 0.8 s -> 4.5 s at once",
                 onset: onsetTime, regression: { model, _ in model.latency.medianMs = 4500 },
                 truth: Truth(metrics: latencyMetrics, kinds: [.rollback])),
        Scenario(name: "latency-creep", summary: "latency creeps up 2% of its median a minute (p95 1.55 s -> 3 s in 47 min)",
                 // The true p95 crosses the seed's 2 s scaling trigger when the median has grown by 2000/1548: after 14.6 min.
                 onset: onsetTime, actionableAfter: 0.292 / 0.02 * 60,
                 regression: { model, elapsed in model.latency.medianMs *= 1 + 0.02 * elapsed / 60 },
                 truth: Truth(metrics: latencyMetrics, kinds: [.adjustment, .scaling])),
        Scenario(name: "error-spike", summary: "the provider fails 15% of calls with API errors",
                 onset: onsetTime, regression: { model, _ in model.outcomes[.apiError] = 0.15 },
                 truth: Truth(metrics: errorMetrics, kinds: [.rollback])),
        Scenario(name: "timeout-storm", summary: "20% of calls time out after 30 s",
                 onset: onsetTime, regression: { model, _ in model.outcomes[.timeout] = 0.2 },
                 truth: Truth(metrics: errorMetrics.union(latencyMetrics), kinds: [.rollback])),
        Scenario(name: "invalid-responses", summary: "a prompt change makes 12% of answers unparseable",
                 onset: onsetTime, regression: { model, _ in model.outcomes[.invalidResponse] = 0.12 },
                 truth: Truth(metrics: errorMetrics, kinds: [.rollback])),
        Scenario(name: "cost-blowup", summary: "a prompt change doubles the tokens of every call",
                 onset: onsetTime, regression: { model, _ in
                     model.scalePrompts(by: 2)
                     model.outputTokens = model.outputTokens.mapValues { $0 * 2 }
                 }, truth: Truth(metrics: costMetrics, kinds: [.adjustment, .scaling, .alert])),
        Scenario(name: "quality-drop", summary: "answers get worse: relevance 0.93 -> 0.80",
                 onset: onsetTime, regression: { model, _ in model.relevanceMean = 0.80 },
                 truth: Truth(metrics: [.aiResponseRelevance, .userSatisfaction, .codeAnalysisAccuracy], kinds: [.rollback])),
        // One feature in twelve calls: the phase's relevance falls only to about 0.91, above every phase-wide line;
        // only a rule on the feature's own answers sees it.
        Scenario(name: "segment-regression", summary: "learning-path answers get worse (relevance 0.93 -> 0.65); the phase average stays about 0.91",
                 onset: onsetTime, regression: { model, _ in model.relevanceByFeature[.learningPath] = 0.65 },
                 truth: Truth(metrics: [.aiResponseRelevance, .userSatisfaction], kinds: [.rollback])),
        Scenario(name: "security-issue", summary: "the app's scanner reports a critical prompt-injection finding",
                 onset: onsetTime,
                 injection: Injection(type: "security_issue", fields: ["severity": .string("critical"),
                                                                        "title": .string("prompt injection leaks another learner's code")]),
                 truth: Truth(metrics: [.criticalSecurityIssues, .securityIssues], kinds: [.rollback])),
        Scenario(name: "data-inconsistency", summary: "progress records stop matching completions, reported every 10 min",
                 onset: onsetTime,
                 injection: Injection(type: "integrity_violation", fields: ["check": .string("progress-matches-completions")], every: 600),
                 truth: Truth(metrics: [.dataInconsistencies], kinds: [.rollback])),
        Scenario(name: "small-cohort-noise", summary: "alpha: 25 invited users, spread-out habits and devices; noisy but healthy",
                 phase: "alpha", treatmentUsers: 25, controlUsers: 50, duration: 8 * 3600, userLatencySpread: 0.2),
        Scenario(name: "traffic-gap", summary: "two hours of traffic, six hours of none (an outage upstream of Liftoff), two hours again",
                 duration: 10 * 3600, quiet: 2 * 3600 ..< 8 * 3600),
    ]

    /// The scenario called `name`.
    public static func named(_ name: String) -> Scenario? { all.first { $0.name == name } }
}
