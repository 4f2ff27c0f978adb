import Foundation
import LiftoffCore
import LiftoffStore
import Logging
import ServiceLifecycle

/// Enforces the plan's retention: every `interval`, deletes raw events and removes feedback text older
/// than the plan allows. Aggregates, which hold no text and only hashed user ids, are kept.
/// Only the cluster's leader purges; a node that becomes leader purges at once.
struct RetentionService: Service {
    let store: any Store
    /// The live plan's privacy settings, read at each purge.
    let currentPrivacy: @Sendable () -> Privacy
    let clock: any WallClock
    let logger: Logger
    let cluster: any Cluster
    var interval: Duration = .seconds(3600)
    /// How often a follower looks whether it leads now.
    var followerCheck: Duration = .seconds(1)

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                guard cluster.isLeader else {
                    do { try await Task.sleep(for: followerCheck) } catch { return }
                    continue
                }
                await purgeOnce()
                do { try await Task.sleep(for: interval) } catch { return }
            }
        }
    }

    @discardableResult
    func purgeOnce() async -> PurgeResult {
        let now = clock.now()
        let privacy = currentPrivacy()
        guard privacy.eventRetention != nil || privacy.feedbackTextRetention != nil else { return PurgeResult(deleted: 0, redacted: 0) }
        do {
            let result = try await store.purge(
                eventsBefore: privacy.eventRetention.map { now.addingTimeInterval(-$0) },
                feedbackTextBefore: privacy.feedbackTextRetention.map { now.addingTimeInterval(-$0) },
                audit: { deleted, redacted in
                    AuditEntry(at: now, actor: SystemActor.name, action: "retention.purge", reason: "the plan's retention",
                               after: #"{"deletedEvents":\#(deleted),"redactedFeedback":\#(redacted)}"#)
                })
            if result.deleted + result.redacted > 0 {
                logger.info("retention purge", metadata: ["deleted": "\(result.deleted)", "redacted": "\(result.redacted)"])
            }
            return result
        } catch {
            logger.error("retention purge failed", metadata: ["error": "\(error)"])
            return PurgeResult(deleted: 0, redacted: 0)
        }
    }
}
