import Foundation
import Yams

/// Reads a plan from YAML and checks it, collecting every problem with its line, column and field path
/// instead of stopping at the first.
public enum PlanDecoder {
    /// Sections that belong to the guardrails; accepted here, enforced by the rule engine.
    public static let guardrailSections = ["adjustments", "scaling", "rollback", "actions", "alerts"]

    public static func decode(yaml: String) throws(PlanErrors) -> Plan {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: yaml) else {
                throw PlanErrors([PlanProblem(line: 1, column: 1, path: "", message: "the plan file is empty")])
            }
            root = node
        } catch let errors as PlanErrors {
            throw errors
        } catch let error as YamlError {
            throw PlanErrors([Self.problem(from: error)])
        } catch {
            throw PlanErrors([PlanProblem(line: nil, column: nil, path: "", message: "not YAML: \(error)")])
        }
        var reader = PlanReader()
        let plan = reader.plan(root)
        guard reader.problems.isEmpty, let plan else {
            throw PlanErrors(reader.problems.sorted { ($0.line ?? 0, $0.column ?? 0) < ($1.line ?? 0, $1.column ?? 0) })
        }
        return plan
    }

    private static func problem(from error: YamlError) -> PlanProblem {
        switch error {
        case let .scanner(_, problem, mark, _), let .parser(_, problem, mark, _), let .composer(_, problem, mark, _):
            return PlanProblem(line: mark.line, column: mark.column, path: "", message: "YAML syntax: \(problem)")
        case let .duplicatedKeysInMapping(duplicates, context):
            // Yams marks the first occurrence; the mistake people look for is the second one.
            let first = (line: context.mark.line, column: context.mark.column)
            let second = duplicates.first.flatMap { DuplicateKeyLocator.secondOccurrence(of: $0, after: first, in: context.text) }
            let at = second ?? first
            let also = second == nil ? "" : " (first at line \(first.line), column \(first.column))"
            return PlanProblem(line: at.line, column: at.column, path: "",
                               message: "duplicate key \(duplicates.map { "'\($0)'" }.joined(separator: ", "))\(also)")
        default:
            return PlanProblem(line: nil, column: nil, path: "", message: "YAML: \(error)")
        }
    }
}

/// Walks the YAML tree of a plan. Each accessor reports a problem and returns nil when the node is not what
/// the field needs; reading goes on so that one run reports everything.
struct PlanReader {
    var problems: [PlanProblem] = []
    /// Criteria and rules that name a dimension value, checked against `dimensions:` once the whole plan is read.
    var segmentReferences: [(node: Node, path: String, dimension: MetricDimension, metric: Metric?)] = []

    mutating func report(_ node: Node?, _ path: String, _ message: String) {
        problems.append(PlanProblem(line: node?.mark?.line, column: node?.mark?.column, path: path, message: message))
    }

    /// The members of a mapping, checking that every key is one of `allowed` (or, with `extensions`, starts
    /// with `x-`: a place for anchors, ignored). YAML merge keys (`<<: *defaults`, or a list of aliases) bring
    /// in the members of the merged mappings; keys written beside them win, and earlier merged mappings win
    /// over later ones, as the YAML merge type says.
    mutating func mapping(_ node: Node, _ path: String, allowed: [String]? = nil, extensions: Bool = false) -> [String: Node]? {
        guard case .mapping(let mapping) = node else {
            report(node, path, "expected a mapping, got \(describe(node))")
            return nil
        }
        var members: [String: Node] = [:]
        var merged: [(key: Node, value: Node)] = []
        for (keyNode, value) in mapping {
            if keyNode.tag.rawValue == Tag.Name.merge.rawValue {
                merged += mergedEntries(value, join(path, "<<"))
                continue
            }
            guard let key = keyNode.string else {
                report(keyNode, path, "keys must be strings")
                continue
            }
            if extensions && key.hasPrefix("x-") { continue }
            if let allowed, !allowed.contains(key) {
                report(keyNode, join(path, key), "unknown field; expected one of \(allowed.joined(separator: ", "))")
                continue
            }
            members[key] = value
        }
        for (keyNode, value) in merged {
            guard let key = keyNode.string, members[key] == nil else { continue }
            if let allowed, !allowed.contains(key) {
                report(keyNode, join(path, key), "unknown field (merged in); expected one of \(allowed.joined(separator: ", "))")
                continue
            }
            members[key] = value
        }
        return members
    }

