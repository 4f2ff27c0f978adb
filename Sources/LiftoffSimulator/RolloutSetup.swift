import Foundation
import LiftoffAPI
import LiftoffCore

/// Brings a rollout to the phase a scenario plays in, through the operator API: forced promotions (with a
/// reason, audited), then the phase's audience (invitations or waitlist admissions).
public struct RolloutSetup: Sendable {
    let client: LiftoffClient

    public init(client: LiftoffClient) { self.client = client }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Throws when the phase is not in the plan or the rollout is complete.
    public func enter(phase: String, users: [String], reason: String) async throws {
        var rollout = try await client.rollout()
        for _ in 0..<16 {
            if rollout.status == .rolledBack || rollout.status == .paused {
                rollout = try await client.change("resume", RolloutChangeRequest(reason: reason))
            }
            if rollout.phase == phase { break }
            if rollout.status == .completed {
                throw Failure(description: "the rollout is complete; phase \(phase) cannot be entered again")
            }
            rollout = try await client.change("promote", RolloutChangeRequest(reason: reason, force: true))
        }
        guard rollout.phase == phase else { throw Failure(description: "the plan has no phase '\(phase)'") }
        if rollout.audience.inviteMax != nil {
            for batch in stride(from: 0, to: users.count, by: 1000) {
                _ = try await client.invite(Array(users[batch..<min(batch + 1000, users.count)]))
            }
        } else if rollout.audience.waitlistCap != nil {
            for user in users { _ = try await client.joinWaitlist(user) }
            _ = try await client.admit(count: users.count)
        }
    }
}
