/// One thing wrong with a plan file: where (line, column, and the field's path) and what.
public struct PlanProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int?
    public var column: Int?
    public var path: String
    public var message: String

    public init(line: Int?, column: Int?, path: String, message: String) {
        self.line = line
        self.column = column
        self.path = path
        self.message = message
    }

    /// `line 12, column 7: phases[1].exit.criteria[0].metric: unknown metric 'happiness'`
    public var description: String {
        let location = line.map { "line \($0), column \(column ?? 1): " } ?? ""
        return "\(location)\(path.isEmpty ? "" : path + ": ")\(message)"
    }
}

/// Every problem found in a plan file, in file order.
public struct PlanErrors: Error, Sendable, Equatable, CustomStringConvertible {
    public var problems: [PlanProblem]

    public init(_ problems: [PlanProblem]) {
        self.problems = problems
    }

    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
