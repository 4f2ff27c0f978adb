import Foundation
import Hummingbird
import HummingbirdTesting
import LiftoffAPI
import LiftoffCore
import Testing
@testable import LiftoffServer

/// An `alertmanager_api` route pushes to Alertmanager's `POST /api/v2/alerts`: new firings at once, what
/// still fires every minute (with `endsAt` ahead, so a silent sender's alerts resolve), a resolution with its
/// `endsAt`. The real Alertmanager is `scripts/alertmanager-push.py`, in CI.
@Suite("Alertmanager route")
struct AlertmanagerRouteTests {
    static let target = "http://127.0.0.1:9/api/v2/alerts"

    static func plan() throws -> Plan {
        try PlanDecoder.decode(yaml: """
            rollout: ai-tutor
            config: { promptProfile: standard, maxTokens: 1024 }
            phases:
              - name: internal
                audience: { groups: { developers: [dev-1, dev-2] } }
            adjustments:
              - { trigger: token_usage, threshold: 5000, action: optimize_prompts }
            actions:
              optimize_prompts: { set: { promptProfile: economy, maxTokens: 512 } }
            alerts:
              routes:
                - { url: "\(target)", format: alertmanager_api, minSeverity: info }
            """)
    }

    static func pushes(_ server: borrowing TestServer) async throws -> [[AlertmanagerPostableAlert]] {
        try await server.store.messages(limit: 100).filter { $0.target == target }.sorted { ($0.id ?? 0) < ($1.id ?? 0) }.map {
            try APICoding.decoder.decode([AlertmanagerPostableAlert].self, from: Data($0.body.utf8))
        }
    }

    @Test func firingIsPushedResentEveryMinuteAndResolved() async throws {
        var unconfigured = try await TestServer(plan: try Self.plan())
        unconfigured.configuration.deliversMessages = false
        unconfigured.configuration.externalURL = "https://liftoff.example"
        let server = consume unconfigured
        let built = try await server.build()
        let guardrails = built.guardrails
        let fired = server.clock.now()
        try await built.application.test(.router) { client in
            _ = try await client.request(.post, "/v1/events", json: GuardrailTests.interactions(20, tokens: 400))
            await guardrails.tick()
            var pushes = try await Self.pushes(server)
            #expect(pushes.count == 1)
            let first = try #require(pushes.first?.first)
            #expect(first.labels["rule"] == "adjustments[0]" && first.labels["alertname"] == "adjustments[0]")
            #expect(first.annotations["threshold"] == "5000")
            #expect(first.startsAt == Timestamp.format(fired))
            #expect(first.endsAt == Timestamp.format(fired.addingTimeInterval(240)))
            #expect(first.generatorURL == "https://liftoff.example/alerts")

            // Within the minute nothing changes and nothing is re-sent; after it, the firing alert is.
            server.clock.advance(by: 30)
            await guardrails.tick()
            #expect(try await Self.pushes(server).count == 1)
            server.clock.advance(by: 31)
            await guardrails.tick()
            pushes = try await Self.pushes(server)
            #expect(pushes.count == 2)
            #expect(pushes.last?.first?.startsAt == Timestamp.format(fired))
            #expect(pushes.last?.first?.endsAt == Timestamp.format(server.clock.now().addingTimeInterval(240)))

            // The tokens leave the window: resolved, with the time it ended.
            server.clock.advance(by: 360)
            await guardrails.tick()
            pushes = try await Self.pushes(server)
            #expect(pushes.count == 3)
            #expect(pushes.last?.first?.endsAt == Timestamp.format(server.clock.now()))
        }
    }

    /// Reported by a new user: after a rollback nothing was re-sent, so Alertmanager resolved alerts that
    /// Liftoff still showed firing.
    @Test func whatFiredIsResentWhileRolledBack() async throws {
        let plan = try PlanDecoder.decode(yaml: """
            rollout: ai-tutor
            phases:
              - name: internal
                audience: { groups: { developers: [dev-1, dev-2] } }
            rollback:
              - { trigger: response_time.p95, threshold: 5000, minSamples: 10 }
            alerts:
              routes:
                - { url: "\(Self.target)", format: alertmanager_api, minSeverity: info }
            """)
        var unconfigured = try await TestServer(plan: plan)
        unconfigured.configuration.deliversMessages = false
        let server = consume unconfigured
        let built = try await server.build()
        let guardrails = built.guardrails
        try await built.application.test(.router) { client in
            _ = try await client.request(.post, "/v1/events", json: GuardrailTests.interactions(20, latency: 6000))
            await guardrails.tick()
            #expect(try await RolloutAPITests.rollout(client).status.rawValue == "rolled_back")
            #expect(try await Self.pushes(server).count == 1)
            server.clock.advance(by: 61)
            await guardrails.tick()
            let pushes = try await Self.pushes(server)
            #expect(pushes.count == 2)
            #expect(pushes.last?.first?.labels["rule"] == "rollback[0]")
            #expect(pushes.last?.first?.endsAt == Timestamp.format(server.clock.now().addingTimeInterval(240)))
        }
    }

    /// Reported by a new user: a push waited behind another receiver's timeouts. Receivers are served side by
    /// side: with the first route's receiver hanging, the second still gets its message.
    @Test func aHangingReceiverHoldsNoOtherBack() async throws {
        let receiver = WebhookReceiver(failures: 0)
        try await receiver.run { url in
            let base = url.replacingOccurrences(of: "/hook", with: "")
            var unconfigured = try await TestServer(plan: try PlanDecoder.decode(yaml: """
                rollout: ai-tutor
                phases:
                  - name: internal
                    audience: { groups: { developers: [dev-1, dev-2] } }
                adjustments:
                  - { trigger: token_usage, threshold: 5000, action: notify }
                alerts:
                  routes:
                    - { url: "\(base)/stall", minSeverity: info }
                    - { url: "\(base)/hook", minSeverity: info }
                """))
            unconfigured.configuration.deliversMessages = false
            let server = consume unconfigured
            let built = try await server.build()
            let guardrails = built.guardrails
            var configured = built.notifier
            configured.timeout = .seconds(30)  // longer than the wait below: only side-by-side delivery passes
            let notifier = configured
            try await built.application.test(.router) { client in
                _ = try await client.request(.post, "/v1/events", json: GuardrailTests.interactions(20, tokens: 400))
                await guardrails.tick()
                try await withThrowingTaskGroup(of: Int.self) { group in
                    group.addTask { await notifier.deliverDue() }
                    // Bounded wait for the second receiver's message while the first one hangs.
                    for _ in 0..<200 where receiver.deliveries.isEmpty { try await Task.sleep(for: .milliseconds(25)) }
                    #expect(receiver.deliveries.count == 1, "the second route waited behind the hanging one")
                    receiver.releaseStalled()
                    #expect(try await group.next() == 2)
                }
            }
        }
    }

    @Test func theRouteMustPointAtTheAlertsAPI() {
        do {
            _ = try PlanDecoder.decode(yaml: """
                rollout: t
                phases: [{ name: a, audience: { percentage: 100 } }]
                alerts: { routes: [{ url: "http://alertmanager:9093", format: alertmanager_api }] }
                """)
            Issue.record("a route posting to Alertmanager's root was accepted")
        } catch {
            #expect(error.problems.map(\.description) == [
                "line 3, column 27: alerts.routes[0].url: an alertmanager_api route posts to Alertmanager's /api/v2/alerts: "
                    + "'http://alertmanager:9093' does not end in it",
            ])
        }
    }
}
