import Crypto
import Foundation

/// API key secrets: `lft_` and 43 characters of base64url (256 random bits). Only their SHA-256 is stored.
enum APIKeySecret {
    static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let text = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return "lft_" + text
    }

    static func hash(_ secret: String) -> [UInt8] {
        Array(SHA256.hash(data: Data(secret.utf8)))
    }

    /// Enough of the secret to tell keys apart in a listing, too little to guess the rest.
    static func prefix(_ secret: String) -> String { String(secret.prefix(8)) }

    /// Compares two digests in time that does not depend on where they differ.
    static func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }

    /// A random identifier for stored records.
    static func identifier() -> String {
        UUID().uuidString.lowercased()
    }
}
