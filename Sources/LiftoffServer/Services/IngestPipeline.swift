import Foundation
import LiftoffCore
import LiftoffStore
import Logging
import ServiceLifecycle
import Synchronization

/// Group commit for ingest: requests hand their validated events here and wait; a writer takes everything
/// that queued up while the previous transaction was committing and records it in one transaction. Each
/// request is answered only after its events are committed, so acknowledged means durable, and concurrent
/// small requests share one commit instead of paying one each.
///
/// As many writers run at once as the store says it runs well (`Store.concurrentAppends`): one for an
/// embedded file; more for a database server, whose writer would otherwise wait idle while the database
/// works on the previous transaction (measured on PostgreSQL: one writer kept 1.1 of 2 cores busy).
///
/// Bounded: past `maxQueuedEvents` waiting events a request is refused at once (503, Retry-After 1) rather
/// than queued, so memory stays bounded when the store cannot keep up and the app backs off.
///
/// On graceful shutdown it stops taking new work, commits everything already queued, then returns: the HTTP
/// server is shut down before it, so every accepted request gets its answer.
public final class IngestPipeline: Service {
    /// Called once with each event's status after the commit, or with why nothing was recorded; on the
    /// committing thread, so it must only hand the outcome on.
    public typealias Completion = @Sendable (Result<[AppendStatus], any Error>) -> Void

    private struct Job {
        var events: [RecordedEvent]
        var completion: Completion
    }

    private struct State {
        var pending: [Job] = []
        /// Events in `pending`.
        var queued = 0
        var closed = false
        /// Writers started and not yet finished.
        var writing = 0
    }

    private let store: any Store
    private let clock: any WallClock
    private let logger: Logger
    /// The most events one transaction takes; more wait for the next one.
    private let maxEventsPerCommit: Int
    private let maxQueuedEvents: Int
    private let writers: Int
    private let state = Mutex(State())
    private let wakeups: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation

    /// `writers`: transactions in flight at once; nil takes the store's `concurrentAppends`.
    public init(store: any Store, clock: any WallClock, logger: Logger, maxEventsPerCommit: Int = 20_000, maxQueuedEvents: Int = 200_000,
                writers: Int? = nil) {
        self.store = store
        self.clock = clock
        self.logger = logger
        self.maxEventsPerCommit = maxEventsPerCommit
        self.maxQueuedEvents = maxQueuedEvents
        self.writers = max(1, writers ?? store.concurrentAppends)
        (wakeups, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Records `events` and returns each one's status once they are committed.
    public func submit(_ events: [RecordedEvent]) async throws -> [AppendStatus] {
        guard !events.isEmpty else { return [] }
        return try await withCheckedThrowingContinuation { continuation in
            submit(events) { continuation.resume(with: $0) }
        }
    }

    /// Records `events` and calls `completion` with each one's status once they are committed, or at once
    /// with the refusal when the queue is full or the server is shutting down. For callers that are not
    /// tasks (the HTTP fast path answers from its event loop).
    public func submit(_ events: [RecordedEvent], completion: @escaping Completion) {
        guard !events.isEmpty else { return completion(.success([])) }
        let outcome = state.withLock { state -> Result<Bool, DomainError> in
            guard !state.closed else {
                return .failure(.unavailable("the server is shutting down; retry against another instance or later"))
            }
            // An empty queue takes any request (its size is bounded by the route): the bound is on waiting.
            guard state.queued == 0 || state.queued + events.count <= maxQueuedEvents else {
                return .failure(.unavailable("ingest is behind: \(state.queued) events are waiting for their commit (at most "
                    + "\(maxQueuedEvents)); nothing of this request was recorded; retry after the delay", retryAfter: 1))
            }
            state.pending.append(Job(events: events, completion: completion))
            state.queued += events.count
            // With every writer running, one of them takes this job: a writer counts itself out only
            // under this lock and only when it finds nothing pending, so no wake-up (a task switch) is due.
            return .success(state.writing < writers)
        }
        switch outcome {
        case .failure(let refusal): completion(.failure(refusal))
        case .success(let wanted): if wanted { wake.yield() }
        }
    }

    public func run() async throws {
        await withTaskGroup(of: Void.self) { writing in
            await withGracefulShutdownHandler {
                for await _ in wakeups {
                    if startsWriter() { writing.addTask(executorPreference: store.appendExecutor) { await self.write() } }
                }
                // The stream ends on shutdown: whatever was queued before it closed is still committed.
                if startsWriter() { writing.addTask(executorPreference: store.appendExecutor) { await self.write() } }
            } onGracefulShutdown: {
                self.state.withLock { $0.closed = true }
                self.wake.finish()
            }
            await writing.waitForAll()
        }
    }

    /// Whether another writer is wanted (work is waiting and fewer than `writers` run); counts it as started.
    private func startsWriter() -> Bool {
        state.withLock { state in
            guard !state.pending.isEmpty, state.writing < writers else { return false }
            state.writing += 1
            return true
        }
    }

    /// Commits queued jobs until none are left. A writer stops only when it finds the queue empty, in the same
    /// lock that counts it out, so a job queued meanwhile is either taken by it or wakes a new writer.
    private func write() async {
        while let jobs = takeJobs() {
            await commit(jobs)
        }
    }

    private func commit(_ jobs: [Job]) async {
        let events = jobs.flatMap(\.events)
        do {
            let statuses = try await store.append(events, receivedAt: clock.now())
            var offset = 0
            for job in jobs {
                job.completion(.success(Array(statuses[offset..<offset + job.events.count])))
                offset += job.events.count
            }
        } catch {
            logger.error("ingest commit failed", metadata: ["events": "\(events.count)", "error": "\(error)"])
            // The store's own words (busy, disk full, read-only) reach the caller through the one mapping.
            let failure: any Error = error is StoreError ? error : DomainError.unavailable("events were not recorded: the store failed; retry")
            for job in jobs { job.completion(.failure(failure)) }
        }
    }

    /// The queued jobs up to the per-commit limit (always at least one job), or nil when none are queued, in
    /// which case the calling writer is counted out.
    private func takeJobs() -> [Job]? {
        state.withLock { state in
            guard !state.pending.isEmpty else {
                state.writing -= 1
                return nil
            }
            var taken = 0
            var count = 0
            while taken < state.pending.count && (taken == 0 || count + state.pending[taken].events.count <= maxEventsPerCommit) {
                count += state.pending[taken].events.count
                taken += 1
            }
            let jobs = Array(state.pending.prefix(taken))
            state.pending.removeFirst(taken)
            state.queued -= count
            return jobs
        }
    }
}
