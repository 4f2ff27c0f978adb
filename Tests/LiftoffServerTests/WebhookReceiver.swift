import Foundation
import Hummingbird
import NIOCore
import ServiceLifecycle
import Synchronization

/// A real HTTP server on 127.0.0.1 that records what it receives and fails the first `failures` requests:
/// the outside world's edge for webhook tests. `/stall` holds its answer until `releaseStalled()`: a
/// receiver that hangs.
final class WebhookReceiver: Sendable {
    struct Received: Sendable {
        var headers: [String: String]
        var body: String
    }

    let failures: Int
    private let received = Mutex<[Received]>([])
    private let attempts = Mutex(0)
    private let stalled: AsyncStream<Void>
    private let release: AsyncStream<Void>.Continuation

    init(failures: Int) {
        self.failures = failures
        (stalled, release) = AsyncStream.makeStream(of: Void.self)
    }

    func releaseStalled() { release.finish() }

    var deliveries: [Received] { received.withLock { $0 } }
    var attemptCount: Int { attempts.withLock { $0 } }

    /// Runs the receiver while `body` runs, passing it the receiver's base URL.
    func run<Value: Sendable>(_ body: @Sendable (String) async throws -> Value) async throws -> Value {
        let router = Router()
        router.post("/hook") { request, _ -> HTTPResponse.Status in
            let attempt = self.attempts.withLock { count in
                count += 1
                return count
            }
            let text = String(buffer: try await request.body.collect(upTo: 1 << 20))
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName.lowercased()] = field.value }
            self.received.withLock { $0.append(Received(headers: headers, body: text)) }
            return attempt <= self.failures ? .internalServerError : .ok
        }
        router.post("/stall") { _, _ -> HTTPResponse.Status in
            for await _ in self.stalled {}
            return .ok
        }
        let (portStream, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { channel in portContinuation.yield(channel.localAddress?.port ?? 0) })
        return try await withThrowingTaskGroup(of: Void.self) { group in
            let serviceGroup = ServiceGroup(configuration: .init(services: [app], logger: app.logger))
            group.addTask { try await serviceGroup.run() }
            var iterator = portStream.makeAsyncIterator()
            let port = await iterator.next() ?? 0
            do {
                let value = try await body("http://127.0.0.1:\(port)/hook")
                await serviceGroup.triggerGracefulShutdown()
                try await group.waitForAll()
                return value
            } catch {
                await serviceGroup.triggerGracefulShutdown()
                throw error
            }
        }
    }
}
