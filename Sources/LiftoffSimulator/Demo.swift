import Foundation
import LiftoffAPI
import LiftoffCore

/// `liftoff demo`'s story, played against a server: internal testers, alpha invitations, beta admissions
/// from the waitlist, an incident in beta that Liftoff rolls back by itself, the fix and the resume, then the
/// full release. The app's side (sessions, `/v1/evaluate`, events) and the operator's (invitations,
/// admissions, the resume) are simulated; every decision of Liftoff's is its own.
public struct Demo: Sendable {
    /// What the demo reached.
    public struct Outcome: Sendable {
        public var reachedFullRelease: Bool
        public var rolledBackInBeta: Bool
        public var resumed: Bool
        public var events: Int
        /// Phases in the order they were entered.
        public var phases: [String]
    }

    public var seed: UInt64
    /// Simulated seconds per step.
    public var step: TimeInterval
    /// Simulated time after which the demo gives up waiting for the full release.
    public var limit: TimeInterval
    /// Sessions each user starts per hour.
    public var sessionsPerUserHour: Double
    /// Status lines and decisions, as they happen.
    public var output: @Sendable (String) -> Void
    /// How often (simulated seconds) a status line is printed.
    public var statusEvery: TimeInterval

    public init(seed: UInt64 = 7, step: TimeInterval = 60, limit: TimeInterval = 30 * 3600, sessionsPerUserHour: Double = 4,
                statusEvery: TimeInterval = 1200, output: @escaping @Sendable (String) -> Void) {
        self.seed = seed
        self.step = step
        self.limit = limit
        self.sessionsPerUserHour = sessionsPerUserHour
        self.statusEvery = statusEvery
        self.output = output
    }

    /// The incident starts this long into beta (four admissions in: 100 users).
    static let incidentIntoBeta: TimeInterval = 65 * 60
    static let fixTakes: TimeInterval = 20 * 60
    static let fullReleaseShown: TimeInterval = 3600

