import ArgumentParser
import Foundation
import LiftoffCore
import LiftoffSimulator
import UnixSignals

/// `liftoff demo`: a whole four-phase rollout in a few minutes on a server of its own, then the server stays
/// up for browsing.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run a whole rollout (internal, alpha, beta with an incident and its rollback, full) in a few minutes.",
        discussion: "Starts its own server on a fresh data directory (embedded SQLite) with a demo plan of short phases and a clock running fast, plays learners and an operator against it, and leaves the server running for the dashboard until Ctrl-C.")

    @Option(help: "The demo's own data directory; emptied at start.") var dataDir = ".liftoff-demo"
    @Option(help: "Port to listen on (127.0.0.1).") var port = 8090
    @Option(help: "Simulated seconds per real second while the demo plays.") var speed: Double = 360
    @Option(help: "Seed of the simulated learners.") var seed: UInt64 = 7

    func run() async throws {
        guard speed >= 1 else { throw ValidationError("--speed must be at least 1") }
        let plan = try PlanDecoder.decode(yaml: DemoPlan.yaml)
        let directory = URL(fileURLWithPath: dataDir)
        try? FileManager.default.removeItem(at: directory)
        let clock = ScaledClock(rate: speed)
        try await EmbeddedServer.run(plan: plan, clock: clock, directory: directory, port: port, tickInterval: .milliseconds(100)) { server in
            say("""
                Liftoff demo: dashboard at http://127.0.0.1:\(server.port)/ (data in \(dataDir))
                Log in with the admin key: \(server.client.key)

                A rollout of four phases plays at \(Int(speed))× speed: about \(Int(15 * 3600 / speed / 60 + 1)) minutes.

                """)
            let demo = Demo(seed: seed, step: 60, statusEvery: 1200) { line in say(line) }
            let outcome = try await demo.run(on: server)
            clock.hold(at: nil)
            clock.setRate(1)
            say("""

                Done: \(outcome.phases.joined(separator: " → ")), \(outcome.events) events\(outcome.rolledBackInBeta ? ", one automatic rollback and a resume" : "").
                The clock runs at real speed now. The server stays up at http://127.0.0.1:\(server.port)/ — press Ctrl-C to stop.
                """)
            for await _ in await UnixSignalsSequence(trapping: .sigint, .sigterm) { break }
            say("Stopping (draining what was accepted).")
        }
    }
}

/// Writes a line straight to standard output, so progress shows as it happens also when piped.
private func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
