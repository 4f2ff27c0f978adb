import Foundation
import Hummingbird

/// Decodes small JSON request bodies (commands, not event batches), with errors that name the field.
enum RequestJSON {
    static let limit = 64 << 10

    static func decode<Body: Decodable>(_ type: Body.Type, from request: Request) async throws -> Body {
        let data = try await RequestBody.read(request, limit: limit)
        do {
            return try JSONDecoder().decode(Body.self, from: data.isEmpty ? Data("{}".utf8) : data)
        } catch {
            throw APIError.badRequest(JSONProblem.describe(error, in: data), code: "invalid_body")
        }
    }

    /// A user id as the API accepts it: 1 to 128 characters.
    static func userId(_ value: String, field: String = "userId") throws -> String {
        guard !value.isEmpty, value.count <= 128 else {
            throw APIError.badRequest("\(field): must be 1 to 128 characters")
        }
        return value
    }

    /// Free text such as a reason or a note: at most 2,000 characters.
    static func text(_ value: String?, field: String, required: Bool = false) throws -> String? {
        let trimmed = value?.trimmingCharacters(in: .whitespacesAndNewlines)
        if let trimmed, !trimmed.isEmpty {
            guard trimmed.count <= 2000 else { throw APIError.badRequest("\(field): longer than 2000 characters") }
            return trimmed
        }
        if required { throw APIError.badRequest("\(field): required") }
        return nil
    }
}
