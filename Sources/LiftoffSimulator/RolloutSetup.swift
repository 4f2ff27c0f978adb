import Foundation
import LiftoffCore

/// Brings a rollout to the phase a scenario plays in, through the operator API: forced promotions (with a
/// reason, audited), then the phase's audience (invitations or waitlist admissions).
struct RolloutSetup: Sendable {
    let client: LiftoffClient

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    func enter(phase: String, users: [String], reason: String) async throws {
        var rollout = try await client.get("/v1/rollout")
        for _ in 0..<16 {
            guard case .string(let current)? = rollout["phase"] else { throw Failure(description: "/v1/rollout has no phase") }
            if rollout["status"] == .string("rolled_back") || rollout["status"] == .string("paused") {
                rollout = try await client.post("/v1/rollout/resume", .object(["reason": .string(reason)]))
            }
            if current == phase { break }
            if rollout["status"] == .string("completed") {
                throw Failure(description: "the rollout is complete; phase \(phase) cannot be entered again")
            }
            rollout = try await client.post("/v1/rollout/promote", .object(["force": .bool(true), "reason": .string(reason)]))
        }
        guard rollout["phase"] == .string(phase) else { throw Failure(description: "the plan has no phase '\(phase)'") }
        let audience = rollout["audience"]
        if audience?["inviteMax"] != nil && audience?["inviteMax"] != .null {
            for batch in stride(from: 0, to: users.count, by: 1000) {
                try await client.post("/v1/audience/invite",
                                      .object(["userIds": .array(users[batch..<min(batch + 1000, users.count)].map(JSONValue.string))]))
            }
        } else if audience?["waitlistCap"] != nil && audience?["waitlistCap"] != .null {
            for user in users { try await client.post("/v1/waitlist", .object(["userId": .string(user)])) }
            try await client.post("/v1/waitlist/admit", .object(["count": .number(Double(users.count))]))
        }
    }
}
