import LiftoffCore

/// The body of `POST /v1/events`: up to the server's limit of events, each an object as DESIGN.md's event
/// catalog describes.
public struct EventBatch: Codable, Sendable {
    public var events: [JSONValue]
    public init(events: [JSONValue]) { self.events = events }
}

/// One event the server refused: its index in the batch and what was wrong, naming the field.
public struct IngestRejection: Codable, Sendable, Equatable {
    public var index: Int
    public var error: String
    public init(index: Int, error: String) {
        self.index = index
        self.error = error
    }
}

/// The answer to a batch: how many were stored, how many were repeats of an id already stored, and every
/// rejection. Everything valid is stored even when some events are rejected.
public struct IngestReport: Codable, Sendable {
    public var accepted: Int
    public var duplicates: Int
    public var rejected: [IngestRejection]
    public init(accepted: Int, duplicates: Int, rejected: [IngestRejection]) {
        self.accepted = accepted
        self.duplicates = duplicates
        self.rejected = rejected
    }
}

/// The body of `POST /v1/evaluate`.
public struct EvaluateRequest: Codable, Sendable {
    public var userId: String
    /// Accepted for forward compatibility with targeting rules; not used to decide yet.
    public var attributes: [String: JSONValue]?
    public init(userId: String, attributes: [String: JSONValue]? = nil) {
        self.userId = userId
        self.attributes = attributes
    }
}

/// Whether a user gets the new experience, in which variant and phase, why, and the settings to use.
public struct EvaluateAnswer: Codable, Sendable {
    public var enabled: Bool
    public var variant: Variant
    public var phase: String
    public var reason: String
    public var config: [String: JSONValue]
    public init(enabled: Bool, variant: Variant, phase: String, reason: String, config: [String: JSONValue]) {
        self.enabled = enabled
        self.variant = variant
        self.phase = phase
        self.reason = reason
        self.config = config
    }
}
