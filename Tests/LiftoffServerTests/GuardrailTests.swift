import Crypto
import Foundation
import LiftoffAPI
import Hummingbird
import HummingbirdTesting
import LiftoffCore
import LiftoffStore
@testable import LiftoffSQLite
import Testing
@testable import LiftoffServer

@Suite("Guardrails: rules, actions, alerts, incidents, webhooks")
struct GuardrailTests {
    static func plan(hook: String = "http://127.0.0.1:9/hook", extra: String = "") -> Plan {
        try! PlanDecoder.decode(yaml: """
            rollout: ai-tutor
            config: { promptProfile: standard, maxTokens: 1024 }
            phases:
              - name: internal
                audience: { groups: { developers: [dev-1, dev-2] } }
              - name: full
                audience: { percentage: 100 }
            adjustments:
              - { trigger: response_time.p95, threshold: 3000, action: scale_resources, minSamples: 10 }
              - { trigger: token_usage, threshold: 5000, action: optimize_prompts }
            rollback:
              - { trigger: error_rate, threshold: 0.05, minSamples: 20 }
              - { trigger: critical_security_issues, threshold: 0 }
            actions:
              scale_resources: { webhook: { url: "\(hook)", secret: "s3cret" } }
              optimize_prompts: { set: { promptProfile: economy, maxTokens: 512 } }
            alerts:
              routes:
                - { url: "\(hook)", format: alertmanager, minSeverity: critical }
            \(extra)
            """)
    }

    static func interactions(_ count: Int, user: String = "dev-1", outcome: String = "ok", latency: Int = 500, tokens: Int = 10) -> String {
        let events = (0..<count).map { index in
            #"{"type":"ai_interaction","userId":"\#(user)","latencyMs":\#(latency),"outcome":"\#(index % 2 == 0 ? outcome : "ok")","inputTokens":\#(tokens)}"#
        }
        return #"{"events":[\#(events.joined(separator: ","))]}"#
    }

