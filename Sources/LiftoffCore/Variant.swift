/// Which experience a user gets: the new AI experience, or the existing one.
public enum Variant: String, Sendable, CaseIterable, Codable {
    case treatment
    case control
}

/// Where an event is counted: the phase current when it arrived and the variant its user was in.
public struct Attribution: Sendable, Hashable {
    public var phase: String
    public var variant: Variant

    public init(phase: String, variant: Variant) {
        self.phase = phase
        self.variant = variant
    }
}
