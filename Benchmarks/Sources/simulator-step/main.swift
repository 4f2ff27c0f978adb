// What one simulation step costs, part by part, on an embedded server with the example plan in beta: an
// evaluation tick with no traffic, one `/v1/evaluate`, one ingest of a session's events, one read of the
// rollout. Each part runs COUNT times in a row; prints `<part>_ms <mean milliseconds>`.
import Foundation
import LiftoffAPI
import LiftoffCore
import LiftoffSimulator

let arguments = CommandLine.arguments
guard arguments.count == 3, let count = Int(arguments[2]), count > 0, count <= 100_000 else {
    print("usage: simulator-step PLAN.yml COUNT")
    exit(2)
}
let plan = try PlanDecoder.decode(yaml: String(contentsOfFile: arguments[1], encoding: .utf8))
let start = Timestamp.parse("2026-03-02T17:00:00Z")!
let clock = ManualClock(start)
try await EmbeddedServer.run(plan: plan, clock: clock) { server in
    let users = (1...200).map { "beta-user-\($0)" }
    try await RolloutSetup(client: server.client).enter(phase: "beta", users: users, reason: "benchmark")
    var now = server.now()
    var began = ContinuousClock.now
    for index in 0..<count { _ = try await server.client.evaluate(users[index % users.count]) }
    report("evaluate", since: began)
    began = ContinuousClock.now
    for index in 0..<count {
        now = now.addingTimeInterval(10)
        let events: [JSONValue] = ["a", "b"].map { suffix in .object([
            "id": .string("bench-\(index)-\(suffix)"), "type": .string("ai_interaction"), "userId": .string(users[index % users.count]),
            "timestamp": .string(Timestamp.format(now)), "model": .string("gpt-4o-mini"), "latencyMs": .number(800),
            "inputTokens": .number(500), "outputTokens": .number(200), "outcome": .string("ok"),
        ]) }
        _ = try await server.client.ingest(events)
        try await server.advance(to: now)
    }
    report("ingest_and_tick", since: began)
    began = ContinuousClock.now
    for _ in 0..<count {
        now = now.addingTimeInterval(10)
        try await server.advance(to: now)
    }
    report("tick", since: began)
    began = ContinuousClock.now
    for _ in 0..<count { _ = try await server.client.rollout() }
    report("rollout", since: began)
}

func report(_ part: String, since began: ContinuousClock.Instant) {
    let elapsed = ContinuousClock.now - began
    let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
    print("\(part)_ms \(String(format: "%.3f", ms / Double(count)))")
}
