import Foundation
import LiftoffCore

/// `GET /healthz` (`ok`) and `GET /readyz` (`ready`).
public struct HealthStatus: Codable, Sendable {
    /// `ok` (`/healthz`), `ready`, or `degraded`: the store cannot be reached, `/v1/evaluate` answers from the
    /// last known state and writes are refused with 503 and Retry-After.
    public var status: String
    /// What a degraded node can and cannot do, for people.
    public var detail: String?
    public init(status: String, detail: String? = nil) {
        self.status = status
        self.detail = detail
    }
}

/// The answer to `DELETE /v1/keys/{id}`.
public struct RevokedKey: Codable, Sendable {
    public var revoked: String
    public init(revoked: String) { self.revoked = revoked }
}

/// The body of every 4xx and 5xx: what was wrong (`error.code`, `error.message`), a refused promotion's
/// unmet conditions, and a batch's rejections when none of its events was valid.
public struct APIProblem: Codable, Sendable {
    public struct Detail: Codable, Sendable {
        public var code: String
        public var message: String
        public init(code: String, message: String) {
            self.code = code
            self.message = message
        }
    }

    public var error: Detail
    public var unmet: [String]?
    public var rejected: [IngestRejection]?

    public init(error: Detail, unmet: [String]? = nil, rejected: [IngestRejection]? = nil) {
        self.error = error
        self.unmet = unmet
        self.rejected = rejected
    }
}

/// One entry of the audit log (`GET /v1/audit`): who changed what, when and why, with the state before and
/// after as JSON text where the change has one.
public struct AuditEntryView: Codable, Sendable {
    public var sequence: Int
    public var at: Date
    public var actor: String
    public var action: String
    public var reason: String?
    public var before: String?
    public var after: String?

    public init(sequence: Int, at: Date, actor: String, action: String, reason: String?, before: String?, after: String?) {
        self.sequence = sequence
        self.at = at
        self.actor = actor
        self.action = action
        self.reason = reason
        self.before = before
        self.after = after
    }
}

/// A page of the audit log, newest first.
public struct AuditPage: Codable, Sendable {
    public var entries: [AuditEntryView]
    /// Pass as `before` for the next (older) page; absent on the last page.
    public var next: Int?

    public init(entries: [AuditEntryView], next: Int?) {
        self.entries = entries
        self.next = next
    }
}

/// Feedback on one AI response, in the seed's `UserFeedback.aiResponses` shape.
public struct ResponseFeedbackView: Codable, Sendable {
    public var interactionId: String?
    public var rating: Int?
    public var helpful: Bool?
    public var relevant: Bool?

    public init(interactionId: String?, rating: Int?, helpful: Bool?, relevant: Bool?) {
        self.interactionId = interactionId
        self.rating = rating
        self.helpful = helpful
        self.relevant = relevant
    }
}

/// One feedback event as the seed's `UserFeedback`: who, where it counts, and what they said.
public struct UserFeedbackView: Codable, Sendable {
    public var id: Int
    public var at: Date
    public var sessionId: String?
    public var userId: String?
    public var phase: String
    public var variant: Variant
    public var aiResponses: [ResponseFeedbackView]
    public var usability: Int?
    public var suggestions: [String]

    public init(id: Int, at: Date, sessionId: String?, userId: String?, phase: String, variant: Variant,
                aiResponses: [ResponseFeedbackView], usability: Int?, suggestions: [String]) {
        self.id = id
        self.at = at
        self.sessionId = sessionId
        self.userId = userId
        self.phase = phase
        self.variant = variant
        self.aiResponses = aiResponses
        self.usability = usability
        self.suggestions = suggestions
    }
}

/// A page of `GET /v1/feedback`, newest first.
public struct FeedbackPage: Codable, Sendable {
    public var feedback: [UserFeedbackView]
    /// Pass as `before` for the next (older) page; absent on the last page.
    public var next: Int?

    public init(feedback: [UserFeedbackView], next: Int?) {
        self.feedback = feedback
        self.next = next
    }
}

/// The body of `POST /v1/silences`: alerts whose labels match every matcher are recorded but not sent until
/// `endsAt` (RFC 3339; `startsAt` defaults to now).
public struct SilenceRequest: Codable, Sendable {
    public var matchers: [String: String]
    public var startsAt: String?
    public var endsAt: String
    public var createdBy: String?
    public var comment: String

    public init(matchers: [String: String], startsAt: String? = nil, endsAt: String, createdBy: String? = nil, comment: String) {
        self.matchers = matchers
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.createdBy = createdBy
        self.comment = comment
    }
}

/// A silence and whether it holds now.
public struct SilenceView: Codable, Sendable {
    public var id: String
    public var matchers: [String: String]
    public var startsAt: Date
    public var endsAt: Date
    public var createdBy: String
    public var comment: String
    public var active: Bool

    public init(id: String, matchers: [String: String], startsAt: Date, endsAt: Date, createdBy: String, comment: String, active: Bool) {
        self.id = id
        self.matchers = matchers
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.createdBy = createdBy
        self.comment = comment
        self.active = active
    }
}

/// `GET /v1/silences`.
public struct SilenceList: Codable, Sendable {
    public var silences: [SilenceView]
    public init(silences: [SilenceView]) { self.silences = silences }
}

/// One message of the outbox (a webhook or an alert) and how its delivery went.
public struct DeliveryView: Codable, Sendable {
    public var id: Int
    /// `webhook` or `alert`.
    public var kind: String
    public var target: String
    public var rule: String?
    /// `pending`, `delivered` or `failed`.
    public var status: String
    public var attempts: Int
    public var nextAttemptAt: Date?
    public var lastError: String?
    public var createdAt: Date
    public var deliveredAt: Date?

    public init(id: Int, kind: String, target: String, rule: String?, status: String, attempts: Int, nextAttemptAt: Date?,
                lastError: String?, createdAt: Date, deliveredAt: Date?) {
        self.id = id
        self.kind = kind
        self.target = target
        self.rule = rule
        self.status = status
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.lastError = lastError
        self.createdAt = createdAt
        self.deliveredAt = deliveredAt
    }
}

/// `GET /v1/deliveries`.
public struct DeliveryList: Codable, Sendable {
    public var deliveries: [DeliveryView]
    public init(deliveries: [DeliveryView]) { self.deliveries = deliveries }
}

/// `GET /v1/cluster`: this node and every node heard from lately.
public struct ClusterView: Codable, Sendable, Equatable {
    /// The id of the node that answered (`self` on the wire).
    public var node: String
    public var nodes: [ClusterNodeView]

    public init(node: String, nodes: [ClusterNodeView]) {
        self.node = node
        self.nodes = nodes
    }

    enum CodingKeys: String, CodingKey {
        case node = "self"
        case nodes
    }
}

/// One node of `ClusterView`.
public struct ClusterNodeView: Codable, Sendable, Equatable {
    public var id: String
    /// Whether this node runs the evaluator, the notifier and retention.
    public var leader: Bool
    /// The rollout state version the node serves.
    public var version: Int
    public var lastSeen: Date

    public init(id: String, leader: Bool, version: Int, lastSeen: Date) {
        self.id = id
        self.leader = leader
        self.version = version
        self.lastSeen = lastSeen
    }
}
