import Foundation
import LiftoffCore

/// An alert: one firing of one rule, with Alertmanager-style labels and annotations.
public struct AlertRecord: Sendable, Equatable {
    public var id: Int?
    public var ruleId: String
    public var firing: Int
    public var fingerprint: String
    public var severity: Rule.Severity
    public var resolved: Bool
    public var labels: [String: String]
    public var annotations: [String: String]
    public var startsAt: Date
    public var endsAt: Date?
    public var silenced: Bool
    /// When the alert was last sent to the routes, for the repeat interval.
    public var lastNotifiedAt: Date?

    public init(id: Int? = nil, ruleId: String, firing: Int, fingerprint: String, severity: Rule.Severity, resolved: Bool = false,
                labels: [String: String], annotations: [String: String], startsAt: Date, endsAt: Date? = nil, silenced: Bool = false,
                lastNotifiedAt: Date? = nil) {
        self.id = id
        self.ruleId = ruleId
        self.firing = firing
        self.fingerprint = fingerprint
        self.severity = severity
        self.resolved = resolved
        self.labels = labels
        self.annotations = annotations
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.silenced = silenced
        self.lastNotifiedAt = lastNotifiedAt
    }
}

/// A message waiting to be delivered (or delivered, or given up on): a webhook action or an alert
/// notification. Written in the same transaction as the decision that caused it.
public struct OutboxMessage: Sendable, Equatable {
    public enum Kind: String, Sendable { case webhook, alert }
    public enum Status: String, Sendable { case pending, delivered, failed }

    public var id: Int?
    public var kind: Kind
    public var target: String
    /// Which secret signs it (`action:<name>` or `route:<index>`); the secret itself stays in the plan.
    public var signing: String?
    public var body: String
    public var ruleId: String?
    public var status: Status
    public var attempts: Int
    public var nextAttemptAt: Date
    public var lastError: String?
    public var createdAt: Date
    public var deliveredAt: Date?

    public init(id: Int? = nil, kind: Kind, target: String, signing: String?, body: String, ruleId: String?,
                status: Status = .pending, attempts: Int = 0, nextAttemptAt: Date, lastError: String? = nil,
                createdAt: Date, deliveredAt: Date? = nil) {
        self.id = id
        self.kind = kind
        self.target = target
        self.signing = signing
        self.body = body
        self.ruleId = ruleId
        self.status = status
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.lastError = lastError
        self.createdAt = createdAt
        self.deliveredAt = deliveredAt
    }
}

/// An incident report, written when a rollback or a critical alert fires.
public struct IncidentRecord: Sendable, Equatable {
    public var id: Int?
    public var ruleId: String
    public var firing: Int
    public var openedAt: Date
    public var phase: String
    /// The report as JSON, completed with series and timeline when it is read.
    public var report: String

    public init(id: Int? = nil, ruleId: String, firing: Int, openedAt: Date, phase: String, report: String) {
        self.id = id
        self.ruleId = ruleId
        self.firing = firing
        self.openedAt = openedAt
        self.phase = phase
        self.report = report
    }
}

/// A silence: alerts whose labels match every matcher, between the two times, are recorded but not sent.
public struct SilenceRecord: Sendable, Equatable {
    public var id: String
    public var matchers: [String: String]
    public var startsAt: Date
    public var endsAt: Date
    public var createdBy: String
    public var comment: String
    public var createdAt: Date

    public init(id: String, matchers: [String: String], startsAt: Date, endsAt: Date, createdBy: String, comment: String, createdAt: Date) {
        self.id = id
        self.matchers = matchers
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.createdBy = createdBy
        self.comment = comment
        self.createdAt = createdAt
    }

    public func matches(_ labels: [String: String], at date: Date) -> Bool {
        date >= startsAt && date < endsAt && matchers.allSatisfy { labels[$0.key] == $0.value }
    }
}

/// Everything one guardrail evaluation decided, committed in one transaction: rule states, alerts, the
/// actions' effects (rollout status, config overrides, admissions) and the messages to send. A crash before
/// the commit loses the decision, which the next evaluation makes again; after it, the states say so and
/// nothing is done twice.
public struct GuardrailCommit: Sendable {
    public var states: [String: RuleState] = [:]
    public var newAlerts: [AlertRecord] = []
    /// Alerts that resolved, and when.
    public var resolvedAlerts: [AlertResolution] = []
    /// Alerts sent to the routes in this commit.
    public var notifiedAlerts: [AlertFiring] = []
    public var rollout: RolloutChange?
    /// Overrides set by `set` actions (their `setAt` is the commit's time).
    public var setOverrides: [ConfigOverride] = []
    public var clearedOverrides: [String] = []
    public var admissionsStopped: AdmissionsChange?
    public var outbox: [OutboxMessage] = []
    public var incidents: [IncidentRecord] = []
    public var audit: [AuditEntry] = []
    public var at: Date

