import Foundation
import LiftoffCore
import LiftoffStore
import Testing
@testable import LiftoffServer

@Suite("Audience over time")
struct AudienceGrowthTests {
    /// Three developers from the start, two invitations in alpha (one of them a developer, counted once), two
    /// waitlist admissions in beta (a third still waiting), then a full release by percentage.
    @Test func countsEveryoneLetInByNameOnceAndSaysWhatItCannotCount() {
        let t0 = Date(timeIntervalSince1970: 1_795_000_000)
        let hour = 3600.0
        let plan = Plan(rollout: "r", phases: [
            PhasePlan(name: "internal", audience: Audience(groups: [.init(name: "developers", members: ["d1", "d2", "d3"])])),
            PhasePlan(name: "alpha", audience: Audience(invite: .init(min: 1, max: 5))),
            PhasePlan(name: "beta", audience: Audience(waitlist: .init(cap: 10, batch: 2, min: 1))),
            PhasePlan(name: "full", audience: Audience(percentage: 100)),
        ])
        let history = [PhaseRecord(phase: "internal", startedAt: t0, endedAt: t0 + 10 * hour),
                       PhaseRecord(phase: "alpha", startedAt: t0 + 10 * hour, endedAt: t0 + 20 * hour),
                       PhaseRecord(phase: "beta", startedAt: t0 + 20 * hour, endedAt: t0 + 30 * hour),
                       PhaseRecord(phase: "full", startedAt: t0 + 30 * hour)]
        let invitations = [Invitation(userId: "a1", phase: "alpha", at: t0 + 11 * hour), Invitation(userId: "d2", phase: "alpha", at: t0 + 11 * hour)]
        let waitlist = [WaitlistEntry(userId: "w1", position: 1, signedUpAt: t0, admittedAt: t0 + 21 * hour, admittedPhase: "beta"),
                        WaitlistEntry(userId: "w2", position: 2, signedUpAt: t0, admittedAt: t0 + 21 * hour, admittedPhase: "beta"),
                        WaitlistEntry(userId: "w3", position: 3, signedUpAt: t0)]
        let growth = AudienceGrowth(plan: plan, history: history, invitations: invitations, waitlist: waitlist, now: t0 + 40 * hour)
        #expect(growth.steps == [.init(at: t0, size: 3), .init(at: t0 + 11 * hour, size: 4), .init(at: t0 + 21 * hour, size: 6)])
        let points = growth.points.map { ($0.0.timeIntervalSince(t0) / hour, $0.1 ?? -1) }
        #expect(points.map(\.0) == [0, 11, 11, 21, 21, 40])
        #expect(points.map(\.1) == [3, 3, 4, 4, 6, 6])
        #expect(growth.note?.contains("phase full lets in 100% of all users by sticky hash") == true)
        #expect(AudienceGrowth(plan: plan, history: [], invitations: [], waitlist: [], now: t0).points.isEmpty)
    }
}
