import ArgumentParser
import Foundation

/// Where the operator commands find the server: flags, else `LIFTOFF_URL` and `LIFTOFF_KEY`.
struct ServerOptions: ParsableArguments {
    @Option(help: "Server URL (default: LIFTOFF_URL, else http://127.0.0.1:8080).")
    var url: String?

    @Option(help: "API key (default: LIFTOFF_KEY).")
    var key: String?

    var client: APIClient {
        get throws {
            let environment = ProcessInfo.processInfo.environment
            guard let key = key ?? environment["LIFTOFF_KEY"], !key.isEmpty else {
                throw ValidationError("give an API key with --key or LIFTOFF_KEY")
            }
            return APIClient(baseURL: url ?? environment["LIFTOFF_URL"] ?? "http://127.0.0.1:8080", key: key)
        }
    }
}

/// Runs a command against the server, turning refusals into a message on standard error and exit code 1.
func runAgainstServer(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let failure as APIClient.Failure {
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
            let data = try await server.client.send(.GET, "/v1/rollout")
            if json {
                print(String(decoding: data, as: UTF8.self))
                return
            }
            let rollout = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
            print(StatusText.render(rollout))
        }
    }
}

/// The human-readable status.
enum StatusText {
    static func render(_ rollout: [String: Any]) -> String {
        let gate = rollout["gate"] as? [String: Any] ?? [:]
        var lines = [
            "rollout \(rollout["rollout"] ?? "?")  phase \(rollout["phase"] ?? "?")  status \(rollout["status"] ?? "?")  promotion \(rollout["promotion"] ?? "?")",
            "\(rollout["summary"] ?? "")",
            "",
            (gate["final"] as? Bool) == true ? "gate: last phase (nothing to promote to)"
                : "gate: \((gate["ready"] as? Bool) == true ? "READY" : "not ready")",
        ]
        let criteria = gate["criteria"] as? [[String: Any]] ?? []
        if !criteria.isEmpty {
            lines.append("  " + pad("criterion", 44) + pad("value", 10) + pad("95% interval", 22) + pad("samples", 12) + pad("verdict", 19) + "more needed")
            for criterion in criteria {
                let label = "\(criterion["metric"] ?? "") \(criterion["comparator"] ?? "") \(number(criterion["threshold"])) (\(criterion["window"] ?? ""))"
                let samples = "\(criterion["samples"] ?? 0)/\(criterion["minSamples"] ?? 0)"
                let interval = criterion["lowerBound"] is Double || criterion["upperBound"] is Double
                    ? "\(number(criterion["lowerBound"])) – \(number(criterion["upperBound"]))" : "exact"
                let needed = (criterion["samplesNeeded"] as? Int).map(String.init) ?? "–"
                lines.append("  " + pad(label, 44) + pad(number(criterion["value"]), 10) + pad(interval, 22) + pad(samples, 12)
                             + pad("\(criterion["verdict"] ?? "")", 19) + needed)
            }
        }
        for item in gate["checklist"] as? [[String: Any]] ?? [] {
            let signed = (item["signed"] as? Bool) == true
            lines.append("  [\(signed ? "x" : " ")] \(item["item"] ?? "")\(signed ? " (signed by \(item["signedBy"] ?? ""))" : "")")
        }
        for unmet in gate["unmet"] as? [String] ?? [] { lines.append("  - \(unmet)") }
        lines += ["", "  " + pad("phase", 12) + pad("planned start", 14) + pad("planned end", 14) + pad("started", 14) + pad("ended", 14) + "overrun"]
        for entry in rollout["timeline"] as? [[String: Any]] ?? [] {
            let day = { (key: String) in ((entry[key] as? String).map { String($0.prefix(10)) }) ?? "–" }
            let overrun = (entry["overrunDays"] as? Double).map { String(format: "%.1fd", $0) } ?? "–"
            lines.append("  " + pad("\(entry["phase"] ?? "")", 12) + pad(day("plannedStart"), 14) + pad(day("plannedEnd"), 14)
                         + pad(day("startedAt"), 14) + pad(day("endedAt"), 14) + overrun)
        }
        return lines.joined(separator: "\n")
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text.padding(toLength: width, withPad: " ", startingAt: 0)
    }

    static func number(_ value: Any?) -> String {
        guard let value = value as? Double else { return "–" }
        return value.rounded() == value && abs(value) < 1e12 ? String(Int(value)) : String(format: "%.4g", value)
    }
}

/// A rollout transition: promote, pause, resume, rollback.
struct Transition {
    static func send(_ action: String, body: [String: Any], server: ServerOptions) async throws {
        try await runAgainstServer {
            let data = try await server.client.send(.POST, "/v1/rollout/\(action)", body: try JSONSerialization.data(withJSONObject: body))
            let rollout = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
            print("\(action): rollout \(rollout["rollout"] ?? "") is now in phase \(rollout["phase"] ?? "") (\(rollout["status"] ?? ""))")
        }
    }
}

struct Promote: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Promote to the next phase when the gate holds (or --force with an admin key).")
    @Option(help: "Why, for the audit log (required with --force).") var reason: String?
    @Flag(help: "Promote although the gate does not hold (admin key).") var force = false
    @OptionGroup var server: ServerOptions

    func run() async throws {
        var body: [String: Any] = [:]
        if let reason { body["reason"] = reason }
        if force { body["force"] = true }
        try await Transition.send("promote", body: body, server: server)
    }
}

struct Pause: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Hold the rollout: nobody new comes in, nothing is promoted.")
    @Option(help: "Why, for the audit log.") var reason: String?
    @OptionGroup var server: ServerOptions

    func run() async throws { try await Transition.send("pause", body: reason.map { ["reason": $0] } ?? [:], server: server) }
}

struct Resume: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Resume a paused or rolled-back rollout.")
    @Option(help: "Why, for the audit log.") var reason: String?
    @OptionGroup var server: ServerOptions

    func run() async throws { try await Transition.send("resume", body: reason.map { ["reason": $0] } ?? [:], server: server) }
}

struct Rollback: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Roll back: everyone gets the old experience at once.")
    @Option(help: "Why (required).") var reason: String
    @OptionGroup var server: ServerOptions

    func run() async throws { try await Transition.send("rollback", body: ["reason": reason], server: server) }
}

struct Waitlist: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The public waitlist.", subcommands: [Admit.self])

    struct Admit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Admit the next batch into the current phase.")
        @Option(help: "How many (default: the plan's batch).") var count: Int?
        @OptionGroup var server: ServerOptions

        func run() async throws {
            try await runAgainstServer {
                let body = try JSONSerialization.data(withJSONObject: count.map { ["count": $0] } ?? [:])
                let data = try await server.client.send(.POST, "/v1/waitlist/admit", body: body)
                let answer = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
                let admitted = answer["admitted"] as? [String] ?? []
                print("admitted \(admitted.count): \(admitted.joined(separator: ", ")) (\(answer["phaseAdmissions"] ?? 0) of at most \(answer["cap"] ?? 0) in this phase)")
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
            if name == nil {
                let rollout = try JSONSerialization.jsonObject(with: try await client.send(.GET, "/v1/rollout")) as? [String: Any]
                name = rollout?["phase"] as? String
            }
            let path = (name ?? "").addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? ""
            let data = try await client.send(.GET, "/v1/reports/\(path)?format=\(format)")
            print(String(decoding: data, as: UTF8.self))
        }
    }
}
