import Foundation
import LiftoffCore

/// Which feedback to return.
public struct FeedbackFilter: Sendable, Equatable {
    public var phase: String?
    public var variant: Variant?
    public var rating: Int?
    /// Case-insensitive text to find in the suggestion.
    public var text: String?
    public var from: Date?
    public var to: Date?
    /// Only entries older than this sequence number (paging).
    public var before: Int?
    public var limit: Int

    public init(phase: String? = nil, variant: Variant? = nil, rating: Int? = nil, text: String? = nil, from: Date? = nil,
                to: Date? = nil, before: Int? = nil, limit: Int = 100) {
        self.phase = phase
        self.variant = variant
        self.rating = rating
        self.text = text
        self.from = from
        self.to = to
        self.before = before
        self.limit = limit
    }
}

/// One feedback event with where it counted.
public struct FeedbackRecord: Sendable, Equatable {
    public var sequence: Int
    public var at: Date
    public var userId: String?
    public var sessionId: String?
    public var phase: String
    public var variant: Variant
    public var feedback: Feedback

    public init(sequence: Int, at: Date, userId: String?, sessionId: String?, phase: String, variant: Variant, feedback: Feedback) {
        self.sequence = sequence
        self.at = at
        self.userId = userId
        self.sessionId = sessionId
        self.phase = phase
        self.variant = variant
        self.feedback = feedback
    }
}

/// Where the money went: per model and per user.
public struct CostBreakdown: Sendable, Equatable {
    public struct Line: Sendable, Equatable {
        public var name: String
        public var interactions: Int
        public var tokens: Int
        public var costUsd: Double
        /// Interactions that could not be priced (no cost and no known price).
        public var unpriced: Int

        public init(name: String, interactions: Int, tokens: Int, costUsd: Double, unpriced: Int) {
            self.name = name
            self.interactions = interactions
            self.tokens = tokens
            self.costUsd = costUsd
            self.unpriced = unpriced
        }
    }

    public var byModel: [Line]
    public var byUser: [Line]

    public init(byModel: [Line], byUser: [Line]) {
        self.byModel = byModel
        self.byUser = byUser
    }
}
