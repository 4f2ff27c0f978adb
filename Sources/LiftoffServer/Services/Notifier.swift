import AsyncHTTPClient
import Crypto
import Foundation
import LiftoffCore
import LiftoffStore
import Logging
import NIOCore
import ServiceLifecycle

/// Delivers the outbox: webhooks and alert notifications, POSTed as JSON and signed with
/// `X-Liftoff-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>` where the message has a
/// secret. A failed attempt is retried with exponential backoff; after `maxAttempts` the message is marked
/// failed. Delivery is at least once: a receiver should use `X-Liftoff-Delivery` to drop repeats. Only the
/// cluster's leader delivers, so nodes never race for the same message.
struct Notifier: Service {
    let store: any Store
    /// The live plan's guardrails (route and action secrets), read at each delivery.
    let currentGuardrails: @Sendable () -> Guardrails
    let clock: any WallClock
    let logger: Logger
    let cluster: any Cluster
    var interval: Duration = .milliseconds(250)
    var timeout: TimeAmount = .seconds(5)
    var maxAttempts = 10
    var baseBackoff: TimeInterval = 1
    var maxBackoff: TimeInterval = 300

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                if cluster.isLeader { await deliverDue() }
                do { try await Task.sleep(for: interval) } catch { return }
            }
        }
    }

    /// Delivers every message that is due now; returns how many were attempted.
    @discardableResult
    func deliverDue() async -> Int {
        do {
            let due = try await store.dueMessages(at: clock.now(), limit: 50)
            // Receivers one beside the other, so a dead webhook's timeouts hold back no other receiver;
            // each receiver's messages still in order (a resolution must not overtake its firing).
            let byTarget = Dictionary(grouping: due, by: \.target)
            await withTaskGroup(of: Void.self) { group in
                for messages in byTarget.values {
                    group.addTask {
                        for message in messages { await deliver(message) }
                    }
                }
            }
            return due.count
        } catch {
            logger.error("outbox read failed", metadata: ["error": "\(error)"])
            return 0
        }
    }

    private func deliver(_ message: OutboxMessage) async {
        guard let id = message.id else { return }
        let attempts = message.attempts + 1
        do {
            var request = HTTPClientRequest(url: message.target)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "User-Agent", value: "liftoff")
            request.headers.add(name: "X-Liftoff-Delivery", value: String(id))
            let timestamp = String(Int(clock.now().timeIntervalSince1970))
            request.headers.add(name: "X-Liftoff-Timestamp", value: timestamp)
            if let secret = secret(for: message.signing) {
                request.headers.add(name: "X-Liftoff-Signature", value: "sha256=" + Self.signature(secret: secret, timestamp: timestamp, body: message.body))
            }
            request.body = .bytes(ByteBuffer(string: message.body))
            let response = try await HTTPClient.shared.execute(request, timeout: timeout)
            guard (200..<300).contains(Int(response.status.code)) else {
                throw DeliveryError(description: "HTTP \(response.status.code)")
            }
            try await store.markDelivered(id, at: clock.now(), attempts: attempts)
        } catch {
            let retryAt = attempts < maxAttempts
                ? clock.now().addingTimeInterval(min(maxBackoff, baseBackoff * pow(2, Double(attempts - 1)))) : nil
            logger.warning("delivery failed", metadata: ["id": "\(id)", "attempt": "\(attempts)", "error": "\(error)"])
            try? await store.markFailedAttempt(id, attempts: attempts, error: "\(error)", retryAt: retryAt)
        }
    }

    private func secret(for signing: String?) -> String? {
        guard let signing else { return nil }
        let guardrails = currentGuardrails()
        if signing.hasPrefix("action:"), case .webhook(_, let secret)? = guardrails.actions[String(signing.dropFirst(7))] {
            return secret
        }
        if signing.hasPrefix("route:"), let index = Int(signing.dropFirst(6)), guardrails.routes.indices.contains(index) {
            return guardrails.routes[index].secret
        }
        return nil
    }

    /// Hex HMAC-SHA256 of `"<timestamp>.<body>"`: what a receiver recomputes to trust a message.
    static func signature(secret: String, timestamp: String, body: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Data("\(timestamp).\(body)".utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return code.hexText
    }

    struct DeliveryError: Error, CustomStringConvertible {
        var description: String
    }
}
