import Foundation
import LiftoffAPI
import Hummingbird
import HummingbirdTesting
import LiftoffCore
import LiftoffStore
@testable import LiftoffSQLite
import Testing
@testable import LiftoffServer

@Suite("The seed's alert kinds, grouping and repeats")
struct AlertKindsTests {
    static func plan(_ alerts: String) -> Plan {
        try! PlanDecoder.decode(yaml: """
            rollout: ai-tutor
            phases:
              - name: internal
                audience: { groups: { developers: [dev-1, dev-2] } }
            rollback:
              - { trigger: error_rate, threshold: 0.05, minSamples: 20 }
            alerts:
            \(alerts)
            """)
    }

    static func interactions(_ count: Int, errors: Int, cost: Double? = nil) -> String {
        let events = (0..<count).map { index in
            let costField = cost.map { #","costUsd":\#($0)"# } ?? ""
            return #"{"type":"ai_interaction","userId":"dev-\#(1 + index % 2)","latencyMs":300,"outcome":"\#(index < errors ? "api_error" : "ok")"\#(costField)}"#
        }
        return #"{"events":[\#(events.joined(separator: ","))]}"#
    }

    static func firing(_ client: some TestClientProtocol) async throws -> [String: String] {
        let alerts = try await client.request(.get, "/v1/alerts", key: TestServer.keys[.read]).decoded(AlertList.self)?.alerts ?? []
        var result: [String: String] = [:]
        for alert in alerts where alert.status == "firing" { result[alert.rule] = alert.severity }
        return result
    }

    /// An error rate of 6% after an hour at 1%: below the 5% rollback trigger (its lower 99.9% bound is under 5%),
    /// but more than twice its baseline, so the spike alert fires and nothing is rolled back.
    @Test func errorRateSpikesAgainstTheTrailingBaseline() async throws {
        let server = try await TestServer(plan: Self.plan("  routes: []"))
        let built = try await server.build()
        let guardrails = built.guardrails
        try await built.application.test(.router) { client in
            for _ in 0..<13 {
                _ = try await client.request(.post, "/v1/events", json: Self.interactions(100, errors: 1))
                server.clock.advance(by: 300)
            }
            _ = try await client.request(.post, "/v1/events", json: Self.interactions(400, errors: 24))
            await guardrails.tick()
            let alerts = try await Self.firing(client)
            #expect(alerts["alerts.errorRateSpike"] == "warning")
            #expect(alerts["rollback[0]"] == nil)
            #expect(try await RolloutAPITests.rollout(client).status.rawValue == "running")
        }
    }

    @Test func theSameRateWithoutABaselineIsNotASpike() async throws {
        let server = try await TestServer(plan: Self.plan("  routes: []"))
        let built = try await server.build()
        let guardrails = built.guardrails
        try await built.application.test(.router) { client in
            _ = try await client.request(.post, "/v1/events", json: Self.interactions(400, errors: 24))
            await guardrails.tick()
            #expect(try await Self.firing(client)["alerts.errorRateSpike"] == nil)
        }
    }

    /// Three hours at 0.12 USD an hour, then 2 USD within the hour: an anomaly against the trailing
    /// baseline, and over the daily budget of 1 USD.
    @Test func costAnomaliesAndTheDailyBudget() async throws {
        let server = try await TestServer(plan: Self.plan("  dailyBudget: 1\n  routes: []"))
        let built = try await server.build()
        let guardrails = built.guardrails
        try await built.application.test(.router) { client in
            for _ in 0..<36 {
                _ = try await client.request(.post, "/v1/events", json: Self.interactions(1, errors: 0, cost: 0.01))
                server.clock.advance(by: 300)
                await guardrails.tick()
            }
            #expect(try await Self.firing(client).isEmpty)
            _ = try await client.request(.post, "/v1/events", json: Self.interactions(4, errors: 0, cost: 0.5))
            await guardrails.tick()
            let alerts = try await Self.firing(client)
            #expect(alerts["alerts.costAnomaly"] == "warning")
            #expect(alerts["alerts.dailyBudget"] == "critical")
        }
    }

    @Test func securityIssuesAlertBySeverity() async throws {
        let server = try await TestServer(plan: Self.plan("  routes: []"))
        let built = try await server.build()
        let guardrails = built.guardrails
        try await built.application.test(.router) { client in
            _ = try await client.request(.post, "/v1/events", json: """
                {"events":[{"type":"security_issue","userId":"dev-1","severity":"high","title":"token in logs"},
                           {"type":"security_issue","userId":"dev-2","severity":"low","title":"missing header"}]}
                """)
            await guardrails.tick()
            let alerts = try await Self.firing(client)
            #expect(alerts["alerts.security.high"] == "warning")
            #expect(alerts["alerts.security.low"] == "info")
            #expect(alerts["alerts.security.critical"] == nil)
        }
    }

    @Test func alertsOfOneEvaluationGoOutTogetherAndRepeat() async throws {
        let server = try await TestServer(plan: Self.plan("""
              repeatInterval: 1h
              routes:
                - { url: "http://127.0.0.1:9/alerts", format: json, minSeverity: info }
            """))
        let built = try await server.build()
        let guardrails = built.guardrails
        try await built.application.test(.router) { client in
            _ = try await client.request(.post, "/v1/events", json: """
                {"events":[{"type":"security_issue","userId":"dev-1","severity":"high","title":"a"},
                           {"type":"security_issue","userId":"dev-2","severity":"medium","title":"b"}]}
                """)
            await guardrails.tick()
            let store = try SQLiteStore(path: server.configuration.databasePath, now: server.clock.now())
            var messages = try await store.messages(limit: 10).filter { $0.kind == .alert }
            #expect(messages.count == 1)
            let first = try JSONParser.parse(messages[0].body)
            guard case .array(let grouped)? = first["alerts"] else { Issue.record("no alerts in the message"); return }
            #expect(grouped.count == 2)

            // Still firing (the issues stay in the 5-minute window): nothing new until the repeat interval.
            server.clock.advance(by: 120)
            await guardrails.tick()
            #expect(try await store.messages(limit: 10).filter { $0.kind == .alert }.count == 1)
            _ = try await client.request(.post, "/v1/events", json: """
                {"events":[{"type":"security_issue","userId":"dev-1","severity":"high","title":"a"},
                           {"type":"security_issue","userId":"dev-2","severity":"medium","title":"b"}]}
                """)
            // Keep the issues inside the window while an hour passes, then the firing alerts are sent again.
            for _ in 0..<12 {
                server.clock.advance(by: 290)
                _ = try await client.request(.post, "/v1/events", json: """
                    {"events":[{"type":"security_issue","userId":"dev-1","severity":"high","title":"a"},
                               {"type":"security_issue","userId":"dev-2","severity":"medium","title":"b"}]}
                    """)
                await guardrails.tick()
            }
            messages = try await store.messages(limit: 10).filter { $0.kind == .alert }
            #expect(messages.count == 2)
            let repeated = try JSONParser.parse(messages[0].body)
            #expect(repeated["status"] == .string("firing"))
        }
    }
}

@Suite("Guardrail actions on the audience and the config")
struct GuardrailActionTests {
    static let plan = try! PlanDecoder.decode(yaml: """
        rollout: ai-tutor
        config: { promptProfile: standard }
        phases:
          - name: alpha
            audience: { invite: { min: 1, max: 10 } }
        adjustments:
          - { trigger: response_time.p95, threshold: 3000, actions: [stop_admissions, cheaper], minSamples: 10 }
          - { trigger: response_time.p95, threshold: 1000, when: below, action: start_admissions, minSamples: 10 }
        actions:
          cheaper: { set: { promptProfile: economy }, sticky: true }
        alerts: { errorRateSpike: false, costAnomaly: false, securityIssues: false }
        """)

