import Foundation

/// The verdict of one criterion.
public enum Verdict: String, Sendable, Codable {
    case pass
    case fail
    /// Fewer samples than the criterion's minimum: neither pass nor fail.
    case insufficientData = "insufficient_data"
}

/// A criterion judged against its metric's value.
public struct CriterionResult: Sendable, Equatable {
    public var criterion: Criterion
    public var value: Double?
    public var samples: Int
    /// For rates, the Wilson bound that was compared (upper when low is good, lower when high is good).
    public var bound: Double?
    public var verdict: Verdict

    /// Judges `criterion` on `value`. Rates pass only when their 95% Wilson bound is on the right side of
    /// the threshold, so a small cohort cannot pass on luck; everything else compares the value itself.
    public init(criterion: Criterion, value: MetricValue) {
        self.criterion = criterion
        self.value = value.value
        self.samples = value.samples
        guard value.samples >= criterion.minSamples, let observed = value.value else {
            verdict = .insufficientData
            return
        }
        if criterion.metric.kind == .rate, let successes = value.successes,
           let interval = Wilson.interval(successes: successes, trials: value.samples) {
            let compared = criterion.comparator.wantsLow ? interval.upperBound : interval.lowerBound
            bound = compared
            verdict = criterion.comparator.holds(compared, criterion.threshold) ? .pass : .fail
        } else {
            verdict = criterion.comparator.holds(observed, criterion.threshold) ? .pass : .fail
        }
    }

    /// `error_rate below 0.01`
    public var label: String {
        "\(criterion.metric.rawValue) \(criterion.comparator.rawValue) \(Self.format(criterion.threshold))"
    }

    /// A threshold as people write it: `3000`, `0.05`.
    public static func format(_ number: Double) -> String {
        number.rounded() == number && abs(number) < 1e15 ? String(Int(number)) : String(number)
    }
}

/// A checklist item and its sign-off.
public struct ChecklistItemState: Sendable, Equatable {
    public var item: String
    public var signedBy: String?
    public var signedAt: Date?
    public var note: String?

    public init(item: String, signedBy: String? = nil, signedAt: Date? = nil, note: String? = nil) {
        self.item = item
        self.signedBy = signedBy
        self.signedAt = signedAt
        self.note = note
    }

    public var isSigned: Bool { signedBy != nil }
}

/// Whether the current phase may end, and every reason it may not.
public struct GateReport: Sendable, Equatable {
    public var criteria: [CriterionResult]
    public var checklist: [ChecklistItemState]
    public var minDurationRemaining: TimeInterval
    /// Every unmet condition, in words an operator can act on.
    public var unmet: [String]

    public var ready: Bool { unmet.isEmpty }

    /// Judges the gate of the phase at `phaseIndex`, which started at `phaseStart`.
    public static func judge(
        plan: Plan, phaseIndex: Int, status: RolloutStatus, phaseStart: Date, now: Date,
        values: [Criterion: MetricValue], signOffs: [String: ChecklistItemState], audienceSize: AudienceSize
    ) -> GateReport {
        let phase = plan.phases[phaseIndex]
        let gate = phase.exit ?? ExitGate()
        var unmet: [String] = []
        if status != .running { unmet.append("the rollout is \(status.rawValue.replacingOccurrences(of: "_", with: " "))") }
        if phaseIndex == plan.phases.count - 1 { unmet.append("'\(phase.name)' is the last phase") }
        let remaining = max(0, gate.minDuration - now.timeIntervalSince(phaseStart))
        if remaining > 0 { unmet.append("minimum duration: \(Self.describe(remaining)) remaining") }
        if let invite = phase.audience.invite, audienceSize.invited < invite.min {
            unmet.append("audience: \(audienceSize.invited) invited, at least \(invite.min) needed")
        }
        if let waitlist = phase.audience.waitlist, audienceSize.admitted < waitlist.min {
            unmet.append("audience: \(audienceSize.admitted) admitted from the waitlist, at least \(waitlist.min) needed")
        }
        let results = gate.criteria.map { CriterionResult(criterion: $0, value: values[$0] ?? MetricValue(value: nil, samples: 0)) }
        for result in results where result.verdict != .pass {
            switch result.verdict {
            case .insufficientData:
                unmet.append("\(result.label): insufficient data (\(result.samples) of \(result.criterion.minSamples) samples)")
            default:
                let shown = result.bound.map { "95% bound \(Self.round($0)) (observed \(Self.round(result.value ?? 0)))" }
                    ?? "value \(Self.round(result.value ?? 0))"
                unmet.append("\(result.label): \(shown)")
            }
        }
        let checklist = gate.checklist.map { signOffs[$0] ?? ChecklistItemState(item: $0) }
        for item in checklist where !item.isSigned { unmet.append("checklist: '\(item.item)' is not signed") }
        return GateReport(criteria: results, checklist: checklist, minDurationRemaining: remaining, unmet: unmet)
    }

    static func round(_ value: Double) -> String { String(format: "%.4g", value) }

    /// `3d 4h`, `12m`, `40s`
    public static func describe(_ seconds: TimeInterval) -> String {
        let whole = Int(seconds.rounded(.up))
        let days = whole / 86_400, hours = whole % 86_400 / 3600, minutes = whole % 3600 / 60
        if days > 0 { return hours > 0 ? "\(days)d \(hours)h" : "\(days)d" }
        if hours > 0 { return minutes > 0 ? "\(hours)h \(minutes)m" : "\(hours)h" }
        if minutes > 0 { return "\(minutes)m" }
        return "\(whole)s"
    }
}

/// How many users the current phase has brought in by invitation and by waitlist admission.
public struct AudienceSize: Sendable, Equatable {
    public var invited: Int
    public var admitted: Int
    public init(invited: Int, admitted: Int) {
        self.invited = invited
        self.admitted = admitted
    }
}

extension Criterion: Hashable {
    public func hash(into hasher: inout Hasher) {
        hasher.combine(metric)
        hasher.combine(comparator.rawValue)
        hasher.combine(threshold)
        hasher.combine(window)
        hasher.combine(minSamples)
    }
}
