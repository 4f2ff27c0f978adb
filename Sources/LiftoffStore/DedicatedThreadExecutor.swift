import Foundation
import Synchronization

/// A task executor that runs every job on one thread of its own, in the order enqueued.
///
/// For work that blocks its thread by design, such as an embedded database's commit waiting for the disk:
/// on the shared pool it would hold one of a few threads, and every hand-off between the pool and a
/// database's own queue costs a thread wake-up, which under load waits behind the pool's other jobs. A task
/// that prefers this executor (`withTaskExecutorPreference`, `addTask(executorPreference:)`) runs its
/// nonisolated code here, so a loop of blocking calls makes no hand-off at all.
///
/// The thread ends once the executor is released and its queue is empty. Whoever enqueues must keep the
/// executor alive until its job has run (the thread holds it unowned): a task created with it as preference
/// does; `withTaskExecutorPreference` does not, so its caller must (`SQLiteStore` owns its writer thread, and
/// `append` runs only while the store is alive).
public final class DedicatedThreadExecutor: TaskExecutor, Sendable {
    private let queue: JobQueue

    /// Starts the thread; `name` (at most 15 bytes, Linux's limit) is what `top -H` and profilers show.
    public init(name: String) {
        queue = JobQueue()
        let queue = queue
        let executor = UnownedTaskExecutor(ordinary: self)
        let thread = Thread {
            Self.nameCurrentThread(name)
            queue.run(on: executor)
        }
        thread.start()
    }

    deinit { queue.stop() }

    /// Foundation's `Thread.name` does not reach the system's name of the thread on Linux, and Glibc's
    /// `pthread_setname_np` is not visible to Swift: the kernel takes it from `/proc/thread-self/comm`.
    private static func nameCurrentThread(_ name: String) {
        #if os(Linux)
        let descriptor = open("/proc/thread-self/comm", O_WRONLY)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        let bytes = Array(name.utf8.prefix(15))
        _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        #endif
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        queue.push(UnownedJob(job))
    }

    /// Whether the calling code runs on this executor's thread.
    public var isCurrent: Bool { queue.isCurrentThread }
}

/// The jobs waiting for the thread, and the thread's loop. Its own object so the thread does not keep the
/// executor alive.
private final class JobQueue: @unchecked Sendable {
    // Guarded by `condition`.
    private var jobs: [UnownedJob] = []
    private var stopped = false
    private var thread: pthread_t?
    private let condition = NSCondition()

    func push(_ job: UnownedJob) {
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    func stop() {
        condition.lock()
        stopped = true
        condition.signal()
        condition.unlock()
    }

    var isCurrentThread: Bool {
        condition.lock()
        defer { condition.unlock() }
        return thread.map { pthread_equal($0, pthread_self()) != 0 } ?? false
    }

    func run(on executor: UnownedTaskExecutor) {
        condition.lock()
        thread = pthread_self()
        condition.unlock()
        var batch: [UnownedJob] = []
        while true {
            condition.lock()
            while jobs.isEmpty && !stopped { condition.wait() }
            if jobs.isEmpty && stopped {
                condition.unlock()
                return
            }
            swap(&batch, &jobs)
            condition.unlock()
            for job in batch { job.runSynchronously(on: executor) }
            batch.removeAll(keepingCapacity: true)
        }
    }
}