    public init(at: Date) { self.at = at }

    public var isEmpty: Bool {
        states.isEmpty && newAlerts.isEmpty && resolvedAlerts.isEmpty && notifiedAlerts.isEmpty && rollout == nil && setOverrides.isEmpty
            && clearedOverrides.isEmpty && admissionsStopped == nil && outbox.isEmpty && incidents.isEmpty && audit.isEmpty
    }
}

/// One firing of a rule: the rule and its firing number.
public struct AlertFiring: Sendable, Hashable {
    public var ruleId: String
    public var firing: Int
    public init(ruleId: String, firing: Int) {
        self.ruleId = ruleId
        self.firing = firing
    }
}

/// A firing that resolved at `at`.
public struct AlertResolution: Sendable, Equatable {
    public var ruleId: String
    public var firing: Int
    public var at: Date
    public init(ruleId: String, firing: Int, at: Date) {
        self.ruleId = ruleId
        self.firing = firing
        self.at = at
    }
}

/// A change of the rollout made by a guardrail, applied only if the rollout is still at `expectedVersion`.
public struct RolloutChange: Sendable {
    public var next: RolloutRecord
    public var expectedVersion: Int
    public var audit: AuditEntry
    public init(next: RolloutRecord, expectedVersion: Int, audit: AuditEntry) {
        self.next = next
        self.expectedVersion = expectedVersion
        self.audit = audit
    }
}

/// Admissions stopped or started by a guardrail, and why.
public struct AdmissionsChange: Sendable, Equatable {
    public var stopped: Bool
    public var reason: String
    public init(stopped: Bool, reason: String) {
        self.stopped = stopped
        self.reason = reason
    }
}

/// Config values a rule's `set` action hands out instead of the plan's; `sticky` ones stay after the rule resolves.
public struct ConfigOverride: Sendable, Equatable {
    public var ruleId: String
    public var values: [String: JSONValue]
    public var sticky: Bool
    public var setAt: Date
    public init(ruleId: String, values: [String: JSONValue], sticky: Bool, setAt: Date) {
        self.ruleId = ruleId
        self.values = values
        self.sticky = sticky
        self.setAt = setAt
    }
}

/// The guardrail epoch: rules look only at data counted in it (it grows on each resume after a rollback).
public struct RuleEpoch: Sendable, Equatable {
    public var number: Int
    public var startedAt: Date
    public init(number: Int, startedAt: Date) {
        self.number = number
        self.startedAt = startedAt
    }
}

/// What a retention purge did.
public struct PurgeResult: Sendable, Equatable {
    /// Raw events deleted.
    public var deleted: Int
    /// Feedback events whose suggestion text was removed.
    public var redacted: Int
    public init(deleted: Int, redacted: Int) {
        self.deleted = deleted
        self.redacted = redacted
    }
}

/// The guardrail side of the store.
public protocol GuardrailStore: Sendable {
    func ruleStates() async throws -> [String: RuleState]
    /// The current guardrail epoch and when it began; nil before the first resume after a rollback (epoch 0).
    func ruleEpoch() async throws -> RuleEpoch?
    func commit(_ commit: GuardrailCommit) async throws

    func alerts(limit: Int) async throws -> [AlertRecord]
    /// The overrides in force, in the order they were set (later ones win on the same key).
    func configOverrides() async throws -> [ConfigOverride]
    func admissionsStopped() async throws -> Bool

    func dueMessages(at date: Date, limit: Int) async throws -> [OutboxMessage]
    func messages(limit: Int) async throws -> [OutboxMessage]
    func markDelivered(_ id: Int, at date: Date, attempts: Int) async throws
    func markFailedAttempt(_ id: Int, attempts: Int, error: String, retryAt: Date?) async throws

    func incidents() async throws -> [IncidentRecord]
    func incident(_ id: Int) async throws -> IncidentRecord?

    func silences() async throws -> [SilenceRecord]
    func addSilence(_ silence: SilenceRecord, audit: AuditEntry) async throws

    /// A sample of recent failing AI interactions of a phase's treatment users, newest first.
    func failingInteractions(phase: String, since: Date, limit: Int) async throws -> [[String: JSONValue]]

    /// The newest events of `type` counted with a phase's treatment (where events without a user count),
    /// received since `since`, at most `limit`, newest first: each as the ingest API's JSON object with its
    /// `timestamp`, `userId` and `sessionId`. What a security or integrity alert names as its cause.
    func recentEvents(of type: EventType, phase: String, since: Date, limit: Int) async throws -> [[String: JSONValue]]
}
