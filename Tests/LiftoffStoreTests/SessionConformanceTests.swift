import Foundation
import LiftoffCore
import LiftoffStore
import Testing

/// Concurrent sessions on every engine: each start samples how many sessions are open, ended ones and ones
/// older than `SessionLimits.openFor` not counted; the catalog's maximum is the peak.
@Suite("Store conformance: concurrent sessions")
struct SessionConformanceTests {
    static let now = Timestamp.parse("2026-11-29T10:00:30Z")!
    let now = Self.now

    func event(_ id: String, _ payload: EventPayload, session: String, at offset: TimeInterval) -> RecordedEvent {
        RecordedEvent(event: Event(id: id, timestamp: now.addingTimeInterval(offset), userId: "u-\(session)", sessionId: session, payload: payload),
                      attribution: Attribution(phase: "alpha", variant: .treatment, epoch: 0))
    }

    @Test(arguments: StoreEngine.all)
    func eachStartSamplesTheOpenSessions(_ engine: StoreEngine) async throws {
        try await engine.run(now) { store in
            _ = try await store.append([
                // Abandoned three hours ago: never ended, no longer open.
                event("old", .sessionStart, session: "old", at: -3 * 3600),
                event("a", .sessionStart, session: "s1", at: 0),
                event("b", .sessionStart, session: "s2", at: 10),
            ], receivedAt: now)
            _ = try await store.append([
                event("c", .sessionEnd(SessionEnd(durationSeconds: 20)), session: "s1", at: 20),
                event("d", .sessionStart, session: "s3", at: 25),
                event("e", .sessionStart, session: "s4", at: 26),
            ], receivedAt: now)
            let minutes = MinuteIndex(containing: now.addingTimeInterval(-4 * 3600))...MinuteIndex(containing: now.addingTimeInterval(60))
            let totals = try await store.aggregates(minutes: minutes, phase: nil, variant: nil, fromEpoch: nil,
                                                    measures: [.concurrentSessions]).totals()
            let samples = try #require(totals[.concurrentSessions])
            // old: 1; s1: 1 (old is past its time); s2: 2; s3: 2 (s1 ended); s4: 3.
            #expect(samples.count == 5)
            #expect(samples.sum == 9)
            #expect(samples.max == 3)
            let value = MetricCalculator(totals: totals, windowSeconds: 3600).value(of: .concurrentSessionsMax)
            #expect(value.value == 3 && value.samples == 5)
        }
    }
}
