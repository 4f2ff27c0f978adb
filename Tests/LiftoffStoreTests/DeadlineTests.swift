import Foundation
@testable import LiftoffPostgres
import LiftoffStore
import Synchronization
import Testing

/// The hard deadline of PostgreSQL operations: an answer, or "unavailable" in time, whatever the operation does.
@Suite("Deadline")
struct DeadlineTests {
    @Test func anAnswerInTimePassesThrough() async throws {
        #expect(try await Deadline.run(.seconds(5)) { 42 } == 42)
        await #expect(throws: StoreError.self) {
            try await Deadline.run(.seconds(5)) { () async throws -> Int in throw StoreError(.conflict, "taken") }
        }
    }

    /// The report's case: an operation that never comes back (a query written to a connection the server had
    /// just closed) held the ingest queue until the process was killed.
    /// Without the deadline it would never return: the time limit turns a hang into a failure, and no elapsed time
    /// is asserted (these machines are shared and noisy).
    @Test(.timeLimit(.minutes(1)))
    func anOperationThatNeverAnswersIsCutOffAtTheDeadline() async throws {
        let stuck = Mutex<CheckedContinuation<Void, Never>?>(nil)
        let error = await #expect(throws: StoreError.self) {
            try await Deadline.run(.milliseconds(200)) { () async throws -> Int in
                // Ignores cancellation, as the stuck query did, until the test lets it go.
                await withCheckedContinuation { continuation in stuck.withLock { $0 = continuation } }
                return 0
            }
        }
        #expect(error?.code == .unavailable)
        stuck.withLock { $0?.resume() }
    }
}
