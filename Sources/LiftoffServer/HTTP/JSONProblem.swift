import Foundation
import LiftoffCore

/// Turns a JSON decoding failure into a message that says where the body broke.
enum JSONProblem {
    static func describe(_ error: any Error, in body: Data) -> String {
        guard let error = error as? DecodingError else { return "the body is not valid JSON" }
        switch error {
        case .dataCorrupted:
            return "the body is not valid JSON: \(syntaxProblem(in: body))"
        case .keyNotFound(let key, let context):
            return "\(path(context.codingPath + [key])): required"
        case .typeMismatch(let type, let context):
            let name = "\(type)"
            let expected = name.hasPrefix("Array") ? "an array" : name.hasPrefix("Dictionary") ? "an object" : name
            return "\(path(context.codingPath)): expected \(expected)"
        case .valueNotFound(_, let context):
            return "\(path(context.codingPath)): must not be null"
        @unknown default:
            return "the body is not valid JSON"
        }
    }

    /// JSONDecoder on Linux does not say where the syntax broke; the project's parser does (only on the
    /// error path).
    static func syntaxProblem(in body: Data) -> String {
        if body.isEmpty { return "the body is empty" }
        do {
            _ = try JSONParser.parse(body)
            return "unexpected structure"
        } catch {
            return error.description
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.isEmpty ? "body" : keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
}
