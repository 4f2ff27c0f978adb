import Foundation
import LiftoffAPI
import Hummingbird
import HummingbirdTesting
import LiftoffCore
import LiftoffStore
import LiftoffSQLite
import NIOCore
@testable import LiftoffServer

/// A server built by the production `buildApplication` on a temporary data directory, with a manual clock
/// and one key of every scope.
struct TestServer: ~Copyable {
    static let adminKey = "test-admin-key-0123456789"
    static let keys: [Scope: String] = [
        .ingest: "lft_test_ingest_key", .read: "lft_test_read_key", .operate: "lft_test_operate_key", .admin: adminKey,
    ]

    let directory: URL
    let clock: ManualClock
    var configuration: LiftoffConfiguration
    /// The store the server is built on; tests may read it directly.
    let store: SQLiteStore

    init(now: Date = Timestamp.parse("2026-11-29T10:00:30Z")!, prices: PriceBook = PriceBook(),
         plan: Plan? = nil, limits: IngestLimits = IngestLimits()) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("liftoff-server-test-\(UUID().uuidString)")
        var rolloutPlan = plan ?? .everyoneInControl
        if plan == nil { rolloutPlan.pricing = prices }
        let manual = ManualClock(now)
        let configuration = LiftoffConfiguration(port: 0, dataDirectory: folder, adminKey: Self.adminKey,
                                                 plan: rolloutPlan, tickInterval: .seconds(3600), ingestLimits: limits, clock: manual)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let opened = try SQLiteStore.open(at: configuration.databasePath, now: now)
        for scope in [Scope.ingest, .read, .operate] {
            let secret = Self.keys[scope]!
            try await opened.insertKey(StoredKey(id: scope.rawValue, name: "\(scope.rawValue)-key", scope: scope,
                                                 hash: APIKeySecret.hash(secret), prefix: APIKeySecret.prefix(secret), createdAt: now))
        }
        directory = folder
        clock = manual
        self.configuration = configuration
        store = opened
    }

    func build() async throws -> LiftoffApplication {
        try await buildApplication(configuration, store: store)
    }

    /// Builds the app and runs `body` against it, in process or (`overASocket`) over real HTTP on loopback,
    /// where small ingest requests take the event loop's fast path; the app's services run for the duration.
    func withClient<Value: Sendable>(overASocket: Bool = false,
                                     _ body: @Sendable (any TestClientProtocol) async throws -> Value) async throws -> Value {
        try await build().application.test(overASocket ? .live : .router, body)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }
}

extension TestClientProtocol {
    func request(_ method: HTTPRequest.Method, _ uri: String, key: String? = TestServer.adminKey,
                 json: String? = nil, headers: HTTPFields = [:], body: ByteBuffer? = nil) async throws -> TestResponse {
        var fields = headers
        if let key { fields[.authorization] = "Bearer \(key)" }
        if json != nil { fields[.contentType] = "application/json" }
        return try await execute(uri: uri, method: method, headers: fields, body: body ?? json.map { ByteBuffer(string: $0) })
    }
}

extension TestResponse {
    /// The body as raw JSON, for checks of the wire itself (explicit nulls, which members are present); every
    /// other check reads the typed answer (`decode`, `decoded`).
    var wire: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
    }

    /// The body decoded as the API type the server encoded it from, the way every client decodes it.
    func decode<Answer: Decodable>(_ type: Answer.Type) throws -> Answer {
        try APICoding.decoder.decode(type, from: Data(body.readableBytesView))
    }

    /// `decode`, nil when the body is not that type (an error answer, say).
    func decoded<Answer: Decodable>(_ type: Answer.Type) -> Answer? { try? decode(type) }

    var problem: APIProblem? { decoded(APIProblem.self) }
    var errorMessage: String? { problem?.error.message }
    var errorCode: String? { problem?.error.code }

    /// `metrics.<name>` of a `/v1/metrics` answer.
    func metric(_ name: String) -> (value: Double?, samples: Int)? {
        decoded(MetricValues.self)?.metrics[name].map { ($0.value, $0.samples) }
    }
}
