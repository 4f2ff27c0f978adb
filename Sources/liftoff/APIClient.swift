import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Calls a running Liftoff server for the operator commands. The server's error message is shown as is:
/// it already says what was refused and why.
struct APIClient {
    let baseURL: String
    let key: String

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    func send(_ method: HTTPMethod, _ path: String, body: Data? = nil) async throws -> Data {
        var request = HTTPClientRequest(url: baseURL.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(key)")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response: HTTPClientResponse
        do {
            response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        } catch {
            throw Failure(description: "cannot reach \(baseURL): \(error)")
        }
        let bytes = try await response.body.collect(upTo: 64 << 20)
        let data = Data(bytes.readableBytesView)
        guard (200..<300).contains(Int(response.status.code)) else {
            let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
            var message = (object?["error"] as? [String: Any])?["message"] as? String ?? String(decoding: data, as: UTF8.self)
            // A refused promotion lists every unmet condition: one per line reads better than one long sentence.
            if let unmet = object?["unmet"] as? [String], !unmet.isEmpty {
                message = "refused; unmet:\n" + unmet.map { "  - \($0)" }.joined(separator: "\n")
            }
            throw Failure(description: "\(response.status.code) \(response.status.reasonPhrase): \(message)")
        }
        return data
    }
}
