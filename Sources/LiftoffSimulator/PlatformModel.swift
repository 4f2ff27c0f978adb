import Foundation
import LiftoffCore

/// The learning platform of the seed as a generative model: what a session of a learner looks like and what
/// the AI does in it. Every number is a parameter, so scenarios can shift them from an onset on.
public struct PlatformModel: Sendable, Equatable {
    /// An AI feature of the platform.
    public enum Feature: String, Sendable, CaseIterable {
        case tutoringChat = "tutoring_chat"
        case codeAnalysis = "code_analysis"
        case learningPath = "learning_path_generation"
        case assessment = "assessment"
    }

    public struct Latency: Sendable, Equatable {
        public var medianMs: Double
        public var sigma: Double
    }

    /// Share of interactions per feature.
    public var featureMix: [Feature: Double] = [.tutoringChat: 0.55, .codeAnalysis: 0.25, .learningPath: 0.08, .assessment: 0.12]
    public var model = "gpt-4o-mini"
    /// p95 1.55 s: comfortably inside the seed's 2 s scaling trigger and 3 s criterion, as a healthy release is.
    public var latency = Latency(medianMs: 800, sigma: 0.4)
    /// How long a call that times out took.
    public var timeoutMs = 30_000.0
    public var inputTokens: [Feature: Double] = [.tutoringChat: 700, .codeAnalysis: 1400, .learningPath: 1100, .assessment: 600]
    public var outputTokens: [Feature: Double] = [.tutoringChat: 250, .codeAnalysis: 350, .learningPath: 600, .assessment: 200]
    /// The answer-length cap the app was told (`maxTokens` in the config `/v1/evaluate` hands out).
    public var maxOutputTokens = Double.infinity
    /// Probability of each failing outcome per interaction.
    public var outcomes: [Outcome: Double] = [.apiError: 0.002, .timeout: 0.001, .invalidResponse: 0.001, .rateLimited: 0.001]
    public var relevanceMean = 0.93
    public var relevanceSD = 0.05
    public var codeAccuracyMean = 0.9
    /// Chance that an interaction gets feedback.
    public var feedbackProbability = 0.15
    public var interactionsPerSession = 6.0
    public var sessionMinutesMedian = 25.0
    /// Score gained per practised session, on a 0–1 scale.
    public var learningRate = 0.02
    public var lessonCompletion = 0.8
    public var projectCompletion = 0.55
    /// The monthly subscription a converting learner buys at their first session (the demo plan's price point).
    public var subscriptionUsd = 12.0
    /// The share of learners who subscribe; which ones is a stable function of their id, not a draw from the
    /// run's random numbers, so adding payments left every other simulated value of a seed as it was.
    public var subscriptionConversion = 0.3
    /// The share of learners the AI's initial assessment places at their own level (`skill_evaluation_accuracy`);
    /// chosen by a stable hash of the id, like the subscribers.
    public var levelPredictionAccuracy = 0.85

    public init() {}

    /// Scales every feature's prompt size (`factor` 2: a prompt change doubling input tokens).
    public mutating func scalePrompts(by factor: Double) {
        inputTokens = inputTokens.mapValues { $0 * factor }
    }

    /// The configured share of interactions that fail.
    public var errorRate: Double { outcomes.values.reduce(0, +) }

    /// A rating that follows answer quality: higher relevance, higher stars.
    public static func rating(relevance: Double, random: inout SeededRandom) -> Int {
        let centre = 1 + 4 * min(max((relevance - 0.5) / 0.5, 0), 1)
        return Int(min(max(random.normal(mean: centre, sd: 0.6).rounded(), 1), 5))
    }
}
