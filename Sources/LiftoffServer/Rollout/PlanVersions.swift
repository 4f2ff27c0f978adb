import Crypto
import Foundation
import LiftoffCore
import LiftoffStore
import Logging

/// The plan as numbered versions in the store, so every node serves the same one and it can change while live.
struct PlanVersions: Sendable {
    let store: any Store
    let state: RolloutState
    let clock: any WallClock

    /// What an application did, or would do (`dryRun`).
    struct Outcome: Sendable {
        var applied: Bool
        /// The live version afterwards (nil: none stored).
        var version: Int?
        var changes: [String]
    }

    static func sha256(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).hexText
    }

    /// The plan a starting server serves. A plan file (`text`) the store has never seen is applied as the next
    /// version — unless it would strand the live rollout, which fails the start with the reason. A file equal to
    /// the live version changes nothing, and so does one equal to an older version: that file is stale (a node
    /// restarted with the file it was first given, after `liftoff plan apply`), and reapplying it would quietly
    /// revert the whole cluster, so the live version is served and the log says so. Without a file (a plan given
    /// in code) the live version wins when there is one. Nodes starting together with the same new file store it
    /// once.
    static func resolve(configured: Plan, text: String?, store: any Store, now: Date, logger: Logger,
                        attempts: Int = 3) async throws -> (plan: Plan, version: Int?) {
        let live = try await store.livePlan()
        guard let text else {
            guard let live else { return (configured, nil) }
            return (try decode(live), live.number)
        }
        let sha = sha256(text)
        if let live, live.sha256 == sha { return (configured, live.number) }
        if let live, let earlier = try await store.planVersions(limit: 100).first(where: { $0.sha256 == sha }) {
            logger.warning("the plan file is the older plan version \(earlier.number); serving the live version \(live.number) instead (applied by \(live.actor): \(live.reason ?? "no reason given")). To go back, apply the file with liftoff plan apply.")
            return (try decode(live), live.number)
        }
        var changes = ["the first stored version"]
        if let live, let record = try await store.rolloutRecord() {
            let livePlan = try decode(live)
            if let reason = PlanChanges.strandReason(live: livePlan, next: configured, currentPhase: record.phase) {
                throw ConfigurationError("the plan file differs from live plan version \(live.number) but cannot replace it: \(reason)")
            }
            changes = PlanChanges.between(livePlan, configured)
        }
        let reason = live.map { "started with a plan file that differs from version \($0.number)" } ?? "started with a plan file"
        do {
            let stored = try await Self.store(text, sha256: sha, after: live, changes: changes, actor: SystemActor.name, reason: reason,
                                              at: now, in: store)
            return (configured, stored.number)
        } catch let error as StoreError where error.code == .conflict && attempts > 1 {
            // Another node stored a version meanwhile (most often the same file, started at the same moment): decide again.
            return try await resolve(configured: configured, text: text, store: store, now: now, logger: logger, attempts: attempts - 1)
        }
    }

    /// Validates `text`, says what it changes against the live plan, refuses a change that would strand the live
    /// rollout (`DomainError.conflict`), and stores it as the next version with `actor` and `reason` in the audit
    /// log; this node switches at once, the others on the change notification (PostgreSQL) or their next tick.
    /// Errors: `PlanErrors` (with line and column) for a plan that does not decode.
    func apply(text: String, actor: String, reason: String, dryRun: Bool) async throws -> Outcome {
        let next = try PlanDecoder.decode(yaml: text)
        let snapshot = state.snapshot
        if let reason = PlanChanges.strandReason(live: snapshot.plan, next: next, currentPhase: snapshot.record.phase) {
            throw DomainError.conflict("this plan cannot replace the live one: \(reason)")
        }
        let live = try await store.livePlan()
        let sha = Self.sha256(text)
        let changes = PlanChanges.between(snapshot.plan, next)
        if live?.sha256 == sha || dryRun {
            return Outcome(applied: false, version: live?.number, changes: live?.sha256 == sha ? [] : changes)
        }
        let now = clock.now()
        let stored = try await Self.store(text, sha256: sha, after: live, changes: changes, actor: actor, reason: reason, at: now, in: store)
        try await state.reload(from: store)
        return Outcome(applied: true, version: stored.number, changes: changes)
    }

    private static func decode(_ version: PlanVersionRecord) throws -> Plan {
        do {
            return try PlanDecoder.decode(yaml: version.text)
        } catch {
            throw ConfigurationError("stored plan version \(version.number) does not decode (written by another Liftoff?): \(error.problems.first?.description ?? "")")
        }
    }

    /// Stores `text` as the version after `live`, audited as `plan.apply` with the version numbers and the changes.
    private static func store(_ text: String, sha256: String, after live: PlanVersionRecord?, changes: [String], actor: String,
                              reason: String, at now: Date, in store: any Store) async throws -> PlanVersionRecord {
        let encoded = (try? JSONEncoder().encode(changes)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
        let audit = AuditEntry(at: now, actor: actor, action: "plan.apply", reason: reason,
                               before: live.map { "{\"version\":\($0.number)}" },
                               after: "{\"version\":\((live?.number ?? 0) + 1),\"changes\":\(encoded)}")
        return try await store.applyPlan(text: text, sha256: sha256, expectedLive: live?.number, actor: actor, reason: reason, at: now,
                                         audit: audit)
    }
}
