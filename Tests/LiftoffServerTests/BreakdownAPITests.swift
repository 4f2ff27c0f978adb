import Foundation
import LiftoffAPI
import Hummingbird
import HummingbirdTesting
import LiftoffCore
import Testing
@testable import LiftoffServer

/// `GET /v1/metrics` and `/v1/metrics/series` by dimension: filters, `groupBy`, the cap's `other`, and the
/// 400s that name what may be asked.
@Suite("Breakdowns by dimension")
struct BreakdownAPITests {
    static func plan(_ dimensions: [MetricDimension: Int]) -> Plan {
        var plan = Plan(rollout: "r", phases: [PhasePlan(name: "alpha", audience: Audience(percentage: 100))])
        plan.dimensions = dimensions
        return plan
    }

    static func call(_ user: String, feature: String, latency: Int, outcome: String = "ok", region: String? = nil) -> String {
        let place = region.map { #","region":"\#($0)""# } ?? ""
        return #"{"type":"ai_interaction","userId":"\#(user)","feature":"\#(feature)","model":"m1","latencyMs":\#(latency),"outcome":"\#(outcome)"\#(place)}"#
    }

    static let traffic = #"{"events":["# + [
        call("u1", feature: "code_analysis", latency: 100, region: "eu"),
        call("u2", feature: "code_analysis", latency: 300, outcome: "timeout", region: "eu"),
        call("u3", feature: "path_generation", latency: 50, region: "us"),
        call("u3", feature: "hints", latency: 10),
        #"{"type":"feedback","userId":"u1","rating":2,"feature":"visual_aids"}"#,
    ].joined(separator: ",") + "]}"

    @Test func aFeatureFilterNarrowsTheNumbers() async throws {
        let server = try await TestServer(plan: Self.plan([.feature: 5, .region: 5]))
        try await server.withClient { client in
            #expect(try await client.request(.post, "/v1/events", json: Self.traffic).status == .ok)
            // The report's request: the filter is applied, not ignored.
            let answer = try await client.request(.get, "/v1/metrics?window=1h&names=interactions,response_time.avg,error_rate&feature=code_analysis")
            #expect(answer.status == .ok)
            #expect(answer.metric("interactions")?.value == 2)
            #expect(answer.metric("response_time.avg")?.value == 200)
            #expect(answer.metric("error_rate")?.value == 0.5)
            #expect(answer.decoded(MetricValues.self)?.segment == "feature=code_analysis")
            let whole = try await client.request(.get, "/v1/metrics?window=1h&names=interactions")
            #expect(whole.metric("interactions")?.value == 4)
            let region = try await client.request(.get, "/v1/metrics?window=1h&names=interactions&region=eu")
            #expect(region.metric("interactions")?.value == 2)
            let feedback = try await client.request(.get, "/v1/metrics?window=1h&names=user_satisfaction&feature=visual_aids")
            #expect(feedback.metric("user_satisfaction")?.value == 2, "feedback tagged with a feature counts in it")
        }
    }

