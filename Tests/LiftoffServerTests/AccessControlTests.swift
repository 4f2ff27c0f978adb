import Foundation
import LiftoffAPI
import Hummingbird
import HummingbirdTesting
import LiftoffCore
import Testing
@testable import LiftoffServer

@Suite("Access control")
struct AccessControlTests {
    /// A scope that does not cover `scope`, to check the 403.
    static func weaker(than scope: Scope) -> Scope {
        switch scope {
        case .ingest: .read
        case .read: .ingest
        case .operate: .read
        case .admin: .operate
        }
    }

    /// Walks every registered route: without a key and with a forged one it is 401, with a key whose scope
    /// is too weak 403. Only liveness and readiness are open. A route added without a scope fails here.
    @Test func everyRouteHasAScopeAndEnforcesIt() async throws {
        let server = try await TestServer(plan: RolloutAPITests.plan)
        let built = try await server.build()
        let routes = built.routes.filter { !$0.isPage }
        #expect(routes.count >= 25)
        #expect(Set(routes.filter { $0.scope == nil }.map(\.path)) == ["/healthz", "/readyz", "/openapi.yaml"])
        #expect(routes.allSatisfy { !$0.path.hasPrefix("/v1") || $0.scope != nil })
        try await built.application.test(.router) { client in
            for route in routes {
                guard let scope = route.scope else { continue }
                let path = route.path.replacingOccurrences(of: "{id}", with: "1")
                let body = route.method == .get || route.method == .delete ? nil : "{}"
                let missing = try await client.request(route.method, path, key: nil, json: body)
                #expect(missing.status == .unauthorized, "\(route.method) \(route.path) without a key: \(missing.status)")
                let forged = try await client.request(route.method, path, key: "lft_forged_" + UUID().uuidString, json: body)
                #expect(forged.status == .unauthorized, "\(route.method) \(route.path) with a forged key: \(forged.status)")
                let weak = try await client.request(route.method, path, key: TestServer.keys[Self.weaker(than: scope)], json: body)
                #expect(weak.status == .forbidden, "\(route.method) \(route.path) with scope \(Self.weaker(than: scope)): \(weak.status)")
                if route.path.hasPrefix("/otlp/") {
                    // OTLP's own error body: google.rpc.Status, PERMISSION_DENIED.
                    #expect(String(buffer: weak.body).hasPrefix(#"{"code":7,"#), "\(route.path): \(String(buffer: weak.body))")
                } else {
                    #expect(weak.errorCode == "forbidden")
                }
            }
        }
    }

    /// Every path answers a method it does not take with 405 and the methods it does take in `Allow`; a path
    /// that does not exist stays 404. The report's case: `GET /otlp/v1/traces` was 404.
    @Test func aWrongMethodIs405WithAllowOnEveryPath() async throws {
        let server = try await TestServer(plan: RolloutAPITests.plan)
        let built = try await server.build()
        let methods: [HTTPRequest.Method] = [.get, .post, .put, .patch, .delete]
        let paths = Dictionary(grouping: built.routes, by: \.path)
        try await built.application.test(.router) { client in
            let traces = try await client.request(.get, "/otlp/v1/traces")
            #expect(traces.status == .methodNotAllowed)
            #expect(traces.headers[.allow] == "POST")
            // In OTLP's own error body (google.rpc.Status), as every error under /otlp/.
            #expect(String(buffer: traces.body).contains("/otlp/v1/traces does not take GET; it takes POST"))
            #expect(try await client.request(.delete, "/v1/events").errorMessage == "/v1/events does not take DELETE; it takes POST")
            for (path, routes) in paths {
                let taken = Set(routes.map(\.method))
                let concrete = path.replacingOccurrences(of: "{id}", with: "1")
                for method in methods where !taken.contains(method) {
                    let response = try await client.request(method, concrete, json: method == .get || method == .delete ? nil : "{}")
                    #expect(response.status == .methodNotAllowed, "\(method) \(path): \(response.status)")
                    #expect(response.headers[.allow] == methods.filter(taken.contains).map(\.rawValue).joined(separator: ", "))
                }
            }
            #expect(try await client.request(.get, "/v1/no-such-thing").status == .notFound)
        }
    }

    @Test func keysAreCreatedListedWithoutSecretsAndRevokedAtOnce() async throws {
        let server = try await TestServer()
        try await server.withClient { client in
            let created = try await client.request(.post, "/v1/keys", json: #"{"name":"learning-app","scope":"ingest"}"#)
            #expect(created.status == .created)
            let createdKey = try created.decode(CreatedKey.self)
            let (secret, id) = (createdKey.key, createdKey.id)
            #expect(try await client.request(.post, "/v1/events", key: secret, json: #"{"events":[]}"#).status == .ok)
            #expect(try await client.request(.post, "/v1/keys", json: #"{"name":"learning-app","scope":"read"}"#).status == .conflict)
            #expect(try await client.request(.post, "/v1/keys", json: #"{"name":"x","scope":"root"}"#).errorMessage
                == "scope: 'root' is not one of ingest, read, operate, admin")

            let listing = try await client.request(.get, "/v1/keys")
            let text = String(buffer: listing.body)
            #expect(!text.contains(secret))
            let keys = try listing.decode(KeyList.self).keys
            #expect(keys.first { $0.id == id }?.prefix == String(secret.prefix(8)))

            #expect(try await client.request(.delete, "/v1/keys/\(id)?reason=rotated").status == .ok)
            #expect(try await client.request(.post, "/v1/events", key: secret, json: #"{"events":[]}"#).status == .unauthorized)
            #expect(try await client.request(.delete, "/v1/keys/\(id)").status == .notFound)
            let audit = (try await client.request(.get, "/v1/audit").decoded(AuditPage.self)?.entries ?? []).map(\.action)
            #expect(audit.prefix(2) == ["key.revoke", "key.create"])
        }
    }

    @Test func expiredKeysNoLongerAuthenticate() async throws {
        let server = try await TestServer()
        try await server.withClient { client in
            let created = try await client.request(.post, "/v1/keys", json: #"{"name":"temp","scope":"read","expiresAt":"2026-11-29T11:00:00Z"}"#)
            let secret = try created.decode(CreatedKey.self).key
            #expect(try await client.request(.get, "/v1/metrics", key: secret).status == .ok)
            server.clock.advance(by: 3600)
            let expired = try await client.request(.get, "/v1/metrics", key: secret)
            #expect(expired.status == .unauthorized)
            #expect(expired.errorMessage == "this API key expired at 2026-11-29T11:00:00.000Z")
        }
    }

    @Test func rateLimitedKeysGet429WithRetryAfter() async throws {
        let server = try await TestServer()
        try await server.withClient { client in
            let created = try await client.request(.post, "/v1/keys", json: #"{"name":"slow","scope":"read","rateLimit":2}"#)
            let secret = try created.decode(CreatedKey.self).key
            var statuses: [HTTPResponse.Status] = []
            var retryAfter: String?
            for _ in 0..<5 {
                let response = try await client.request(.get, "/v1/metrics?names=interactions", key: secret)
                statuses.append(response.status)
                if response.status == .tooManyRequests { retryAfter = response.headers[.retryAfter] }
            }
            #expect(statuses.prefix(2).allSatisfy { $0 == .ok })
            #expect(statuses.contains(.tooManyRequests))
            #expect(retryAfter == "1")
            // Other keys are not affected.
            #expect(try await client.request(.get, "/v1/metrics?names=interactions", key: TestServer.keys[.read]).status == .ok)
        }
    }
}
