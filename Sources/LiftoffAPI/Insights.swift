import Foundation

/// `GET /v1/insights/feature-usage`: how much each feature is used, per variant: its interactions and the
/// share of all interactions, the distinct users who had any event of it and their share of active users.
public struct FeatureUsage: Codable, Sendable {
    public struct Usage: Codable, Sendable, Equatable {
        public var interactions: Int
        /// Of the variant's interactions in the window; null when it had none.
        @ExplicitNull public var interactionShare: Double?
        public var users: Int
        /// Of the variant's active users in the window; null when it had none.
        @ExplicitNull public var userShare: Double?

        public init(interactions: Int, interactionShare: Double?, users: Int, userShare: Double?) {
            self.interactions = interactions
            self.interactionShare = interactionShare
            self.users = users
            self.userShare = userShare
        }
    }

    public struct Row: Codable, Sendable {
        public var feature: String
        /// By variant name (`treatment`, `control`).
        public var variants: [String: Usage]

        public init(feature: String, variants: [String: Usage]) {
            self.feature = feature
            self.variants = variants
        }
    }

    public var window: String
    public var phase: String?
    public var from: Date
    public var to: Date
    /// The feature dimension's cap, and whether it is reached (later features are in `other`).
    public var maxValues: Int
    public var full: Bool
    /// Most interactions first.
    public var features: [Row]

    public init(window: String, phase: String?, from: Date, to: Date, maxValues: Int, full: Bool, features: [Row]) {
        self.window = window
        self.phase = phase
        self.from = from
        self.to = to
        self.maxValues = maxValues
        self.full = full
        self.features = features
    }
}

/// `GET /v1/insights/problem-areas`: features ranked by how bad each signal is *at least*, at 95% confidence,
/// so a feature with two calls and one error does not top the list.
public struct ProblemAreas: Codable, Sendable {
    public struct Area: Codable, Sendable, Equatable {
        public var feature: String
        /// The metric the area is about: `error_rate`, `ai_response_relevance` or `user_satisfaction`.
        public var signal: String
        @ExplicitNull public var value: Double?
        public var samples: Int
        /// The side of the 95% interval nearest to good (the lower bound of an error rate, the upper bound of
        /// relevance or satisfaction): what the data shows at least.
        @ExplicitNull public var bound: Double?
        /// How bad `bound` is on a 0–1 scale (an error rate as it is, 1 − relevance, (5 − rating) ÷ 4): the
        /// ranking key; null without a bound, and ranked last.
        @ExplicitNull public var severity: Double?

        public init(feature: String, signal: String, value: Double?, samples: Int, bound: Double?, severity: Double?) {
            self.feature = feature
            self.signal = signal
            self.value = value
            self.samples = samples
            self.bound = bound
            self.severity = severity
        }
    }

    public var window: String
    public var phase: String?
    public var variant: String
    public var from: Date
    public var to: Date
    /// Worst first.
    public var areas: [Area]

    public init(window: String, phase: String?, variant: String, from: Date, to: Date, areas: [Area]) {
        self.window = window
        self.phase = phase
        self.variant = variant
        self.from = from
        self.to = to
        self.areas = areas
    }
}