    public func run(on target: some SimulationTarget) async throws -> Outcome {
        let client = target.client
        var traffic = Traffic(random: SeededRandom(seed: seed), model: PlatformModel())
        let internalTeam = traffic.addUsers(ids: (1...5).map { "dev-\($0)" } + (1...3).map { "content-\($0)" } + (1...2).map { "edu-\($0)" })
        let alpha = traffic.addUsers(prefix: "alpha", count: 25)
        let waitlist = traffic.addUsers(prefix: "waitlist", count: 200)
        let everyone = traffic.addUsers(prefix: "member", count: 150)
        let began = target.now()
        var now = began
        var phases: [String] = []
        var status = ""
        var incidentAt: Date?
        var announced = false
        var fixedAt: Date?
        var rolledBack = false
        var resumed = false
        var fullSince: Date?
        var lastAdmission = began
        var lastStatus = began.addingTimeInterval(-statusEvery)
        var events = 0
        var windowEvents = 0
        // Events per second are per real second, whatever the simulated clock says.
        var windowStart = Date()

        while now.timeIntervalSince(began) < limit {
            let rollout = try await client.rollout()
            let (phase, state) = (rollout.phase, rollout.status.rawValue)
            if phases.last != phase {
                phases.append(phase)
                output("\(clock(now)) ▶ phase \(phase) begins\(phases.count > 1 ? " (Liftoff promoted: the gate held)" : "")")
                if phase == "alpha" {
                    _ = try await client.invite(alpha.map { traffic.users[$0].learner.id })
                    output("\(clock(now))   operator invited \(alpha.count) alpha users")
                }
                if phase == "beta" {
                    for index in waitlist { _ = try await client.joinWaitlist(traffic.users[index].learner.id) }
                    output("\(clock(now))   \(waitlist.count) people joined the public waitlist")
                    incidentAt = now.addingTimeInterval(Self.incidentIntoBeta)
                }
                if phase == "full" { fullSince = now }
            }
            if state != status {
                if state == "rolled_back" {
                    rolledBack = true
                    let firing = Firing.list(from: try await client.alerts()).last { $0.kind == .rollback }
                    output("\(clock(now)) ✖ Liftoff ROLLED BACK \(phase)\(firing.map { ": rule \($0.rule) on \($0.metric.rawValue)" } ?? ""); everyone is on the old experience, the incident is written")
                    fixedAt = now.addingTimeInterval(Self.fixTakes)
                }
                status = state
            }
            let admitted = rollout.audience.admitted
            if phase == "beta" && state == "running" && admitted < waitlist.count && now.timeIntervalSince(lastAdmission) >= 20 * 60 {
                let answer = try await client.admit()
                lastAdmission = now
                output("\(clock(now))   operator admitted \(answer.admitted.count) from the waitlist (\(admitted + answer.admitted.count) in beta)")
            }
            if let start = incidentAt, !announced, now >= start {
                announced = true
                output("\(clock(now)) ⚡ incident injected: the model provider starts failing 25% of calls")
            }
            if let due = fixedAt, now >= due, state == "rolled_back" {
                _ = try await client.change("resume", RolloutChangeRequest(reason: "provider fixed; error rate back to normal in staging"))
                resumed = true
                output("\(clock(now)) ↺ operator resumed beta after the fix (a new epoch: the incident no longer counts against the guardrails)")
            }
            if let fullSince, now.timeIntervalSince(fullSince) >= Self.fullReleaseShown { break }

            let stepEnd = now.addingTimeInterval(step)
            // Calls fail from the incident's start until the fix, also in sessions already under way.
            let (failingFrom, fixed) = (incidentAt, fixedAt)
            let model = { (experience: Experience, at: Date) -> PlatformModel in
                var model = PlatformModel()
                if experience.newExperience {
                    if let failingFrom, at >= failingFrom, fixed.map({ at < $0 }) ?? true { model.outcomes[.apiError] = 0.25 }
                    experience.apply(to: &model)
                }
                return model
            }
            for range in [internalTeam, alpha, waitlist, everyone] {
                try await traffic.startSessions(of: range, perUserHour: sessionsPerUserHour, from: now, to: stepEnd, client: client, model: model)
            }
            let sent = try await traffic.report(until: stepEnd, client: client)
            events += sent
            windowEvents += sent
            try await target.advance(to: stepEnd)
            now = stepEnd
            if now.timeIntervalSince(lastStatus) >= statusEvery {
                let real = Date().timeIntervalSince(windowStart)
                output(try await statusLine(client, at: now, phase: phase, status: state, eventsPerSecond: real > 0 ? Double(windowEvents) / real : 0))
                lastStatus = now
                windowEvents = 0
                windowStart = Date()
            }
        }
        let reached = phases.last == "full"
        output(reached ? "\(clock(now)) ✔ full release: everyone has the new AI experience" : "\(clock(now)) the demo stopped before the full release")
        return Outcome(reachedFullRelease: reached, rolledBackInBeta: rolledBack, resumed: resumed, events: events, phases: phases)
    }

    private func statusLine(_ client: LiftoffClient, at now: Date, phase: String, status: String, eventsPerSecond: Double) async throws -> String {
        let metrics = try await client.metrics("window=15m&variant=treatment&phase=\(phase)&names=response_time.p95,error_rate,ai_response_relevance,active_users")
        func value(_ name: String) -> Double? { metrics.metrics[name]?.value }
        let p95 = value("response_time.p95").map { String(format: "%.2f s", $0 / 1000) } ?? "–"
        let errors = value("error_rate").map { String(format: "%.1f%%", $0 * 100) } ?? "–"
        let relevance = value("ai_response_relevance").map { String(format: "%.2f", $0) } ?? "–"
        let users = value("active_users").map { String(Int($0)) } ?? "0"
        return "\(clock(now))   \(phase) · \(status) · \(users) active treatment users · \(String(format: "%.0f", eventsPerSecond)) events/s · "
            + "p95 \(p95) · errors \(errors) · relevance \(relevance)"
    }

    private func clock(_ date: Date) -> String {
        "[" + Timestamp.format(date).prefix(16).replacingOccurrences(of: "T", with: " ") + "]"
    }
}
