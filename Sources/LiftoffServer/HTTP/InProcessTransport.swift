import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import LiftoffAPI
import Logging
import NIOCore

/// Requests handed straight to a server's router in this process: the simulator's client. The request is
/// the one HTTP would carry (method, path with its query, headers, body) and passes the same middleware,
/// scope checks, handlers and error mapping; only sockets and HTTP parsing are skipped.
public struct InProcessTransport: LiftoffTransport {
    let responder: RouterResponder<AppRequestContext>
    let logger: Logger

    init(responder: RouterResponder<AppRequestContext>, logger: Logger) {
        self.responder = responder
        self.logger = logger
    }

    public var endpoint: String { "the in-process server" }

    public func exchange(_ request: TransportRequest) async throws -> TransportResponse {
        var fields = HTTPFields()
        for header in request.headers {
            guard let name = HTTPField.Name(header.name) else { continue }
            fields.append(HTTPField(name: name, value: header.value))
        }
        if let body = request.body { fields[.contentLength] = String(body.count) }
        let method = HTTPRequest.Method(request.method.rawValue) ?? .get
        let head = HTTPRequest(method: method, scheme: "http", authority: "localhost", path: request.path, headerFields: fields)
        let body = HummingbirdCore.RequestBody(buffer: request.body.map { ByteBuffer(bytes: $0) } ?? ByteBuffer())
        let context = AppRequestContext(inProcess: InProcessSource(logger: logger))
        let response = try await responder.respond(to: Request(head: head, body: body), context: context)
        let collector = BodyCollector()
        try await response.body.write(collector)
        return TransportResponse(status: response.status.code, body: Data(collector.buffer.readableBytesView))
    }
}

/// Gathers a response body written in one or more buffers.
private final class BodyCollector: ResponseBodyWriter {
    var buffer = ByteBuffer()

    func write(_ buffer: ByteBuffer) async throws {
        var buffer = buffer
        self.buffer.writeBuffer(&buffer)
    }

    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
