import Foundation
import LiftoffAPI
import Hummingbird
import LiftoffCore

/// `GET /v1/rollout` and the transitions: promote, pause, resume, rollback, checklist sign-off.
struct RolloutAPIController {
    let controller: RolloutCoordinator
    let state: RolloutState
    let clock: any WallClock

    func addRoutes(to routes: inout ScopedRoutes) {
        let controller = self.controller
        let view = { @Sendable () async throws -> Response in try await self.view() }
        routes.add(.get, "/v1/rollout", scope: .read) { _, _, _ in try await view() }
        routes.add(.post, "/v1/rollout/promote", scope: .operate) { request, _, key in
            let body = try await RequestJSON.decode(RolloutChangeRequest.self, from: request)
                        let force = body.force ?? false
            if force && key.scope != .admin {
                throw APIError.forbidden("a forced promotion needs an admin key; key '\(key.name)' has scope '\(key.scope.rawValue)'")
            }
            let reason = try RequestJSON.text(body.reason, field: "reason", required: force)
            _ = try await controller.promote(actor: key.name, reason: reason, force: force)
            return try await view()
        }
        routes.add(.post, "/v1/rollout/pause", scope: .operate) { request, _, key in
            let body = try await RequestJSON.decode(RolloutChangeRequest.self, from: request)
            _ = try await controller.pause(actor: key.name, reason: try RequestJSON.text(body.reason, field: "reason"))
            return try await view()
        }
        routes.add(.post, "/v1/rollout/resume", scope: .operate) { request, _, key in
            let body = try await RequestJSON.decode(RolloutChangeRequest.self, from: request)
            _ = try await controller.resume(actor: key.name, reason: try RequestJSON.text(body.reason, field: "reason"))
            return try await view()
        }
        routes.add(.post, "/v1/rollout/rollback", scope: .operate) { request, _, key in
            let body = try await RequestJSON.decode(RolloutChangeRequest.self, from: request)
            let reason = try RequestJSON.text(body.reason, field: "reason", required: true)!
            _ = try await controller.rollback(actor: key.name, reason: reason)
            return try await view()
        }
        routes.add(.post, "/v1/rollout/checklist", scope: .operate) { request, _, key in
            let body = try await RequestJSON.decode(SignOffRequest.self, from: request)
            let item = try RequestJSON.text(body.item, field: "item", required: true)!
            _ = try await controller.sign(item: item, note: try RequestJSON.text(body.note, field: "note"), actor: key.name)
            return try await view()
        }
    }

    func view() async throws -> Response {
        let snapshot = state.snapshot
        let gate = try await controller.gate(of: snapshot)
        let audience = await controller.audienceSize(snapshot)
        return try JSONBody.response(RolloutView(snapshot: snapshot, gate: gate, audience: audience, now: clock.now()))
    }
}
