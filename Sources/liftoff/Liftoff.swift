import ArgumentParser

@main
struct Liftoff: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "liftoff",
        abstract: "Launch an AI product in phases, with live gates, guardrails and rollbacks.",
        subcommands: [Serve.self, PlanCommand.self, KeysCommand.self, Status.self, Promote.self, Pause.self,
                       Resume.self, Rollback.self, Waitlist.self, Report.self, Simulate.self, DemoCommand.self])
}