    @Test func stopAdmissionsAndStickySet() async throws {
        let server = try await TestServer(plan: Self.plan)
        let built = try await server.build()
        let guardrails = built.guardrails
        try await built.application.test(.router) { client in
            _ = try await client.request(.post, "/v1/audience/invite", key: TestServer.keys[.operate], json: #"{"userIds":["a-0","a-1","a-2"]}"#)
            _ = try await client.request(.post, "/v1/events", json: MetricsAPITests.interactions(Array(repeating: 4000, count: 12), user: "a"))
            await guardrails.tick()
            let refused = try await client.request(.post, "/v1/audience/invite", key: TestServer.keys[.operate], json: #"{"userIds":["b"]}"#)
            #expect(refused.status == .conflict)
            #expect(refused.errorMessage == "admissions are stopped by a guardrail (stop_admissions); a start_admissions action reopens them")
            #expect(try await RolloutAPITests.evaluate(client, "stranger").config["promptProfile"] == nil)
            #expect(try await RolloutAPITests.evaluate(client, "a-0").config["promptProfile"] == .string("economy"))

            // Latency recovers: the slow rule resolves (its sticky set stays), the fast rule reopens admissions.
            server.clock.advance(by: 400)
            // Bounding p95 from above at 99.9% takes at least 135 samples.
            _ = try await client.request(.post, "/v1/events", json: MetricsAPITests.interactions(Array(repeating: 300, count: 150), user: "a"))
            await guardrails.tick()
            #expect(try await client.request(.post, "/v1/audience/invite", key: TestServer.keys[.operate], json: #"{"userIds":["b"]}"#).status == .ok)
            #expect(try await RolloutAPITests.evaluate(client, "a-1").config["promptProfile"] == .string("economy"))
        }
    }
}
