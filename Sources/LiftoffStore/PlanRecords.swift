import Foundation

/// One applied version of the plan, as its YAML text: the text is what every node decodes, so nodes started
/// with different plan files cannot disagree.
public struct PlanVersionRecord: Sendable, Equatable {
    /// 1, 2, 3, …: the last one is live.
    public var number: Int
    public var text: String
    /// SHA-256 of `text`, hex: whether a file differs from the live version.
    public var sha256: String
    public var actor: String
    public var reason: String?
    public var appliedAt: Date

    public init(number: Int, text: String, sha256: String, actor: String, reason: String?, appliedAt: Date) {
        self.number = number
        self.text = text
        self.sha256 = sha256
        self.actor = actor
        self.reason = reason
        self.appliedAt = appliedAt
    }
}

/// The stored versions of the plan.
public protocol PlanStore: Sendable {
    /// The live version, nil before the first is applied.
    func livePlan() async throws -> PlanVersionRecord?
    /// Every version, newest first, at most `limit`.
    func planVersions(limit: Int) async throws -> [PlanVersionRecord]
    /// Stores `text` as the next version, with `audit`, in one transaction — if the live version is still
    /// `expectedLive` (nil: none yet); `StoreError.conflict` when another version was applied meanwhile.
    func applyPlan(text: String, sha256: String, expectedLive: Int?, actor: String, reason: String?, at date: Date,
                   audit: AuditEntry) async throws -> PlanVersionRecord
}
