import Foundation
import LiftoffCore
import LiftoffStore
import Synchronization

/// The live rollout as the hot paths see it: kept in memory and replaced as a whole after every change, so
/// answering a flag request or attributing an event never waits for the database.
final class RolloutState: Sendable {
    struct Snapshot: Sendable {
        var plan: Plan
        /// The stored version `plan` was decoded from; nil while no version is stored (a plan given in code).
        var planVersion: Int?
        var record: RolloutRecord
        var phaseIndex: Int
        var history: [PhaseRecord]
        var membership: Membership
        var signOffs: [SignOff]
        var invitations: [Invitation]
        var waitlist: [WaitlistEntry]
        /// Members of the named groups, by user, for phases up to and including each index.
        var groupOf: [String: String]
        /// The plan's config with the guardrails' `set` overrides merged in, in the order they were set.
        var config: [String: JSONValue]
        var overrides: [ConfigOverride]
        /// Set by `stop_admissions`: invitations and waitlist admissions are refused.
        var admissionsStopped: Bool
        /// The guardrail epoch new events are counted in.
        var epoch: Int

        var phase: PhasePlan { plan.phases[phaseIndex] }
        var phaseStartedAt: Date { history.last(where: { $0.phase == phase.name })?.startedAt ?? .distantPast }
    }

    private let current: Mutex<Snapshot>

    private init(_ snapshot: Snapshot) {
        current = Mutex(snapshot)
    }

    var snapshot: Snapshot { current.withLock { $0 } }

    /// Loads the rollout of `plan` (stored as `planVersion`) from `store`, starting its first phase at `now` on a
    /// new data directory.
    static func load(store: any Store, plan: Plan, planVersion: Int? = nil, now: Date) async throws -> RolloutState {
        if let record = try await store.rolloutRecord() {
            guard record.rollout == plan.rollout else {
                throw ConfigurationError("the data directory holds rollout '\(record.rollout)', but the plan is for '\(plan.rollout)'; use another --data-dir")
            }
            guard plan.index(of: record.phase) != nil else {
                throw ConfigurationError("the data directory's rollout is in phase '\(record.phase)', which the plan does not have")
            }
        } else {
            do {
                try await store.createRollout(RolloutRecord(rollout: plan.rollout, phase: plan.phases[0].name, status: .running, version: 1), at: now)
            } catch let error as StoreError where error.code == .conflict {
                // Another node sharing the store created it first: read theirs.
                return try await load(store: store, plan: plan, planVersion: planVersion, now: now)
            }
        }
        return RolloutState(try await Self.read(store: store, plan: plan, planVersion: planVersion))
    }

    /// `entry` joined the waitlist (or was already on it): the only part of the rollout a join changes, applied
    /// without re-reading the rest, so a waitlist of thousands does not make every join read all of it.
    func joined(_ entry: WaitlistEntry) {
        current.withLock { snapshot in
            if let index = snapshot.waitlist.firstIndex(where: { $0.userId == entry.userId }) {
                snapshot.waitlist[index] = entry
            } else {
                snapshot.waitlist.append(entry)
            }
        }
    }

    /// Re-reads everything from the store after a change. A read that began before a newer transition was
    /// applied here (by a concurrent reload) does not take the state back to an older version.
    ///
    /// A newer plan version stored by any node replaces the plan here too. A version that cannot be decoded (written
    /// by a newer build) or that lacks the rollout's phase is not taken: the node keeps serving the plan it has.
    func reload(from store: any Store) async throws {
        let current = snapshot
        var plan = current.plan
        var planVersion = current.planVersion
        if let live = try await store.livePlan(), live.number != planVersion, let decoded = try? PlanDecoder.decode(yaml: live.text) {
            plan = decoded
            planVersion = live.number
        }
        var fresh: Snapshot
        do {
            fresh = try await Self.read(store: store, plan: plan, planVersion: planVersion)
        } catch let error as StoreError where error.code == .corrupt && planVersion != current.planVersion {
            fresh = try await Self.read(store: store, plan: current.plan, planVersion: current.planVersion)
        }
        self.current.withLock {
            if fresh.record.version >= $0.record.version && (fresh.planVersion ?? 0) >= ($0.planVersion ?? 0) { $0 = fresh }
        }
    }

    private static func read(store: any Store, plan: Plan, planVersion: Int?) async throws -> Snapshot {
        let record = try await store.rolloutRecord()!
        let invitations = try await store.invitations()
        let waitlist = try await store.waitlist()
        // Users let in by a phase the plan no longer has stay in: they were admitted, and stay admitted.
        let index = { (phase: String) in plan.index(of: phase) ?? 0 }
        var membership = Membership()
        for invitation in invitations { membership.invited[invitation.userId] = index(invitation.phase) }
        for entry in waitlist { if let phase = entry.admittedPhase { membership.admitted[entry.userId] = index(phase) } }
        guard let phaseIndex = plan.index(of: record.phase) else {
            throw StoreError(.corrupt, "the rollout is in phase '\(record.phase)', which the plan does not have")
        }
        var groupOf: [String: String] = [:]
        for phase in plan.phases[0...phaseIndex] {
            for group in phase.audience.groups { for member in group.members where groupOf[member] == nil { groupOf[member] = group.name } }
        }
        let overrides = try await store.configOverrides()
        var config = plan.config
        for override in overrides { config.merge(override.values) { $1 } }
        return Snapshot(plan: plan, planVersion: planVersion, record: record, phaseIndex: phaseIndex, history: try await store.phaseHistory(),
                        membership: membership, signOffs: try await store.signOffs(), invitations: invitations,
                        waitlist: waitlist, groupOf: groupOf, config: config, overrides: overrides,
                        admissionsStopped: try await store.admissionsStopped(), epoch: try await store.ruleEpoch()?.number ?? 0)
    }

    /// The flag answer for `userId` now.
    func decide(_ userId: String) -> FlagDecision {
        Self.decide(userId, in: snapshot)
    }

    private static func decide(_ userId: String, in snapshot: Snapshot) -> FlagDecision {
        if snapshot.record.status != .rolledBack, let group = snapshot.groupOf[userId] {
            return FlagDecision(enabled: true, phase: snapshot.phase.name, reason: "group:\(group)", config: snapshot.config)
        }
        return FlagEvaluator.decide(userId: userId, plan: snapshot.plan, phaseIndex: snapshot.phaseIndex,
                                    status: snapshot.record.status, membership: snapshot.membership, config: snapshot.config)
    }

    /// Where an event from `userId` counts: the current phase, and the variant the user is in.
    ///
    /// Events without a user (a scanner's security finding, a nightly integrity check, an infrastructure
    /// sample) are about the system the phase runs, so they count in the current phase with treatment, the
    /// side that the rollout changes and every rule judges: a critical finding rolls back exactly as one
    /// carrying a treatment user's id. After a rollback nobody is in treatment, and they count with control.
    /// Each event is counted once, in one variant, so the phase's total is treatment plus control.
    func attribution(for userId: String?) -> Attribution {
        // One copy of the snapshot per event: this runs for every event of every batch.
        let snapshot = self.snapshot
        guard let userId else {
            let variant: Variant = snapshot.record.status == .rolledBack ? .control : .treatment
            return Attribution(phase: snapshot.phase.name, variant: variant, epoch: snapshot.epoch)
        }
        let decision = Self.decide(userId, in: snapshot)
        return Attribution(phase: decision.phase, variant: decision.variant, epoch: snapshot.epoch)
    }
}
