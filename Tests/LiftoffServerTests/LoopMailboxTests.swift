import Foundation
import NIOCore
import NIOPosix
import Synchronization
import Testing
@testable import LiftoffServer

@Suite("Loop mailbox")
struct LoopMailboxTests {
    /// Posts from two other threads at once all run, on the loop, each thread's in the order posted, and one
    /// loop's connections share one mailbox.
    @Test func everyPostRunsOnTheLoopInOrder() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let mailboxes = LoopMailboxes()
        let mailbox = mailboxes.mailbox(for: loop)
        #expect(mailboxes.mailbox(for: loop) === mailbox)
        let seen = Mutex<[Int: [Int]]>([:])
        let offLoop = Mutex(0)
        let perThread = 5_000
        let remaining = Mutex(2 * perThread)
        for thread in 0..<2 {
            Thread {
                for index in 0..<perThread {
                    mailbox.post {
                        if !loop.inEventLoop { offLoop.withLock { $0 += 1 } }
                        seen.withLock { $0[thread, default: []].append(index) }
                        remaining.withLock { $0 -= 1 }
                    }
                }
            }.start()
        }
        // Bounded: a lost post fails the expectation below instead of hanging the suite.
        for _ in 0..<1_000 where remaining.withLock({ $0 }) > 0 {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(remaining.withLock { $0 } == 0)
        #expect(offLoop.withLock { $0 } == 0)
        for thread in 0..<2 {
            let order = seen.withLock { $0[thread] ?? [] }
            let inOrder = order == Array(0..<perThread)
            #expect(inOrder, "thread \(thread): \(order.count) of \(perThread) ran, in order: \(inOrder)")
        }
        try await group.shutdownGracefully()
    }
}
