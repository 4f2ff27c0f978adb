import Foundation
import LiftoffCore

/// The rollout's persisted position. `version` grows with every change, so a writer working from a stale
/// snapshot gets a conflict instead of overwriting a newer state.
public struct RolloutRecord: Sendable, Equatable {
    public var rollout: String
    public var phase: String
    public var status: RolloutStatus
    public var version: Int

    public init(rollout: String, phase: String, status: RolloutStatus, version: Int) {
        self.rollout = rollout
        self.phase = phase
        self.status = status
        self.version = version
    }
}

/// One line of the append-only audit log: who changed what, when, why, and the state before and after.
public struct AuditEntry: Sendable, Equatable {
    public var sequence: Int?
    public var at: Date
    public var actor: String
    public var action: String
    public var reason: String?
    public var before: String?
    public var after: String?

    public init(sequence: Int? = nil, at: Date, actor: String, action: String, reason: String?, before: String? = nil, after: String? = nil) {
        self.sequence = sequence
        self.at = at
        self.actor = actor
        self.action = action
        self.reason = reason
        self.before = before
        self.after = after
    }
}

/// A checklist item signed in a phase.
public struct SignOff: Sendable, Equatable {
    public var phase: String
    public var item: String
    public var actor: String
    public var note: String?
    public var at: Date

    public init(phase: String, item: String, actor: String, note: String?, at: Date) {
        self.phase = phase
        self.item = item
        self.actor = actor
        self.note = note
        self.at = at
    }
}

/// A waitlist sign-up. `position` is the sign-up order, 1 for the first.
public struct WaitlistEntry: Sendable, Equatable {
    public var userId: String
    public var position: Int
    public var signedUpAt: Date
    public var admittedAt: Date?
    public var admittedPhase: String?

    public init(userId: String, position: Int, signedUpAt: Date, admittedAt: Date? = nil, admittedPhase: String? = nil) {
        self.userId = userId
        self.position = position
        self.signedUpAt = signedUpAt
        self.admittedAt = admittedAt
        self.admittedPhase = admittedPhase
    }
}

/// An invited user and the phase that invited them.
public struct Invitation: Sendable, Equatable {
    public var userId: String
    public var phase: String
    public var at: Date

    public init(userId: String, phase: String, at: Date) {
        self.userId = userId
        self.phase = phase
        self.at = at
    }
}

/// The rollout-side part of the store: position, sign-offs, audience and the audit log. Every change is
/// one transaction together with its audit entry.
public protocol RolloutStore: Sendable {
    /// The persisted rollout, or nil on a new data directory.
    func rolloutRecord() async throws -> RolloutRecord?

    /// Creates the rollout at its first phase.
    func createRollout(_ record: RolloutRecord, at date: Date) async throws

    /// Moves the rollout to `record` if it is still at `expectedVersion` (else `StoreError.conflict`),
    /// starting a phase when the phase changes, with its audit entry. `startsEpoch` makes the guardrails
    /// look only at data from `date` on (a resume after a rollback).
    func transition(to record: RolloutRecord, expectedVersion: Int, at date: Date, audit: AuditEntry, startsEpoch: Bool) async throws

    func signOffs() async throws -> [SignOff]
    /// Signs (or re-signs, replacing the note) a checklist item.
    func sign(_ signOff: SignOff, audit: AuditEntry) async throws

    func invitations() async throws -> [Invitation]
    /// Invites the users not yet invited into `phase`, refusing with a conflict when the phase would then
    /// have more than `max` invitations. Returns the newly invited users.
    func invite(_ userIds: [String], phase: String, max: Int, at date: Date, audit: AuditEntry) async throws -> [String]

    func waitlist() async throws -> [WaitlistEntry]
    /// Signs `userId` up, or returns their existing entry.
    func joinWaitlist(_ userId: String, at date: Date) async throws -> WaitlistEntry
    /// Admits up to `count` waiting users in sign-up order into `phase`, keeping the phase's admissions at
    /// or below `cap`. Returns the admitted users.
    func admit(count: Int, cap: Int, phase: String, at date: Date, audit: AuditEntry) async throws -> [String]

    /// Audit entries, newest first.
    func auditLog(limit: Int, before sequence: Int?, action: String?) async throws -> [AuditEntry]
    /// The newest `limit` entries of each of `actions`, in one read, newest first across them: the rollout's
    /// story on every overview refresh, without a scan per action.
    func auditLog(newest limit: Int, of actions: [String]) async throws -> [AuditEntry]
    func appendAudit(_ entry: AuditEntry) async throws
}