    /// The seed's visual-aids effectiveness and progress-tracking accuracy, reported as the README says: feedback
    /// with `helpful` and `feature: visual_aids`, integrity checks with `passed` and `feature: progress_tracking`.
    @Test func visualAidsAndProgressTrackingAreJudgedOnTheirOwnSamples() async throws {
        let server = try await TestServer(plan: Self.plan([.feature: 5]))
        let body = #"""
            {"events":[
             {"type":"feedback","userId":"u1","feature":"visual_aids","helpful":true,"interactionId":"i1"},
             {"type":"feedback","userId":"u2","feature":"visual_aids","helpful":true},
             {"type":"feedback","userId":"u3","feature":"visual_aids","helpful":false},
             {"type":"feedback","userId":"u3","rating":5,"helpful":false},
             {"type":"integrity_check","userId":"u1","check":"progress-matches-completions","passed":true,"feature":"progress_tracking"},
             {"type":"integrity_check","userId":"u2","check":"progress-matches-completions","passed":true,"feature":"progress_tracking"},
             {"type":"integrity_check","userId":"u3","check":"progress-matches-completions","passed":true,"feature":"progress_tracking"},
             {"type":"integrity_check","check":"progress-matches-completions","passed":false,"feature":"progress_tracking","detail":"u4: 3 recorded, 2 completed"},
             {"type":"integrity_check","userId":"u1","check":"progress-matches-completions","feature":"progress_tracking"}
            ]}
            """#
        try await server.withClient { client in
            let report = try #require(try await client.request(.post, "/v1/events", json: body).decoded(IngestReport.self))
            #expect(report.accepted == 8)
            #expect(report.rejected == [IngestRejection(index: 8, error: "passed: required (true when the check found the data consistent, false when it did not)")])
            let visual = try await client.request(.get, "/v1/metrics?window=1h&names=helpfulness_rate&feature=visual_aids")
            #expect(visual.metric("helpfulness_rate")?.value == 2.0 / 3)
            #expect(visual.metric("helpfulness_rate")?.samples == 3)
            let everyone = try await client.request(.get, "/v1/metrics?window=1h&names=helpfulness_rate,data_accuracy,data_inconsistencies")
            #expect(everyone.metric("helpfulness_rate")?.value == 0.5, "the untagged feedback counts for the whole population")
            let progress = try await client.request(.get, "/v1/metrics?window=1h&names=data_accuracy,data_inconsistencies&feature=progress_tracking")
            #expect(progress.metric("data_accuracy")?.value == 0.75)
            #expect(progress.metric("data_accuracy")?.samples == 4)
            #expect(progress.metric("data_inconsistencies")?.value == 1, "a failed check is an inconsistency found")
            #expect(everyone.metric("data_inconsistencies")?.value == 1)
        }
    }

    @Test func groupByAnswersEveryValueAndSaysWhenTheCapIsReached() async throws {
        let server = try await TestServer(plan: Self.plan([.feature: 3]))
        try await server.withClient { client in
            _ = try await client.request(.post, "/v1/events", json: Self.traffic)
            let answer = try await client.request(.get, "/v1/metrics?window=1h&names=interactions,user_satisfaction&groupBy=feature")
            #expect(answer.status == .ok)
            let groups = try answer.decode(MetricValues.self)
            #expect(groups.groupBy == "feature" && groups.maxValues == 3 && groups.full == true)
            // code_analysis, path_generation and hints took the three places; visual_aids came later.
            #expect(Set(groups.groups?.keys.map { $0 } ?? []) == ["code_analysis", "path_generation", "hints", "other"])
            #expect(groups.groups?["code_analysis"]?["interactions"]?.value == 2)
            #expect(groups.groups?["hints"]?["interactions"]?.value == 1)
            #expect(groups.groups?["other"]?["user_satisfaction"]?.value == 2)
            let series = try await client.request(.get, "/v1/metrics/series?name=interactions&window=10m&step=5m&groupBy=feature")
            #expect(series.status == .ok)
            let points = try series.decode(MetricSeries.self).groups?["code_analysis"] ?? []
            #expect(points.compactMap(\.value).reduce(0, +) == 2)
        }
    }

    @Test func whatCannotBeAnsweredIsA400ThatSaysWhy() async throws {
        let server = try await TestServer(plan: Self.plan([.feature: 3, .region: 5]))
        try await server.withClient { client in
            let undeclared = try await client.request(.get, "/v1/metrics?window=1h&model=m1")
            #expect(undeclared.status == .badRequest)
            #expect(undeclared.errorMessage == "model: the plan does not break numbers down by model; it declares feature, region")
            let grouped = try await client.request(.get, "/v1/metrics?groupBy=skillLevel")
            #expect(grouped.status == .badRequest)
            #expect(grouped.errorMessage?.contains("it declares feature, region") == true)
            let unknown = try await client.request(.get, "/v1/metrics?groupBy=country")
            #expect(unknown.errorMessage == "groupBy: 'country' is not a dimension; one of feature, model, skillLevel, region")
            let both = try await client.request(.get, "/v1/metrics?feature=a&region=eu")
            #expect(both.status == .badRequest)
            #expect(both.errorMessage?.contains("one dimension at a time") == true)
            let retention = try await client.request(.get, "/v1/metrics?feature=a&names=retention_d7")
            #expect(retention.status == .badRequest)
            #expect(retention.errorMessage?.contains("not kept per dimension value") == true)
            let empty = try await client.request(.get, "/v1/metrics?feature=")
            #expect(empty.status == .badRequest)
        }
        let none = try await TestServer(plan: Self.plan([:]))
        try await none.withClient { client in
            let answer = try await client.request(.get, "/v1/metrics?window=1h&feature=code_analysis")
            #expect(answer.status == .badRequest)
            #expect(answer.errorMessage == "feature: the plan does not break numbers down by feature; it declares no dimensions (add `dimensions:` to the plan)")
        }
    }
}

@Suite("GET /v1/insights/feature-usage")
struct FeatureUsageTests {
    @Test func sharesOfInteractionsAndUsersPerFeatureAndVariant() async throws {
        var plan = Plan(rollout: "r", phases: [PhasePlan(name: "alpha", audience: Audience(groups: [.init(name: "testers", members: ["u1", "u2"])]))])
        plan.dimensions = [.feature: 5]
        let server = try await TestServer(plan: plan)
        try await server.withClient { client in
            // Treatment (u1, u2): 3 calls of code_analysis by two users, 1 of hints; control (u3): 1 of hints, 1 without a feature.
            let events = [
                BreakdownAPITests.call("u1", feature: "code_analysis", latency: 1), BreakdownAPITests.call("u1", feature: "code_analysis", latency: 1),
                BreakdownAPITests.call("u2", feature: "code_analysis", latency: 1), BreakdownAPITests.call("u2", feature: "hints", latency: 1),
                BreakdownAPITests.call("u3", feature: "hints", latency: 1),
                #"{"type":"ai_interaction","userId":"u3","latencyMs":5,"outcome":"ok"}"#,
            ]
            #expect(try await client.request(.post, "/v1/events", json: #"{"events":[\#(events.joined(separator: ","))]}"#).status == .ok)
            let answer = try await client.request(.get, "/v1/insights/feature-usage?window=1h")
            #expect(answer.status == .ok)
            let usage = try answer.decode(FeatureUsage.self)
            #expect(usage.features.map(\.feature) == ["code_analysis", "hints"], "most used first")
            let code = try #require(usage.features.first?.variants["treatment"])
            #expect(code == FeatureUsage.Usage(interactions: 3, interactionShare: 0.75, users: 2, userShare: 1))
            let hints = try #require(usage.features.last?.variants["control"])
            #expect(hints == FeatureUsage.Usage(interactions: 1, interactionShare: 0.5, users: 1, userShare: 1))
            #expect(usage.features.first?.variants["control"] == FeatureUsage.Usage(interactions: 0, interactionShare: 0, users: 0, userShare: 0))
            let treatmentOnly = try await client.request(.get, "/v1/insights/feature-usage?window=1h&variant=treatment").decode(FeatureUsage.self)
            #expect(treatmentOnly.features.allSatisfy { $0.variants.keys.sorted() == ["treatment"] })
        }
        let undeclared = try await TestServer()
        try await undeclared.withClient { client in
            let answer = try await client.request(.get, "/v1/insights/feature-usage")
            #expect(answer.status == .badRequest)
            #expect(answer.errorMessage?.contains("does not declare the feature dimension") == true)
        }
    }
}

@Suite("GET /v1/insights/problem-areas")
struct ProblemAreaTests {
    @Test func aSmallSampleDoesNotTopTheList() async throws {
        let server = try await TestServer(plan: BreakdownAPITests.plan([.feature: 5]))
        try await server.withClient { client in
            // busy: 200 calls, 30 timeouts (15%, 95% Wilson lower bound 0.107); tiny: 2 calls, 1 timeout (50%, lower bound 0.095).
            var events = (0..<200).map { BreakdownAPITests.call("u\($0 % 7)", feature: "busy", latency: 5, outcome: $0 % 20 < 3 ? "timeout" : "ok") }
            events += [BreakdownAPITests.call("u1", feature: "tiny", latency: 5, outcome: "timeout"), BreakdownAPITests.call("u1", feature: "tiny", latency: 5)]
            #expect(try await client.request(.post, "/v1/events", json: #"{"events":[\#(events.joined(separator: ","))]}"#).status == .ok)
            let answer = try await client.request(.get, "/v1/insights/problem-areas?window=1h")
            #expect(answer.status == .ok)
            let areas = try answer.decode(ProblemAreas.self).areas.filter { $0.signal == "error_rate" }
            #expect(areas.map(\.feature) == ["busy", "tiny"], "at least 10.7% of 200 is worse than at least 9.5% of 2")
            let busy = try #require(areas.first)
            #expect(busy.value == 0.15 && busy.samples == 200)
            #expect(abs((busy.bound ?? 0) - 0.107) < 0.002)
            #expect(busy.severity == busy.bound)
            let tiny = try #require(areas.last)
            #expect(tiny.value == 0.5 && tiny.samples == 2)
            #expect(abs((tiny.bound ?? 0) - 0.095) < 0.002)
            // Relevance and satisfaction have no samples here: no bound, ranked after every bounded area.
            let all = try answer.decode(ProblemAreas.self).areas
            #expect(all.prefix(2).allSatisfy { $0.signal == "error_rate" })
            #expect(all.last?.severity == nil)
        }
    }
}

@Suite("GET /v1/insights/learning-paths")
struct LearningPathAPITests {
    /// A completion `secondsAgo` before the test server's clock once it is moved on by `lead` (after the phase
    /// started, so the phase report counts it too).
    static func completion(_ user: String, _ item: String, completed: Bool = true, secondsAgo: Int) -> String {
        let kind = item.hasPrefix("project") ? "project" : "lesson"
        let at = Timestamp.format(Timestamp.parse("2026-11-29T10:00:30Z")!.addingTimeInterval(lead - Double(secondsAgo)))
        return #"{"type":"completion","userId":"\#(user)","item":"\#(kind)","itemId":"\#(item)","completed":\#(completed),"timestamp":"\#(at)"}"#
    }

    static let lead: TimeInterval = 700

    /// The four learners of the core test (`LearningPathTests.steps`), sent through the API.
    static let traffic = #"{"events":["# + [
        completion("a", "intro", secondsAgo: 600), completion("a", "loops", secondsAgo: 500), completion("a", "project-1", secondsAgo: 400),
        completion("b", "intro", secondsAgo: 590), completion("b", "loops", secondsAgo: 490),
        completion("b", "project-1", completed: false, secondsAgo: 390),
        completion("c", "intro", secondsAgo: 580), completion("c", "loops", completed: false, secondsAgo: 480),
        completion("c", "loops", secondsAgo: 450), completion("c", "project-1", completed: false, secondsAgo: 380),
        completion("d", "intro", completed: false, secondsAgo: 570),
    ].joined(separator: ",") + "]}"

    @Test func pathsAndStopsAreCountedPerLearner() async throws {
        let server = try await TestServer()
        server.clock.advance(by: Self.lead)
        try await server.withClient { client in
            #expect(try await client.request(.post, "/v1/events", json: Self.traffic).status == .ok)
            let answer = try await client.request(.get, "/v1/insights/learning-paths?window=1h")
            #expect(answer.status == .ok)
            let paths = try answer.decode(LearningPaths.self)
            #expect(paths.learners == 4 && paths.completions == 11 && !paths.truncated && paths.depth == 5)
            #expect(paths.paths == [LearningPaths.Path(items: ["intro", "loops"], learners: 3, share: 0.75),
                                    LearningPaths.Path(items: ["intro", "loops", "project-1"], learners: 1, share: 0.25)])
            let project = try #require(paths.items.first)
            #expect(project.itemId == "project-1" && project.item == "project")
            #expect((project.reached, project.completed, project.abandoned, project.stoppedHere) == (3, 1, 2, 2))
            #expect(abs((project.abandonmentBound ?? 0) - 0.2077) < 0.001)
            // The default test plan holds some users back as control: each variant has its own learners.
            let control = try await client.request(.get, "/v1/insights/learning-paths?window=1h&variant=control").decode(LearningPaths.self)
            let treatment = try await client.request(.get, "/v1/insights/learning-paths?window=1h&variant=treatment").decode(LearningPaths.self)
            #expect(control.learners + treatment.learners == 4 && control.variant == "control")
            let shallow = try await client.request(.get, "/v1/insights/learning-paths?window=1h&depth=2").decode(LearningPaths.self)
            #expect(shallow.paths.map(\.items) == [["intro", "loops"]])
            let bad = try await client.request(.get, "/v1/insights/learning-paths?depth=40")
            #expect(bad.status == .badRequest && bad.errorMessage?.contains("depth") == true)
            #expect(try await client.request(.get, "/v1/insights/learning-paths?window=fortnight").status == .badRequest)
        }
    }

    @Test func itemsRankAmongProblemAreasByTheirAbandonmentBound() async throws {
        let server = try await TestServer(plan: BreakdownAPITests.plan([.feature: 5]))
        try await server.withClient { client in
            // busy: 200 calls, 30 timeouts (at least 10.7%); project-1: 2 of 3 abandoned (at least 20.8%).
            let calls = (0..<200).map { BreakdownAPITests.call("u\($0 % 7)", feature: "busy", latency: 5, outcome: $0 % 20 < 3 ? "timeout" : "ok") }
            #expect(try await client.request(.post, "/v1/events", json: #"{"events":[\#(calls.joined(separator: ","))]}"#).status == .ok)
            // The first request started the phase; the completions come after its start.
            server.clock.advance(by: Self.lead)
            #expect(try await client.request(.post, "/v1/events", json: Self.traffic).status == .ok)
            let areas = try await client.request(.get, "/v1/insights/problem-areas?window=1h").decode(ProblemAreas.self)
            #expect(areas.notes.isEmpty)
            let top = try #require(areas.areas.first)
            #expect(top.kind == "item" && top.name == "project-1" && top.signal == "abandonment_rate" && top.feature == nil)
            #expect(top.samples == 3 && abs((top.severity ?? 0) - 0.2077) < 0.001)
            let second = try #require(areas.areas.dropFirst().first)
            #expect(second.kind == "feature" && second.name == "busy" && second.feature == "busy" && second.signal == "error_rate")
            // The phase report carries the same insights for the whole phase.
            let report = try await client.request(.get, "/v1/reports/alpha", key: TestServer.keys[.read]).decode(PhaseReport.self)
            let insights = try #require(report.insights)
            #expect(insights.featureUsage?.map(\.feature) == ["busy"])
            #expect(insights.problemAreas.first?.name == "project-1")
            #expect(insights.learningPaths.learners == 4 && insights.learningPaths.paths.first?.learners == 3)
            let markdown = String(buffer: try await client.request(.get, "/v1/reports/alpha?format=md", key: TestServer.keys[.read]).body)
            #expect(markdown.contains("Where learners stop") && markdown.contains("| project-1 | 3 | 1 | 2 | 2 | 20.8% |"))
            #expect(markdown.contains("| intro → loops | 3 | 75.0% |"))
        }
        // Without the feature dimension items are still ranked, and the answer says what it left out.
        let plain = try await TestServer(plan: BreakdownAPITests.plan([:]))
        plain.clock.advance(by: Self.lead)
        try await plain.withClient { client in
            #expect(try await client.request(.post, "/v1/events", json: Self.traffic).status == .ok)
            let areas = try await client.request(.get, "/v1/insights/problem-areas?window=1h").decode(ProblemAreas.self)
            #expect(areas.areas.allSatisfy { $0.kind == "item" } && areas.areas.count == 3)
            #expect(areas.notes.first?.contains("does not declare the feature dimension") == true)
        }
    }
}
