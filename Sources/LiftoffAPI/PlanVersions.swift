import Foundation

/// `POST /v1/plan`: a new version of the plan, as YAML.
public struct PlanApplyRequest: Codable, Sendable {
    public var yaml: String
    /// Why, for the audit log: required.
    public var reason: String?
    /// Only say what would change.
    public var dryRun: Bool?

    public init(yaml: String, reason: String?, dryRun: Bool? = nil) {
        self.yaml = yaml
        self.reason = reason
        self.dryRun = dryRun
    }
}

/// The answer to `POST /v1/plan`.
public struct PlanApplyAnswer: Codable, Sendable, Equatable {
    /// False for a dry run and for a plan equal to the live version.
    public var applied: Bool
    /// The live version afterwards.
    public var version: Int?
    /// What the plan changes against the one that was live, one line each.
    public var changes: [String]

    public init(applied: Bool, version: Int?, changes: [String]) {
        self.applied = applied
        self.version = version
        self.changes = changes
    }
}

/// One stored version of the plan.
public struct PlanVersionView: Codable, Sendable, Equatable {
    public var version: Int
    /// SHA-256 of the YAML, hex.
    public var sha256: String
    public var appliedAt: Date
    public var actor: String
    public var reason: String?

    public init(version: Int, sha256: String, appliedAt: Date, actor: String, reason: String?) {
        self.version = version
        self.sha256 = sha256
        self.appliedAt = appliedAt
        self.actor = actor
        self.reason = reason
    }
}

/// `GET /v1/plan`: the plan this node serves.
public struct PlanView: Codable, Sendable, Equatable {
    public var rollout: String
    public var phases: [String]
    /// The stored version it was decoded from; absent while none is stored.
    public var live: PlanVersionView?

    public init(rollout: String, phases: [String], live: PlanVersionView?) {
        self.rollout = rollout
        self.phases = phases
        self.live = live
    }
}

/// `GET /v1/plan/versions`: newest first.
public struct PlanVersionList: Codable, Sendable, Equatable {
    public var versions: [PlanVersionView]
    public init(versions: [PlanVersionView]) { self.versions = versions }
}
