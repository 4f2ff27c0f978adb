import Foundation

/// A fresh directory under the system's temporary folder, removed when the test is done with it.
struct TemporaryDirectory: ~Copyable {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("liftoff-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    var databasePath: String { url.appendingPathComponent("liftoff.sqlite").path }

    deinit { try? FileManager.default.removeItem(at: url) }
}
