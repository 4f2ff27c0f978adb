/// Why one event of a batch was rejected: the field at fault and what was wrong with it.
public struct EventValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var field: String
    public var reason: String

    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }

    /// `"<field>: <reason>"`, the form the ingest API reports.
    public var description: String { "\(field): \(reason)" }
}
