import Foundation

/// What one run of a scenario showed.
public struct RunOutcome: Sendable {
    public var scenario: String
    public var seed: UInt64
    /// With a regression: whether a rule of the right kind on an affected metric fired within the deadline.
    public var detected: Bool
    /// Simulated seconds from the onset to that firing.
    public var detectionSeconds: Double?
    /// The rule whose firing was the earliest right action.
    public var detectedBy: String?
    /// Two windows of the fastest rule the truth expects; nil for a healthy scenario or when the plan has no
    /// such rule.
    public var deadlineSeconds: Double?
    /// Firings with no truth behind them: any in a healthy run, any before the onset, any on a metric the
    /// regression does not move.
    public var falseActions: [Firing]
    public var firings: [Firing]
    /// Events acknowledged by the server.
    public var events: Int
}
