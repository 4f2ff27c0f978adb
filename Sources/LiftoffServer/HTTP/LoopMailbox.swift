import NIOCore
import Synchronization

/// Work handed to one event loop from other threads, run there in batches: the first item posted since the
/// loop last drained schedules one drain, later ones join it. The ingest writer completes a commit's ~30
/// requests at once, and an `execute` per request was an `eventfd` write (a system call) each on the writer
/// thread, the serial stage of ingest.
final class LoopMailbox: Sendable {
    private let loop: any EventLoop
    private let pending = Mutex<[@Sendable () -> Void]>([])

    init(loop: any EventLoop) {
        self.loop = loop
    }

    /// Runs `work` on the loop, after whatever was posted before it.
    func post(_ work: @escaping @Sendable () -> Void) {
        let first = pending.withLock { pending in
            pending.append(work)
            return pending.count == 1
        }
        if first { loop.execute { self.drain() } }
    }

    private func drain() {
        var batch: [@Sendable () -> Void] = []
        pending.withLock { swap(&batch, &$0) }
        for work in batch { work() }
    }
}

/// One `LoopMailbox` per event loop, shared by the loop's connections.
final class LoopMailboxes: Sendable {
    private let boxes = Mutex<[ObjectIdentifier: LoopMailbox]>([:])

    init() {}

    func mailbox(for loop: any EventLoop) -> LoopMailbox {
        boxes.withLock { boxes in
            if let box = boxes[ObjectIdentifier(loop)] { return box }
            let box = LoopMailbox(loop: loop)
            boxes[ObjectIdentifier(loop)] = box
            return box
        }
    }
}
