import AsyncHTTPClient
import Foundation
import LiftoffCore
import NIOCore
import NIOHTTP1

/// JSON over HTTP to a Liftoff server, as the app and an operator would call it.
public struct LiftoffClient: Sendable {
    public let baseURL: String
    public let key: String

    /// A non-2xx answer, with the server's message.
    public struct Failure: Error, CustomStringConvertible {
        public var status: Int
        public var message: String
        public var description: String { "\(status): \(message)" }
    }

    public init(baseURL: String, key: String) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.key = key
    }

    @discardableResult
    public func post(_ path: String, _ body: JSONValue) async throws -> JSONValue {
        try await send(.POST, path, body: body.compactText)
    }

    public func get(_ path: String) async throws -> JSONValue {
        try await send(.GET, path, body: nil)
    }

    private func send(_ method: HTTPMethod, _ path: String, body: String?) async throws -> JSONValue {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(key)")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let bytes = try await response.body.collect(upTo: 64 << 20)
        let data = Data(bytes.readableBytesView)
        let value = data.isEmpty ? JSONValue.null : ((try? JSONParser.parse(data)) ?? .string(String(decoding: data, as: UTF8.self)))
        guard (200..<300).contains(Int(response.status.code)) else {
            let message: String
            if case .string(let text)? = value["error"]?["message"] { message = text } else { message = String(decoding: data, as: UTF8.self) }
            throw Failure(status: Int(response.status.code), message: message)
        }
        return value
    }
}
