import Foundation
import LiftoffAPI
import Hummingbird
import LiftoffCore

/// Encodes response bodies the same way everywhere: camelCase members, sorted keys, RFC 3339 times.
enum JSONBody: Sendable {
    case value(any Encodable & Sendable)

    static var encoder: JSONEncoder { APICoding.encoder }

    /// A JSON response with `status`.
    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
        let data = try encoder.encode(value)
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

extension JSONBody: Encodable {
    func encode(to encoder: any Encoder) throws {
        switch self {
        case .value(let value): try value.encode(to: encoder)
        }
    }
}
