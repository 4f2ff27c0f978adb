import ArgumentParser
import Foundation
import LiftoffAPI
import LiftoffCore

/// `liftoff plan check FILE`: validates a plan and summarises it. `liftoff plan apply FILE --reason …`: makes it
/// the live plan of a running server (and every node sharing its store).
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan", abstract: "Work with plan files.", subcommands: [Check.self, Apply.self])

    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Apply a plan file to a running server as the next plan version: prints what changes, refuses a change that would strand the live rollout.")

        @Argument(help: "The plan file (YAML).")
        var file: String

        @Option(help: "Why, for the audit log.")
        var reason: String

        @Flag(help: "Only print what would change.")
        var dryRun = false

        @OptionGroup var server: ServerOptions

        func run() async throws {
            // Checked here first, so a broken file is reported with its path, line and column.
            let text: String
            do {
                text = try PlanLoading.loadWithText(file).text
            } catch let error as PlanFileError {
                FileHandle.standardError.write(Data((error.description + "\n").utf8))
                throw ExitCode(1)
            }
            try await runAgainstServer {
                let answer = try await server.client.post("/v1/plan", PlanApplyRequest(yaml: text, reason: reason, dryRun: dryRun),
                                                          as: PlanApplyAnswer.self)
                Self.print(answer, dryRun: dryRun)
            }
        }

        static func print(_ answer: PlanApplyAnswer, dryRun: Bool) {
            let verb = answer.applied ? "Applied as plan version \(answer.version ?? 0)"
                : dryRun ? "Would change (dry run; live version \(answer.version.map(String.init) ?? "none"))"
                : "Unchanged: the file is live version \(answer.version ?? 0)"
            Swift.print(verb + (answer.changes.isEmpty ? "." : ":"))
            for change in answer.changes { Swift.print("  - \(change)") }
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a plan file: print every problem with its line and column and exit 1, or print a summary.")

        @Argument(help: "The plan file (YAML).")
        var file: String

        func run() async throws {
            let plan: Plan
            do {
                plan = try PlanLoading.load(file)
            } catch let error as PlanFileError {
                FileHandle.standardError.write(Data((error.description + "\n").utf8))
                throw ExitCode(1)
            }
            print(PlanSummary.text(plan))
        }
    }
}

/// A readable summary of a plan.
enum PlanSummary {
    static func text(_ plan: Plan) -> String {
        var lines = ["rollout \(plan.rollout): \(plan.phases.count) phases"]
        for (index, phase) in plan.phases.enumerated() {
            let planned = phase.plannedDuration.map { " (planned \(DurationText.format($0)))" } ?? ""
            lines.append("\(index + 1). \(phase.name)\(planned)")
            lines.append("   audience: \(audience(phase.audience))")
            if let exit = phase.exit {
                lines.append("   exit: \(exit.promotion.rawValue) promotion, at least \(DurationText.format(exit.minDuration))")
                for criterion in exit.criteria {
                    let window = criterion.window.map { "over \(DurationText.format($0))" } ?? "over the phase"
                    lines.append("     - \(criterion.subject) \(criterion.comparator.rawValue) \(number(criterion.threshold)) \(window), min \(criterion.minSamples) samples")
                }
                for item in exit.checklist { lines.append("     [ ] \(item)") }
            }
        }
        if !plan.pricing.prices.isEmpty {
            let prices = plan.pricing.prices.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.input)/\($0.value.output)" }
            lines.append("prices (USD per million input/output tokens): \(prices.joined(separator: ", "))")
        }
        let guardrails = plan.guardrails
        if !guardrails.rules.isEmpty {
            lines.append("guardrails (on treatment users of the current phase):")
            for rule in guardrails.rules {
                let actions = rule.actions.isEmpty ? "alert only" : rule.actions.joined(separator: ", ")
                lines.append("  \(rule.id): \(rule.label), \(rule.severity.rawValue) → \(actions)")
            }
        }
        for route in guardrails.routes {
            lines.append("alerts: \(route.format.rawValue) to \(route.url) from \(route.minSeverity.rawValue)")
        }
        return lines.joined(separator: "\n")
    }

    static func number(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }

    static func audience(_ audience: Audience) -> String {
        var parts: [String] = []
        for group in audience.groups { parts.append("\(group.name) (\(group.members.count))") }
        if let invite = audience.invite { parts.append("\(invite.min)–\(invite.max) invited") }
        if let waitlist = audience.waitlist { parts.append("waitlist up to \(waitlist.cap) in batches of \(waitlist.batch)") }
        if let percentage = audience.percentage { parts.append("\(number(percentage))% of users") }
        return parts.joined(separator: ", ")
    }
}
