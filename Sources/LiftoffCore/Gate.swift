import Foundation

/// The verdict of one criterion, read from its 95% confidence interval.
public enum Verdict: String, Sendable, Codable {
    /// The interval lies on the right side of the threshold: the criterion holds.
    case pass
    /// The interval lies on the wrong side: evidence that the criterion is breached.
    case fail
    /// The interval straddles the threshold: the data cannot tell yet.
    case inconclusive
    /// Fewer samples than the criterion's minimum: neither pass nor fail.
    case insufficientData = "insufficient_data"
}

/// A criterion judged against its metric's value.
public struct CriterionResult: Sendable, Equatable {
    public var criterion: Criterion
    public var value: Double?
    public var samples: Int
    /// The side of the interval that must hold for a pass (upper when low is good, lower when high is good);
    /// for exact values (counts, sums, maxima) the value itself. nil where that side is unbounded.
    public var bound: Double?
    /// The 95% interval, nil for exact values. A side the data cannot bound yet is infinite.
    public var interval: ConfidenceInterval?
    public var verdict: Verdict
    /// About how many more samples, at the observed value, until the criterion would pass: 0 once it passes,
    /// nil where the observed value itself is on the wrong side (more data of the same kind cannot pass it)
    /// or there is no value yet.
    public var samplesNeeded: Int?

    /// Judges `criterion` on `value` through its 95% interval (`ConfidenceInterval`): `pass` when the side
    /// that must hold does, `fail` when even the opposite side is on the wrong side, else `inconclusive`.
    /// Exact values are judged as they are. Below `minSamples` the verdict is `insufficient_data`.
    public init(criterion: Criterion, value: MetricValue) {
        self.criterion = criterion
        self.value = value.value
        self.samples = value.samples
        guard let observed = value.value else {
            verdict = .insufficientData
            return
        }
        let comparator = criterion.comparator
        // A value that should have an interval but has none yet (a mean of one sample, or of samples stored
        // before sums of squares were kept) is bounded by nothing: it can neither pass nor fail.
        var interval = value.interval()
        if interval == nil, value.evidence != .exact {
            interval = ConfidenceInterval(lower: -.infinity, upper: .infinity, confidence: ConfidenceInterval.gateConfidence)
        }
        self.interval = interval
        // The side that must hold for a pass, and the opposite side that shows a breach.
        let deciding = interval.map { comparator.wantsLow ? $0.upper : $0.lower } ?? observed
        let opposite = interval.map { comparator.wantsLow ? $0.lower : $0.upper } ?? observed
        bound = deciding.isFinite ? deciding : nil
        samplesNeeded = Self.samplesNeeded(criterion, observed: observed, deciding: deciding, value: value)
        if value.samples < criterion.minSamples {
            verdict = .insufficientData
        } else if comparator.holds(deciding, criterion.threshold) {
            verdict = .pass
        } else if !comparator.holds(opposite, criterion.threshold) {
            verdict = .fail
        } else {
            verdict = .inconclusive
        }
    }

