import Foundation
import LiftoffStore
import Synchronization
import Testing

@Suite struct DedicatedThreadExecutorTests {
    @Test func codePreferringTheExecutorRunsOnItsThreadAndNowhereElse() async {
        let executor = DedicatedThreadExecutor(name: "test-writer")
        #expect(!executor.isCurrent)
        let inside = await withTaskExecutorPreference(executor) { executor.isCurrent }
        #expect(inside)
        // After a suspension inside the preference, the code comes back to the same thread.
        let afterSleep = await withTaskExecutorPreference(executor) { () async -> Bool in
            try? await Task.sleep(for: .milliseconds(1))
            return executor.isCurrent
        }
        #expect(afterSleep)
        #expect(!executor.isCurrent)
    }

    @Test func childTasksInheritThePreferenceAndAllRun() async {
        let executor = DedicatedThreadExecutor(name: "test-writer")
        let onThread = Counter()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<200 {
                group.addTask(executorPreference: executor) {
                    if executor.isCurrent { onThread.count.withLock { $0 += 1 } }
                }
            }
        }
        #expect(onThread.count.withLock { $0 } == 200)
    }
}

private final class Counter: Sendable {
    let count = Mutex(0)
}
