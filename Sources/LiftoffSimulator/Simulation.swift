import Foundation
import LiftoffAPI
import LiftoffCore

/// Runs scenarios many times over, each run on a fresh embedded server with an injected clock (weeks in
/// seconds), or one after another against a running server in real time.
public struct Simulation: Sendable {
    public enum Target: Sendable {
        /// A fresh in-process server per run, on this plan.
        case embedded(Plan)
        /// A running server; runs take their simulated time in real time.
        case remote(LiftoffClient)
    }

    /// Where a run stands, for the progress line.
    public struct Progress: Sendable {
        public var scenario: String
        public var finishedRuns: Int
        public var runs: Int
        public var detected: Int
        public var falseActions: Int
    }

    public var target: Target
    /// Runs at once (embedded only).
    public var parallel: Int
    /// Simulated seconds between evaluations.
    public var step: TimeInterval
    /// Where embedded runs start on the calendar: fixed, so a seed replays exactly.
    public var start: Date

    public init(target: Target, parallel: Int = 2, step: TimeInterval = 10,
                start: Date = Timestamp.parse("2026-03-02T17:00:00Z")!) {
        self.target = target
        self.parallel = max(1, parallel)
        self.step = step
        self.start = start
    }

    /// Seeds `seed`, `seed + 1`, … for `runs` runs of each scenario.
    public func scorecard(_ scenarios: [Scenario], runs: Int, seed: UInt64,
                          progress: @Sendable (Progress) -> Void = { _ in }) async throws -> (Scorecard, [RunOutcome]) {
        var outcomes: [RunOutcome] = []
        for scenario in scenarios {
            var finished: [RunOutcome] = []
            let width = { if case .remote = target { 1 } else { parallel } }()
            try await withThrowingTaskGroup(of: RunOutcome.self) { group in
                var next = 0
                func launch() {
                    let runner = ScenarioRunner(scenario: scenario, seed: seed &+ UInt64(next), step: step)
                    next += 1
                    group.addTask { try await self.run(runner) }
                }
                while next < min(width, runs) { launch() }
                while let outcome = try await group.next() {
                    finished.append(outcome)
                    progress(Progress(scenario: scenario.name, finishedRuns: finished.count, runs: runs,
                                      detected: finished.filter(\.detected).count,
                                      falseActions: finished.reduce(0) { $0 + $1.falseActions.count }))
                    if next < runs { launch() }
                }
            }
            outcomes += finished.sorted { $0.seed < $1.seed }
        }
        let expecting = Set(scenarios.filter { $0.truth != nil }.map(\.name))
        return (Scorecard(outcomes, expectsAction: { expecting.contains($0) }), outcomes)
    }

    /// One run on the configured target.
    public func run(_ runner: ScenarioRunner) async throws -> RunOutcome {
        switch target {
        case .embedded(let plan):
            let start = self.start
            return try await EmbeddedServer.run(plan: plan.judgingOnly, clock: ManualClock(start)) { server in
                try await runner.run(on: server)
            }
        case .remote(let client):
            return try await runner.run(on: RemoteTarget(client: client))
        }
    }
}
