import Foundation
import NIOCore
import Hummingbird
import LiftoffCore
import LiftoffOTLP
import LiftoffStore
import Logging

/// The one place where errors become HTTP responses. Domain and store errors get their 4xx; anything
/// unexpected is logged and answered 500 without internals.
struct ErrorMapping<Context: RequestContext>: RouterMiddleware {
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let mapped = Self.apiError(for: error, logger: logger)
            // OTLP exporters expect their own error body, in the encoding they sent.
            if request.uri.path.hasPrefix("/otlp/") {
                let encoding = OTLPEncoding(contentType: request.headers[.contentType]) ?? .json
                var headers = mapped.headers
                headers[.contentType] = encoding.contentType
                return Response(status: mapped.status, headers: headers, body: .init(byteBuffer: ByteBuffer(
                    bytes: encoding.status(httpStatus: Int(mapped.status.code), message: mapped.message))))
            }
            return try Self.response(for: mapped)
        }
    }

    static func apiError(for error: any Error, logger: Logger) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let error as DomainError:
            var mapped: APIError
            switch error.kind {
            case .invalid: mapped = .badRequest(error.message)
            case .notFound: mapped = .notFound(error.message)
            case .conflict: mapped = .conflict(error.message)
            case .unavailable: mapped = .retryLater(error.message, after: error.retryAfter ?? 5)
            }
            for (name, list) in error.details { mapped.extra[name] = .value(list) }
            return mapped
        case let error as StoreError:
            // Conditions that pass answer 503 (507 for a full disk) with when to retry; only a store that
            // cannot read back what it holds is a 500.
            switch error.code {
            case .conflict: return .conflict(error.message)
            case .busy: return .retryLater("the store is busy; retry shortly", after: 1)
            case .unavailable:
                logger.error("store unavailable", metadata: ["error": "\(error.message)"])
                return .retryLater("the store cannot be reached; retry shortly", after: 5)
            case .storageFull:
                logger.error("store full", metadata: ["error": "\(error.message)"])
                var full = APIError(HTTPResponse.Status(code: 507, reasonPhrase: "Insufficient Storage"), code: "storage_full",
                                    "nothing was recorded: the store's disk is full; reads keep working, and writes resume once space is freed")
                full.headers[.retryAfter] = "30"
                return full
            case .readOnly:
                logger.error("store read-only", metadata: ["error": "\(error.message)"])
                return .retryLater("nothing was recorded: the store is read-only; reads keep working", after: 30)
            case .corrupt:
                logger.error("store failure", metadata: ["error": "\(error.message)"])
                return APIError(.internalServerError, code: "store_failure", "the store failed; see the server log")
            }
        case is NIOTooManyBytesError:
            return APIError(.contentTooLarge, code: "body_too_large", "request body is too large")
        case let error as HTTPError:
            return APIError(error.status, code: Self.code(for: error.status), error.body ?? error.status.reasonPhrase)
        case let error as any HTTPResponseError:
            return APIError(error.status, code: Self.code(for: error.status), error.status.reasonPhrase)
        default:
            logger.error("unexpected error", metadata: ["error": "\(String(reflecting: type(of: error)))"])
            return APIError(.internalServerError, code: "internal", "internal error; see the server log")
        }
    }

    static func response(for error: APIError) throws -> Response {
        var headers = error.headers
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: error.status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try body(for: error))))
    }

    /// The JSON body of `error`'s answer: `{"error":{"code","message"}}` and its extra members.
    static func body(for error: APIError) throws -> Data {
        var body: [String: JSONBody] = error.extra
        body["error"] = .value(ErrorBody(code: error.code, message: error.message))
        return try JSONBody.encoder.encode(body)
    }

    private static func code(for status: HTTPResponse.Status) -> String {
        switch status {
        case .notFound: "not_found"
        case .methodNotAllowed: "method_not_allowed"
        case .contentTooLarge: "body_too_large"
        case .unsupportedMediaType: "unsupported_media_type"
        default: status.code < 500 ? "bad_request" : "internal"
        }
    }

    private struct ErrorBody: Encodable, Sendable {
        var code: String
        var message: String
    }
}
