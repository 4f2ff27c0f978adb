/// Compact JSON text with sorted keys, written directly: storing each event's payload went through
/// `JSONEncoder`, which cost more than the SQLite insert of the row.
extension JSONValue {
    public var compactText: String {
        var output = ""
        write(to: &output)
        return output
    }

    func write(to output: inout String) {
        switch self {
        case .null: output += "null"
        case .bool(let flag): output += flag ? "true" : "false"
        case .number(let number):
            if number.rounded() == number && abs(number) < 1e15 {
                output += String(Int64(number))
            } else {
                output += "\(number)"
            }
        case .string(let text): Self.writeString(text, to: &output)
        case .array(let elements):
            output += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { output += "," }
                element.write(to: &output)
            }
            output += "]"
        case .object(let members):
            output += "{"
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { output += "," }
                Self.writeString(key, to: &output)
                output += ":"
                members[key]!.write(to: &output)
            }
            output += "}"
        }
    }

    static func writeString(_ text: String, to output: inout String) {
        output += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }
}

extension EventPayload {
    /// The type-specific fields as a JSON object, with the same member names as the ingest API.
    public var jsonObject: [String: JSONValue] {
        var object: [String: JSONValue] = [:]
        func put(_ key: String, _ value: String?) { if let value { object[key] = .string(value) } }
        func put(_ key: String, _ value: Double?) { if let value { object[key] = .number(value) } }
        func put(_ key: String, _ value: Int?) { if let value { object[key] = .number(Double(value)) } }
        func put(_ key: String, _ value: Bool?) { if let value { object[key] = .bool(value) } }
        switch self {
        case .aiInteraction(let value):
            put("feature", value.feature); put("model", value.model); put("provider", value.provider)
            put("latencyMs", value.latencyMs); put("inputTokens", value.inputTokens); put("outputTokens", value.outputTokens)
            put("costUsd", value.costUsd); put("outcome", value.outcome.rawValue); put("relevance", value.relevance)
            put("accuracy", value.accuracy)
        case .feedback(let value):
            put("rating", value.rating); put("helpful", value.helpful); put("relevant", value.relevant)
            put("usability", value.usability); put("suggestion", value.suggestion); put("interactionId", value.interactionId)
        case .sessionStart:
            break
        case .sessionEnd(let value):
            put("durationSeconds", value.durationSeconds)
        case .assessment(let value):
            put("skill", value.skill); put("score", value.score); put("level", value.level)
        case .completion(let value):
            put("item", value.item.rawValue); put("itemId", value.itemId); put("completed", value.completed)
        case .securityIssue(let value):
            put("severity", value.severity.rawValue); put("title", value.title)
        case .integrityViolation(let value):
            put("check", value.check); put("detail", value.detail)
        case .resource(let value):
            put("cpu", value.cpu); put("memory", value.memory); put("infraCostUsd", value.infraCostUsd)
        }
        return object
    }
}