    /// At the observed value, the extra samples until the deciding side of the interval crosses the threshold
    /// (and `minSamples` is met). Rates search the Wilson bound at the observed proportion; means and quantiles
    /// scale the interval's half-width by 1/√n, which is how both shrink.
    static func samplesNeeded(_ criterion: Criterion, observed: Double, deciding: Double, value: MetricValue) -> Int? {
        let comparator = criterion.comparator
        guard comparator.holds(observed, criterion.threshold) else { return nil }
        let toMinimum = max(0, criterion.minSamples - value.samples)
        if comparator.holds(deciding, criterion.threshold) { return toMinimum }
        let n = value.samples
        var total: Int
        switch value.evidence {
        case .proportion(let successes, let trials) where trials > 0:
            // Wilson's bound is continuous in the share and the size: hold the share, grow the size.
            let share = Double(successes) / Double(trials)
            let z = StandardNormal.quantile(1 - (1 - ConfidenceInterval.gateConfidence) / 2)
            func passes(_ size: Int) -> Bool {
                let bound = Wilson.bound(share: share, trials: Double(size), z: z, upper: comparator.wantsLow)
                return comparator.holds(bound, criterion.threshold)
            }
            let ceiling = 1 << 40
            guard passes(ceiling) else { return nil }
            var (low, high) = (n, ceiling)
            while low < high {
                let middle = low + (high - low) / 2
                if passes(middle) { high = middle } else { low = middle + 1 }
            }
            total = low
        default:
            let halfWidth = abs(deciding - observed)
            let margin = abs(criterion.threshold - observed)
            guard margin > 0 else { return nil }
            if halfWidth.isFinite {
                total = Int((Double(max(n, 1)) * (halfWidth / margin) * (halfWidth / margin)).rounded(.up))
            } else if case .quantile(let q, _) = value.evidence {
                // Too few samples for an order statistic on that side: at least as many as the first such rank needs.
                let tail = comparator.wantsLow ? q : 1 - q
                total = Int((log(1 - ConfidenceInterval.gateConfidence) - log(2)) / log(tail)) + 1
            } else {
                return nil
            }
        }
        return max(toMinimum, max(0, total - n))
    }

    /// `error_rate below 0.01`, `ai_response_relevance [feature=path_generation] above 0.85`
    public var label: String {
        "\(criterion.subject) \(criterion.comparator.rawValue) \(Self.format(criterion.threshold))"
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
    /// The phase is the plan's last: it is the release itself, with nothing to promote to. Its criteria are
    /// still judged and its guardrails keep watching.
    public var isFinal: Bool = false

    /// Whether the rollout may move to the next phase now.
    public var ready: Bool { unmet.isEmpty && !isFinal }

    /// Judges the gate of the phase at `phaseIndex`, which started at `phaseStart`.
    public static func judge(
        plan: Plan, phaseIndex: Int, status: RolloutStatus, phaseStart: Date, now: Date,
        values: [Criterion: MetricValue], signOffs: [String: ChecklistItemState], audienceSize: AudienceSize
    ) -> GateReport {
        let phase = plan.phases[phaseIndex]
        let gate = phase.exit ?? ExitGate()
        var unmet: [String] = []
        if status != .running { unmet.append("the rollout is \(status.rawValue.replacingOccurrences(of: "_", with: " "))") }
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
            unmet.append("\(result.label): \(Self.explain(result))")
        }
        let checklist = gate.checklist.map { signOffs[$0] ?? ChecklistItemState(item: $0) }
        for item in checklist where !item.isSigned { unmet.append("checklist: '\(item.item)' is not signed") }
        return GateReport(criteria: results, checklist: checklist, minDurationRemaining: remaining, unmet: unmet,
                          isFinal: phaseIndex == plan.phases.count - 1)
    }

    static func round(_ value: Double) -> String { String(format: "%.4g", value) }

    /// Why a criterion has not passed, in words: its verdict, the numbers behind it, and what would settle it.
    static func explain(_ result: CriterionResult) -> String {
        let needed = result.samplesNeeded.map { $0 > 0 ? "; about \($0) more samples at this value" : "" } ?? ""
        guard let observed = result.value else {
            return "insufficient data (\(result.samples) of \(result.criterion.minSamples) samples)"
        }
        let shown = result.interval.map { interval in
            let sides = [interval.lower, interval.upper].map { $0.isFinite ? Self.round($0) : "unbounded" }
            return "observed \(Self.round(observed)), 95% interval \(sides[0]) to \(sides[1])"
        } ?? "value \(Self.round(observed))"
        switch result.verdict {
        case .insufficientData:
            return "insufficient data (\(result.samples) of \(result.criterion.minSamples) samples; \(shown))\(needed)"
        case .inconclusive:
            return "inconclusive (\(shown) straddles \(CriterionResult.format(result.criterion.threshold)))\(needed)"
        case .fail, .pass:
            return "\(result.verdict.rawValue) (\(shown))"
        }
    }

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
