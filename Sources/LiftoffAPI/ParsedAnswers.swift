import Foundation
import LiftoffCore

/// The two answers a client reads on every simulated step (`/v1/events`, `/v1/evaluate`), read from the JSON
/// tree of `JSONParser` instead of `JSONDecoder`: Foundation's decoder spent about 30 µs on each, a twentieth
/// of a simulation run. The shape is the `Codable` one; a member missing or of another type is an error
/// that names it.
protocol ParsedAnswer {
    init(parsed: JSONValue) throws(ParsedAnswerError)
}

/// What in an answer was not as expected.
struct ParsedAnswerError: Error, CustomStringConvertible {
    var description: String
}

extension ParsedAnswer {
    static func parse(_ data: Data) throws -> Self {
        try Self(parsed: try JSONParser.parse(data))
    }
}

extension JSONValue {
    fileprivate func member(_ key: String) throws(ParsedAnswerError) -> JSONValue {
        guard let value = self[key] else { throw ParsedAnswerError(description: "no member '\(key)'") }
        return value
    }

    fileprivate func int(_ key: String) throws(ParsedAnswerError) -> Int {
        guard case .number(let number) = try member(key), let value = Int(exactly: number) else {
            throw ParsedAnswerError(description: "'\(key)' is not a whole number")
        }
        return value
    }

    fileprivate func string(_ key: String) throws(ParsedAnswerError) -> String {
        guard case .string(let value) = try member(key) else { throw ParsedAnswerError(description: "'\(key)' is not a string") }
        return value
    }
}

extension IngestReport: ParsedAnswer {
    init(parsed json: JSONValue) throws(ParsedAnswerError) {
        guard case .array(let rejections) = try json.member("rejected") else {
            throw ParsedAnswerError(description: "'rejected' is not an array")
        }
        var rejected: [IngestRejection] = []
        for rejection in rejections {
            rejected.append(IngestRejection(index: try rejection.int("index"), error: try rejection.string("error")))
        }
        self.init(accepted: try json.int("accepted"), duplicates: try json.int("duplicates"), rejected: rejected)
    }
}

extension EvaluateAnswer: ParsedAnswer {
    init(parsed json: JSONValue) throws(ParsedAnswerError) {
        guard case .bool(let enabled) = try json.member("enabled") else { throw ParsedAnswerError(description: "'enabled' is not a boolean") }
        guard let variant = Variant(rawValue: try json.string("variant")) else {
            throw ParsedAnswerError(description: "'variant' is not a known variant")
        }
        guard case .object(let config) = try json.member("config") else { throw ParsedAnswerError(description: "'config' is not an object") }
        self.init(enabled: enabled, variant: variant, phase: try json.string("phase"), reason: try json.string("reason"), config: config)
    }
}
