import ArgumentParser
#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif

@main
struct Liftoff: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "liftoff",
        abstract: "Launch an AI product in phases, with live gates, guardrails and rollbacks.",
        subcommands: [Serve.self, PlanCommand.self, KeysCommand.self, Status.self, Promote.self, Pause.self,
                       Resume.self, Rollback.self, Waitlist.self, Report.self, Simulate.self, DemoCommand.self])

    /// Every line for a person reaches a file or a pipe at once: standard output is block-buffered when it is
    /// not a terminal (under systemd, Docker, nohup or `> liftoff.log`), which held the URL and the one-time
    /// admin key back until exit, and lost them on a `kill -9`.
    static func main() async {
        setvbuf(stdout, nil, _IOLBF, 0)
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
