import ArgumentParser
import Foundation
import LiftoffAPI
import LiftoffCore
import LiftoffServer
import LiftoffStore
import Logging

/// `liftoff keys create|list|revoke`: on a data directory, or against a server with `--url` / `LIFTOFF_URL`.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Create, list and revoke API keys.", subcommands: [Create.self, List.self, Revoke.self])

    struct Target: ParsableArguments {
        @Option(help: "Data directory to work on directly (used when no server URL is given).")
        var dataDir: String = ".liftoff"

        @Option(help: "PostgreSQL database to work on directly, postgres://USER@HOST:PORT/DB (or LIFTOFF_DATABASE_URL).")
        var databaseURL: String?

        @Option(help: "Server URL (or LIFTOFF_URL); then --key or LIFTOFF_KEY must be an admin key.")
        var url: String?

        @Option(help: "Admin key for the server (or LIFTOFF_KEY).")
        var key: String?

        var client: LiftoffClient? {
            let environment = ProcessInfo.processInfo.environment
            guard let url = url ?? environment["LIFTOFF_URL"] else { return nil }
            return LiftoffClient(baseURL: url, key: key ?? environment["LIFTOFF_KEY"] ?? "")
        }

        /// Runs `body` on the keys of the store named by --database-url or --data-dir, opened for its duration.
        func withAdministration<T: Sendable>(_ body: (KeyAdministration) async throws -> T) async throws -> T {
            let location: StoreLocation
            if let database = databaseURL ?? ProcessInfo.processInfo.environment["LIFTOFF_DATABASE_URL"], !database.isEmpty {
                location = .postgres(url: database)
            } else {
                let path = URL(fileURLWithPath: dataDir).appendingPathComponent("liftoff.sqlite").path
                guard FileManager.default.fileExists(atPath: path) else {
                    throw ValidationError("no Liftoff data in \(dataDir); give --data-dir, --database-url, or --url for a server")
                }
                location = .sqlite(path: path)
            }
            do {
                return try await StoreOpening.withStore(location, logger: Logger(label: "liftoff.keys")) { store, _ in
                    try await body(KeyAdministration(store: store, clock: SystemClock()))
                }
            } catch let error as StoreOpeningError {
                throw ValidationError(error.description)
            }
        }
    }

    static let localActor = "cli"

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a key; its secret is printed once.")
        @Option(help: "A name that says who uses the key.") var name: String
        @Option(help: "ingest, read, operate or admin.") var scope: String
        @Option(help: "Requests per second.") var rateLimit: Double?
        @Option(help: "RFC 3339 time after which the key stops working.") var expiresAt: String?
        @OptionGroup var target: Target

        func run() async throws {
            guard let parsedScope = Scope(rawValue: scope) else { throw ValidationError("--scope must be ingest, read, operate or admin") }
            let expiry = try expiresAt.map { text -> Date in
                guard let date = Timestamp.parse(text) else { throw ValidationError("--expires-at '\(text)' is not an RFC 3339 time") }
                return date
            }
            let secret: String
            let id: String
            if let client = target.client {
                let created = try await client.createKey(CreateKeyRequest(name: name, scope: scope, rateLimit: rateLimit, expiresAt: expiresAt))
                secret = created.key
                id = created.id
            } else {
                let created = try await target.withAdministration { administration in
                    try await administration.create(name: name, scope: parsedScope, rateLimit: rateLimit, expiresAt: expiry,
                                                    actor: KeysCommand.localActor)
                }
                secret = created.key
                id = created.id
            }
            print("Created key '\(name)' (\(scope), id \(id)). Its secret, shown only now:\n\n    \(secret)\n")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys (never their secrets).")
        @OptionGroup var target: Target

        func run() async throws {
            let keys: [KeyListing]
            if let client = target.client {
                keys = try await client.keys()
            } else {
                keys = try await target.withAdministration { try await $0.list() }
            }
            print("ID                                    NAME                 SCOPE    PREFIX    CREATED               STATE")
            for key in keys {
                let state = key.revokedAt.map { "revoked \(Timestamp.format($0))" } ?? key.expiresAt.map { "expires \(Timestamp.format($0))" } ?? "active"
                print([key.id.padding(toLength: 37, withPad: " ", startingAt: 0), key.name.padding(toLength: 20, withPad: " ", startingAt: 0),
                       key.scope.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0), key.prefix.padding(toLength: 9, withPad: " ", startingAt: 0),
                       Timestamp.format(key.createdAt).prefix(19) + "  ", state].joined(separator: " "))
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key at once.")
        @Argument(help: "The key's id (see 'liftoff keys list').") var id: String
        @Option(help: "Why, for the audit log.") var reason: String?
        @OptionGroup var target: Target

        func run() async throws {
            if let client = target.client {
                try await client.revokeKey(id, reason: reason)
            } else {
                try await target.withAdministration { try await $0.revoke(id: id, actor: KeysCommand.localActor, reason: reason) }
            }
            print("Revoked key \(id).")
        }
    }
}
