import Foundation
import LiftoffAPI
import LiftoffCore

/// Plays one scenario against a server exactly as the app would: asks `/v1/evaluate` at the start of every
/// session (treatment users get the new experience with the config handed out, control users the old one),
/// reports what happened through `/v1/events` in batches as it happens, and lets time pass step by step.
/// Then reads the server's firings and holds them against the scenario's truth.
public struct ScenarioRunner: Sendable {
    public var scenario: Scenario
    public var seed: UInt64
    /// Simulated seconds between two evaluations; detection delays are measured to this resolution.
    public var step: TimeInterval

    public init(scenario: Scenario, seed: UInt64, step: TimeInterval = 10) {
        self.scenario = scenario
        self.seed = seed
        self.step = step
    }

    public func run(on target: some SimulationTarget) async throws -> RunOutcome {
        let client = target.client
        var traffic = Traffic(random: SeededRandom(seed: seed &* 0x9E37_79B9_7F4A_7C15 ^ StableName.hash(scenario.name)), model: scenario.model)
        let treatment = traffic.addUsers(prefix: "\(scenario.phase)-user", count: scenario.treatmentUsers, spread: scenario.userLatencySpread)
        let control = traffic.addUsers(prefix: "member", count: scenario.controlUsers, spread: scenario.userLatencySpread)
        try await RolloutSetup(client: client).enter(phase: scenario.phase, users: treatment.map { traffic.users[$0].learner.id },
                                                     reason: "simulation: scenario \(scenario.name), seed \(seed)")
        let rules = RuleSummary.list(from: try await client.guardrails())
        let start = target.now()
        let onset = scenario.onset.map { start.addingTimeInterval($0) }
        let deadline = deadlineSeconds(rules)
        // A run goes on to twice the deadline (unless rolled back first), so a late action still shows how late.
        let end = start.addingTimeInterval(onset != nil && deadline != nil
            ? scenario.onset! + scenario.actionableAfter + 2 * deadline! + step : scenario.duration)
        let scenario = self.scenario
        let model = { (experience: Experience, at: Date) -> PlatformModel in
            var model = scenario.model
            if experience.newExperience {
                if let onset, at >= onset { scenario.regression(&model, at.timeIntervalSince(onset)) }
                experience.apply(to: &model)
            }
            return model
        }
        var nextInjection = onset
        var sent = 0
        var now = start
        var lastLook = start
        while now < end {
            // After a rollback nothing more is evaluated: a run with a truth to act on can stop there. Looking
            // once a simulated minute costs at most a minute of steps that cannot fire anything, and spares a
            // gate computation (`GET /v1/rollout`) on every step.
            if scenario.truth != nil, now.timeIntervalSince(lastLook) >= max(step, 60) {
                lastLook = now
                if try await client.rollout().status == .rolledBack { break }
            }
            let stepEnd = min(now.addingTimeInterval(step), end)
            if !(scenario.quiet?.contains(now.timeIntervalSince(start)) ?? false) {
                for range in [treatment, control] {
                    try await traffic.startSessions(of: range, perUserHour: scenario.sessionsPerUserHour, from: now, to: stepEnd,
                                                    client: client, model: model)
                }
            }
            if let injection = scenario.injection, let due = nextInjection, due < stepEnd {
                let user = traffic.users[treatment.lowerBound + Int(traffic.random.unit() * Double(treatment.count))].learner.id
                var fields = injection.fields
                fields["id"] = .string("\(scenario.name)-\(seed)-finding-\(Int(due.timeIntervalSince(start)))")
                fields["type"] = .string(injection.type)
                fields["userId"] = .string(user)
                fields["timestamp"] = .string(Timestamp.format(due))
                traffic.add(.object(fields), at: due)
                nextInjection = injection.every.map { due.addingTimeInterval($0) }
            }
            if target.evaluatesOnItsOwn {
                // A live server judges as time passes: the step's events go when the step is over, as an app
                // reports what already happened; sent sooner, a finding could be acted on before its own time.
                try await target.advance(to: stepEnd)
                sent += try await traffic.report(until: stepEnd, client: client)
            } else {
                // The server's clock waits for us: everything up to the step's end is in before it evaluates.
                sent += try await traffic.report(until: stepEnd, client: client)
                try await target.advance(to: stepEnd)
            }
            now = stepEnd
        }
        let firings = Firing.list(from: try await client.alerts())
        return judge(firings, onset: onset, deadline: deadline, events: sent)
    }

    /// Two windows of the fastest rule the truth expects to act.
    func deadlineSeconds(_ rules: [RuleSummary]) -> TimeInterval? {
        guard let truth = scenario.truth else { return nil }
        let windows = rules.filter { truth.metrics.contains($0.metric) && truth.kinds.contains($0.kind) }.map(\.window)
        return windows.min().map { 2 * $0 }
    }

    func judge(_ firings: [Firing], onset: Date?, deadline: TimeInterval?, events: Int) -> RunOutcome {
        var falseActions: [Firing] = []
        var detection: Double?
        var detectedBy: String?
        for firing in firings {
            guard let truth = scenario.truth, let onset, firing.at >= onset, truth.metrics.contains(firing.metric) else {
                falseActions.append(firing)
                continue
            }
            // Acting on a drift before it crosses the line is early, not wrong: the delay counts as 0.
            let delay = max(0, firing.at.timeIntervalSince(onset) - scenario.actionableAfter)
            if truth.kinds.contains(firing.kind), detection == nil || delay < detection! {
                detection = delay
                detectedBy = firing.rule
            }
        }
        let detected = detection.map { delay in deadline.map { delay <= $0 } ?? false } ?? false
        return RunOutcome(scenario: scenario.name, seed: seed, detected: detected, detectionSeconds: detection, detectedBy: detectedBy,
                          deadlineSeconds: deadline, falseActions: falseActions, firings: firings, events: events)
    }

}

/// A stable 64-bit hash of a name (FNV-1a), so a scenario's seeds do not depend on the process.
enum StableName {
    static func hash(_ text: String) -> UInt64 {
        text.utf8.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
    }
}
