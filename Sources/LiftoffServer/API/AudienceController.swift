import Foundation
import LiftoffAPI
import Hummingbird
import LiftoffCore

/// Invitations and the public waitlist.
struct AudienceController {
    let controller: RolloutCoordinator
    let state: RolloutState

    func addRoutes(to routes: inout ScopedRoutes) {
        let controller = self.controller
        routes.add(.post, "/v1/audience/invite", scope: .operate) { request, _, key in
            let body = try await RequestJSON.decode(InviteRequest.self, from: request)
            guard !body.userIds.isEmpty, body.userIds.count <= 1000 else {
                throw APIError.badRequest("userIds: give 1 to 1000 user ids")
            }
            let users = try body.userIds.enumerated().map { try RequestJSON.userId($0.element, field: "userIds[\($0.offset)]") }
            let result = try await controller.invite(users, actor: key.name)
            return try JSONBody.response(InviteAnswer(invited: result.invited, phaseInvitations: result.total, max: result.max))
        }
        routes.add(.post, "/v1/waitlist", scope: .ingest) { request, _, _ in
            let body = try await RequestJSON.decode(JoinRequest.self, from: request)
            let entry = try await controller.joinWaitlist(try RequestJSON.userId(body.userId))
            return try JSONBody.response(JoinAnswer(userId: entry.userId, position: entry.position,
                                                    status: entry.admittedAt == nil ? "waiting" : "admitted"))
        }
        routes.add(.post, "/v1/waitlist/admit", scope: .operate) { request, _, key in
            let body = try await RequestJSON.decode(AdmitRequest.self, from: request)
            if let count = body.count, !(1...10_000).contains(count) {
                throw APIError.badRequest("count: must be between 1 and 10000")
            }
            let result = try await controller.admit(count: body.count, actor: key.name)
            return try JSONBody.response(AdmitAnswer(admitted: result.admitted, phaseAdmissions: result.total, cap: result.cap))
        }
    }
}
