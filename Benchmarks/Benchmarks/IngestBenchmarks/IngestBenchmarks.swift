import Benchmark
import Foundation
import LiftoffCore
import LiftoffSQLite
import LiftoffStore

/// Micro-benchmarks of the ingest hot path: validation, folding into aggregates, appending to SQLite.
let benchmarks: @Sendable () -> Void = {
    let now = Date()
    let event = JSONValue.object([
        "type": .string("ai_interaction"), "userId": .string("u-17"), "sessionId": .string("s-9"),
        "feature": .string("code_analysis"), "model": .string("gpt-4o-mini"), "latencyMs": .number(812),
        "inputTokens": .number(1200), "outputTokens": .number(300), "outcome": .string("ok"), "relevance": .number(0.92),
    ])
    let validator = EventValidator()
    let recorded = (0..<500).map { index in
        RecordedEvent(event: Event(timestamp: now, userId: "u-\(index % 50)",
                                   payload: .aiInteraction(AIInteraction(model: "gpt-4o-mini", latencyMs: Double(200 + index), outcome: .ok))),
                      attribution: Attribution(phase: "default", variant: .control), costUsd: 0.001)
    }

    // The body of one single-event request as `Benchmarks/load.sh` sends it.
    let singleBody = Data(#"{"events":[{"id":"0b6f2c1e-3f4a-4a7e-9d3b-1c2d3e4f5a6b-1","type":"ai_interaction","userId":"u-17","latencyMs":812,"inputTokens":900,"outputTokens":250,"model":"gpt-4o-mini","outcome":"ok"}]}"#.utf8)
    Benchmark("parse a single-event body", configuration: .init(metrics: [.throughput, .wallClock, .mallocCountTotal])) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try JSONParser.parse(singleBody))
        }
    }

    Benchmark("validate one event", configuration: .init(metrics: [.throughput, .wallClock, .mallocCountTotal])) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try validator.validate(event, now: now))
        }
    }

    Benchmark("fold 500 events into minute aggregates", configuration: .init(metrics: [.throughput, .wallClock])) { benchmark in
        for _ in benchmark.scaledIterations {
            var table = AggregateTable()
            recorded.forEach { table.fold($0) }
            blackHole(table)
        }
    }

    Benchmark("SQLite append of a 500-event batch", configuration: .init(metrics: [.throughput, .wallClock], maxDuration: .seconds(5))) { benchmark in
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("liftoff-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteStore(path: directory.appendingPathComponent("liftoff.sqlite").path, now: now)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try await store.append(recorded, receivedAt: now))
        }
    }
}