    /// The entries a merge key brings in, in precedence order: each mapping's own keys before the ones it
    /// merges itself.
    private mutating func mergedEntries(_ value: Node, _ path: String) -> [(key: Node, value: Node)] {
        switch value {
        case .mapping(let source):
            var own: [(key: Node, value: Node)] = []
            var nested: [(key: Node, value: Node)] = []
            for (key, member) in source {
                if key.tag.rawValue == Tag.Name.merge.rawValue { nested += mergedEntries(member, path) } else { own.append((key, member)) }
            }
            return own + nested
        case .sequence(let sources):
            var entries: [(key: Node, value: Node)] = []
            for source in sources {
                guard case .mapping = source else {
                    report(source, path, "a merge key takes a mapping or a list of mappings, got \(describe(source))")
                    continue
                }
                entries += mergedEntries(source, path)
            }
            return entries
        default:
            report(value, path, "a merge key takes a mapping or a list of mappings, got \(describe(value))")
            return []
        }
    }

    mutating func sequence(_ node: Node, _ path: String) -> [Node]? {
        guard case .sequence(let sequence) = node else {
            report(node, path, "expected a list, got \(describe(node))")
            return nil
        }
        return Array(sequence)
    }

    mutating func string(_ node: Node, _ path: String) -> String? {
        guard case .scalar(let scalar) = node, !scalar.string.isEmpty else {
            report(node, path, "expected text, got \(describe(node))")
            return nil
        }
        return scalar.string
    }

    mutating func number(_ node: Node, _ path: String) -> Double? {
        guard case .scalar = node, let value = node.float ?? node.int.map(Double.init), value.isFinite else {
            report(node, path, "expected a number, got \(describe(node))")
            return nil
        }
        return value
    }

    mutating func integer(_ node: Node, _ path: String, minimum: Int = 0) -> Int? {
        guard case .scalar = node, let value = node.int else {
            report(node, path, "expected a whole number, got \(describe(node))")
            return nil
        }
        guard value >= minimum else {
            report(node, path, "must be at least \(minimum)")
            return nil
        }
        return value
    }

    mutating func duration(_ node: Node, _ path: String) -> TimeInterval? {
        guard let text = string(node, path) else { return nil }
        guard let seconds = DurationText.parse(text) else {
            report(node, path, "'\(text)' is not a duration such as 0s, 90s, 5m, 24h, 14d")
            return nil
        }
        return seconds
    }

    mutating func required(_ members: [String: Node], _ key: String, _ parent: Node, _ path: String) -> Node? {
        guard let node = members[key] else {
            report(parent, join(path, key), "required")
            return nil
        }
        return node
    }

    func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar): "'\(scalar.string)'"
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }

    /// A JSON value from a YAML node, for the free-form `config`.
    mutating func json(_ node: Node, _ path: String) -> JSONValue? {
        switch node {
        case .scalar(let scalar):
            if scalar.style == .plain {
                if scalar.string == "null" || scalar.string == "~" { return .null }
                if let flag = node.bool { return .bool(flag) }
                if let whole = node.int { return .number(Double(whole)) }
                if let value = node.float { return .number(value) }
            }
            return .string(scalar.string)
        case .mapping:
            guard let members = mapping(node, path) else { return nil }
            var object: [String: JSONValue] = [:]
            for (key, value) in members {
                if let converted = json(value, join(path, key)) { object[key] = converted }
            }
            return .object(object)
        case .sequence(let sequence):
            return .array(sequence.enumerated().compactMap { json($0.element, "\(path)[\($0.offset)]") })
        case .alias:
            report(node, path, "aliases are not supported")
            return nil
        }
    }
}
