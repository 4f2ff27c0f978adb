import Foundation
import LiftoffAPI
import LiftoffCore
import Synchronization
import Testing
@testable import LiftoffSimulator

@Suite("liftoff demo")
struct DemoTests {
    /// The whole demo on an embedded server with a manual clock: every phase, the automatic rollback of the
    /// beta incident, the resume and the full release, in seconds.
    @Test func theDemoRunsStartToFinish() async throws {
        let plan = try PlanDecoder.decode(yaml: DemoPlan.yaml)
        let lines = Lines()
        let outcome = try await EmbeddedServer.run(plan: plan, clock: ManualClock(Timestamp.parse("2026-11-29T08:00:00Z")!)) { server in
            let demo = Demo(seed: 7, step: 60, statusEvery: 3600) { lines.append($0) }
            let outcome = try await demo.run(on: server)
            // What the demo printed is what the server holds.
            let rollout = try await server.client.rollout()
            #expect(rollout.phase == "full")
            #expect(rollout.status == .running)
            let incidents = try await server.client.incidents()
            #expect(incidents.count == 1)
            // The documents decode on the client's side into the types the server wrote them from.
            let incident = try await server.client.incident(try #require(incidents.first?.id))
            #expect(incident.phase == "beta" && incident.actions.contains("rollback"))
            let report = try await server.client.phaseReport("beta")
            #expect(report.incidents.map(\.id) == incidents.compactMap(\.id))
            #expect(try await server.client.phaseReportText("beta", format: "md") == report.markdown)
            return outcome
        }
        #expect(outcome.phases == ["internal", "alpha", "beta", "full"])
        #expect(outcome.rolledBackInBeta && outcome.resumed && outcome.reachedFullRelease)
        #expect(lines.all.contains { $0.contains("ROLLED BACK beta: rule rollback[0] on error_rate") })
        #expect(lines.all.contains { $0.contains("full · running") })
    }
}

/// Lines collected from the demo's output closure.
final class Lines: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}
