import Crypto
import Foundation

/// Replaces user ids by `p_` and the first 32 hex digits of HMAC-SHA256(server secret, user id): the same
/// user always gets the same pseudonym, so distinct users, retention and per-user costs still count, but
/// the stored events no longer name anyone. The secret never leaves the store.
struct Pseudonymizer: Sendable {
    let key: SymmetricKey

    init(secret: [UInt8]) {
        key = SymmetricKey(data: secret)
    }

    func pseudonym(_ userId: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Data(userId.utf8), using: key)
        return "p_" + code.prefix(16).hexText
    }

    static func makeSecret() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }
}
