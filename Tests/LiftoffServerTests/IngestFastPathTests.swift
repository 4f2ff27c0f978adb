import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LiftoffAPI
import LiftoffCore
import LiftoffStore
@testable import LiftoffSQLite
import Logging
import NIOCore
import NIOEmbedded
import NIOHTTPTypes
import Prometheus
import ServiceLifecycle
import Testing
@testable import LiftoffServer

#if canImport(Glibc)
import Glibc
#endif

@Suite("Ingest fast path")
struct IngestFastPathTests {
    static func event(_ id: String, latency: Int = 300) -> String {
        #"{"events":[{"id":"\#(id)","type":"ai_interaction","userId":"u1","latencyMs":\#(latency),"outcome":"ok"}]}"#
    }

    /// 400 events, past the fast path's 16 KiB: the router takes it, and parses it on a task, far slower than
    /// a single event.
    static let large = #"{"events":["# + (0..<400).map { #"{"type":"ai_interaction","userId":"u\#($0)","latencyMs":300,"outcome":"ok"}"# }
        .joined(separator: ",") + "]}"

    /// The handler on a test channel, with a real pipeline on a real SQLite file.
    static func channel(_ server: borrowing TestServer, pipeline: IngestPipeline, keys given: KeyRing? = nil) async throws -> NIOAsyncTestingChannel {
        let rollout = try await RolloutState.load(store: server.store, plan: server.configuration.plan, now: server.clock.now())
        let keys = given ?? KeyRing(store: server.store, clock: server.clock)
        try await keys.reload()
        let events = EventsController(pipeline: pipeline, rollout: rollout, prices: { PriceBook() }, clock: server.clock,
                                      validator: EventValidator(), limits: IngestLimits(), pseudonymizer: nil)
        let dependencies = IngestFastPath.Dependencies(
            events: events, keys: keys, metrics: RequestMetrics(registry: PrometheusCollectorRegistry()),
            answered: PrometheusCollectorRegistry().makeCounter(name: "answered"), date: HTTPDate(),
            serverName: "liftoff", logger: Logger(label: "test"), maxBodyBytes: 16 << 10)
        return try await NIOAsyncTestingChannel { channel in
            try channel.pipeline.syncOperations.addHandler(IngestFastPath(dependencies))
        }
    }

