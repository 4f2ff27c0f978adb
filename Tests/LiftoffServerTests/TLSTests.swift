import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import LiftoffServer

@Suite("TLS")
struct TLSTests {
    /// A self-signed certificate made by openssl for 127.0.0.1, then a real HTTPS request to the server.
    @Test func servesHTTPSWithTheGivenCertificate() async throws {
        var server = try await TestServer()
        let cert = server.directory.appendingPathComponent("cert.pem").path
        let key = server.directory.appendingPathComponent("key.pem").path
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1",
                             "-subj", "/CN=127.0.0.1"]
        openssl.standardOutput = FileHandle.nullDevice
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        #expect(openssl.terminationStatus == 0)
        server.configuration.tls = TLSFiles(certificateChain: cert, privateKey: key)
        try await server.build().application.test(.ahc(.https)) { client in
            let response = try await client.request(.get, "/healthz", key: nil)
            #expect(response.status == .ok)
            #expect(try await client.request(.get, "/v1/metrics?names=interactions").status == .ok)
        }
        server.configuration.tls = TLSFiles(certificateChain: cert + ".missing", privateKey: key)
        await #expect(throws: ConfigurationError.self) { try await server.build() }
    }
}
