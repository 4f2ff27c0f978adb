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
    /// The share of each call's input tokens the provider serves from its prompt cache (the system prompt and
    /// the conversation so far): reported as `cachedInputTokens`, a part of `inputTokens`, computed rather than
    /// drawn so the traffic of a seed is otherwise what it was before caching was simulated.
    public var cachedInputShare: [Feature: Double] = [.tutoringChat: 0.5, .codeAnalysis: 0.2, .learningPath: 0.4, .assessment: 0.6]
    /// The answer-length cap the app was told (`maxTokens` in the config `/v1/evaluate` hands out).
    public var maxOutputTokens = Double.infinity
    /// Probability of each failing outcome per interaction.
    public var outcomes: [Outcome: Double] = [.apiError: 0.002, .timeout: 0.001, .invalidResponse: 0.001, .rateLimited: 0.001]
    public var relevanceMean = 0.93
    /// A feature whose answers are better or worse than the rest (a segment regression), by mean relevance.
    public var relevanceByFeature: [Feature: Double] = [:]
    public var relevanceSD = 0.05
    public var codeAccuracyMean = 0.9
    /// Chance that an interaction gets feedback.
    public var feedbackProbability = 0.15
    /// The share of each feature's answers that show a visual aid (a diagram, a trace of the code's state).
    public var visualAidShare: [Feature: Double] = [.tutoringChat: 0.3, .codeAnalysis: 0.2]
    /// Chance that a learner answers the app's "did this diagram help?" under a visual aid.
    public var visualAidFeedbackProbability = 0.4
    /// Chance that a visual aid beside a good answer (relevance 0.8 or more) helps; beside a worse one it does not.
    public var visualAidHelpfulness = 0.9
    /// The share of the app's progress-record checks (one after each completion) that find the record matching.
    public var progressTrackingAccuracy = 1.0
    public var interactionsPerSession = 6.0
    public var sessionMinutesMedian = 25.0
    /// Score gained per practised session, on a 0–1 scale.
    public var learningRate = 0.02
    /// The course every learner works through in order, one item a session (or a revisit of the last one), with
    /// the chance that an attempt of each is completed: lessons 0.8, projects 0.55, one project that loses more
    /// learners than the rest, so learning paths and problem areas have a place where learners stop.
    public var curriculum: [CourseItem] = [
        CourseItem("intro-to-python"), CourseItem("variables"), CourseItem("control-flow"), CourseItem("functions"),
        CourseItem("calculator", kind: .project), CourseItem("lists-and-dicts"), CourseItem("files"),
        CourseItem("todo-app", kind: .project, completion: 0.35), CourseItem("classes"), CourseItem("testing"),
        CourseItem("web-scraper", kind: .project),
    ]
    /// Share of sessions that work on the learner's next item of the course; the others revisit the last one.
    public var courseProgressShare = 0.8
    /// The monthly subscription a converting learner buys at their first session (the demo plan's price point).
    public var subscriptionUsd = 12.0
    /// The share of learners who subscribe; which ones is a stable function of their id, not a draw from the
    /// run's random numbers, so adding payments left every other simulated value of a seed as it was.
    public var subscriptionConversion = 0.3
    /// The share of learners the AI's initial assessment places at their own level (`skill_evaluation_accuracy`);
    /// chosen by a stable hash of the id, like the subscribers.
    public var levelPredictionAccuracy = 0.85

    public init() {}

    /// A lesson or project of the course.
    public struct CourseItem: Sendable, Equatable {
        public var id: String
        public var kind: CompletionItem
        /// Chance an attempt is completed (else abandoned).
        public var completion: Double

        public init(_ name: String, kind: CompletionItem = .lesson, completion: Double? = nil) {
            self.id = "\(kind.rawValue)-\(name)"
            self.kind = kind
            self.completion = completion ?? (kind == .project ? 0.55 : 0.8)
        }
    }

    /// The mean relevance of `feature`'s answers.
    func relevance(of feature: Feature) -> Double { relevanceByFeature[feature] ?? relevanceMean }

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
