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
        /// What the area is: `feature` (a value of the feature dimension) or `item` (a lesson or project's
        /// `itemId`, from completion events).
        public var kind: String
        public var name: String
        /// `name` again for a feature, null for an item (the field of the first version of this answer).
        @ExplicitNull public var feature: String?
        /// The metric the area is about: `error_rate`, `ai_response_relevance` or `user_satisfaction` for a
        /// feature; `abandonment_rate` (learners whose latest event of the item abandoned it ÷ learners who
        /// reached it) for an item.
        public var signal: String
        @ExplicitNull public var value: Double?
        public var samples: Int
        /// The side of the 95% interval nearest to good (the lower bound of an error rate, the upper bound of
        /// relevance or satisfaction): what the data shows at least.
        @ExplicitNull public var bound: Double?
        /// How bad `bound` is on a 0–1 scale (an error rate as it is, 1 − relevance, (5 − rating) ÷ 4): the
        /// ranking key; null without a bound, and ranked last.
        @ExplicitNull public var severity: Double?

        public init(kind: String = "feature", name: String, signal: String, value: Double?, samples: Int, bound: Double?, severity: Double?) {
            self.kind = kind
            self.name = name
            self.feature = kind == "feature" ? name : nil
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
    /// What was left out and why (features when the plan declares no feature dimension; items when more
    /// completion events than the read limit fell in the window), empty when nothing was.
    public var notes: [String]

    public init(window: String, phase: String?, variant: String, from: Date, to: Date, areas: [Area], notes: [String] = []) {
        self.window = window
        self.phase = phase
        self.variant = variant
        self.from = from
        self.to = to
        self.areas = areas
        self.notes = notes
    }
}

/// `GET /v1/insights/learning-paths`: the routes learners take through lessons and projects and where they
/// stop, read from completion events (`LearningPathAnalysis` says how each number is counted).
public struct LearningPaths: Codable, Sendable {
    public struct Path: Codable, Sendable, Equatable {
        /// Item ids in the order learners completed them.
        public var items: [String]
        /// Learners whose path starts with `items`.
        public var learners: Int
        /// Of the learners with any completion event.
        @ExplicitNull public var share: Double?

        public init(items: [String], learners: Int, share: Double?) {
            self.items = items
            self.learners = learners
            self.share = share
        }
    }

    public struct Item: Codable, Sendable, Equatable {
        public var itemId: String
        /// `lesson`, `project` or `path`.
        public var item: String
        public var reached: Int
        public var completed: Int
        public var abandoned: Int
        /// Learners whose latest completion event in the window abandoned this item: where they stopped.
        public var stoppedHere: Int
        public var abandonmentRate: Double
        /// The lower side of the abandonment rate's 95% Wilson interval: what the data shows at least.
        @ExplicitNull public var abandonmentBound: Double?

        public init(itemId: String, item: String, reached: Int, completed: Int, abandoned: Int, stoppedHere: Int,
                    abandonmentRate: Double, abandonmentBound: Double?) {
            self.itemId = itemId
            self.item = item
            self.reached = reached
            self.completed = completed
            self.abandoned = abandoned
            self.stoppedHere = stoppedHere
            self.abandonmentRate = abandonmentRate
            self.abandonmentBound = abandonmentBound
        }
    }

    public var window: String
    public var phase: String?
    /// Null for both variants.
    @ExplicitNull public var variant: String?
    public var from: Date
    public var to: Date
    /// Learners with at least one completion event in the window.
    public var learners: Int
    /// Completion events read, and whether the read limit cut the window short (the oldest are read first).
    public var completions: Int
    public var truncated: Bool
    /// The longest sequence counted.
    public var depth: Int
    /// Most learners first.
    public var paths: [Path]
    /// Most learners stopped first.
    public var items: [Item]

    public init(window: String, phase: String?, variant: String?, from: Date, to: Date, learners: Int, completions: Int,
                truncated: Bool, depth: Int, paths: [Path], items: [Item]) {
        self.window = window
        self.phase = phase
        self.variant = variant
        self.from = from
        self.to = to
        self.learners = learners
        self.completions = completions
        self.truncated = truncated
        self.depth = depth
        self.paths = paths
        self.items = items
    }
}
