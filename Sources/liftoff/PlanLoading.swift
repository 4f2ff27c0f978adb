import Foundation
import LiftoffCore

/// Reads plan files for the commands.
enum PlanLoading {
    /// The example plan, used by `serve` when no `--plan` is given and it exists in the working directory.
    static let examplePath = "examples/learning-platform.yml"

    static func load(_ path: String) throws -> Plan {
        try loadWithText(path).plan
    }

    /// The plan and the text it was decoded from (which the server stores as a plan version).
    static func loadWithText(_ path: String) throws -> (plan: Plan, text: String) {
        let text = try read(path)
        do {
            return (try PlanDecoder.decode(yaml: text), text)
        } catch {
            throw PlanFileError("\(path) has \(error.problems.count) problem(s):\n" + error.problems.map { problem in
                let location = problem.line.map { "\($0):\(problem.column ?? 1): " } ?? " "
                let field = problem.path.isEmpty ? "" : "\(problem.path): "
                return "  \(path):\(location)\(field)\(problem.message)"
            }.joined(separator: "\n"))
        }
    }
}

extension PlanLoading {
    static func read(_ path: String) throws -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw PlanFileError("cannot read the plan file \(path): \(error.localizedDescription)")
        }
    }
}

struct PlanFileError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
