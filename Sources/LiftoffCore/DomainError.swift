/// Why an operation of the domain (the rollout, ingest, metrics, keys, reports) was refused or could not be
/// done, in the domain's terms; the HTTP layer alone turns it into a status (400, 404, 409, 503).
public struct DomainError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The input is wrong: `field` says where.
        case invalid
        /// What was asked for does not exist.
        case notFound
        /// The request conflicts with the current state (a promotion past an unmet gate, a full cohort).
        case conflict
        /// The operation cannot be done now (shutting down, a store that failed); retrying later helps.
        case unavailable
    }

    public var kind: Kind
    /// For people: what was wrong, and what to do.
    public var message: String
    /// The input field at fault, for `invalid`.
    public var field: String?
    /// Lists that explain the refusal, by name (a refused promotion's `unmet` conditions).
    public var details: [String: [String]]
    /// For `unavailable`: when a retry is worth it, in seconds (nil: the HTTP layer's default).
    public var retryAfter: Int?

    public init(_ kind: Kind, _ message: String, field: String? = nil, details: [String: [String]] = [:]) {
        self.kind = kind
        self.message = message
        self.field = field
        self.details = details
    }

    public static func invalid(_ message: String, field: String? = nil) -> DomainError { DomainError(.invalid, message, field: field) }
    public static func notFound(_ message: String) -> DomainError { DomainError(.notFound, message) }
    public static func conflict(_ message: String, details: [String: [String]] = [:]) -> DomainError {
        DomainError(.conflict, message, details: details)
    }
    public static func unavailable(_ message: String, retryAfter: Int? = nil) -> DomainError {
        var error = DomainError(.unavailable, message)
        error.retryAfter = retryAfter
        return error
    }

    public var description: String { message }
}
