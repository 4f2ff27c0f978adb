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
    /// the key's rate, once). The key found is remembered for the next request of the same connection: with
    /// the same header, the same scope and no reload of the keys since (so no revocation, no change of scope
    /// or rate), it skips the secret's hash and the lookup (~4% of an event loop's time under single events);
    /// expiry is checked against the clock every time.
    func unlimitedKey(authorization: String, covering scope: Scope, remembering remembered: inout RememberedKey?) -> StoredKey? {
        if let known = remembered, known.scope == scope, known.generation == generation,
           RememberedKey.sameHeader(known.authorization, authorization) {
            if let expiresAt = known.key.expiresAt, expiresAt <= clock.now() { return nil }
            return known.key
        }
        remembered = nil
        guard let secret = Self.bearerSecret(authorization) else { return nil }
        let (found, generation) = keyAndGeneration(forSecret: secret)
        guard let stored = found, stored.rateLimit == nil, stored.scope.covers(scope) else { return nil }
        if let expiresAt = stored.expiresAt, expiresAt <= clock.now() { return nil }
        remembered = RememberedKey(authorization: authorization, scope: scope, key: stored, generation: generation)
        return stored
    }

    /// The secret of `Bearer <secret>` (scheme case-insensitive), or nil for any other form. Parsed by hand:
    /// Foundation's trimming was a measurable share of a small ingest request.
    static func bearerSecret(_ header: String) -> String? {
        guard header.utf8.count > 7, header.utf8.prefix(7).elementsEqual("bearer ".utf8, by: { lower($0) == $1 }) else { return nil }
        return String(decoding: header.utf8.dropFirst(7).drop(while: { $0 == UInt8(ascii: " ") }), as: UTF8.self)
    }
}

/// The key a connection's last ingest request authenticated with (see `KeyRing.unlimitedKey`).
struct RememberedKey {
    var authorization: String
    var scope: Scope
    var key: StoredKey
    var generation: Int

    /// Compared in time that does not depend on where the headers differ, as the secrets' hashes are.
    static func sameHeader(_ known: String, _ header: String) -> Bool {
        var (known, header) = (known, header)
        return known.withUTF8 { known in
            header.withUTF8 { header in
                guard known.count == header.count else { return false }
                var difference: UInt8 = 0
                for index in known.indices { difference |= known[index] ^ header[index] }
                return difference == 0
            }
        }
    }
}
