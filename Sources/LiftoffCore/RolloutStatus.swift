/// Where the rollout stands.
public enum RolloutStatus: String, Sendable, Codable, CaseIterable {
    /// Users are in by the current phase's audience; the gate is watched.
    case running
    /// Held: users already in keep the treatment, nobody new comes in, nothing is promoted.
    case paused
    /// Everyone answers control; admissions stop; history is kept.
    case rolledBack = "rolled_back"
    /// The last phase was promoted past: the rollout is done.
    case completed
}
