import Foundation
import LiftoffPostgres
import Logging
import PostgresNIO
import Testing

/// The PostgreSQL server the tests use: `LIFTOFF_TEST_DATABASE_URL` (a superuser on a throwaway server, as
/// `scripts/start-postgres.sh` starts). Each test gets a database of its own, dropped afterwards.
enum TestPostgres {
    static let url: PostgresURL? = ProcessInfo.processInfo.environment["LIFTOFF_TEST_DATABASE_URL"].flatMap { try? PostgresURL($0) }
    static var isConfigured: Bool { url != nil }
    /// CI sets this, so a missing server fails the run instead of quietly testing SQLite alone.
    static var isRequired: Bool { ProcessInfo.processInfo.environment["LIFTOFF_REQUIRE_POSTGRES"] == "1" }

    static let logger: Logger = {
        var logger = Logger(label: "liftoff.tests.postgres")
        logger.logLevel = .warning
        return logger
    }()

    /// Creates a database, hands `body` the client configuration that reaches it, and drops it afterwards.
    static func withFreshDatabase<T: Sendable>(_ body: (PostgresClient.Configuration) async throws -> T) async throws -> T {
        let server = try #require(url, "LIFTOFF_TEST_DATABASE_URL is not set")
        let name = "liftoff_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        try await administer(server, "CREATE DATABASE \(name)")
        var target = server
        target.database = String(name)
        do {
            let result = try await body(target.configuration)
            try await administer(server, "DROP DATABASE \(name) WITH (FORCE)")
            return result
        } catch {
            try? await administer(server, "DROP DATABASE \(name) WITH (FORCE)")
            throw error
        }
    }

    /// Runs one statement on the server's maintenance database.
    static func administer(_ server: PostgresURL, _ sql: String) async throws {
        let connection = try await PostgresConnection.connect(
            configuration: .init(host: server.host, port: server.port, username: server.user, password: server.password,
                                 database: server.database, tls: .disable),
            id: 1, logger: logger)
        do {
            try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
        } catch {
            try? await connection.close()
            throw error
        }
        try await connection.close()
    }
}

@Suite("Test PostgreSQL")
struct TestPostgresTests {
    @Test func aRequiredServerIsConfigured() {
        #expect(!TestPostgres.isRequired || TestPostgres.isConfigured,
                "LIFTOFF_REQUIRE_POSTGRES=1 but LIFTOFF_TEST_DATABASE_URL is missing or unreadable")
    }
}
