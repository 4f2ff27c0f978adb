/// Compact JSON text with sorted keys, written directly as UTF-8 bytes: storing each event's payload is on
/// the ingest path, and appending to a `String` scalar by scalar was half of the store's append time.
extension JSONValue {
    public var compactText: String {
        String(decoding: compactUTF8, as: UTF8.self)
    }

    /// The same text as `compactText`, as UTF-8 bytes (what a request body or a database column wants).
    public var compactUTF8: [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(128)
        write(to: &output)
        return output
    }

    /// Writes compact JSON with object members in key order, so equal values always give equal text.
    func write(to output: inout [UInt8]) {
        switch self {
        case .null: output.append(contentsOf: "null".utf8)
        case .bool(let flag): output.append(contentsOf: (flag ? "true" : "false").utf8)
        case .number(let number): Self.writeNumber(number, to: &output)
        case .string(let text): Self.writeString(text, to: &output)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                element.write(to: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            Self.writeObject(members.sorted { $0.key < $1.key }, to: &output)
        }
    }

    /// An object from members already in the order they are to be written.
    static func writeObject<Members: Sequence<(key: String, value: JSONValue)>>(_ members: Members, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "{"))
        var first = true
        for (key, value) in members {
            if !first { output.append(UInt8(ascii: ",")) }
            first = false
            writeString(key, to: &output)
            output.append(UInt8(ascii: ":"))
            value.write(to: &output)
        }
        output.append(UInt8(ascii: "}"))
    }

    static func writeNumber(_ number: Double, to output: inout [UInt8]) {
        if number.rounded() == number && abs(number) < 1e15 {
            writeInteger(Int64(number), to: &output)
        } else {
            output.append(contentsOf: "\(number)".utf8)
        }
    }

    /// Decimal digits written in place: `String(value)` allocated a string per number of every stored payload.
    static func writeInteger(_ value: Int64, to output: inout [UInt8]) {
        if value < 0 { output.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var start = digits.count
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            output.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start...]))
        }
    }

    /// RFC 8259 §7: quotation mark, reverse solidus and control characters are escaped; everything else,
    /// non-ASCII included, is copied as UTF-8. Runs of plain bytes are copied at once.
    static func writeString(_ text: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { bytes in
            var plainFrom = 0
            for index in bytes.indices {
                let byte = bytes[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[plainFrom..<index]))
                plainFrom = index + 1
                switch byte {
                case UInt8(ascii: "\""): output.append(contentsOf: #"\""#.utf8)
                case UInt8(ascii: "\\"): output.append(contentsOf: #"\\"#.utf8)
                case UInt8(ascii: "\n"): output.append(contentsOf: #"\n"#.utf8)
                case UInt8(ascii: "\r"): output.append(contentsOf: #"\r"#.utf8)
                case UInt8(ascii: "\t"): output.append(contentsOf: #"\t"#.utf8)
                default:
                    let hex = Array("0123456789abcdef".utf8)
                    output.append(contentsOf: #"\u00"#.utf8)
                    output.append(hex[Int(byte >> 4)])
                    output.append(hex[Int(byte & 0xF)])
                }
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[plainFrom...]))
        }
        output.append(UInt8(ascii: "\""))
    }
}

extension EventPayload {
    /// The type-specific fields as a JSON object, with the same member names as the ingest API.
    public var jsonObject: [String: JSONValue] {
        Dictionary(uniqueKeysWithValues: jsonMembers.lazy.map { ($0.key, $0.value) })
    }

    /// Compact JSON text of `jsonObject` (members in key order), written without building the dictionary:
    /// it is on the path of every stored event.
    public var compactJSONText: String {
        String(decoding: compactJSONUTF8, as: UTF8.self)
    }

    /// `compactJSONText` as UTF-8 bytes, written member by member with no array of members in between.
    public var compactJSONUTF8: [UInt8] {
        var writer = PayloadJSONWriter()
        writer.output.reserveCapacity(192)
        writer.output.append(UInt8(ascii: "{"))
        emitMembers(to: &writer)
        writer.output.append(UInt8(ascii: "}"))
        return writer.output
    }

    /// The fields that are present, in key order.
    var jsonMembers: [(key: String, value: JSONValue)] {
        var members = PayloadMemberList()
        emitMembers(to: &members)
        return members.members
    }

    /// The fields that are present, in key order: emitted so, because sorting them per stored event showed in
    /// the ingest profile (3% of samples on PostgreSQL). A test checks the order for every type.
    func emitMembers<Sink: PayloadMemberSink>(to sink: inout Sink) {
        func put(_ key: StaticString, _ value: String?) { if let value { sink.put(key, .string(value)) } }
        func put(_ key: StaticString, _ value: Double?) { if let value { sink.put(key, .number(value)) } }
        func put(_ key: StaticString, _ value: Int?) { if let value { sink.put(key, .number(Double(value))) } }
        func put(_ key: StaticString, _ value: Bool?) { if let value { sink.put(key, .bool(value)) } }
        switch self {
        case .aiInteraction(let value):
            put("accuracy", value.accuracy); put("cachedInputTokens", value.cachedInputTokens); put("costUsd", value.costUsd)
            put("feature", value.feature); put("inputTokens", value.inputTokens); put("latencyMs", value.latencyMs)
            put("model", value.model); put("outcome", value.outcome.rawValue); put("outputTokens", value.outputTokens)
            put("provider", value.provider); put("reasoningTokens", value.reasoningTokens); put("relevance", value.relevance)
        case .feedback(let value):
            put("feature", value.feature); put("helpful", value.helpful); put("interactionId", value.interactionId)
            put("rating", value.rating); put("relevant", value.relevant); put("suggestion", value.suggestion)
            put("usability", value.usability)
        case .sessionStart:
            break
        case .sessionEnd(let value):
            put("durationSeconds", value.durationSeconds)
        case .assessment(let value):
            put("level", value.level); put("predictedLevel", value.predictedLevel); put("score", value.score); put("skill", value.skill)
        case .completion(let value):
            put("completed", value.completed); put("item", value.item.rawValue); put("itemId", value.itemId)
        case .securityIssue(let value):
            put("severity", value.severity.rawValue); put("title", value.title)
        case .integrityViolation(let value):
            put("check", value.check); put("detail", value.detail); put("feature", value.feature)
        case .integrityCheck(let value):
            put("check", value.check); put("detail", value.detail); put("feature", value.feature); put("passed", value.passed)
        case .resource(let value):
            put("cpu", value.cpu); put("infraCostUsd", value.infraCostUsd); put("memory", value.memory)
        case .payment(let value):
            put("amountUsd", value.amountUsd); put("kind", value.kind.rawValue); put("plan", value.plan)
        }
    }
}

/// One payload field's value, as `EventPayload.emitMembers` hands it over.
enum PayloadMemberValue {
    case string(String)
    case number(Double)
    case bool(Bool)
}

/// What `EventPayload.emitMembers` writes to: one call per present field, in key order.
protocol PayloadMemberSink {
    mutating func put(_ key: StaticString, _ value: PayloadMemberValue)
}

/// The members as `JSONValue`s.
struct PayloadMemberList: PayloadMemberSink {
    var members: [(key: String, value: JSONValue)] = []

    mutating func put(_ key: StaticString, _ value: PayloadMemberValue) {
        let json: JSONValue = switch value {
        case .string(let text): .string(text)
        case .number(let number): .number(number)
        case .bool(let flag): .bool(flag)
        }
        members.append((key.description, json))
    }
}

/// The members written straight into compact JSON (the braces are the caller's). Keys are plain ASCII
/// names, so they are copied without escaping.
struct PayloadJSONWriter: PayloadMemberSink {
    var output: [UInt8] = []
    private var first = true

    mutating func put(_ key: StaticString, _ value: PayloadMemberValue) {
        if !first { output.append(UInt8(ascii: ",")) }
        first = false
        output.append(UInt8(ascii: "\""))
        output.append(contentsOf: UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
        output.append(contentsOf: "\":".utf8)
        switch value {
        case .string(let text): JSONValue.writeString(text, to: &output)
        case .number(let number): JSONValue.writeNumber(number, to: &output)
        case .bool(let flag): output.append(contentsOf: (flag ? "true" : "false").utf8)
        }
    }
}
