/// Which experience a user gets: the new AI experience, or the existing one.
public enum Variant: String, Sendable, CaseIterable, Codable {
    case treatment
    case control
}

/// Where an event is counted: the phase current when it arrived, the variant its user was in, and the
/// guardrail epoch (which grows when the rollout resumes after a rollback, so rules can ignore what came
/// before, to the event, not to the minute).
public struct Attribution: Sendable, Hashable {
    public var phase: String
    public var variant: Variant
    public var epoch: Int

    public init(phase: String, variant: Variant, epoch: Int = 0) {
        self.phase = phase
        self.variant = variant
        self.epoch = epoch
    }
}