    @Test func anErrorSpikeRollsBackAndWritesAnIncident() async throws {
        let server = try await TestServer(plan: Self.plan())
        let built = try await server.build()
        let guardrails = built.guardrails
        try await built.application.test(.router) { client in
            _ = try await client.request(.post, "/v1/events", json: Self.interactions(30, outcome: "ok"))
            await guardrails.tick()
            #expect(try await RolloutAPITests.evaluate(client, "dev-1").enabled == true)

            // 20 of 40 calls fail: even the lower 99.9% bound of the error rate is far above 5%.
            _ = try await client.request(.post, "/v1/events", json: Self.interactions(40, outcome: "timeout"))
            await guardrails.tick()
            let answer = try await RolloutAPITests.evaluate(client, "dev-1")
            #expect(answer.reason == "rolled_back")
            #expect(answer.variant == .control)
            #expect(try await RolloutAPITests.rollout(client).status.rawValue == "rolled_back")

            let alerts = try await client.request(.get, "/v1/alerts", key: TestServer.keys[.read]).decoded(AlertList.self)?.alerts ?? []
            let alert = try #require(alerts.first { $0.rule == "rollback[0]" })
            #expect(alert.status == "firing")
            #expect(alert.labels["phase"] == "internal")
            #expect(alert.annotations["samples"] == "70")

            let incidents = try await client.request(.get, "/v1/incidents", key: TestServer.keys[.read]).decoded(IncidentList.self)?.incidents ?? []
            #expect(incidents.count == 1)
            let id = incidents.first?.id ?? 0
            let report = try await client.request(.get, "/v1/incidents/\(id)", key: TestServer.keys[.read]).decode(IncidentReport.self)
            #expect(report.trigger == "error_rate above 0.05 over 5m")
            #expect(report.affectedUsers == 1)
            #expect(report.actions == ["rollback"])
            #expect(report.failingInteractions?.count == 20)
            #expect(report.failingInteractions?.first?["outcome"] == .string("timeout"))
            #expect(report.series?.contains { $0.samples > 0 } == true)
            let timeline = (report.timeline ?? []).map(\.what)
            #expect(timeline.contains("rollout.rollback") && timeline.contains("guardrail.fired"))
            let markdown = try await client.request(.get, "/v1/incidents/\(id)?format=md", key: TestServer.keys[.read])
            #expect(String(buffer: markdown.body).hasPrefix("# Incident \(id): error_rate above 0.05 over 5m"))
            // Lists are text, not JSON.
            #expect(String(buffer: markdown.body).contains("- **Actions**: rollback\n"))
            let incident = try await client.request(.get, "/v1/incidents/\(id)", key: TestServer.keys[.read])
            let document = try incident.decode(IncidentReport.self)
            #expect(document.id == id && document.actions == ["rollback"] && document.failingInteractions?.count == 20)
            #expect(try APICoding.text(document) == String(buffer: incident.body))
            #expect(document.markdown == String(buffer: markdown.body))
            #expect(try await client.request(.get, "/v1/incidents", key: TestServer.keys[.read]).decode(IncidentList.self)
                .incidents.map(\.failingInteractions) == [nil])
            #expect(try await client.request(.get, "/v1/incidents/999", key: TestServer.keys[.read]).status == .notFound)

            // The rollback went to the critical alert route through the outbox.
            let deliveries = try await client.request(.get, "/v1/deliveries", key: TestServer.keys[.read]).decoded(DeliveryList.self)?.deliveries ?? []
            #expect(deliveries.contains { $0.kind == "alert" && $0.rule == "rollback[0]" })
        }
    }

    /// The report's case: a security rollback said "critical_security_issues above 0 over 5m" and not what was
    /// found. The alert, its chat line and the incident now name the findings the rule counted, and only those
    /// (a low finding does not show on the critical rule).
    @Test func aSecurityAlertNamesItsFindings() async throws {
        let server = try await TestServer(plan: Self.plan())
        let built = try await server.build()
        let guardrails = built.guardrails
        try await built.application.test(.router) { client in
            _ = try await client.request(.post, "/v1/events", json: """
                {"events":[{"type":"security_issue","severity":"low","title":"header missing"},
                           {"type":"security_issue","severity":"critical","title":"SQL injection in /search"}]}
                """)
            await guardrails.tick()
            let alerts = try await client.request(.get, "/v1/alerts", key: TestServer.keys[.read]).decoded(AlertList.self)?.alerts ?? []
            let alert = try #require(alerts.first { $0.rule == "rollback[1]" })
            #expect(alert.annotations["findings"] == "critical: SQL injection in /search")
            #expect(alert.annotations["actions"] == "rollback")
            let incidents = try await client.request(.get, "/v1/incidents", key: TestServer.keys[.read]).decoded(IncidentList.self)?.incidents ?? []
            let id = try #require(incidents.first?.id)
            let report = try await client.request(.get, "/v1/incidents/\(id)", key: TestServer.keys[.read]).decode(IncidentReport.self)
            #expect(report.findings?.count == 1)
            #expect(report.findings?.first?["title"] == .string("SQL injection in /search"))
            #expect(report.markdown.contains("## Findings (newest first)"))
        }
        let record = try #require(try await built.store.alerts(limit: 10).first { $0.ruleId == "rollback[1]" })
        let slack = try JSONParser.parse(AlertMessages.body([record], format: .slack, rollout: "ai-tutor", externalURL: "http://liftoff", now: Date()))
        guard case .string(let text)? = slack["text"] else { Issue.record("no slack text"); return }
        #expect(text.contains("[FIRING] critical_security_issues above 0 over 5m → rollback — critical: SQL injection in /search"))
    }

    @Test func eachFiringActsOnceAcrossARestart() async throws {
        let server = try await TestServer(plan: Self.plan())
        do {
            let built = try await server.build()
            let guardrails = built.guardrails
            try await built.application.test(.router) { client in
                _ = try await client.request(.post, "/v1/events", json: Self.interactions(20, latency: 4000))
                await guardrails.tick()
            }
        }
        let store = try SQLiteStore(path: server.configuration.databasePath, now: server.clock.now())
        #expect(try await store.messages(limit: 100).filter { $0.kind == .webhook }.count == 1)
        // A new process on the same data: the rule is still firing, so nothing fires or acts again.
        let restarted = try await server.build()
        let guardrails = restarted.guardrails
        try await restarted.application.test(.router) { client in
            _ = try await client.request(.post, "/v1/events", json: Self.interactions(20, latency: 4000))
            await guardrails.tick()
            await guardrails.tick()
            let rules = try await client.request(.get, "/v1/guardrails", key: TestServer.keys[.read]).decoded(GuardrailsView.self)?.rules ?? []
            let scaling = try #require(rules.first { $0.id == "adjustments[0]" })
            #expect(scaling.state == "firing")
            #expect(scaling.firings == 1)
        }
        #expect(try await store.messages(limit: 100).filter { $0.kind == .webhook }.count == 1)
        #expect(try await store.alerts(limit: 100).filter { $0.ruleId == "adjustments[0]" }.count == 1)
    }

    @Test func resumeStartsAFreshEpoch() async throws {
        let server = try await TestServer(plan: Self.plan())
        let built = try await server.build()
        let guardrails = built.guardrails
        try await built.application.test(.router) { client in
            _ = try await client.request(.post, "/v1/events", json: #"{"events":[{"type":"security_issue","severity":"critical","title":"prompt injection"}]}"#)
            // Security issues carry no user: they count for the rollout as a whole, in control. The rule
            // watches treatment users, so the app reports it for the user it affected.
            _ = try await client.request(.post, "/v1/events", json: #"{"events":[{"type":"security_issue","userId":"dev-1","severity":"critical","title":"prompt injection"}]}"#)
            await guardrails.tick()
            #expect(try await RolloutAPITests.rollout(client).status.rawValue == "rolled_back")
            // Resumed within the same minute: the epoch, not the minute, separates before from after.
            server.clock.advance(by: 5)
            let resumed = try await client.request(.post, "/v1/rollout/resume", key: TestServer.keys[.operate], json: #"{"reason":"patched"}"#)
            #expect(resumed.decoded(RolloutView.self)?.status == .running)
            // The breach is still inside the rule's 5-minute window, but before the resume: it is not seen again.
            await guardrails.tick()
            await guardrails.tick()
            #expect(try await RolloutAPITests.rollout(client).status.rawValue == "running")
            let alerts = try await client.request(.get, "/v1/alerts", key: TestServer.keys[.read]).decoded(AlertList.self)?.alerts ?? []
            #expect(alerts.first { $0.rule == "rollback[1]" }?.status == "resolved")
        }
    }

    @Test func setOverridesTheConfigUntilTheRuleResolves() async throws {
        let server = try await TestServer(plan: Self.plan())
        let built = try await server.build()
        let guardrails = built.guardrails
        try await built.application.test(.router) { client in
            _ = try await client.request(.post, "/v1/events", json: Self.interactions(20, tokens: 400))
            await guardrails.tick()
            let config = try await RolloutAPITests.evaluate(client, "dev-1").config
            #expect(config["promptProfile"] == .string("economy"))
            #expect(config["maxTokens"] == .number(512))
            // Six minutes later the tokens have left the 5-minute window: the rule resolves, the override goes.
            server.clock.advance(by: 360)
            await guardrails.tick()
            let after = try await RolloutAPITests.evaluate(client, "dev-1").config
            #expect(after["promptProfile"] == .string("standard"))
        }
    }

    @Test func webhooksAreSignedAndRetriedUntilDelivered() async throws {
        let receiver = WebhookReceiver(failures: 2)
        try await receiver.run { url in
            var unconfigured = try await TestServer(plan: Self.plan(hook: url))
            // The test delivers by hand; the notifier service polling beside it would race it for each message.
            unconfigured.configuration.deliversMessages = false
            let server = consume unconfigured
            let built = try await server.build()
            let guardrails = built.guardrails
            var notifier = built.notifier
            notifier.baseBackoff = 1
            let configured = notifier
            try await built.application.test(.router) { client in
                _ = try await client.request(.post, "/v1/events", json: Self.interactions(20, latency: 4000))
                await guardrails.tick()
                for _ in 0..<3 {
                    #expect(await configured.deliverDue() == 1)
                    server.clock.advance(by: 10)
                }
                #expect(await configured.deliverDue() == 0)
                let deliveries = try await client.request(.get, "/v1/deliveries", key: TestServer.keys[.read]).decoded(DeliveryList.self)?.deliveries ?? []
                let webhook = try #require(deliveries.first { $0.kind == "webhook" })
                #expect(webhook.status == "delivered")
                #expect(webhook.attempts == 3)
            }
        }
        #expect(receiver.attemptCount == 3)
        let last = try #require(receiver.deliveries.last)
        let timestamp = try #require(last.headers["x-liftoff-timestamp"])
        #expect(last.headers["x-liftoff-signature"] == "sha256=" + Notifier.signature(secret: "s3cret", timestamp: timestamp, body: last.body))
        // Recomputed independently of the notifier's helper.
        let expected = HMAC<SHA256>.authenticationCode(for: Data("\(timestamp).\(last.body)".utf8), using: SymmetricKey(data: Data("s3cret".utf8)))
        #expect(last.headers["x-liftoff-signature"] == "sha256=" + expected.map { String(format: "%02x", $0) }.joined())
        let body = try JSONParser.parse(last.body)
        #expect(body["rule"] == .string("adjustments[0]"))
        #expect(body["action"] == .string("scale_resources"))
    }

    @Test func silencedAlertsAreRecordedButNotSent() async throws {
        let server = try await TestServer(plan: Self.plan())
        let built = try await server.build()
        let guardrails = built.guardrails
        try await built.application.test(.router) { client in
            let silence = try await client.request(.post, "/v1/silences", key: TestServer.keys[.operate], json: """
                {"matchers":{"metric":"critical_security_issues"},"endsAt":"2026-11-29T12:00:00Z","comment":"known pen test"}
                """)
            #expect(silence.status == .created)
            #expect(silence.decoded(SilenceView.self)?.createdBy == "operate-key")
            _ = try await client.request(.post, "/v1/events", json: #"{"events":[{"type":"security_issue","userId":"dev-1","severity":"critical","title":"pen test"}]}"#)
            await guardrails.tick()
            let alerts = try await client.request(.get, "/v1/alerts", key: TestServer.keys[.read]).decoded(AlertList.self)?.alerts ?? []
            #expect(alerts.first { $0.rule == "rollback[1]" }?.silenced == true)
            let deliveries = try await client.request(.get, "/v1/deliveries", key: TestServer.keys[.read]).decoded(DeliveryList.self)?.deliveries ?? []
            #expect(deliveries.filter { $0.kind == "alert" }.isEmpty)
            let bad = try await client.request(.post, "/v1/silences", key: TestServer.keys[.operate], json: #"{"matchers":{},"endsAt":"x","comment":"c"}"#)
            #expect(bad.status == .badRequest)
        }
    }

    @Test func alertmanagerPayloadHasTheWebhookShape() throws {
        let alert = AlertRecord(ruleId: "rollback[0]", firing: 1, fingerprint: "abc", severity: .critical,
                                labels: ["alertname": "rollback[0]", "rollout": "ai-tutor"], annotations: ["summary": "error_rate above 0.05 over 5m", "actions": "rollback"],
                                startsAt: Date(timeIntervalSince1970: 0))
        let body = try JSONParser.parse(AlertMessages.body([alert], format: .alertmanager, rollout: "ai-tutor", externalURL: "http://liftoff:8080", now: Date()))
        #expect(body["version"] == .string("4"))
        #expect(body["status"] == .string("firing"))
        #expect(body["receiver"] == .string("liftoff"))
        #expect(body["groupKey"] == .string(#"{}:{rollout="ai-tutor"}"#))
        #expect(body["commonLabels"]?["rollout"] == .string("ai-tutor"))
        guard case .array(let alerts)? = body["alerts"], case .object(let first)? = alerts.first else {
            Issue.record("no alerts array")
            return
        }
        #expect(Set(first.keys) == ["status", "labels", "annotations", "startsAt", "endsAt", "generatorURL", "fingerprint"])
        #expect(first["endsAt"] == .string("0001-01-01T00:00:00Z"))
        let slack = try JSONParser.parse(AlertMessages.body([alert], format: .slack, rollout: "ai-tutor", externalURL: "http://liftoff:8080", now: Date()))
        guard case .string(let text)? = slack["text"] else { Issue.record("no slack text"); return }
        #expect(text.contains("[FIRING] error_rate above 0.05 over 5m → rollback (rollout ai-tutor"))
        // Each format is its typed document: a receiver decodes it with the same types.
        let decoded = try APICoding.decoder.decode(AlertmanagerMessage.self, from: Data(try AlertMessages.body(
            [alert], format: .alertmanager, rollout: "ai-tutor", externalURL: "http://liftoff:8080", now: Date()).utf8))
        #expect(decoded.alerts.first?.generatorURL == "http://liftoff:8080/v1/alerts")
        let group = try APICoding.decoder.decode(AlertGroupMessage.self, from: Data(try AlertMessages.body(
            [alert], format: .json, rollout: "ai-tutor", externalURL: "http://liftoff:8080", now: Date()).utf8))
        #expect(group.status == "firing" && group.alerts.first?.rule == "rollback[0]" && group.url == "http://liftoff:8080/v1/alerts")
    }

    /// The seed's own rules, from the example plan, on crafted traffic. The plan's receivers are example
    /// hosts; they are pointed at a closed loopback port so that no test sends anything off this machine.
    @Test func theSeedsRulesFire() async throws {
        let yaml = try String(contentsOf: URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("examples/learning-platform.yml"), encoding: .utf8)
            .replacingOccurrences(of: "https://infra.example/scale", with: "http://127.0.0.1:9/scale")
            .replacingOccurrences(of: "https://hooks.example/alerts", with: "http://127.0.0.1:9/alerts")
        let plan = try PlanDecoder.decode(yaml: yaml)
        let server = try await TestServer(plan: plan)
        let built = try await server.build()
        let guardrails = built.guardrails
        try await built.application.test(.router) { client in
            // Responses of 6 s from developers: above the 3 s adjustment and the 5 s rollback trigger.
            _ = try await client.request(.post, "/v1/events", json: Self.interactions(25, user: "dev-3", latency: 6000))
            await guardrails.tick()
            let rules = try await client.request(.get, "/v1/guardrails", key: TestServer.keys[.read]).decoded(GuardrailsView.self)?.rules ?? []
            let firing = Set(rules.filter { $0.state == "firing" }.map(\.id))
            #expect(firing == ["adjustments[0]", "rollback[1]", "scaling.responseTime"])
            #expect(try await RolloutAPITests.rollout(client).status.rawValue == "rolled_back")
            let webhooks = try await client.request(.get, "/v1/deliveries", key: TestServer.keys[.read]).decoded(DeliveryList.self)?.deliveries ?? []
            #expect(webhooks.filter { $0.target == "http://127.0.0.1:9/scale" }.count == 2)
        }
    }
}
