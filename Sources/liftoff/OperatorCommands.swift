import ArgumentParser
import Foundation
import LiftoffAPI
import LiftoffCore

/// Where the operator commands find the server: flags, else `LIFTOFF_URL` and `LIFTOFF_KEY`.
struct ServerOptions: ParsableArguments {
    @Option(help: "Server URL (default: LIFTOFF_URL, else http://127.0.0.1:8080).")
    var url: String?

    @Option(help: "API key (default: LIFTOFF_KEY).")
    var key: String?

    var client: LiftoffClient {
        get throws {
            let environment = ProcessInfo.processInfo.environment
            guard let key = key ?? environment["LIFTOFF_KEY"], !key.isEmpty else {
                throw ValidationError("give an API key with --key or LIFTOFF_KEY")
            }
            return LiftoffClient(baseURL: url ?? environment["LIFTOFF_URL"] ?? "http://127.0.0.1:8080", key: key, timeout: .seconds(30))
        }
    }
}

/// Runs a command against the server, turning refusals into a message on standard error and exit code 1.
func runAgainstServer(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let failure as LiftoffClient.Failure {
        FileHandle.standardError.write(Data("error: \(failure.description)\n".utf8))
        throw ExitCode(1)
    }
}

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show the rollout: phase, status, gate, checklist, timeline.")
    @Flag(help: "Print the /v1/rollout object as JSON.") var json = false
    @OptionGroup var server: ServerOptions

    func run() async throws {
        try await runAgainstServer {
            let client = try server.client
            if json {
                print(String(decoding: try await client.send(.GET, "/v1/rollout"), as: UTF8.self))
                return
            }
            print(StatusText.render(try await client.rollout()))
        }
    }
}

/// The human-readable status.
enum StatusText {
    static func render(_ rollout: RolloutView) -> String {
        let gate = rollout.gate
        var lines = [
            "rollout \(rollout.rollout)  phase \(rollout.phase)  status \(rollout.status.rawValue)  promotion \(rollout.promotion)",
            rollout.summary,
            "",
            gate.final ? "gate: last phase (nothing to promote to)" : "gate: \(gate.ready ? "READY" : "not ready")",
        ]
        if !gate.criteria.isEmpty {
            lines.append("  " + pad("criterion", 44) + pad("value", 10) + pad("95% interval", 22) + pad("samples", 12) + pad("verdict", 19) + "more needed")
            for criterion in gate.criteria {
                let label = "\(criterion.metric)\(criterion.segment.map { " [\($0)]" } ?? "") \(criterion.comparator) \(ReportText.number(criterion.threshold)) (\(criterion.window))"
                let samples = "\(criterion.samples)/\(criterion.minSamples)"
                let interval = criterion.lowerBound != nil || criterion.upperBound != nil
                    ? "\(ReportText.number(criterion.lowerBound)) – \(ReportText.number(criterion.upperBound))" : "exact"
                lines.append("  " + pad(label, 44) + pad(ReportText.number(criterion.value), 10) + pad(interval, 22) + pad(samples, 12)
                             + pad(criterion.verdict.rawValue, 19) + ReportText.number(criterion.samplesNeeded))
            }
        }
        for item in gate.checklist {
            lines.append("  [\(item.signed ? "x" : " ")] \(item.item)\(item.signed ? " (signed by \(item.signedBy ?? ""))" : "")")
        }
        for unmet in gate.unmet { lines.append("  - \(unmet)") }
        lines += ["", "  " + pad("phase", 12) + pad("planned start", 14) + pad("planned end", 14) + pad("started", 14) + pad("ended", 14) + "overrun"]
        for entry in rollout.timeline {
            let day = { (date: Date?) in date.map { String(Timestamp.format($0).prefix(10)) } ?? "–" }
            let overrun = entry.overrunDays.map { String(format: "%.1fd", $0) } ?? "–"
            lines.append("  " + pad(entry.phase, 12) + pad(day(entry.plannedStart), 14) + pad(day(entry.plannedEnd), 14)
                         + pad(day(entry.startedAt), 14) + pad(day(entry.endedAt), 14) + overrun)
        }
        return lines.joined(separator: "\n")
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text.padding(toLength: width, withPad: " ", startingAt: 0)
    }
}

/// A rollout transition: promote, pause, resume, rollback.
struct Transition {
    static func send(_ action: String, _ request: RolloutChangeRequest, server: ServerOptions) async throws {
        try await runAgainstServer {
            let rollout = try await server.client.change(action, request)
            print("\(action): rollout \(rollout.rollout) is now in phase \(rollout.phase) (\(rollout.status.rawValue))")
        }
    }
}

struct Promote: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Promote to the next phase when the gate holds (or --force with an admin key).")
    @Option(help: "Why, for the audit log (required with --force).") var reason: String?
    @Flag(help: "Promote although the gate does not hold (admin key).") var force = false
    @OptionGroup var server: ServerOptions

    func run() async throws {
        try await Transition.send("promote", RolloutChangeRequest(reason: reason, force: force ? true : nil), server: server)
    }
}

struct Pause: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Hold the rollout: nobody new comes in, nothing is promoted.")
    @Option(help: "Why, for the audit log.") var reason: String?
    @OptionGroup var server: ServerOptions

    func run() async throws { try await Transition.send("pause", RolloutChangeRequest(reason: reason), server: server) }
}

struct Resume: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Resume a paused or rolled-back rollout.")
    @Option(help: "Why, for the audit log.") var reason: String?
    @OptionGroup var server: ServerOptions

    func run() async throws { try await Transition.send("resume", RolloutChangeRequest(reason: reason), server: server) }
}

struct Rollback: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Roll back: everyone gets the old experience at once.")
    @Option(help: "Why (required).") var reason: String
    @OptionGroup var server: ServerOptions

    func run() async throws { try await Transition.send("rollback", RolloutChangeRequest(reason: reason), server: server) }
}

struct Waitlist: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The public waitlist.", subcommands: [Admit.self])

    struct Admit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Admit the next batch into the current phase.")
        @Option(help: "How many (default: the plan's batch).") var count: Int?
        @OptionGroup var server: ServerOptions

        func run() async throws {
            try await runAgainstServer {
                let answer = try await server.client.admit(count: count)
                print("admitted \(answer.admitted.count): \(answer.admitted.joined(separator: ", ")) (\(answer.phaseAdmissions) of at most \(answer.cap) in this phase)")
            }
        }
    }
}

struct Report: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print a phase report (the current phase by default).")
    @Option(help: "The phase.") var phase: String?
    @Option(help: "json, md or html.") var format: String = "md"
    @OptionGroup var server: ServerOptions

    func run() async throws {
        try await runAgainstServer {
            let client = try server.client
            var name = phase
            if name == nil { name = try await client.rollout().phase }
            print(try await client.phaseReportText(name ?? "", format: format))
        }
    }
}
