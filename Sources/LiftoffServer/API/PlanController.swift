import Foundation
import Hummingbird
import LiftoffAPI
import LiftoffCore
import LiftoffStore

/// `GET /v1/plan`, `GET /v1/plan/versions` and `POST /v1/plan`: the live plan, its history, and a new version.
struct PlanController {
    let versions: PlanVersions
    let store: any Store
    let state: RolloutState

    func addRoutes(to routes: inout ScopedRoutes) {
        let (versions, store, state) = (self.versions, self.store, self.state)
        routes.add(.get, "/v1/plan", scope: .read) { _, _, _ in
            let snapshot = state.snapshot
            let live = try await store.livePlan()
            return try JSONBody.response(PlanView(
                rollout: snapshot.plan.rollout, phases: snapshot.plan.phases.map(\.name),
                live: live.map(Self.view)))
        }
        routes.add(.get, "/v1/plan/versions", scope: .read) { _, _, _ in
            try JSONBody.response(PlanVersionList(versions: try await store.planVersions(limit: 100).map(Self.view)))
        }
        routes.add(.post, "/v1/plan", scope: .admin) { request, _, key in
            let body = try await RequestJSON.decode(PlanApplyRequest.self, from: request)
            let reason = try RequestJSON.text(body.reason, field: "reason", required: true)!
            let outcome: PlanVersions.Outcome
            do {
                outcome = try await versions.apply(text: body.yaml, actor: key.name, reason: reason, dryRun: body.dryRun ?? false)
            } catch let error as PlanErrors {
                throw DomainError.invalid(
                    "the plan has \(error.problems.count) problem(s): " + error.problems.map(\.description).joined(separator: "; "), field: "yaml")
            }
            return try JSONBody.response(PlanApplyAnswer(applied: outcome.applied, version: outcome.version, changes: outcome.changes))
        }
    }

    static func view(_ record: PlanVersionRecord) -> PlanVersionView {
        PlanVersionView(version: record.number, sha256: record.sha256, appliedAt: record.appliedAt, actor: record.actor, reason: record.reason)
    }
}
