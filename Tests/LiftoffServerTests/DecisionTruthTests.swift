import Foundation
import LiftoffAPI
import Hummingbird
import HummingbirdTesting
import LiftoffCore
import Testing
@testable import LiftoffServer

/// The faults of the decision-truth issue, each with its exact input, over HTTP against the real app.
@Suite("Decision truth")
struct DecisionTruthTests {
    static let scannerPlan = try! PlanDecoder.decode(yaml: """
        rollout: ai-tutor
        phases:
          - name: internal
            audience: { groups: { developers: [dev-1, dev-2] } }
          - name: full
            audience: { percentage: 100 }
        rollback:
          - { trigger: critical_security_issues, threshold: 0 }
          - { trigger: resource_usage, threshold: 0.9, minSamples: 1 }
        """)

    static func metric(_ client: some TestClientProtocol, _ name: String, variant: String? = nil) async throws -> Double? {
        let query = "/v1/metrics?names=\(name)&window=1h" + (variant.map { "&variant=\($0)" } ?? "")
        return try await client.request(.get, query, key: TestServer.keys[.read]).metric(name)?.value
    }

    /// A finding from a scanner has no user: it counts once, with treatment, and rolls back as one from a
    /// treatment user does.
    @Test func aFindingWithoutAUserRollsBack() async throws {
        let server = try await TestServer(plan: Self.scannerPlan)
        let built = try await server.build()
        let guardrails = built.guardrails
        try await built.application.test(.router) { client in
            let sent = try await client.request(.post, "/v1/events", key: TestServer.keys[.ingest],
                                                json: #"{"events":[{"type":"security_issue","severity":"critical","title":"prompt injection"}]}"#)
            #expect(sent.decoded(IngestReport.self)?.accepted == 1)
            #expect(try await Self.metric(client, "critical_security_issues") == 1)
            #expect(try await Self.metric(client, "critical_security_issues", variant: "treatment") == 1)
            #expect(try await Self.metric(client, "critical_security_issues", variant: "control") == 0)
            await guardrails.tick()
            #expect(try await RolloutAPITests.rollout(client).status.rawValue == "rolled_back")
            #expect(try await RolloutAPITests.evaluate(client, "dev-1").variant == .control)
            let incidents = try await client.request(.get, "/v1/incidents", key: TestServer.keys[.read]).decoded(IncidentList.self)?.incidents
            #expect(incidents?.contains { $0.rule == "rollback[0]" && $0.actions == ["rollback"] } == true)

            // After the rollback nobody is in treatment: a userless sample counts with control, still once.
            _ = try await client.request(.post, "/v1/events", key: TestServer.keys[.ingest],
                                         json: #"{"events":[{"type":"resource","cpu":0.5,"memory":0.4}]}"#)
            #expect(try await Self.metric(client, "resource_usage", variant: "control") == 0.5)
            #expect(try await Self.metric(client, "resource_usage", variant: "treatment") == nil)
            #expect(try await Self.metric(client, "resource_usage") == 0.5)
        }
    }

    /// The same holds for an integrity check and an infrastructure sample, and `/v1/guardrails` says so.
    @Test func systemEventsCountWithTreatmentAndTheGuardrailsSaySo() async throws {
        let server = try await TestServer(plan: Self.scannerPlan)
        let built = try await server.build()
        let guardrails = built.guardrails
        try await built.application.test(.router) { client in
            _ = try await client.request(.post, "/v1/events", key: TestServer.keys[.ingest], json: """
                {"events":[{"type":"integrity_violation","check":"progress-sync","detail":"lost update"},
                           {"type":"resource","cpu":0.95,"memory":0.5,"infraCostUsd":2.5},
                           {"type":"ai_interaction","userId":"dev-1","latencyMs":10,"outcome":"ok","costUsd":0.5}]}
                """)
            #expect(try await Self.metric(client, "data_inconsistencies", variant: "treatment") == 1)
            #expect(try await Self.metric(client, "data_inconsistencies", variant: "control") == 0)
            #expect(try await Self.metric(client, "infrastructure_costs") == 2.5)
            // Spend per user: the interaction's cost and the phase's infrastructure, over the one treatment user.
            #expect(try await Self.metric(client, "cost_per_user", variant: "treatment") == 3.0)
            let view = try await client.request(.get, "/v1/guardrails", key: TestServer.keys[.read]).decode(GuardrailsView.self)
            #expect(view.eventsWithoutUser.contains("with treatment"))
            let counts = Dictionary(uniqueKeysWithValues: view.rules.map { ($0.id, $0.countsEventsWithoutUser) })
            #expect(counts["rollback[0]"] == true && counts["rollback[1]"] == true)
            #expect(counts["alerts.errorRateSpike"] == false)
            await guardrails.tick()
            // cpu 0.95 from an unattributed sample breaches resource_usage above 0.9.
            #expect(try await RolloutAPITests.rollout(client).status.rawValue == "rolled_back")
        }
    }

    /// One interaction of 1234 ms: every percentile is 1234 in values and series, never a bucket's 1224.38.
    @Test func percentilesStayWithinWhatWasObserved() async throws {
        let server = try await TestServer()
        try await server.withClient { client in
            _ = try await client.request(.post, "/v1/events", key: TestServer.keys[.ingest],
                                         json: #"{"events":[{"type":"ai_interaction","userId":"u-1","latencyMs":1234,"outcome":"ok"}]}"#)
            let values = try await client.request(.get, "/v1/metrics?names=response_time.p50,response_time.p95,response_time.p99,response_time&window=1h",
                                                  key: TestServer.keys[.read])
            for name in ["response_time.p50", "response_time.p95", "response_time.p99", "response_time"] {
                #expect(values.metric(name)?.value == 1234, "\(name)")
            }
            let series = try await client.request(.get, "/v1/metrics/series?name=response_time.p99&window=1h&step=5m", key: TestServer.keys[.read])
            #expect(try series.decode(MetricSeries.self).points.compactMap(\.value) == [1234])
        }
    }

    /// `?feature=code_analysis` was answered for every feature as if the filter applied. A plan without that
    /// dimension now says so (breakdowns: `BreakdownAPITests`); a parameter nobody reads is still refused.
    @Test func unknownQueryParametersAreRejectedEverywhere() async throws {
        let server = try await TestServer()
        try await server.withClient { client in
            let metrics = try await client.request(.get, "/v1/metrics?names=error_rate&feature=code_analysis", key: TestServer.keys[.read])
            #expect(metrics.status == .badRequest)
            #expect(metrics.errorMessage == "feature: the plan does not break numbers down by feature; it declares no dimensions "
                + "(add `dimensions:` to the plan)")
            let unknown = try await client.request(.get, "/v1/metrics?names=error_rate&lesson=x", key: TestServer.keys[.read])
            #expect(unknown.errorMessage == "unknown query parameter 'lesson': GET /v1/metrics takes window, names, phase, variant, "
                + "feature, model, skillLevel, region, groupBy")
            for (method, path, key) in [(HTTPRequest.Method.get, "/v1/rollout?verbose=1", TestServer.keys[.read]!),
                                        (.get, "/v1/metrics/series?name=error_rate&lesson=x", TestServer.keys[.read]!),
                                        (.get, "/v1/feedback?feature=x", TestServer.keys[.read]!),
                                        (.get, "/v1/reports/internal?lang=en", TestServer.keys[.read]!),
                                        (.post, "/v1/events?dryRun=true", TestServer.keys[.ingest]!),
                                        (.get, "/healthz?x=1", TestServer.adminKey)] {
                let answer = try await client.request(method, path, key: key, json: method == .post ? #"{"events":[]}"# : nil)
                #expect(answer.status == .badRequest, "\(path)")
                #expect(answer.errorMessage?.hasPrefix("unknown query parameter") == true, "\(path)")
            }
            // Known parameters still work.
            #expect(try await client.request(.get, "/v1/metrics?names=error_rate&window=5m&variant=treatment", key: TestServer.keys[.read]).status == .ok)
        }
    }

    /// `error_rate below 0.05` with too few calls to tell: the API says inconclusive and how many more.
    @Test func theGateSaysWhatTheDataCannotShowYet() async throws {
        let server = try await TestServer(plan: RolloutAPITests.plan)
        try await server.withClient { client in
            // 3 errors in 100 calls against "below 0.05": 3%, but the Wilson upper bound is 8.5%.
            let events = (0..<100).map { index in
                #"{"type":"ai_interaction","userId":"dev-1","latencyMs":500,"outcome":"\#(index < 3 ? "timeout" : "ok")"}"#
            }
            _ = try await client.request(.post, "/v1/events", key: TestServer.keys[.ingest], json: #"{"events":[\#(events.joined(separator: ","))]}"#)
            let criteria = try await RolloutAPITests.rollout(client).gate.criteria
            let errors = try #require(criteria.first { $0.metric == "error_rate" })
            #expect(errors.verdict == .inconclusive)
            #expect(abs((errors.lowerBound ?? 0) - 0.010_255) < 1e-4)
            #expect(abs((errors.upperBound ?? 0) - 0.084_565) < 1e-4)
            #expect((errors.samplesNeeded ?? 0) > 0)
            let security = try #require(criteria.first { $0.metric == "critical_security_issues" })
            #expect(security.verdict == .pass)
            #expect(security.samplesNeeded == 0)
            #expect(security.lowerBound == nil && security.upperBound == nil)
            // On the wire, the missing bounds are explicit nulls (the contract), not absent members.
            let wire = try await client.request(.get, "/v1/rollout", key: TestServer.keys[.read]).wire
            let wireCriteria = (wire["gate"] as? [String: Any])?["criteria"] as? [[String: Any]] ?? []
            let wireSecurity = try #require(wireCriteria.first { $0["metric"] as? String == "critical_security_issues" })
            #expect(wireSecurity["lowerBound"] is NSNull && wireSecurity["upperBound"] is NSNull)
        }
    }

    /// A promotion between judging the gate and reading the rollout's state (the demo's automatic promotion to
    /// the last phase racing a `GET /v1/rollout`) crashed the server indexing past the plan's end. The view now
    /// judges the gate of the snapshot it shows, and a gate of an earlier phase beside the last phase's
    /// snapshot still reads as the last phase, never a crash.
    @Test func aPromotionBetweenGateAndStateCannotCrashTheView() async throws {
        let server = try await TestServer(plan: GuardrailTests.plan())
        let built = try await server.build()
        let controller = built.controller
        try await built.application.test(.router) { client in
            let before = await controller.state.snapshot
            let earlierGate = try await controller.gate(of: before)
            #expect(!earlierGate.isFinal)
            while try await RolloutAPITests.rollout(client).gate.final == false {
                let forced = try await client.request(.post, "/v1/rollout/promote", json: #"{"force":true,"reason":"to the end"}"#)
                #expect(forced.status == .ok)
            }
            let last = await controller.state.snapshot
            let view = RolloutView(snapshot: last, gate: earlierGate, audience: AudienceSize(invited: 0, admitted: 0), now: server.clock.now())
            #expect(view.summary == "'\(last.phase.name)' is live: the last phase of the plan; guardrails keep watching.")
            #expect(try await controller.gate(of: last).isFinal)
        }
    }

    /// In the last phase the rollout says it is live, does not pretend a gate is missing, and keeps watching.
    @Test func theLastPhaseIsLiveAndWatched() async throws {
        let server = try await TestServer(plan: GuardrailTests.plan())
        let built = try await server.build()
        let guardrails = built.guardrails
        try await built.application.test(.router) { client in
            let forced = try await client.request(.post, "/v1/rollout/promote", json: #"{"force":true,"reason":"general availability"}"#)
            #expect(forced.status == .ok)
            let rollout = try await RolloutAPITests.rollout(client)
            #expect(rollout.phase == "full")
            #expect(rollout.summary == "'full' is live: the last phase of the plan; guardrails keep watching.")
            #expect(rollout.gate.final == true)
            #expect(rollout.gate.ready == false)
            #expect(rollout.gate.unmet.contains { $0.contains("last phase") } == false)
            let promote = try await client.request(.post, "/v1/rollout/promote", key: TestServer.keys[.operate], json: #"{"reason":"next"}"#)
            #expect(promote.status == .conflict)
            #expect(promote.errorMessage?.contains("'full' is the last phase and it is live") == true)
            // Its guardrails keep watching: a critical finding still rolls back.
            _ = try await client.request(.post, "/v1/events", key: TestServer.keys[.ingest],
                                         json: #"{"events":[{"type":"security_issue","severity":"critical","title":"x"}]}"#)
            await guardrails.tick()
            #expect(try await RolloutAPITests.rollout(client).status.rawValue == "rolled_back")
        }
    }
}
