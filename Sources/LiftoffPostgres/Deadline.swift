import LiftoffStore
import Synchronization

/// Runs an operation with a hard deadline: the caller gets its answer, or `StoreError.unavailable` once the
/// deadline passes, whatever the operation is doing. A task group cannot give that promise, because it waits
/// for its children: PostgresNIO can leave a query that was written to a connection the server has just closed
/// waiting forever (measured here: a database stopped under ingest left one append waiting, and the ingest queue
/// behind it, until the process was killed). So the operation runs in a task of its own, which is cancelled and
/// left behind if it misses the deadline.
enum Deadline {
    static func run<T: Sendable>(_ limit: Duration, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        let race = Race<T>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                race.start(continuation)
                let work = Task {
                    do { race.finish(.success(try await operation())) } catch { race.finish(.failure(error)) }
                }
                let timer = Task {
                    try? await Task.sleep(for: limit)
                    if race.finish(.failure(StoreError(.unavailable, "the database did not answer within \(limit.components.seconds) s"))) {
                        work.cancel()
                    }
                }
                race.onFinish { work.cancel(); timer.cancel() }
            }
        } onCancel: {
            race.finish(.failure(CancellationError()))
        }
    }
}

/// The first of the operation, the timer and the caller's cancellation to finish resumes the caller; the others
/// are ignored.
private final class Race<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var early: Result<T, any Error>?
        var finished = false
        var cleanup: (@Sendable () -> Void)?
    }

    private let state = Mutex(State())

    func start(_ continuation: CheckedContinuation<T, any Error>) {
        let early = state.withLock { state -> Result<T, any Error>? in
            if let early = state.early { return early }
            state.continuation = continuation
            return nil
        }
        if let early { continuation.resume(with: early) }
    }

    /// Returns whether this call decided the outcome.
    @discardableResult
    func finish(_ result: Result<T, any Error>) -> Bool {
        let (continuation, cleanup, decided) = state.withLock { state -> (CheckedContinuation<T, any Error>?, (@Sendable () -> Void)?, Bool) in
            guard !state.finished else { return (nil, nil, false) }
            state.finished = true
            guard let continuation = state.continuation else {
                state.early = result
                return (nil, nil, true)
            }
            state.continuation = nil
            return (continuation, state.cleanup, true)
        }
        continuation?.resume(with: result)
        cleanup?()
        return decided
    }

    /// Runs `cleanup` when the race is decided (now, when it already is).
    func onFinish(_ cleanup: @escaping @Sendable () -> Void) {
        let already = state.withLock { state -> Bool in
            if state.finished { return true }
            state.cleanup = cleanup
            return false
        }
        if already { cleanup() }
    }
}
