import Foundation
import HTTPTypes
import Hummingbird
import LiftoffAPI
import LiftoffCore
import LiftoffStore
import Logging
import NIOCore
import NIOHTTPTypes
import Prometheus

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
/// it has not answered, what arrives after it (later requests, a decoder error, the client's half-close) is
/// held, in order, until that answer is out; past a few held items the socket is not read meanwhile.
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
        /// Requests answered here (`liftoff_http_fast_path_requests_total`): the rest of the route's
        /// requests in its histogram went through the router.
        var answered: Counter
        var date: HTTPDate
        var serverName: String?
        var logger: Logger
        /// The largest body taken here: parsing and validating run on the event loop, which other
        /// connections share, so large batches go to the router's tasks.
        var maxBodyBytes: Int
        /// Where commits' answers are handed to their connections' loops.
        var mailboxes = LoopMailboxes()
    }

    static let route = "/v1/events"
    /// Inbound items held at most before the socket is no longer read.
    static let heldLimit = 16

    private enum State {
        /// Between requests.
        case idle
        /// A candidate's head, its `Authorization`, the body so far, and when its head arrived.
        case collecting(HTTPRequest, authorization: String, ByteBuffer, ContinuousClock.Instant)
        /// A request taken here waits for its commit.
        case answering
        /// A request given to the router, until its request has ended and its response has been written.
        case forwarding(requestEnded: Bool, responseEnded: Bool)
        /// The router answered a `Connection: close` request: it processes nothing after it (RFC 9112 §9.6),
        /// and neither does this handler; whatever still arrives is passed on.
        case closing
        /// The handler left the pipeline (the channel closed); an answer still pending is dropped.
        case removed
    }

    /// What arrives from the socket's side, held in order while a request is outstanding.
    private enum Inbound {
        case part(HTTPRequestPart)
        /// The HTTP decoder's error (malformed bytes, headers too large): the router answers it with 400 and
        /// closes, so it must reach the router after the answers to the requests before it.
        case error(any Error)
        /// The client closed its sending side (a half-close, allowed on the server): the router's reader stops
        /// at it and closes the connection.
        case inputClosed
    }

    private let dependencies: Dependencies
    private var state = State.idle
    /// Items of later requests that arrived while one is outstanding.
    private var held = CircularBuffer<Inbound>()
    /// A read asked for while too much was held, issued once the hold is processed.
    private var readPending = false
    /// The request being forwarded asked the connection to close after its answer.
    private var forwardedCloses = false
    /// This connection's loop's, looked up at the first request taken here.
    private var mailbox: LoopMailbox?
    /// The key this connection's last request taken here authenticated with.
    private var rememberedKey: RememberedKey?

    init(_ dependencies: Dependencies) {
        self.dependencies = dependencies
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        state = .removed
        held.removeAll()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        receive(.part(unwrapInboundIn(data)), context: context)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        receive(.error(error), context: context)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard case ChannelEvent.inputClosed = event else { return context.fireUserInboundEventTriggered(event) }
        receive(.inputClosed, context: context)
    }

    func read(context: ChannelHandlerContext) {
        // Held items wait for an answer; reading without bound would only grow the hold.
        guard held.count < Self.heldLimit else {
            readPending = true
            return
        }
        context.read()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        context.write(data, promise: promise)
        guard case .end = unwrapOutboundIn(data), case .forwarding(let requestEnded, _) = state else { return }
        if requestEnded {
            state = forwardedCloses ? .closing : .idle
            resume(context)
        } else {
            // The router answered before reading the whole body (an early 4xx); the rest still passes to it.
            state = .forwarding(requestEnded: false, responseEnded: true)
        }
    }

    private func receive(_ item: Inbound, context: ChannelHandlerContext) {
        guard held.isEmpty, takes(item) else {
            held.append(item)
            return
        }
        handle(item, context: context)
    }

    /// Whether `item` can be handled now rather than held for later.
    private func takes(_ item: Inbound) -> Bool {
        switch (state, item) {
        case (.removed, _), (.answering, _): false
        case (.forwarding(requestEnded: true, _), .part): false
        default: true
        }
    }

    private func handle(_ item: Inbound, context: ChannelHandlerContext) {
        switch item {
        case .part(let part):
            process(part, context: context)
        case .error(let error):
            forwardCollected(context)
            context.fireErrorCaught(error)
        case .inputClosed:
            forwardCollected(context)
            context.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        }
    }

    /// A request cut short (by an error or the client's close) goes to the router as far as it came, as it
    /// would have without the fast path.
    private func forwardCollected(_ context: ChannelHandlerContext) {
        guard case .collecting(let head, _, let body, _) = state else { return }
        state = .forwarding(requestEnded: false, responseEnded: false)
        forward(body.readableBytes == 0 ? [.head(head)] : [.head(head), .body(body)], context: context)
    }

    private func process(_ part: HTTPRequestPart, context: ChannelHandlerContext) {
        switch (state, part) {
        case (.idle, .head(let head)):
            if let authorization = candidateAuthorization(head) {
                state = .collecting(head, authorization: authorization, context.channel.allocator.buffer(capacity: 512), .now)
            } else {
                // Hummingbird's own test for the last request of a connection.
                forwardedCloses = head.headerFields[.connection] == "close"
                state = .forwarding(requestEnded: false, responseEnded: false)
                context.fireChannelRead(wrapInboundOut(part))
            }
        case (.collecting(let head, let authorization, var body, let started), .body(let chunk)):
            if body.readableBytes + chunk.readableBytes > dependencies.maxBodyBytes {
                state = .forwarding(requestEnded: false, responseEnded: false)
                forward([.head(head), .body(body), part], context: context)
            } else {
                state = .idle  // drops the reference to `body` so the write below does not copy it
                body.writeImmutableBuffer(chunk)
                state = .collecting(head, authorization: authorization, body, started)
            }
        case (.collecting(let head, let authorization, let body, let started), .end):
            answerOrForward(head, authorization: authorization, body, end: part, started: started, context: context)
        case (.forwarding(requestEnded: false, let responseEnded), _):
            if case .end = part {
                state = responseEnded ? (forwardedCloses ? .closing : .idle) : .forwarding(requestEnded: true, responseEnded: false)
            }
            context.fireChannelRead(wrapInboundOut(part))
        default:
            // After a `Connection: close` answer, or a part out of order (a body with no head): the router's
            // reader deals with it.
            context.fireChannelRead(wrapInboundOut(part))
        }
    }
    /// The request's `Authorization` when the fast path may take it, from one pass over the fields: each
    /// `HTTPFields` subscript scanned them all and joined the values into a new string, six times a request.
    /// A field read here that comes twice leaves the request to the router, which joins them.
    private func candidateAuthorization(_ head: HTTPRequest) -> String? {
        guard head.method == .post, head.path == Self.route else { return nil }
        var authorization: String?
        var seen: (connection: Bool, encoding: Bool, length: Bool) = (false, false, false)
        for field in head.headerFields {
            switch field.name {
            case .authorization:
                if authorization != nil { return nil }
                authorization = field.value
            case .expect:
                return nil
            case .connection:
                if seen.connection || field.value.lowercased() == "close" { return nil }
                seen.connection = true
            case .contentEncoding:
                if seen.encoding || field.value.lowercased() != "identity" { return nil }
                seen.encoding = true
            case .contentLength:
                guard !seen.length, let bytes = Int(field.value), bytes <= dependencies.maxBodyBytes else { return nil }
                seen.length = true
            default:
                continue
            }
        }
        return authorization
    }

    private func answerOrForward(_ head: HTTPRequest, authorization: String, _ body: ByteBuffer, end: HTTPRequestPart,
                                 started: ContinuousClock.Instant, context: ChannelHandlerContext) {
        let events = dependencies.events
        guard dependencies.keys.unlimitedKey(authorization: authorization, covering: .ingest, remembering: &rememberedKey) != nil,
              let batch = try? EventsController.parse(Data(body.readableBytesView)),
              batch.events.count <= events.limits.maxEventsPerRequest else {
            return forwardWhole(head, body, end: end, context: context)
        }
        let (valid, rejected) = events.prepare(batch.events)
        guard rejected.isEmpty, !valid.isEmpty else { return forwardWhole(head, body, end: end, context: context) }
        state = .answering
        let loop = context.eventLoop
        let mailbox = self.mailbox ?? dependencies.mailboxes.mailbox(for: loop)
        self.mailbox = mailbox
        let target = NIOLoopBound((self, context), eventLoop: loop)
        events.pipeline.submit(valid) { result in
            mailbox.post {
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
        var fields: [HTTPField] = []
        fields.reserveCapacity(6)
        let status: HTTPResponse.Status
        let bytes: ByteBuffer
        switch result {
        case .success(let statuses):
            status = .ok
            bytes = ByteBuffer(string: IngestReport(statuses, rejected: []).acceptedText ?? "")
        case .failure(let error):
            let mapped = ErrorMapping<AppRequestContext>.apiError(for: error, logger: dependencies.logger)
            status = mapped.status
            // The mapping's own fields, less any it would set below.
            fields.append(contentsOf: mapped.headers.lazy.filter { ![.contentType, .contentLength, .date, .server].contains($0.name) })
            bytes = ByteBuffer(bytes: (try? ErrorMapping<AppRequestContext>.body(for: mapped)) ?? Data())
        }
        // Gathered, then made `HTTPFields` at once: setting a field looks its name up first, and each append
        // to `HTTPFields` is a generic replacement of a subrange.
        fields.append(HTTPField(name: .contentType, value: "application/json; charset=utf-8"))
        fields.append(HTTPField(name: .contentLength, value: String(bytes.readableBytes)))
        fields.append(HTTPField(name: .date, value: dependencies.date.now))
        if let server = dependencies.serverName { fields.append(HTTPField(name: .server, value: server)) }
        context.write(wrapOutboundOut(.head(HTTPResponse(status: status, headerFields: HTTPFields(fields)))), promise: nil)
        context.write(wrapOutboundOut(.body(bytes)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        dependencies.metrics.record(route: Self.route, method: "POST", status: status.code, since: started)
        dependencies.answered.increment()
        state = .idle
        resume(context)
    }

    /// Handles what was held while a request was outstanding, in order, then the read held with it.
    private func resume(_ context: ChannelHandlerContext) {
        var forwarded = false
        while let item = held.first, takes(item) {
            held.removeFirst()
            handle(item, context: context)
            if case .forwarding = state { forwarded = true }
            if case .closing = state { forwarded = true }
        }
        if forwarded { context.fireChannelReadComplete() }
        if readPending, held.count < Self.heldLimit {
            readPending = false
            context.read()
        }
    }
}
