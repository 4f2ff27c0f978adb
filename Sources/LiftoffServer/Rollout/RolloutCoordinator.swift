import Foundation
import LiftoffCore
import LiftoffStore
import Logging

/// Every change to the rollout goes through here, one at a time: transitions, sign-offs, invitations and
/// admissions, each persisted with its audit entry, then published to the in-memory snapshot.
actor RolloutCoordinator {
    let store: any Store
    let state: RolloutState
    let metrics: MetricsQuery
    let clock: any WallClock
    let logger: Logger

    /// The actor name of changes Liftoff makes by itself.

    init(store: any Store, state: RolloutState, metrics: MetricsQuery, clock: any WallClock, logger: Logger) {
        self.store = store
        self.state = state
        self.metrics = metrics
        self.clock = clock
        self.logger = logger
    }

    // MARK: Gate

    /// The current phase's gate, judged now on treatment users of the phase.
    func gate() async throws -> GateReport { try await gate(of: state.snapshot) }

    /// The gate of `snapshot`'s phase: whoever shows the gate beside the rollout's state judges it on the same
    /// snapshot, or a promotion in between pairs one phase's gate with the next phase.
    func gate(of snapshot: RolloutState.Snapshot) async throws -> GateReport {
        let now = clock.now()
        let criteria = snapshot.phase.exit?.criteria ?? []
        var values: [Criterion: MetricValue] = [:]
        // Criteria over the same window and segment share one read.
        for (read, group) in Dictionary(grouping: criteria, by: { CriteriaRead(window: $0.window, segment: $0.segment) }) {
            let interval = try read.window.map { MetricsQuery.Interval(start: now.addingTimeInterval(-$0), end: now) }
                ?? metrics.interval(of: .phase, phase: snapshot.phase.name)
            let computed = try await metrics.values(Array(Set(group.map(\.metric))), over: interval,
                                                    phase: snapshot.phase.name, variant: .treatment, segment: read.segment)
            for criterion in group { values[criterion] = computed[criterion.metric] }
        }
        let signOffs = Dictionary(snapshot.signOffs.filter { $0.phase == snapshot.phase.name }.map {
            ($0.item, ChecklistItemState(item: $0.item, signedBy: $0.actor, signedAt: $0.at, note: $0.note))
        }, uniquingKeysWith: { first, _ in first })
        return GateReport.judge(plan: snapshot.plan, phaseIndex: snapshot.phaseIndex, status: snapshot.record.status,
                                phaseStart: snapshot.phaseStartedAt, now: now, values: values, signOffs: signOffs,
                                audienceSize: audienceSize(snapshot))
    }

    private struct CriteriaRead: Hashable {
        var window: TimeInterval?
        var segment: Segment?
    }

    func audienceSize(_ snapshot: RolloutState.Snapshot) -> AudienceSize {
        let phase = snapshot.phase.name
        return AudienceSize(invited: snapshot.invitations.filter { $0.phase == phase }.count,
                            admitted: snapshot.waitlist.filter { $0.admittedPhase == phase }.count)
    }

    // MARK: Transitions

    /// Moves to the next phase (or completes the rollout after the last one) when the gate holds. `force`
    /// skips the gate; the route lets only admin keys force, and only with a reason.
    func promote(actor: String, reason: String?, force: Bool) async throws -> RolloutState.Snapshot {
        let snapshot = state.snapshot
        guard snapshot.record.status == .running || (force && snapshot.record.status == .paused) else {
            throw DomainError.conflict("cannot promote: the rollout is \(snapshot.record.status.rawValue)")
        }
        let gate = try await gate(of: snapshot)
        var unmet = gate.unmet.filter { !$0.hasPrefix("the rollout is") }
        if gate.isFinal && !force {
            throw DomainError.conflict("'\(snapshot.phase.name)' is the last phase and it is live: there is nothing to promote to "
                + "(a forced promotion marks the rollout completed)")
        }
        if !force && !unmet.isEmpty {
            let error = DomainError.conflict("the gate of phase '\(snapshot.phase.name)' does not hold: \(unmet.joined(separator: "; "))",
                                             details: ["unmet": unmet])
            throw error
        }
        if !force { unmet = [] }
        let isLast = snapshot.phaseIndex == snapshot.plan.phases.count - 1
        var next = snapshot.record
        next.version += 1
        if isLast {
            next.status = .completed
        } else {
            next.phase = snapshot.plan.phases[snapshot.phaseIndex + 1].name
            next.status = .running
        }
        var why = reason
        if force { why = "\(reason ?? "") (forced past: \(unmet.isEmpty ? "nothing unmet" : unmet.joined(separator: "; ")))" }
        try await apply(next, from: snapshot.record, actor: actor, action: force ? "rollout.promote.forced" : "rollout.promote", reason: why,
                        startsEpoch: false)
        return state.snapshot
    }

    func pause(actor: String, reason: String?) async throws -> RolloutState.Snapshot {
        try await move(to: .paused, from: [.running], actor: actor, action: "rollout.pause", reason: reason)
    }

    func resume(actor: String, reason: String?) async throws -> RolloutState.Snapshot {
        try await move(to: .running, from: [.paused, .rolledBack], actor: actor, action: "rollout.resume", reason: reason)
    }

    func rollback(actor: String, reason: String) async throws -> RolloutState.Snapshot {
        try await move(to: .rolledBack, from: [.running, .paused, .completed], actor: actor, action: "rollout.rollback", reason: reason)
    }

    private func move(to status: RolloutStatus, from allowed: Set<RolloutStatus>, actor: String, action: String, reason: String?) async throws -> RolloutState.Snapshot {
        let snapshot = state.snapshot
        guard allowed.contains(snapshot.record.status) else {
            throw DomainError.conflict("cannot \(action.split(separator: ".").last!): the rollout is \(snapshot.record.status.rawValue)")
        }
        var next = snapshot.record
        next.status = status
        next.version += 1
        // After a rollback the guardrails start over: they judge only what happens after the resume.
        let startsEpoch = snapshot.record.status == .rolledBack && status == .running
        try await apply(next, from: snapshot.record, actor: actor, action: action, reason: reason, startsEpoch: startsEpoch)
        return state.snapshot
    }

    private func apply(_ next: RolloutRecord, from previous: RolloutRecord, actor: String, action: String, reason: String?,
                       startsEpoch: Bool) async throws {
        let audit = AuditEntry(at: clock.now(), actor: actor, action: action, reason: reason,
                               before: Self.describe(previous), after: Self.describe(next))
        try await store.transition(to: next, expectedVersion: previous.version, at: clock.now(), audit: audit, startsEpoch: startsEpoch)
        try await state.reload(from: store)
        logger.notice("rollout changed", metadata: ["action": "\(action)", "actor": "\(actor)", "phase": "\(next.phase)", "status": "\(next.status.rawValue)"])
    }

    static func describe(_ record: RolloutRecord) -> String {
        #"{"phase":"\#(record.phase)","status":"\#(record.status.rawValue)","version":\#(record.version)}"#
    }

    /// Promotes by itself when the phase says `promotion: auto` and its gate holds.
    func tick() async {
        let snapshot = state.snapshot
        guard snapshot.record.status == .running, snapshot.phase.exit?.promotion == .auto else { return }
        do {
            guard try await gate().ready else { return }
            _ = try await promote(actor: SystemActor.name, reason: "the gate of '\(snapshot.phase.name)' holds (automatic promotion)", force: false)
        } catch {
            logger.warning("automatic promotion failed", metadata: ["error": "\(error)"])
        }
    }

    // MARK: Checklist and audience

    func sign(item: String, note: String?, actor: String) async throws -> ChecklistItemState {
        let snapshot = state.snapshot
        guard snapshot.phase.exit?.checklist.contains(item) == true else {
            let items = snapshot.phase.exit?.checklist ?? []
            throw DomainError.notFound("phase '\(snapshot.phase.name)' has no checklist item '\(item)'"
                + (items.isEmpty ? "" : "; its items are: \(items.joined(separator: ", "))"))
        }
        let now = clock.now()
        try await store.sign(SignOff(phase: snapshot.phase.name, item: item, actor: actor, note: note, at: now),
                             audit: AuditEntry(at: now, actor: actor, action: "checklist.sign", reason: note,
                                               after: #"{"phase":"\#(snapshot.phase.name)","item":\#(Self.quote(item))}"#))
        try await state.reload(from: store)
        return ChecklistItemState(item: item, signedBy: actor, signedAt: now, note: note)
    }

    func invite(_ userIds: [String], actor: String) async throws -> (invited: [String], total: Int, max: Int) {
        let snapshot = state.snapshot
        try requireAdmissionsOpen(snapshot)
        guard let invite = snapshot.phase.audience.invite else {
            throw DomainError.conflict("phase '\(snapshot.phase.name)' does not take invitations")
        }
        let now = clock.now()
        let fresh = try await store.invite(userIds, phase: snapshot.phase.name, max: invite.max, at: now,
                                           audit: AuditEntry(at: now, actor: actor, action: "audience.invite", reason: nil,
                                                             after: "\(userIds.count) user(s) into \(snapshot.phase.name)"))
        try await state.reload(from: store)
        return (fresh, audienceSize(state.snapshot).invited, invite.max)
    }

    func joinWaitlist(_ userId: String) async throws -> WaitlistEntry {
        let entry = try await store.joinWaitlist(userId, at: clock.now())
        state.joined(entry)
        return entry
    }

    func admit(count: Int?, actor: String) async throws -> (admitted: [String], total: Int, cap: Int) {
        let snapshot = state.snapshot
        try requireAdmissionsOpen(snapshot)
        guard let waitlist = snapshot.phase.audience.waitlist else {
            throw DomainError.conflict("phase '\(snapshot.phase.name)' does not admit from the waitlist")
        }
        let now = clock.now()
        let admitted = try await store.admit(count: count ?? waitlist.batch, cap: waitlist.cap, phase: snapshot.phase.name, at: now,
                                             audit: AuditEntry(at: now, actor: actor, action: "waitlist.admit", reason: nil,
                                                               after: "up to \(count ?? waitlist.batch) into \(snapshot.phase.name)"))
        try await state.reload(from: store)
        return (admitted, audienceSize(state.snapshot).admitted, waitlist.cap)
    }

    private func requireAdmissionsOpen(_ snapshot: RolloutState.Snapshot) throws {
        guard snapshot.record.status == .running else {
            throw DomainError.conflict("admissions are stopped: the rollout is \(snapshot.record.status.rawValue)")
        }
        guard !snapshot.admissionsStopped else {
            throw DomainError.conflict("admissions are stopped by a guardrail (stop_admissions); a start_admissions action reopens them")
        }
    }

    static func quote(_ text: String) -> String {
        String(decoding: (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8), as: UTF8.self)
    }
}
