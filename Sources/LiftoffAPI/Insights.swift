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
