import Foundation
import Hummingbird
import LiftoffCore
import LiftoffStore

/// A request's `Authorization: Bearer <key>` against the key ring: the HTTP side of authentication.
extension KeyRing {
    /// Checks the request's bearer key against `scope`: 401 without a valid key, 403 when its scope is too weak.
    func authenticate(_ request: Request, requiring scope: Scope) throws -> AuthenticatedKey {
        guard let header = request.headers[.authorization] else {
            throw APIError.unauthorized("missing API key: send 'Authorization: Bearer <key>'")
        }
        guard let secret = Self.bearerSecret(header) else {
            throw APIError.unauthorized("the Authorization header must be 'Bearer <key>'")
        }
        guard let stored = key(forSecret: secret) else {
            throw APIError.unauthorized("unknown or revoked API key")
        }
        if let expiresAt = stored.expiresAt, expiresAt <= self.clock.now() {
            throw APIError.unauthorized("this API key expired at \(Timestamp.format(expiresAt))")
        }
        if let rate = stored.rateLimit, let wait = limiter.wait(key: stored.id, rate: rate) {
            var error = APIError(.tooManyRequests, code: "rate_limited",
                                 "key '\(stored.name)' may make \(CriterionResult.format(rate)) requests per second; retry after \(Int(wait.rounded(.up))) s")
            error.headers[.retryAfter] = String(max(1, Int(wait.rounded(.up))))
            throw error
        }
        guard stored.scope.covers(scope) else {
            throw APIError.forbidden("key '\(stored.name)' has scope '\(stored.scope.rawValue)', this route needs '\(scope.rawValue)'")
        }
        return AuthenticatedKey(id: stored.id, name: stored.name, scope: stored.scope)
    }

    /// The key of `authorization` when it passes every check of `authenticate` for `scope` and has no rate
    /// limit; nil otherwise, and then the router's `authenticate` says why (and counts the request against
    /// the key's rate, once).
    func unlimitedKey(authorization: String?, covering scope: Scope) -> StoredKey? {
        guard let authorization, let secret = Self.bearerSecret(authorization), let stored = key(forSecret: secret),
              stored.rateLimit == nil, stored.scope.covers(scope) else { return nil }
        if let expiresAt = stored.expiresAt, expiresAt <= clock.now() { return nil }
        return stored
    }

    /// The secret of `Bearer <secret>` (scheme case-insensitive), or nil for any other form. Parsed by hand:
    /// Foundation's trimming was a measurable share of a small ingest request.
    static func bearerSecret(_ header: String) -> String? {
        guard header.utf8.count > 7, header.utf8.prefix(7).elementsEqual("bearer ".utf8, by: { lower($0) == $1 }) else { return nil }
        return String(decoding: header.utf8.dropFirst(7).drop(while: { $0 == UInt8(ascii: " ") }), as: UTF8.self)
    }
}
