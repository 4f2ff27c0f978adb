import Foundation
import LiftoffStore
import NIOSSL
import PostgresNIO

/// A `postgres://` (or `postgresql://`) connection URL, as libpq and every PostgreSQL tool write it:
/// `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=disable|prefer|require]`. The port defaults to
/// 5432, the database to the user's name, `sslmode` to `prefer`. Percent-escapes in the user and password
/// are decoded.
public struct PostgresURL: Sendable, Equatable, CustomStringConvertible {
    public enum TLSMode: String, Sendable {
        case disable, prefer, require
    }

    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    public var tls: TLSMode

    /// Parses `text`; throws `PostgresURLError` saying which part is wrong.
    public init(_ text: String) throws {
        guard let components = URLComponents(string: text), let scheme = components.scheme,
              ["postgres", "postgresql"].contains(scheme.lowercased()) else {
            throw PostgresURLError("a database URL starts with postgres:// (got '\(StoreLocation.withoutPassword(text))')")
        }
        guard let host = components.host, !host.isEmpty else {
            throw PostgresURLError("the database URL has no host: postgres://USER@HOST:PORT/DATABASE")
        }
        guard let user = components.user, !user.isEmpty else {
            throw PostgresURLError("the database URL has no user: postgres://USER@HOST:PORT/DATABASE")
        }
        self.host = host
        self.port = components.port ?? 5432
        self.user = user.removingPercentEncoding ?? user
        self.password = components.password.map { $0.removingPercentEncoding ?? $0 }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        self.database = path.isEmpty ? self.user : path
        self.tls = .prefer
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let value = item.value, let mode = TLSMode(rawValue: value) else {
                    throw PostgresURLError("sslmode must be disable, prefer or require (got '\(item.value ?? "")')")
                }
                tls = mode
            default:
                throw PostgresURLError("the database URL has an option Liftoff does not know: '\(item.name)' (known: sslmode)")
            }
        }
    }

    /// The client configuration this URL names.
    public var configuration: PostgresClient.Configuration {
        let mode: PostgresClient.Configuration.TLS = switch tls {
        case .disable: .disable
        case .prefer: .prefer(.makeClientConfiguration())
        case .require: .require(.makeClientConfiguration())
        }
        return PostgresClient.Configuration(host: host, port: port, username: user, password: password, database: database, tls: mode)
    }

    /// The URL without its password, for logs and messages.
    public var description: String { "postgres://\(user)@\(host):\(port)/\(database)" }
}

/// A database URL that cannot be used, and why.
public struct PostgresURLError: Error, Sendable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
