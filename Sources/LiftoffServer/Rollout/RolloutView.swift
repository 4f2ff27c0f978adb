import Foundation
import LiftoffAPI
import LiftoffCore

/// Builds the `/v1/rollout` object (`LiftoffAPI.RolloutView`) from the rollout's state and its gate.
extension RolloutView {
    init(snapshot: RolloutState.Snapshot, gate: GateReport, audience: AudienceSize, now: Date) {
        let current = snapshot.phase.audience
        self.init(
            rollout: snapshot.plan.rollout,
            phase: snapshot.phase.name,
            status: snapshot.record.status,
            version: snapshot.record.version,
            promotion: (snapshot.phase.exit?.promotion ?? .manual).rawValue,
            summary: Self.summary(snapshot: snapshot, gate: gate),
            gate: GateView(
                ready: gate.ready,
                final: gate.isFinal,
                criteria: gate.criteria.map { result in
                    var view = CriterionView(metric: result.criterion.metric.rawValue, comparator: result.criterion.comparator.rawValue,
                                  threshold: result.criterion.threshold,
                                  window: result.criterion.window.map(DurationText.format) ?? "phase",
                                  minSamples: result.criterion.minSamples, value: result.value, bound: result.bound,
                                  lowerBound: result.interval.flatMap { $0.lower.isFinite ? $0.lower : nil },
                                  upperBound: result.interval.flatMap { $0.upper.isFinite ? $0.upper : nil },
                                  samples: result.samples, verdict: result.verdict, samplesNeeded: result.samplesNeeded)
                    view.segment = result.criterion.segment?.description
                    return view
                },
                checklist: gate.checklist.map {
                    ChecklistView(item: $0.item, signed: $0.isSigned, signedBy: $0.signedBy, signedAt: $0.signedAt, note: $0.note)
                },
                minDurationRemaining: gate.minDurationRemaining,
                unmet: gate.unmet),
            audience: AudienceView(
                groups: Dictionary(current.groups.map { ($0.name, $0.members.count) }, uniquingKeysWith: +),
                invited: audience.invited, inviteMin: current.invite?.min, inviteMax: current.invite?.max,
                admitted: audience.admitted, waitlistCap: current.waitlist?.cap,
                waiting: snapshot.waitlist.filter { $0.admittedAt == nil }.count, percentage: current.percentage),
            timeline: Self.timeline(snapshot: snapshot, now: now))
    }

    static func summary(snapshot: RolloutState.Snapshot, gate: GateReport) -> String {
        let phase = snapshot.phase.name
        switch snapshot.record.status {
        case .completed: return "The rollout is complete: '\(phase)' is live; guardrails keep watching."
        case .rolledBack: return "Rolled back in '\(phase)': everyone gets the existing experience until it is resumed."
        case .paused: return "Paused in '\(phase)': no one new is admitted; guardrails keep watching."
        case .running:
            // Whether a next phase exists is the snapshot's to say, so a gate from another snapshot cannot
            // send this past the plan's end.
            guard snapshot.phaseIndex + 1 < snapshot.plan.phases.count else {
                return "'\(phase)' is live: the last phase of the plan; guardrails keep watching."
            }
            let next = snapshot.plan.phases[snapshot.phaseIndex + 1].name
            return gate.ready ? "'\(phase)' is running and its gate holds: ready for '\(next)'."
                : "'\(phase)' is running; \(gate.unmet.count) condition\(gate.unmet.count == 1 ? "" : "s") before '\(next)'."
        }
    }

    /// Planned dates chain from the first phase's actual start through each phase's planned duration.
    static func timeline(snapshot: RolloutState.Snapshot, now: Date) -> [TimelineEntry] {
        var plannedStart = snapshot.history.first?.startedAt
        return snapshot.plan.phases.map { phase in
            let actual = snapshot.history.last { $0.phase == phase.name }
            let plannedEnd = zip(plannedStart, phase.plannedDuration).map { $0.addingTimeInterval($1) }
            var overrun: Double?
            if let plannedEnd, let started = actual?.startedAt {
                let end = actual?.endedAt ?? (snapshot.record.status == .completed ? started : now)
                overrun = max(0, (end.timeIntervalSince(plannedEnd) / 86_400 * 100).rounded() / 100)
            }
            let entry = TimelineEntry(phase: phase.name, plannedStart: plannedStart, plannedEnd: plannedEnd,
                                      startedAt: actual?.startedAt, endedAt: actual?.endedAt, overrunDays: overrun)
            plannedStart = plannedEnd
            return entry
        }
    }
}

private func zip<A, B>(_ a: A?, _ b: B?) -> (A, B)? {
    guard let a, let b else { return nil }
    return (a, b)
}