    /// Runs `body` against the handler on a test channel, with a real ingest pipeline running as a service on
    /// the server's SQLite file; then closes the channel and shuts the pipeline down gracefully.
    static func withChannel(_ server: borrowing TestServer, keys: KeyRing? = nil,
                            _ body: (NIOAsyncTestingChannel) async throws -> Void) async throws {
        let pipeline = IngestPipeline(store: server.store, clock: server.clock, logger: Logger(label: "test"))
        let group = ServiceGroup(configuration: .init(services: [pipeline], logger: Logger(label: "test")))
        let channel = try await channel(server, pipeline: pipeline, keys: keys)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await body(channel)
            try await channel.close()
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    static func storedEvents(_ server: borrowing TestServer) async throws -> Int {
        try await server.store.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM events") ?? 0 }
    }

    /// `liftoff_http_fast_path_requests_total` of a running server: how many requests the fast path answered.
    static func fastPathAnswers(_ transport: any LiftoffTransport) async throws -> Int {
        let exposition = try await transport.exchange(TransportRequest(method: .GET, path: "/v1/metrics/prometheus",
                                                                       headers: [(name: "Authorization", value: "Bearer \(TestServer.adminKey)")]))
        let line = String(decoding: exposition.body, as: UTF8.self).split(separator: "\n")
            .first { $0.hasPrefix("liftoff_http_fast_path_requests_total ") }
        return line.flatMap { Int($0.split(separator: " ")[1]) } ?? -1
    }

    static func post(_ body: String, key: String = TestServer.keys[.ingest]!, path: String = "/v1/events") -> [HTTPRequestPart] {
        [.head(HTTPRequest(method: .post, scheme: nil, authority: nil, path: path,
                           headerFields: [.authorization: "Bearer \(key)", .contentType: "application/json"])),
         .body(ByteBuffer(string: body)), .end(nil)]
    }

    /// Waits (bounded) for the handler's next write, which the commit's completion makes from the loop.
    static func nextWrite(_ channel: NIOAsyncTestingChannel) async throws -> HTTPResponsePart {
        for _ in 0..<2_000 {
            await channel.testingEventLoop.run()
            if let part = try await channel.readOutbound(as: HTTPResponsePart.self) { return part }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw CancellationError()
    }

    /// Sends `request` and says whether the fast path took it (its answer's status) or handed it to the
    /// router as sent (nil, once the router's stand-in has answered).
    static func send(_ request: [HTTPRequestPart], _ channel: NIOAsyncTestingChannel,
                     sourceLocation: SourceLocation = #_sourceLocation) async throws -> HTTPResponse.Status? {
        for part in request { try await channel.writeInbound(part) }
        var forwarded: [HTTPRequestPart] = []
        while let part = try await channel.readInbound(as: HTTPRequestPart.self) { forwarded.append(part) }
        if forwarded.isEmpty { return try await answer(channel).0.status }
        #expect(forwarded == request, sourceLocation: sourceLocation)
        #expect(try await channel.readOutbound(as: HTTPResponsePart.self) == nil, sourceLocation: sourceLocation)
        try await channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .badRequest)))
        try await channel.writeOutbound(HTTPResponsePart.end(nil))
        _ = try await channel.readOutbound(as: HTTPResponsePart.self)
        _ = try await channel.readOutbound(as: HTTPResponsePart.self)
        return nil
    }

    static func answer(_ channel: NIOAsyncTestingChannel) async throws -> (HTTPResponse, String) {
        guard case .head(let head) = try await nextWrite(channel), case .body(let body) = try await nextWrite(channel),
              case .end = try await nextWrite(channel) else { throw CancellationError() }
        return (head, String(buffer: body))
    }

    /// A request taken on the event loop is answered there, once committed; a request that arrives meanwhile
    /// is held and reaches the router only after that answer; a request with an invalid event reaches the
    /// router whole, byte for byte.
    @Test func answersItsOwnAndHandsTheRestOnInOrder() async throws {
        let server = try await TestServer()
        try await Self.withChannel(server) { channel in
            for part in Self.post(Self.event("fast-1")) { try await channel.writeInbound(part) }
            let healthz = HTTPRequest(method: .get, scheme: nil, authority: nil, path: "/healthz")
            try await channel.writeInbound(HTTPRequestPart.head(healthz))
            try await channel.writeInbound(HTTPRequestPart.end(nil))

            let (head, body) = try await Self.answer(channel)
            #expect(head.status == .ok)
            #expect(head.headerFields[.contentType] == "application/json; charset=utf-8")
            #expect(head.headerFields[.contentLength] == String(body.utf8.count))
            #expect(head.headerFields[.server] == "liftoff")
            #expect(head.headerFields[.date]?.hasSuffix(" GMT") == true)
            #expect(body == #"{"accepted":1,"duplicates":0,"rejected":[]}"#)
            // Only now does the held request reach the router.
            #expect(try await channel.readInbound(as: HTTPRequestPart.self) == .head(healthz))
            #expect(try await channel.readInbound(as: HTTPRequestPart.self) == .end(nil))
            #expect(try await channel.readInbound(as: HTTPRequestPart.self) == nil)

            // While the router has not answered, the next request waits, even one the fast path would take.
            let retry = Self.post(Self.event("fast-1"))
            for part in retry { try await channel.writeInbound(part) }
            #expect(try await channel.readInbound(as: HTTPRequestPart.self) == nil)
            try await channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .ok)))
            try await channel.writeOutbound(HTTPResponsePart.end(nil))
            #expect(try await channel.readOutbound(as: HTTPResponsePart.self) == .head(HTTPResponse(status: .ok)))
            #expect(try await channel.readOutbound(as: HTTPResponsePart.self) == .end(nil))
            let (_, again) = try await Self.answer(channel)
            #expect(again == #"{"accepted":0,"duplicates":1,"rejected":[]}"#, "the same id again is a duplicate")

            // An invalid event, a weaker key, a query string: the router gets the request as sent.
            for request in [Self.post(#"{"events":[{"type":"ai_interaction","latencyMs":-1}]}"#),
                            Self.post(Self.event("read-key"), key: TestServer.keys[.read]!),
                            Self.post(Self.event("query"), path: "/v1/events?dryRun=1")] {
                #expect(try await Self.send(request, channel) == nil)
            }
            #expect(try await Self.storedEvents(server) == 1)
        }
    }

    /// Which requests the fast path takes, by their fields: those it must not (a continue expected, a closing
    /// connection, a compressed or oversized body, a field it reads sent twice, no key) reach the router as
    /// sent; identity encoding, keep-alive and other fields are taken.
    @Test func requestFieldsDecideWhatIsTaken() async throws {
        let server = try await TestServer()
        try await Self.withChannel(server) { (channel: NIOAsyncTestingChannel) async throws in  // typed: the case table defeats inference
            let key = HTTPField(name: .authorization, value: "Bearer \(TestServer.keys[.ingest]!)")
            let cases: [(fields: [HTTPField], taken: Bool)] = [
                ([key], true),
                ([key, HTTPField(name: .contentEncoding, value: "Identity"), HTTPField(name: .connection, value: "keep-alive"),
                  HTTPField(name: .userAgent, value: "app/1")], true),
                ([key, HTTPField(name: .expect, value: "100-continue")], false),
                ([key, HTTPField(name: .connection, value: "Close")], false),
                ([key, HTTPField(name: .contentEncoding, value: "gzip")], false),
                ([key, HTTPField(name: .contentLength, value: String(17 << 10))], false),
                ([key, HTTPField(name: .contentLength, value: "12"), HTTPField(name: .contentLength, value: "12")], false),
                ([key, key], false),
                ([HTTPField(name: .contentType, value: "application/json")], false),
            ]
            for (index, test) in cases.enumerated() {
                let request: [HTTPRequestPart] = [
                    .head(HTTPRequest(method: .post, scheme: nil, authority: nil, path: "/v1/events", headerFields: HTTPFields(test.fields))),
                    .body(ByteBuffer(string: Self.event("fields-\(index)"))), .end(nil),
                ]
                #expect(try await Self.send(request, channel) == (test.taken ? .ok : nil), "case \(index)")
            }
            #expect(try await Self.storedEvents(server) == 2)
        }
    }

    /// A connection remembers the key of its last request, and forgets it the moment the keys change: on one
    /// connection, the key's requests are taken here until it is revoked, then reach the router (which
    /// refuses them); a key that expires is refused at once too, with nothing reloaded; another header on
    /// the same connection is looked up afresh.
    @Test func aRememberedKeyEndsWithItsRevocationOrExpiry() async throws {
        let server = try await TestServer()
        let secrets = ["lft_remembered_then_revoked", "lft_remembered_then_expired"]
        for (index, secret) in secrets.enumerated() {
            try await server.store.insertKey(StoredKey(id: "k\(index)", name: "app-\(index)", scope: .ingest, hash: APIKeySecret.hash(secret),
                                                       prefix: APIKeySecret.prefix(secret), createdAt: server.clock.now(),
                                                       expiresAt: index == 1 ? server.clock.now().addingTimeInterval(60) : nil))
        }
        let keys = KeyRing(store: server.store, clock: server.clock)
        try await Self.withChannel(server, keys: keys) { channel in
            func taken(_ id: String, key: String) async throws -> Bool {
                try await Self.send(Self.post(Self.event(id), key: key), channel) == .ok
            }
            #expect(try await taken("a1", key: secrets[0]))
            #expect(try await taken("a2", key: secrets[0]))
            #expect(try await taken("i1", key: TestServer.keys[.ingest]!))
            #expect(try await taken("a3", key: secrets[0]))
            #expect(try await server.store.revokeKey("k0", at: server.clock.now(), audit: AuditEntry(at: server.clock.now(), actor: "test",
                                                                                                     action: "key.revoke", reason: "test")))
            try await keys.reload()
            #expect(try await !taken("a4", key: secrets[0]))
            #expect(try await taken("b1", key: secrets[1]))
            #expect(try await taken("b2", key: secrets[1]))
            server.clock.advance(by: 61)
            #expect(try await !taken("b3", key: secrets[1]))
            #expect(try await taken("i2", key: TestServer.keys[.ingest]!))
            #expect(try await Self.storedEvents(server) == 7)
        }
    }

    /// A commit the pipeline refuses (its queue is full) is answered here through the same error mapping as
    /// on the router: 503, Retry-After, the JSON error.
    @Test func aRefusalIsAnsweredThroughTheErrorMapping() async throws {
        let server = try await TestServer()
        // Never run: the first request's events wait in the queue and fill it.
        let pipeline = IngestPipeline(store: server.store, clock: server.clock, logger: Logger(label: "test"), maxQueuedEvents: 1)
        let waiting = try await Self.channel(server, pipeline: pipeline)
        for part in Self.post(Self.event("queued")) { try await waiting.writeInbound(part) }
        let refused = try await Self.channel(server, pipeline: pipeline)
        for part in Self.post(Self.event("refused")) { try await refused.writeInbound(part) }
        let (head, body) = try await Self.answer(refused)
        #expect(head.status == .serviceUnavailable)
        #expect(head.headerFields[.retryAfter] == "1")
        let problem = try APICoding.decoder.decode(APIProblem.self, from: Data(body.utf8))
        #expect(problem.error.message.hasPrefix("ingest is behind: 1 events are waiting for their commit"))
        #expect(try await waiting.readOutbound(as: HTTPResponsePart.self) == nil, "the queued request is still waiting")
    }

    /// Over a real socket every request shape gets the answer the router gives in process: the fast path's
    /// own (single events, duplicates) and those it hands on (errors, large batches, other keys).
    @Test func overHTTPTheAnswersAreTheRouters() async throws {
        let server = try await TestServer()
        let built = try await server.build()
        let local = built.inProcess
        try await built.application.test(.live) { client in
            let http = HTTPTransport(baseURL: "http://127.0.0.1:\(try #require(client.port))")
            func request(_ body: String, key: String = TestServer.keys[.ingest]!, path: String = "/v1/events") -> TransportRequest {
                TransportRequest(method: .POST, path: path, headers: [(name: "Authorization", value: "Bearer \(key)"),
                                                                      (name: "Content-Type", value: "application/json")],
                                 body: Data(body.utf8))
            }
            let cases: [(String, (String) -> TransportRequest, Int)] = [
                ("single", { request(Self.event("single-\($0)")) }, 200),
                ("duplicate", { request(Self.event("single-\($0)")) }, 200),
                ("mixed", { request(#"{"events":[{"id":"m-\#($0)","type":"ai_interaction","userId":"u2","latencyMs":5,"outcome":"ok"},{"type":"ai_interaction","latencyMs":-1}]}"#) }, 200),
                ("invalid", { _ in request(#"{"events":[{"type":"ai_interaction","latencyMs":-1}]}"#) }, 400),
                ("not json", { _ in request("{") }, 400),
                ("unknown key", { request(Self.event("k-\($0)"), key: "lft_nobody") }, 401),
                ("read key", { request(Self.event("r-\($0)"), key: TestServer.keys[.read]!) }, 403),
                ("query", { request(Self.event("q-\($0)"), path: "/v1/events?dryRun=1") }, 400),
                ("large batch", { _ in request(Self.large) }, 200),
            ]
            for (name, make, status) in cases {
                let overHTTP = try await http.exchange(make("http"))
                let inProcess = try await local.exchange(make("local"))
                #expect(overHTTP.status == status, "\(name): \(String(decoding: overHTTP.body, as: UTF8.self))")
                #expect(overHTTP.status == inProcess.status, "\(name)")
                #expect(String(decoding: overHTTP.body, as: UTF8.self) == String(decoding: inProcess.body, as: UTF8.self), "\(name)")
            }
            // single, mixed's valid one and the large batch, from each transport.
            #expect(try await Self.storedEvents(server) == 804)
            // Over HTTP the single event and its retry were answered on the event loop, every other shape by the router.
            #expect(try await Self.fastPathAnswers(local) == 2)
        }
    }

    /// Pipelined HTTP/1.1 (several requests in one write) is answered in request order across both paths.
    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        let server = try await TestServer()
        try await server.build().application.test(.live) { client in
            let port = try #require(client.port)
            func post(_ body: String) -> String {
                "POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(TestServer.keys[.ingest]!)\r\n"
                    + "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
            }
            let invalid = #"{"events":[{"type":"ai_interaction","latencyMs":-1}]}"#
            let requests = post(Self.event("p1")) + "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n" + post(Self.event("p2"))
                + post(invalid) + post(Self.event("p1")) + post(Self.large) + post(Self.event("p3"))
            let answers = try RawHTTP.exchange(port: port, send: requests, responses: 7)
            #expect(answers.map(\.status) == [200, 200, 200, 400, 200, 200, 200])
            #expect(answers[0].body == #"{"accepted":1,"duplicates":0,"rejected":[]}"#)
            #expect(answers[1].body.contains(#""status":"ok""#))
            #expect(answers[2].body == #"{"accepted":1,"duplicates":0,"rejected":[]}"#)
            #expect(answers[3].body.contains("invalid_events"))
            #expect(answers[4].body == #"{"accepted":0,"duplicates":1,"rejected":[]}"#)
            #expect(answers[5].body == #"{"accepted":400,"duplicates":0,"rejected":[]}"#)
            #expect(answers[6].body == #"{"accepted":1,"duplicates":0,"rejected":[]}"#)

            // A client that closes its sending side after its requests still gets every answer.
            let halfClosed = try RawHTTP.exchange(port: port, send: post(Self.event("h1")) + post(Self.event("h2")), responses: 2,
                                                  halfClose: true)
            #expect(halfClosed.map(\.body) == Array(repeating: #"{"accepted":1,"duplicates":0,"rejected":[]}"#, count: 2))
            let transport = HTTPTransport(baseURL: "http://127.0.0.1:\(port)")
            #expect(try await Self.fastPathAnswers(transport) == 6, "p1, p2, p1 again, p3, h1, h2")

            // Nothing after a `Connection: close` request is processed (RFC 9112 §9.6), on either path.
            let closing = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" + post(Self.event("after-close"))
            #expect(try RawHTTP.exchange(port: port, send: closing, responses: 1).map(\.status) == [200])
            #expect(throws: POSIXError(.ECONNRESET), "the server closed after the first answer") {
                try RawHTTP.exchange(port: port, send: closing, responses: 2)
            }
            // A request the decoder cannot read, after one waiting for its commit: the answers keep their order.
            let broken = try RawHTTP.exchange(port: port, send: post(Self.event("before-garbage")) + "NOT HTTP AT ALL\r\n\r\n",
                                              responses: 2)
            #expect(broken.map(\.status) == [200, 400])
            #expect(broken.first?.body == #"{"accepted":1,"duplicates":0,"rejected":[]}"#)
            #expect(try await Self.storedEvents(server) == 406, "p1, p2, 400 of the large batch, p3, h1, h2, before-garbage")
        }
    }

    /// Overload over a socket, each request on its own connection as an app's many instances send them: with
    /// the store's writer held, requests queue up to the bound, the next is refused at once with 503 and
    /// Retry-After, and the queued ones are committed and answered once the writer is free.
    @Test func overloadIsRefusedPastTheQueuesBound() async throws {
        let server = try await TestServer(limits: IngestLimits(maxQueuedEvents: 10))
        let store = server.store
        try await server.build().application.test(.live) { client in
            let http = HTTPTransport(baseURL: "http://127.0.0.1:\(try #require(client.port))")
            func post(_ count: Int, from start: Int) async throws -> TransportResponse {
                try await http.exchange(TransportRequest(method: .POST, path: "/v1/events",
                                                         headers: [(name: "Authorization", value: "Bearer \(TestServer.keys[.ingest]!)")],
                                                         body: Data(StoreFailureTests.batch(count, from: start).utf8)))
            }
            let blocker = Task { try await store.pool.write { _ in Thread.sleep(forTimeInterval: 3) } }
            try await Task.sleep(for: .milliseconds(500))
            async let first = post(8, from: 0)
            try await Task.sleep(for: .milliseconds(500))
            async let second = post(8, from: 8)
            try await Task.sleep(for: .milliseconds(500))
            let refused = try await post(8, from: 16)
            #expect(refused.status == 503)
            #expect(String(decoding: refused.body, as: UTF8.self).contains("ingest is behind: 8 events are waiting for their commit (at most 10)"))
            try await blocker.value
            let answers = try await [first, second].map { String(decoding: $0.body, as: UTF8.self) }
            #expect(answers == Array(repeating: #"{"accepted":8,"duplicates":0,"rejected":[]}"#, count: 2))
            #expect(try await Self.storedEvents(server) == 16)
        }
    }

    /// Graceful shutdown while a request taken on the event loop waits for its commit (the store's writer held,
    /// as a slow disk would): the server stops, and that request still gets its answer and its event is stored.
    @Test func gracefulShutdownAnswersAPendingRequest() async throws {
        let server = try await TestServer()
        let store = server.store
        let bound = AsyncStream.makeStream(of: Int.self)
        let built = try await buildApplication(server.configuration, store: store, onServerRunning: { bound.continuation.yield($0) })
        let group = ServiceGroup(configuration: .init(services: [built.application], logger: Logger(label: "test")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var ports = bound.stream.makeAsyncIterator()
            let port = try #require(await ports.next())
            let blocker = Task { try await store.pool.write { _ in Thread.sleep(forTimeInterval: 1) } }
            try await Task.sleep(for: .milliseconds(200))
            let body = Self.event("during-shutdown")
            let request = "POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(TestServer.keys[.ingest]!)\r\n"
                + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
            let answer = RawHTTP.exchangeOnThread(port: port, send: request, responses: 1)
            try await Task.sleep(for: .milliseconds(300))
            await group.triggerGracefulShutdown()
            let answers = try await answer.value
            #expect(answers.map(\.status) == [200])
            #expect(answers.first?.body == #"{"accepted":1,"duplicates":0,"rejected":[]}"#)
            try await blocker.value
            try await tasks.waitForAll()
        }
        #expect(try await Self.storedEvents(server) == 1)
    }
}

/// HTTP/1.1 over a plain socket, for what clients built on a connection pool never do (pipelining).
enum RawHTTP {
    struct Answer {
        var status: Int
        var body: String
    }

    /// `exchange` on a thread of its own, so its blocking reads take none of Swift's pool (two threads here).
    static func exchangeOnThread(port: Int, send text: String, responses count: Int) -> Task<[Answer], any Error> {
        Task {
            try await withCheckedThrowingContinuation { continuation in
                Thread { continuation.resume(with: Result { try exchange(port: port, send: text, responses: count) }) }.start()
            }
        }
    }

    /// Sends `text` on a new connection (then closes the sending side when `halfClose`) and reads `count` answers.
    static func exchange(port: Int, send text: String, responses count: Int, halfClose: Bool = false) throws -> [Answer] {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw POSIXError(.EIO) }
        defer { close(socket) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
        let bytes = Array(text.utf8)
        guard bytes.withUnsafeBytes({ Glibc.send(socket, $0.baseAddress, $0.count, 0) }) == bytes.count else { throw POSIXError(.EIO) }
        if halfClose { shutdown(socket, Int32(SHUT_WR)) }
        var received: [UInt8] = []
        var answers: [Answer] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while answers.count < count {
            if let (answer, used) = parse(received) {
                answers.append(answer)
                received.removeFirst(used)
                continue
            }
            let read = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            guard read != 0 else { throw POSIXError(.ECONNRESET) }  // closed before every answer came
            guard read > 0 else { throw POSIXError(.ETIMEDOUT) }
            received += chunk[0..<read]
        }
        return answers
    }

    /// One complete response at the start of `bytes` (Content-Length framing), and how many bytes it took.
    static func parse(_ bytes: [UInt8]) -> (Answer, Int)? {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let end = (0..<max(0, bytes.count - 3)).first(where: { Array(bytes[$0..<$0 + 4]) == separator }) else { return nil }
        let head = String(decoding: bytes[0..<end], as: UTF8.self).components(separatedBy: "\r\n")
        guard let status = Int(head[0].split(separator: " ")[1]) else { return nil }
        let length = head.dropFirst().compactMap { line -> Int? in
            let pair = line.split(separator: ":", maxSplits: 1)
            return pair.count == 2 && pair[0].lowercased() == "content-length" ? Int(pair[1].trimmingCharacters(in: .whitespaces)) : nil
        }.first ?? 0
        guard bytes.count >= end + 4 + length else { return nil }
        return (Answer(status: status, body: String(decoding: bytes[(end + 4)..<(end + 4 + length)], as: UTF8.self)), end + 4 + length)
    }
}
