import ArgumentParser
import Foundation
import Synchronization
import LiftoffAPI
import LiftoffCore
import LiftoffSimulator

/// `liftoff simulate`: scenarios with known truth, played against the plan, and the scorecard of what
/// Liftoff decided.
struct Simulate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Play scenarios with injected regressions against a plan and score Liftoff's decisions.",
        discussion: """
            Without --server every run gets a fresh in-process server with an injected clock, so hours of \
            traffic take seconds. With --server the runs go to that server in real time, one after another; the \
            key (--key or LIFTOFF_KEY) needs the admin scope, since a run forces the rollout into the scenario's \
            phase: use a scratch server.
            """)

    @Flag(help: "List the scenarios and exit.") var list = false
    @Option(help: "A scenario to run (repeatable); default: all.") var scenario: [String] = []
    @Option(help: "Runs per scenario.") var runs = 1
    @Option(help: "Seed of the first run; run i uses seed + i.") var seed: UInt64 = 1
    @Option(help: "The plan (embedded runs). Default: examples/learning-platform.yml.") var plan: String?
    @Option(help: "Run against this server instead of in process.") var server: String?
    @Option(help: "API key for --server (default: LIFTOFF_KEY).") var key: String?
    // A run keeps a core about three-quarters busy (it waits on its store's writer and on task hand-offs), so two
    // a core finish a scorecard sooner: measured on 2 cores, 4 at once took 0.75 of the time 2 did; 6 and 8 no less.
    @Option(help: "Embedded runs at once (default: twice the cores).") var parallel = 2 * ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "Simulated seconds between two evaluations (default 10; 1 with --server).") var step: Double?
    @Option(help: "Multiplies every scenario's traffic (sessions per user per hour), to score at your own volume.") var traffic: Double = 1
    @Flag(help: "Print the scorecard as JSON.") var json = false

    func run() async throws {
        if list {
            for item in Scenario.all {
                print(item.name.padding(toLength: 20, withPad: " ", startingAt: 0) + item.summary)
            }
            return
        }
        let chosen = try scenario.isEmpty ? Scenario.all : scenario.map { name in
            guard let found = Scenario.named(name) else {
                throw ValidationError("unknown scenario '\(name)'; known: \(Scenario.all.map(\.name).joined(separator: ", "))")
            }
            return found
        }
        guard runs > 0 else { throw ValidationError("--runs must be at least 1") }
        guard traffic > 0 else { throw ValidationError("--traffic must be above 0") }
        let scaled = chosen.map { scenario in
            var scenario = scenario
            scenario.sessionsPerUserHour *= traffic
            return scenario
        }
        let step = self.step ?? (server == nil ? 10 : 1)
        guard step > 0 else { throw ValidationError("--step must be above 0") }
        let target: Simulation.Target
        if let server {
            guard let key = key ?? ProcessInfo.processInfo.environment["LIFTOFF_KEY"], !key.isEmpty else {
                throw ValidationError("--server needs an admin key: --key or LIFTOFF_KEY")
            }
            target = .remote(LiftoffClient(baseURL: server, key: key))
        } else {
            let path = plan ?? PlanLoading.examplePath
            do {
                target = .embedded(try PlanLoading.load(path))
            } catch let error as PlanFileError {
                throw ValidationError(error.description)
            }
        }
        let simulation = Simulation(target: target, parallel: parallel, step: step)
        let meter = ProgressMeter(total: runs * scaled.count)
        let interactive = isatty(2) != 0
        let (scorecard, _) = try await simulation.scorecard(scaled, runs: runs, seed: seed) { progress in
            let line = meter.line(after: progress)
            FileHandle.standardError.write(Data((interactive ? "\r\u{1B}[K" + line : line + "\n").utf8))
        }
        if interactive { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        print(json ? try scorecard.json() : scorecard.table)
    }
}

/// The progress line of a scorecard: a bar over every run of every scenario, the time so far and an estimate
/// of the time left (from the pace of the runs finished so far, so it firms up as runs finish).
final class ProgressMeter: Sendable {
    private let total: Int
    private let began = Date()
    private let finished = Mutex(0)

    init(total: Int) { self.total = max(1, total) }

    func line(after progress: Simulation.Progress) -> String {
        let done = finished.withLock { count in
            count += 1
            return count
        }
        let elapsed = Date().timeIntervalSince(began)
        let width = 20
        let filled = min(width, done * width / total)
        let eta = done < total ? " · about \(Self.duration(elapsed / Double(done) * Double(total - done))) left" : ""
        return "[\(String(repeating: "#", count: filled))\(String(repeating: "-", count: width - filled))] \(done)/\(total) runs · "
            + "\(Self.duration(elapsed))\(eta) · \(progress.scenario): run \(progress.finishedRuns)/\(progress.runs), "
            + "detected \(progress.detected), false actions \(progress.falseActions)"
    }

    static func duration(_ seconds: TimeInterval) -> String {
        let whole = Int(seconds.rounded())
        return whole >= 3600 ? "\(whole / 3600)h\(String(format: "%02d", whole % 3600 / 60))m"
            : whole >= 60 ? "\(whole / 60)m\(String(format: "%02d", whole % 60))s" : "\(whole) s"
    }
}
