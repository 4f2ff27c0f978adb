/// The answer to "does this user get the new experience, and with which settings?"
public struct FlagDecision: Sendable, Equatable {
    public var enabled: Bool
    public var variant: Variant
    public var phase: String
    /// `group:<name>`, `invited`, `waitlist`, `percentage`, `not_in_audience`, `rolled_back` or `paused`.
    public var reason: String
    public var config: [String: JSONValue]

    public init(enabled: Bool, phase: String, reason: String, config: [String: JSONValue]) {
        self.enabled = enabled
        self.variant = enabled ? .treatment : .control
        self.phase = phase
        self.reason = reason
        self.config = config
    }
}

/// Who is in: the users invited and admitted so far, with the phase that brought them in.
public struct Membership: Sendable, Equatable {
    public var invited: [String: Int]
    public var admitted: [String: Int]

    public init(invited: [String: Int] = [:], admitted: [String: Int] = [:]) {
        self.invited = invited
        self.admitted = admitted
    }
}

/// Decides flags from the plan, the rollout's position and its membership: a pure function, evaluated on
/// an in-memory snapshot for every `/v1/evaluate`.
public enum FlagEvaluator {
    public static func decide(userId: String, plan: Plan, phaseIndex: Int, status: RolloutStatus,
                              membership: Membership, config: [String: JSONValue]) -> FlagDecision {
        let phase = plan.phases[phaseIndex].name
        if status == .rolledBack {
            return FlagDecision(enabled: false, phase: phase, reason: "rolled_back", config: [:])
        }
        // Users admitted in an earlier phase stay in.
        let reached = plan.phases[0...phaseIndex]
        var reason: String?
        if let group = reached.lazy.flatMap(\.audience.groups).first(where: { $0.members.contains(userId) }) {
            reason = "group:\(group.name)"
        } else if let phaseIn = membership.invited[userId], phaseIn <= phaseIndex {
            reason = "invited"
        } else if let phaseIn = membership.admitted[userId], phaseIn <= phaseIndex {
            reason = "waitlist"
        } else if let percentage = reached.compactMap(\.audience.percentage).max(),
                  Bucketing.isIncluded(rollout: plan.rollout, userId: userId, percentage: percentage) {
            reason = "percentage"
        }
        guard let reason else {
            return FlagDecision(enabled: false, phase: phase, reason: status == .paused ? "paused" : "not_in_audience", config: [:])
        }
        return FlagDecision(enabled: true, phase: phase, reason: reason, config: config)
    }
}
