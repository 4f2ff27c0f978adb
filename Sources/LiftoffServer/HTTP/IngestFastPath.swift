import Foundation
import HTTPTypes
import Hummingbird
import LiftoffAPI
import LiftoffCore
import LiftoffStore
import Logging
import NIOCore
import NIOHTTPTypes

/// `POST /v1/events` for the shape apps send on every AI call (a small body of valid events), answered on
/// the connection's event loop: the request is parsed, checked and handed to the ingest pipeline there, and
/// the commit's completion writes the answer from the same loop. A request on the router costs two hand-offs
/// between the event loop and Swift's task pool and the router's per-request work (its logger, context,
/// middleware); for a single event that was as much server time as the event's share of the commit.
///
/// Only the plain success path is taken here. Anything else (another route, a query string, a content
/// encoding, `Expect`, `Connection: close`, no key, a key that is unknown, expired, rate-limited or of too weak
/// a scope, a body past `maxBodyBytes`, invalid JSON, too many events, any invalid event) is passed on
/// untouched to the router, which answers it as before: every error keeps its one mapping and message.
/// Failures of the commit itself (queue full, shutting down, the store's errors) are answered here through
/// that same mapping (`ErrorMapping`).
///
/// HTTP/1.1 answers in request order: while an answer is pending here, or while the router has a request
/// it has not answered, the parts of later requests are held (and the socket is not read) until it is out.
final class IngestFastPath: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// What the fast path needs from the server, shared by every connection.
    struct Dependencies: Sendable {
        var events: EventsController
        var keys: KeyRing
        var metrics: RequestMetrics<AppRequestContext>
        var date: HTTPDate
        var serverName: String?
        var logger: Logger
        /// The largest body taken here: parsing and validating run on the event loop, which other
        /// connections share, so large batches go to the router's tasks.
        var maxBodyBytes: Int
    }

    static let route = "/v1/events"

    private enum State {
        /// Between requests.
        case idle
        /// A candidate's head and the body so far.
        case collecting(HTTPRequest, ByteBuffer)
        /// A request taken here waits for its commit.
        case answering
        /// A request given to the router, until its request has ended and its response has been written.
        case forwarding(requestEnded: Bool, responseEnded: Bool)
        /// The handler left the pipeline (the channel closed); an answer still pending is dropped.
        case removed
    }

    private let dependencies: Dependencies
    private var state = State.idle
    /// Parts of later requests that arrived while one is outstanding.
    private var held = CircularBuffer<HTTPRequestPart>()
    /// A read asked for while parts were held, issued once they are processed.
    private var readPending = false
    /// The client's end of the connection closed (a half-close, allowed on the server) while an answer was
    /// pending or parts were held: passed on after them, as the router's reader would stop at it and close.
    private var inputClosedPending = false

    init(_ dependencies: Dependencies) {
        self.dependencies = dependencies
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        state = .removed
        held.removeAll()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        guard held.isEmpty, takesParts else {
            held.append(part)
            return
        }
        process(part, context: context)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard case ChannelEvent.inputClosed = event else { return context.fireUserInboundEventTriggered(event) }
        if case .collecting(let head, let body) = state {
            // The request was cut short: the router answers what it got, as without the fast path.
            state = .forwarding(requestEnded: false, responseEnded: false)
            forward([.head(head), .body(body)], context: context)
        }
        guard held.isEmpty, !isAnswering else {
            inputClosedPending = true
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func read(context: ChannelHandlerContext) {
        // Holding parts means the next request cannot be served yet: reading more would only grow the hold.
        guard held.isEmpty, !isAnswering else {
            readPending = true
            return
        }
        context.read()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        context.write(data, promise: promise)
        guard case .end = unwrapOutboundIn(data), case .forwarding(let requestEnded, _) = state else { return }
        if requestEnded {
            state = .idle
            resume(context)
        } else {
            // The router answered before reading the whole body (an early 4xx); the rest still passes to it.
            state = .forwarding(requestEnded: false, responseEnded: true)
        }
    }

    /// Whether an incoming part can be processed now (rather than held for later).
    private var takesParts: Bool {
        switch state {
        case .idle, .collecting, .forwarding(requestEnded: false, _): true
        case .answering, .forwarding(requestEnded: true, _), .removed: false
        }
    }

    private var isAnswering: Bool {
        if case .answering = state { return true }
        return false
    }

    private func process(_ part: HTTPRequestPart, context: ChannelHandlerContext) {
        switch (state, part) {
        case (.idle, .head(let head)):
            if isCandidate(head) {
                state = .collecting(head, context.channel.allocator.buffer(capacity: 512))
            } else {
                state = .forwarding(requestEnded: false, responseEnded: false)
                context.fireChannelRead(wrapInboundOut(part))
            }
        case (.collecting(let head, var body), .body(let chunk)):
            if body.readableBytes + chunk.readableBytes > dependencies.maxBodyBytes {
                state = .forwarding(requestEnded: false, responseEnded: false)
                forward([.head(head), .body(body), part], context: context)
            } else {
                state = .idle  // drops the reference to `body` so the write below does not copy it
                body.writeImmutableBuffer(chunk)
                state = .collecting(head, body)
            }
        case (.collecting(let head, let body), .end):
            answerOrForward(head, body, end: part, context: context)
        case (.forwarding(requestEnded: false, let responseEnded), _):
            if case .end = part {
                state = responseEnded ? .idle : .forwarding(requestEnded: true, responseEnded: false)
            }
            context.fireChannelRead(wrapInboundOut(part))
        default:
            // A part out of order (a body with no head): the router's reader reports it.
            context.fireChannelRead(wrapInboundOut(part))
        }
    }

    private func isCandidate(_ head: HTTPRequest) -> Bool {
        let fields = head.headerFields
        guard head.method == .post, head.path == Self.route, fields[.authorization] != nil, fields[.expect] == nil,
              fields[.connection]?.lowercased() != "close" else { return false }
        if let encoding = fields[.contentEncoding], encoding.lowercased() != "identity" { return false }
        if let length = fields[.contentLength] {
            guard let bytes = Int(length), bytes <= dependencies.maxBodyBytes else { return false }
        }
        return true
    }

    private func answerOrForward(_ head: HTTPRequest, _ body: ByteBuffer, end: HTTPRequestPart, context: ChannelHandlerContext) {
        let started = ContinuousClock.now
        let events = dependencies.events
        guard dependencies.keys.unlimitedKey(authorization: head.headerFields[.authorization], covering: .ingest) != nil,
              let batch = try? EventsController.parse(Data(body.readableBytesView)),
              batch.events.count <= events.limits.maxEventsPerRequest else {
            return forwardWhole(head, body, end: end, context: context)
        }
        let (valid, rejected) = events.prepare(batch.events)
        guard rejected.isEmpty, !valid.isEmpty else { return forwardWhole(head, body, end: end, context: context) }
        state = .answering
        let loop = context.eventLoop
        let target = NIOLoopBound((self, context), eventLoop: loop)
        events.pipeline.submit(valid) { result in
            loop.execute {
                let (handler, context) = target.value
                handler.answer(result, started: started, context: context)
            }
        }
    }

    private func forwardWhole(_ head: HTTPRequest, _ body: ByteBuffer, end: HTTPRequestPart, context: ChannelHandlerContext) {
        state = .forwarding(requestEnded: true, responseEnded: false)
        forward(body.readableBytes == 0 ? [.head(head), end] : [.head(head), .body(body), end], context: context)
    }

    private func forward(_ parts: [HTTPRequestPart], context: ChannelHandlerContext) {
        for part in parts { context.fireChannelRead(wrapInboundOut(part)) }
        // The router's channel hands reads on when a read burst completes.
        context.fireChannelReadComplete()
    }

    private func answer(_ result: Result<[AppendStatus], any Error>, started: ContinuousClock.Instant, context: ChannelHandlerContext) {
        guard case .answering = state else { return }  // the channel closed while the commit ran
        var fields = HTTPFields()
        let status: HTTPResponse.Status
        let bytes: ByteBuffer
        switch result {
        case .success(let statuses):
            status = .ok
            bytes = ByteBuffer(string: IngestReport(statuses, rejected: []).acceptedText ?? "")
        case .failure(let error):
            let mapped = ErrorMapping<AppRequestContext>.apiError(for: error, logger: dependencies.logger)
            status = mapped.status
            fields = mapped.headers
            bytes = ByteBuffer(bytes: (try? ErrorMapping<AppRequestContext>.body(for: mapped)) ?? Data())
        }
        fields[.contentType] = "application/json; charset=utf-8"
        fields[.contentLength] = String(bytes.readableBytes)
        fields[.date] = dependencies.date.now
        if let server = dependencies.serverName { fields[.server] = server }
        context.write(wrapOutboundOut(.head(HTTPResponse(status: status, headerFields: fields))), promise: nil)
        context.write(wrapOutboundOut(.body(bytes)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        dependencies.metrics.record(route: Self.route, method: "POST", status: status.code, since: started)
        state = .idle
        resume(context)
    }

    /// Processes the parts held while a request was outstanding, then the read that was held with them.
    private func resume(_ context: ChannelHandlerContext) {
        var forwarded = false
        while !held.isEmpty, takesParts {
            let part = held.removeFirst()
            if case .forwarding(requestEnded: false, _) = state { forwarded = true }
            process(part, context: context)
            if case .forwarding = state { forwarded = true }
        }
        if forwarded { context.fireChannelReadComplete() }
        guard held.isEmpty, !isAnswering else { return }
        if inputClosedPending {
            inputClosedPending = false
            context.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        } else if readPending {
            readPending = false
            context.read()
        }
    }
}
