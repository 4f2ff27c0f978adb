import Foundation
import LiftoffCore
import LiftoffServer
import Testing
@testable import LiftoffSimulator

@Suite("Scenarios, truth and the scorecard")
struct ScenarioTests {
    static let examplePlan: Plan = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../examples/learning-platform.yml")
        return try! PlanDecoder.decode(yaml: try! String(contentsOf: url, encoding: .utf8))
    }()

    static let onset = Timestamp.parse("2026-03-02T18:00:00Z")!

    @Test func everyScenarioTheIssueNamesExists() {
        #expect(Scenario.all.map(\.name) == ["healthy", "latency-step", "latency-creep", "error-spike", "timeout-storm", "invalid-responses",
                                            "cost-blowup", "quality-drop", "segment-regression", "security-issue", "data-inconsistency", "small-cohort-noise",
                                            "traffic-gap"])
        for scenario in Scenario.all where scenario.truth != nil { #expect(scenario.onset != nil, "\(scenario.name) needs an onset") }
    }

    @Test func firingsAreJudgedAgainstTheTruth() {
        let runner = ScenarioRunner(scenario: Scenario.named("error-spike")!, seed: 1)
        let firings = [
            Firing(rule: "scaling.errorRate", kind: .scaling, metric: .errorRate, at: Self.onset.addingTimeInterval(-60)),  // before the onset
            Firing(rule: "scaling.errorRate", kind: .scaling, metric: .errorRate, at: Self.onset.addingTimeInterval(120)),  // related, wrong kind
            Firing(rule: "rollback[0]", kind: .rollback, metric: .errorRate, at: Self.onset.addingTimeInterval(240)),       // the right action
            Firing(rule: "rollback[5]", kind: .rollback, metric: .errorRate, at: Self.onset.addingTimeInterval(280)),       // right, later
            Firing(rule: "adjustments[1]", kind: .adjustment, metric: .tokenUsage, at: Self.onset.addingTimeInterval(300)),  // unrelated
        ]
        let outcome = runner.judge(firings, onset: Self.onset, deadline: 600, events: 0)
        #expect(outcome.detected)
        #expect(outcome.detectionSeconds == 240)
        #expect(outcome.detectedBy == "rollback[0]")
        #expect(outcome.falseActions.map(\.rule) == ["scaling.errorRate", "adjustments[1]"])
        // Too late is not detected, but the delay is still reported.
        let late = runner.judge([Firing(rule: "rollback[0]", kind: .rollback, metric: .errorRate, at: Self.onset.addingTimeInterval(900))],
                                onset: Self.onset, deadline: 600, events: 0)
        #expect(!late.detected && late.detectionSeconds == 900)
        // In a healthy scenario every firing is false.
        let healthy = ScenarioRunner(scenario: Scenario.named("healthy")!, seed: 1).judge(firings, onset: nil, deadline: nil, events: 0)
        #expect(healthy.falseActions.count == 5 && !healthy.detected)
    }

    @Test func theDeadlineIsTwoWindowsOfTheFastestExpectedRule() {
        let rules = Self.examplePlan.guardrails.rules.map { RuleSummary(id: $0.id, kind: $0.kind, metric: $0.metric, window: $0.window) }
        #expect(ScenarioRunner(scenario: Scenario.named("latency-step")!, seed: 1).deadlineSeconds(rules) == 600)
        #expect(ScenarioRunner(scenario: Scenario.named("latency-creep")!, seed: 1).deadlineSeconds(rules) == 1800)
        #expect(ScenarioRunner(scenario: Scenario.named("cost-blowup")!, seed: 1).deadlineSeconds(rules) == 3600)
        #expect(ScenarioRunner(scenario: Scenario.named("healthy")!, seed: 1).deadlineSeconds(rules) == nil)
    }

    @Test func theConfigHandedOutChangesTheTraffic() {
        var model = PlatformModel()
        Experience(newExperience: true, config: ["promptProfile": .string("economy"), "maxTokens": .number(512)]).apply(to: &model)
        #expect(model.inputTokens[.tutoringChat] == 350)
        #expect(model.maxOutputTokens == 512)
        var untouched = PlatformModel()
        Experience(newExperience: true, config: ["promptProfile": .string("standard")]).apply(to: &untouched)
        #expect(untouched == PlatformModel())
    }

    @Test func aRegressionShowsFromItsOnsetEvenMidSession() {
        var random = SeededRandom(seed: 3)
        var learner = Learner(id: "u", level: .beginner, dailyActivity: 0.5)
        let start = Self.onset.addingTimeInterval(-600)
        var model = PlatformModel()
        model.interactionsPerSession = 40
        let events = SessionGenerator(model: model).session(for: &learner, startingAt: start, random: &random) { at in
            var current = model
            if at >= Self.onset { current.latency.medianMs = 20_000 }
            return current
        }
        let latencies = events.compactMap { event -> (Date, Double)? in
            guard event["type"] == .string("ai_interaction"), case .number(let latency)? = event["latencyMs"],
                  case .string(let time)? = event["timestamp"], let at = Timestamp.parse(time) else { return nil }
            return (at, latency)
        }
        let before = latencies.filter { $0.0 < Self.onset }.map(\.1)
        let after = latencies.filter { $0.0 >= Self.onset }.map(\.1)
        #expect(!before.isEmpty && !after.isEmpty)
        #expect(before.max()! < 10_000 && after.sorted()[after.count / 2] > 10_000)
    }

    /// The scorecard on a few seeds, each run on a fresh embedded server with an injected clock.
    @Test func theScorecardOnAFewSeeds() async throws {
        let simulation = Simulation(target: .embedded(Self.examplePlan), parallel: 2, step: 15)
        let scenarios = ["latency-step", "invalid-responses", "security-issue", "segment-regression"].map { Scenario.named($0)! }
        let (scorecard, outcomes) = try await simulation.scorecard(scenarios, runs: 2, seed: 11)
        #expect(outcomes.count == 8)
        for entry in scorecard.scenarios {
            #expect(entry.runs == 2)
            #expect(entry.detected == 2, "\(entry.name): \(entry.detected) of 2 detected")
            #expect(entry.falseActions == 0, "\(entry.name): \(entry.falseActionRules)")
            #expect(entry.detectedBy.values.reduce(0, +) == 2, "\(entry.name): \(entry.detectedBy)")
            #expect(entry.worstDetectionSeconds! <= entry.deadlineSeconds!)
        }
        for outcome in outcomes { #expect(outcome.events > 1000) }
        let json = try JSONParser.parse(try scorecard.json())
        guard case .array(let entries)? = json["scenarios"], case .object(let first)? = entries.first else {
            Issue.record("no scenarios in \(try scorecard.json())")
            return
        }
        for key in ["name", "runs", "detected", "falseActions", "medianDetectionSeconds", "worstDetectionSeconds", "detectedBy"] {
            #expect(first[key] != nil, "\(key) missing")
        }
    }

    @Test func aHealthyRunActsOnNothing() async throws {
        let simulation = Simulation(target: .embedded(Self.examplePlan), parallel: 1, step: 15)
        let (scorecard, outcomes) = try await simulation.scorecard([Scenario.named("healthy")!], runs: 1, seed: 3)
        #expect(scorecard.scenarios[0].falseActions == 0, "\(outcomes[0].falseActions)")
        #expect(outcomes[0].events > 10_000)
    }

    @Test func theSameSeedReplaysTheSameRun() async throws {
        let simulation = Simulation(target: .embedded(Self.examplePlan), parallel: 2, step: 15)
        let runner = ScenarioRunner(scenario: Scenario.named("latency-step")!, seed: 5, step: 15)
        async let first = simulation.run(runner)
        async let second = simulation.run(runner)
        let (a, b) = try await (first, second)
        #expect(a.events == b.events)
        #expect(a.firings == b.firings)
    }
}

@Suite("Against a running server")
struct RemoteScenarioTests {
    /// `--server`: the runner talks to a server that lives in real time and evaluates on its own ticker. A
    /// short scenario of its own keeps this to seconds: a critical finding three seconds in.
    @Test func aRunAgainstAServerInRealTime() async throws {
        let quick = Scenario(name: "quick-security", summary: "a critical finding three seconds in", treatmentUsers: 20, controlUsers: 10,
                             sessionsPerUserHour: 60, duration: 30, onset: 3,
                             injection: Scenario.Injection(type: "security_issue", fields: ["severity": .string("critical"), "title": .string("t")]),
                             truth: Scenario.Truth(metrics: [.criticalSecurityIssues], kinds: [.rollback]))
        let outcome = try await EmbeddedServer.run(plan: ScenarioTests.examplePlan, clock: SystemClock(), tickInterval: .milliseconds(200)) { server in
            try await ScenarioRunner(scenario: quick, seed: 1, step: 1).run(on: RemoteTarget(client: server.client))
        }
        #expect(outcome.detected)
        #expect(outcome.detectionSeconds! < 5)
        #expect(outcome.falseActions.isEmpty)
        #expect(outcome.events > 0)
    }
}
