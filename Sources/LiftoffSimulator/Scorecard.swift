import Foundation

/// Decision quality per scenario: how often the right action came, how late, and how many actions had no
/// truth behind them.
public struct Scorecard: Sendable, Encodable {
    public struct Entry: Sendable, Encodable {
        public var name: String
        public var runs: Int
        /// Runs where a rule of the right kind on an affected metric fired within the deadline.
        public var detected: Int
        /// Firings with no truth behind them, summed over the runs.
        public var falseActions: Int
        /// Over runs where the right action came within twice the deadline (runs go on that long), simulated
        /// seconds from the onset.
        public var medianDetectionSeconds: Double?
        public var worstDetectionSeconds: Double?
        /// Two windows of the fastest rule that should act; nil for healthy scenarios.
        public var deadlineSeconds: Double?
        /// Whether the scenario injects anything to act on.
        public var expectsAction: Bool
        /// The rules behind the false actions, with how often each fired.
        public var falseActionRules: [String: Int]
        /// The rules whose firing was a run's earliest right action (within the deadline or not), with how
        /// often each was.
        public var detectedBy: [String: Int]

        enum CodingKeys: String, CodingKey {
            case name, runs, detected, falseActions, medianDetectionSeconds, worstDetectionSeconds, deadlineSeconds,
                 expectsAction, falseActionRules, detectedBy
        }

        // Absent values are written as null: the scorecard's shape does not change with the results.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)
            try container.encode(runs, forKey: .runs)
            try container.encode(detected, forKey: .detected)
            try container.encode(falseActions, forKey: .falseActions)
            try container.encode(medianDetectionSeconds, forKey: .medianDetectionSeconds)
            try container.encode(worstDetectionSeconds, forKey: .worstDetectionSeconds)
            try container.encode(deadlineSeconds, forKey: .deadlineSeconds)
            try container.encode(expectsAction, forKey: .expectsAction)
            try container.encode(falseActionRules, forKey: .falseActionRules)
            try container.encode(detectedBy, forKey: .detectedBy)
        }
    }

    public var scenarios: [Entry]

    /// One entry per scenario, in the order the outcomes first name them.
    public init(_ outcomes: [RunOutcome], expectsAction: (String) -> Bool) {
        var order: [String] = []
        for outcome in outcomes where !order.contains(outcome.scenario) { order.append(outcome.scenario) }
        scenarios = order.map { name in
            let runs = outcomes.filter { $0.scenario == name }
            let delays = runs.compactMap(\.detectionSeconds).sorted()
            var rules: [String: Int] = [:]
            for firing in runs.flatMap(\.falseActions) { rules[firing.rule, default: 0] += 1 }
            var detectors: [String: Int] = [:]
            for rule in runs.compactMap(\.detectedBy) { detectors[rule, default: 0] += 1 }
            return Entry(name: name, runs: runs.count, detected: runs.filter(\.detected).count,
                         falseActions: runs.reduce(0) { $0 + $1.falseActions.count },
                         medianDetectionSeconds: delays.isEmpty ? nil : delays[(delays.count - 1) / 2],
                         worstDetectionSeconds: delays.last, deadlineSeconds: runs.first?.deadlineSeconds,
                         expectsAction: expectsAction(name), falseActionRules: rules, detectedBy: detectors)
        }
    }

    /// `{"scenarios":[…]}`, keys sorted.
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// A table for the terminal.
    public var table: String {
        func seconds(_ value: Double?) -> String { value.map { String(format: "%.0f s", $0) } ?? "-" }
        var lines = ["scenario              runs  detected  false actions  median delay  worst delay  deadline"]
        for entry in scenarios {
            let detected = entry.expectsAction ? "\(entry.detected)/\(entry.runs)" : "-"
            lines.append(entry.name.padding(toLength: 22, withPad: " ", startingAt: 0)
                + String(entry.runs).leftPadded(4) + detected.leftPadded(10) + String(entry.falseActions).leftPadded(15)
                + seconds(entry.medianDetectionSeconds).leftPadded(14) + seconds(entry.worstDetectionSeconds).leftPadded(13)
                + seconds(entry.deadlineSeconds).leftPadded(10))
            if !entry.detectedBy.isEmpty {
                lines.append("    acted on first by: " + entry.detectedBy.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", "))
            }
            if !entry.falseActionRules.isEmpty {
                lines.append("    false actions by rule: " + entry.falseActionRules.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", "))
            }
        }
        return lines.joined(separator: "\n")
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
