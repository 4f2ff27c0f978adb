import Foundation
import LiftoffAPI
import Hummingbird
import HummingbirdTesting
import LiftoffCore
import Testing
@testable import LiftoffServer
import LiftoffSQLite

@Suite("Rollout: evaluate, gate, transitions, audiences")
struct RolloutAPITests {
    static let plan = try! PlanDecoder.decode(yaml: """
        rollout: ai-tutor
        config: { promptProfile: standard, maxTokens: 1024 }
        phases:
          - name: internal
            plannedDuration: 14d
            audience: { groups: { developers: [dev-1, dev-2], education-specialists: [edu-1] } }
            exit:
              minDuration: 1d
              criteria:
                - { metric: error_rate, below: 0.05, minSamples: 100 }
                - { metric: critical_security_issues, atMost: 0 }
              checklist: [security review done]
          - name: alpha
            plannedDuration: 28d
            audience: { invite: { min: 2, max: 3 } }
            exit:
              minDuration: 14d
              promotion: auto
              criteria:
                - { metric: response_time.p95, below: 3000, minSamples: 20 }
          - name: beta
            audience: { waitlist: { cap: 3, batch: 2 } }
          - name: full
            audience: { percentage: 100 }
        """)

    static func interactions(user: String, count: Int, outcome: String = "ok", latency: Int = 800) -> String {
        let events = (0..<count).map { _ in #"{"type":"ai_interaction","userId":"\#(user)","latencyMs":\#(latency),"outcome":"\#(outcome)"}"# }
        return #"{"events":[\#(events.joined(separator: ","))]}"#
    }

    /// `/v1/evaluate` for `user`, decoded as the app's client decodes it.
    static func evaluate(_ client: some TestClientProtocol, _ user: String) async throws -> EvaluateAnswer {
        try await client.request(.post, "/v1/evaluate", key: TestServer.keys[.ingest], json: #"{"userId":"\#(user)"}"#).decode(EvaluateAnswer.self)
    }

    /// `/v1/rollout`, decoded as every client decodes it.
    static func rollout(_ client: some TestClientProtocol) async throws -> RolloutView {
        try await client.request(.get, "/v1/rollout", key: TestServer.keys[.read]).decode(RolloutView.self)
    }

    @Test func evaluateAnswersFromTheAudience() async throws {
        let server = try await TestServer(plan: Self.plan)
        try await server.withClient { client in
            let developer = try await Self.evaluate(client, "dev-1")
            #expect(developer.enabled == true)
            #expect(developer.variant == .treatment)
            #expect(developer.reason == "group:developers")
            #expect(developer.phase == "internal")
            #expect(developer.config["maxTokens"] == .number(1024))
            let stranger = try await Self.evaluate(client, "someone")
            #expect(stranger.enabled == false)
            #expect(stranger.reason == "not_in_audience")
            #expect(stranger.config.isEmpty)
            let bad = try await client.request(.post, "/v1/evaluate", key: TestServer.keys[.ingest], json: #"{"user":"x"}"#)
            #expect(bad.status == .badRequest)
            #expect(bad.errorMessage == "userId: required")
        }
    }

    @Test func eventsCountInTheirUsersVariant() async throws {
        let server = try await TestServer(plan: Self.plan)
        try await server.withClient { client in
            _ = try await client.request(.post, "/v1/events", json: Self.interactions(user: "dev-1", count: 3))
            _ = try await client.request(.post, "/v1/events", json: Self.interactions(user: "someone", count: 2))
            let treatment = try await client.request(.get, "/v1/metrics?names=interactions&phase=internal&variant=treatment")
            #expect(treatment.metric("interactions")?.value == 3)
            let control = try await client.request(.get, "/v1/metrics?names=interactions&phase=internal&variant=control")
            #expect(control.metric("interactions")?.value == 2)
        }
    }

    @Test func promotionWaitsForTheGateThenMoves() async throws {
        let server = try await TestServer(plan: Self.plan)
        try await server.withClient { client in
            var state = try await Self.rollout(client)
            #expect(state.phase == "internal")
            #expect(state.gate.ready == false)
            #expect(state.gate.criteria.first?.verdict == .insufficientData)
            #expect(state.gate.criteria.last?.verdict == .pass)

            _ = try await client.request(.post, "/v1/events", json: Self.interactions(user: "dev-1", count: 150))
            let refused = try await client.request(.post, "/v1/rollout/promote", key: TestServer.keys[.operate], json: #"{"reason":"looks good"}"#)
            #expect(refused.status == .conflict)
            #expect(refused.problem?.unmet == [
                "minimum duration: 1d remaining",
                "checklist: 'security review done' is not signed",
            ])

            server.clock.advance(by: 86_400)
            let unknownItem = try await client.request(.post, "/v1/rollout/checklist", key: TestServer.keys[.operate], json: #"{"item":"coffee"}"#)
            #expect(unknownItem.status == .notFound)
            let signed = try await client.request(.post, "/v1/rollout/checklist", key: TestServer.keys[.operate],
                                                  json: #"{"item":"security review done","note":"pen test report 42"}"#)
            #expect(signed.status == .ok)
            // The 150 interactions are now older than a day but the criterion's window is the whole phase.
            state = try await Self.rollout(client)
            #expect(state.gate.ready == true, "\(state.gate.unmet)")
            #expect(state.gate.checklist.first?.signedBy == "operate-key")

            let promoted = try await client.request(.post, "/v1/rollout/promote", key: TestServer.keys[.operate], json: #"{"reason":"gate met"}"#)
            #expect(promoted.status == .ok)
            let after = try promoted.decode(RolloutView.self)
            #expect(after.phase == "alpha")
            let timeline = after.timeline
            #expect(timeline.map(\.phase) == ["internal", "alpha", "beta", "full"])
            #expect(timeline[0].endedAt == Timestamp.parse("2026-11-30T10:00:30Z"))
            #expect(timeline[1].plannedStart == Timestamp.parse("2026-12-13T10:00:30Z"))
            #expect(timeline[0].overrunDays == 0)

            // Developers keep the treatment in later phases.
            #expect(try await Self.evaluate(client, "dev-1").reason == "group:developers")
            let audit = try await client.request(.get, "/v1/audit?action=rollout.promote", key: TestServer.adminKey)
            let entries = audit.decoded(AuditPage.self)?.entries ?? []
            #expect(entries.count == 1)
            #expect(entries.first?.actor == "operate-key")
            #expect(entries.first?.reason == "gate met")
            #expect(entries.first?.before == #"{"phase":"internal","status":"running","version":1}"#)
            #expect(try await client.request(.get, "/v1/audit", key: TestServer.keys[.operate]).status == .forbidden)
        }
    }

    @Test func forcedPromotionNeedsAnAdminAndAReason() async throws {
        let server = try await TestServer(plan: Self.plan)
        try await server.withClient { client in
            let operate = try await client.request(.post, "/v1/rollout/promote", key: TestServer.keys[.operate], json: #"{"force":true,"reason":"x"}"#)
            #expect(operate.status == .forbidden)
            let noReason = try await client.request(.post, "/v1/rollout/promote", key: TestServer.adminKey, json: #"{"force":true}"#)
            #expect(noReason.status == .badRequest)
            #expect(noReason.errorMessage == "reason: required")
            let forced = try await client.request(.post, "/v1/rollout/promote", key: TestServer.adminKey,
                                                  json: #"{"force":true,"reason":"demo for the board"}"#)
            #expect(forced.status == .ok)
            #expect(forced.decoded(RolloutView.self)?.phase == "alpha")
            let audit = try await client.request(.get, "/v1/audit?action=rollout.promote.forced", key: TestServer.adminKey)
            let reason = audit.decoded(AuditPage.self)?.entries.first?.reason ?? ""
            #expect(reason.hasPrefix("demo for the board (forced past: minimum duration: 1d remaining;"))
        }
    }

    @Test func invitationsWaitlistAndCaps() async throws {
        let server = try await TestServer(plan: Self.plan)
        try await server.withClient { client in
            let early = try await client.request(.post, "/v1/audience/invite", key: TestServer.keys[.operate], json: #"{"userIds":["a"]}"#)
            #expect(early.status == .conflict)
            #expect(early.errorMessage == "phase 'internal' does not take invitations")
            _ = try await client.request(.post, "/v1/rollout/promote", key: TestServer.adminKey, json: #"{"force":true,"reason":"test"}"#)

            let invited = try await client.request(.post, "/v1/audience/invite", key: TestServer.keys[.operate], json: #"{"userIds":["a","b","a"]}"#)
            #expect(invited.status == .ok)
            #expect(invited.decoded(InviteAnswer.self)?.invited == ["a", "b"])
            let again = try await client.request(.post, "/v1/audience/invite", key: TestServer.keys[.operate], json: #"{"userIds":["b","c"]}"#)
            #expect(again.decoded(InviteAnswer.self)?.phaseInvitations == 3)
            let over = try await client.request(.post, "/v1/audience/invite", key: TestServer.keys[.operate], json: #"{"userIds":["d"]}"#)
            #expect(over.status == .conflict)
            #expect(over.errorMessage == "phase 'alpha' has 3 of at most 3 invitations; 1 more would exceed it")
            #expect(try await Self.evaluate(client, "a").reason == "invited")
            #expect(try await Self.evaluate(client, "d").reason == "not_in_audience")

            for user in ["w1", "w2", "w3", "w4"] {
                let joined = try await client.request(.post, "/v1/waitlist", key: TestServer.keys[.ingest], json: #"{"userId":"\#(user)"}"#)
                #expect(joined.decoded(JoinAnswer.self)?.status == "waiting")
            }
            let repeatJoin = try await client.request(.post, "/v1/waitlist", key: TestServer.keys[.ingest], json: #"{"userId":"w2"}"#)
            #expect(repeatJoin.decoded(JoinAnswer.self)?.position == 2)
            let wrongPhase = try await client.request(.post, "/v1/waitlist/admit", key: TestServer.keys[.operate], json: "{}")
            #expect(wrongPhase.status == .conflict)

            _ = try await client.request(.post, "/v1/rollout/promote", key: TestServer.adminKey, json: #"{"force":true,"reason":"test"}"#)
            let firstBatch = try await client.request(.post, "/v1/waitlist/admit", key: TestServer.keys[.operate], json: "{}")
            #expect(firstBatch.decoded(AdmitAnswer.self)?.admitted == ["w1", "w2"])
            let secondBatch = try await client.request(.post, "/v1/waitlist/admit", key: TestServer.keys[.operate], json: #"{"count":5}"#)
            #expect(secondBatch.decoded(AdmitAnswer.self)?.admitted == ["w3"])
            #expect(secondBatch.decoded(AdmitAnswer.self)?.phaseAdmissions == 3)
            let status = try await client.request(.post, "/v1/waitlist", key: TestServer.keys[.ingest], json: #"{"userId":"w1"}"#)
            #expect(status.decoded(JoinAnswer.self)?.status == "admitted")
            #expect(try await Self.evaluate(client, "w1").reason == "waitlist")
            #expect(try await Self.evaluate(client, "w4").reason == "not_in_audience")
            // Invited alpha users stay in during beta.
            #expect(try await Self.evaluate(client, "a").reason == "invited")
        }
    }

    @Test func pauseResumeAndRollback() async throws {
        let server = try await TestServer(plan: Self.plan)
        try await server.withClient { client in
            let paused = try await client.request(.post, "/v1/rollout/pause", key: TestServer.keys[.operate], json: #"{"reason":"investigating"}"#)
            #expect(paused.decoded(RolloutView.self)?.status == .paused)
            #expect(try await Self.evaluate(client, "dev-1").enabled == true)
            #expect(try await Self.evaluate(client, "someone").reason == "paused")
            let promote = try await client.request(.post, "/v1/rollout/promote", key: TestServer.keys[.operate], json: "{}")
            #expect(promote.status == .conflict)
            #expect(promote.errorMessage == "cannot promote: the rollout is paused")
            #expect(try await client.request(.post, "/v1/rollout/pause", key: TestServer.keys[.operate], json: "{}").status == .conflict)
            _ = try await client.request(.post, "/v1/rollout/resume", key: TestServer.keys[.operate], json: "{}")

            let noReason = try await client.request(.post, "/v1/rollout/rollback", key: TestServer.keys[.operate], json: "{}")
            #expect(noReason.status == .badRequest)
            let rolledBack = try await client.request(.post, "/v1/rollout/rollback", key: TestServer.keys[.operate], json: #"{"reason":"error spike"}"#)
            #expect(rolledBack.decoded(RolloutView.self)?.status == .rolledBack)
            let developer = try await Self.evaluate(client, "dev-1")
            #expect(developer.enabled == false)
            #expect(developer.reason == "rolled_back")
            #expect(developer.variant == .control)
            let resumed = try await client.request(.post, "/v1/rollout/resume", key: TestServer.keys[.operate], json: #"{"reason":"fixed"}"#)
            #expect(resumed.decoded(RolloutView.self)?.status == .running)
            #expect(try await Self.evaluate(client, "dev-1").enabled == true)
            let actions = (try await client.request(.get, "/v1/audit", key: TestServer.adminKey).decoded(AuditPage.self)?.entries ?? [])
                .map(\.action)
            #expect(actions == ["rollout.resume", "rollout.rollback", "rollout.resume", "rollout.pause"])
        }
    }

    /// Weeks of rollout in a test: the clock is moved a day at a time and the ticker's work is called directly.
    @Test func automaticPromotionWhenTheGateHolds() async throws {
        let server = try await TestServer(plan: Self.plan)
        let built = try await server.build()
        let controller = built.controller
        try await built.application.test(.router) { client in
            _ = try await client.request(.post, "/v1/rollout/promote", key: TestServer.adminKey, json: #"{"force":true,"reason":"start alpha"}"#)
            _ = try await client.request(.post, "/v1/audience/invite", key: TestServer.keys[.operate], json: #"{"userIds":["a","b"]}"#)
            for day in 0..<14 {
                _ = try await client.request(.post, "/v1/events", json: Self.interactions(user: "a", count: 10, latency: 900))
                await controller.tick()
                #expect(try await Self.rollout(client).phase == "alpha", "day \(day)")
                server.clock.advance(by: 86_400)
            }
            // Two weeks in (the minimum duration), 150 samples, p95 900 ms: the gate holds and the ticker promotes.
            _ = try await client.request(.post, "/v1/events", json: Self.interactions(user: "a", count: 10, latency: 900))
            await controller.tick()
            let state = try await Self.rollout(client)
            #expect(state.phase == "beta")
            let audit = try await client.request(.get, "/v1/audit?action=rollout.promote", key: TestServer.adminKey)
            #expect(audit.decoded(AuditPage.self)?.entries.first?.actor == "liftoff")
        }
    }

    @Test func theRolloutSurvivesARestart() async throws {
        let server = try await TestServer(plan: Self.plan)
        try await server.withClient { client in
            _ = try await client.request(.post, "/v1/rollout/promote", key: TestServer.adminKey, json: #"{"force":true,"reason":"go"}"#)
            _ = try await client.request(.post, "/v1/audience/invite", key: TestServer.keys[.operate], json: #"{"userIds":["a"]}"#)
        }
        // A new process: the same file opened afresh.
        let reopened = try SQLiteStore.open(at: server.configuration.databasePath, now: server.clock.now())
        try await buildApplication(server.configuration, store: reopened).application.test(.router) { client in
            let phase = try await Self.rollout(client).phase
            let reason = try await Self.evaluate(client, "a").reason
            #expect(phase == "alpha")
            #expect(reason == "invited")
        }
        var other = server.configuration
        other.plan.rollout = "another"
        await #expect(throws: ConfigurationError.self) { try await buildApplication(other, store: reopened) }
    }
}
