import Foundation
import Hummingbird

/// An error the API reports to its caller: an HTTP status, a stable machine-readable code and a message that
/// says what was wrong and where. Every failure reaches the client through `ErrorMapping`, as
/// `{"error":{"code":…,"message":…}}`.
public struct APIError: Error, Sendable, CustomStringConvertible {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    /// Extra members merged into the JSON body beside `error` (e.g. the per-event report of a rejected batch).
    var extra: [String: JSONBody] = [:]
    var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, code: String, _ message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    public var description: String { "\(status.code) \(code): \(message)" }

    static func badRequest(_ message: String, code: String = "bad_request") -> APIError {
        APIError(.badRequest, code: code, message)
    }

    static func unauthorized(_ message: String) -> APIError {
        var error = APIError(.unauthorized, code: "unauthorized", message)
        error.headers[.wwwAuthenticate] = "Bearer"
        return error
    }

    static func forbidden(_ message: String) -> APIError { APIError(.forbidden, code: "forbidden", message) }
    static func notFound(_ message: String) -> APIError { APIError(.notFound, code: "not_found", message) }
    static func conflict(_ message: String) -> APIError { APIError(.conflict, code: "conflict", message) }

    static func tooLarge(limit: Int) -> APIError {
        APIError(.contentTooLarge, code: "body_too_large", "request body exceeds the limit of \(ByteCount.format(limit))")
    }

    static func unavailable(_ message: String) -> APIError {
        APIError(.serviceUnavailable, code: "unavailable", message)
    }

    /// 503 with `Retry-After`: a condition that passes.
    static func retryLater(_ message: String, after seconds: Int) -> APIError {
        var error = APIError(.serviceUnavailable, code: "unavailable", message)
        error.headers[.retryAfter] = String(seconds)
        return error
    }
}

/// Byte sizes for messages: `10 MiB`, `512 KiB`, `900 bytes`.
enum ByteCount {
    static func format(_ bytes: Int) -> String {
        if bytes >= 1 << 20 && bytes % (1 << 20) == 0 { return "\(bytes >> 20) MiB (\(bytes) bytes)" }
        if bytes >= 1 << 10 && bytes % (1 << 10) == 0 { return "\(bytes >> 10) KiB (\(bytes) bytes)" }
        return "\(bytes) bytes"
    }
}
