import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// How a `LiftoffClient` request reaches a server: over HTTP (`HTTPTransport`), or straight into the router of
/// a server in the same process (the simulator's), which skips sockets and HTTP parsing but nothing else —
/// routing, scopes, validation and error mapping are the server's own.
public protocol LiftoffTransport: Sendable {
    /// Sends one request; `path` includes the query. Answers any status; throws only when no answer came.
    func exchange(_ request: TransportRequest) async throws -> TransportResponse
    /// Where the requests go, for messages.
    var endpoint: String { get }
}

/// One request as `LiftoffClient` builds it.
public struct TransportRequest: Sendable {
    public var method: HTTPMethod
    public var path: String
    public var headers: [(name: String, value: String)]
    public var body: Data?

    public init(method: HTTPMethod, path: String, headers: [(name: String, value: String)] = [], body: Data? = nil) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
    }
}

/// One answer: its status and body.
public struct TransportResponse: Sendable {
    public var status: Int
    public var body: Data

    public init(status: Int, body: Data) {
        self.status = status
        self.body = body
    }
}

/// HTTP through AsyncHTTPClient's shared client, to `baseURL` (no trailing slash).
public struct HTTPTransport: LiftoffTransport {
    public let baseURL: String
    /// How long one request may take, connection included.
    public let timeout: TimeAmount

    public init(baseURL: String, timeout: TimeAmount = .seconds(60)) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.timeout = timeout
    }

    public var endpoint: String { baseURL }

    public func exchange(_ request: TransportRequest) async throws -> TransportResponse {
        var outgoing = HTTPClientRequest(url: baseURL + request.path)
        outgoing.method = request.method
        for header in request.headers { outgoing.headers.add(name: header.name, value: header.value) }
        if let body = request.body { outgoing.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await HTTPClient.shared.execute(outgoing, timeout: timeout)
        let data = Data(try await response.body.collect(upTo: 64 << 20).readableBytesView)
        return TransportResponse(status: Int(response.status.code), body: data)
    }
}
