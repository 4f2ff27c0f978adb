import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import Yams
@testable import LiftoffServer

@Suite("API description")
struct OpenAPITests {
    static let documentPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/openapi.yaml")

    @Test func theServedDocumentIsTheCommittedOne() throws {
        let file = try String(contentsOf: Self.documentPath, encoding: .utf8)
        #expect(OpenAPIDocument.yaml + "\n" == file, "run scripts/embed-openapi.sh after editing docs/openapi.yaml")
    }

    /// Every registered route is described with its method and scope, and nothing else is.
    @Test func theDocumentDescribesExactlyTheRegisteredRoutes() async throws {
        let document = try #require(try Yams.load(yaml: OpenAPIDocument.yaml) as? [String: Any])
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        var described: [String: String] = [:]
        var describedQuery: [String: [String]] = [:]
        for (path, operations) in paths {
            for (method, operation) in operations {
                let operation = operation as? [String: Any] ?? [:]
                let open = (operation["security"] as? [Any])?.isEmpty == true
                described["\(method.uppercased()) \(path)"] = open ? "open" : (operation["x-liftoff-scope"] as? String ?? "missing")
                let parameters = operation["parameters"] as? [[String: Any]] ?? []
                describedQuery["\(method.uppercased()) \(path)"] = parameters.filter { $0["in"] as? String == "query" }
                    .compactMap { $0["name"] as? String }.sorted()
            }
        }
        let server = try await TestServer()
        let built = try await server.build()
        var registered: [String: String] = [:]
        var registeredQuery: [String: [String]] = [:]
        for route in built.routes where !route.isPage {
            registered["\(route.method.rawValue) \(route.path)"] = route.scope?.rawValue ?? "open"
            registeredQuery["\(route.method.rawValue) \(route.path)"] = route.queryParameters.sorted()
        }
        #expect(described == registered)
        // The parameters a route reads are the ones it lets through, and the ones the document names.
        #expect(describedQuery == registeredQuery)
        try await built.application.test(.router) { client in
            let served = try await client.request(.get, "/openapi.yaml", key: nil)
            #expect(served.status == .ok)
            #expect(String(buffer: served.body).hasPrefix("openapi: 3.1.0"))
        }
    }
}
