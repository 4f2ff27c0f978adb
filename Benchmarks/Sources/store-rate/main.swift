// The raw append rate of the store with no HTTP: the same batch body the load script posts, validated once,
// appended again and again for a fixed time to a fresh SQLite file. Prints `events_per_second <n>`.
import Foundation
import LiftoffCore
import LiftoffSQLite
import LiftoffStore

let arguments = CommandLine.arguments
guard arguments.count == 4, let seconds = Double(arguments[3]) else {
    print("usage: store-rate BATCH.json DATA-DIR SECONDS")
    exit(2)
}
struct Batch: Decodable { var events: [JSONValue] }
let batch = try JSONDecoder().decode(Batch.self, from: Data(contentsOf: URL(fileURLWithPath: arguments[1])))
let now = Date()
let validator = EventValidator()
let events = try batch.events.map { value in
    RecordedEvent(event: try validator.validate(value, now: now), attribution: Attribution(phase: "default", variant: .control))
}
try FileManager.default.createDirectory(atPath: arguments[2], withIntermediateDirectories: true)
let store = try SQLiteStore(path: arguments[2] + "/liftoff.sqlite", now: now)
let start = Date()
var appended = 0
// Bounded by time and by count, so it always stops by itself.
while Date().timeIntervalSince(start) < seconds && appended < 200_000_000 {
    _ = try await store.append(events, receivedAt: Date())
    appended += events.count
}
let elapsed = Date().timeIntervalSince(start)
print("events_per_second \(Int(Double(appended) / elapsed))")
