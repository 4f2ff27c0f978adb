import Foundation
import LiftoffCore

/// Everything Liftoff keeps. The SQLite implementation is the embedded default; the protocol is shaped so
/// that PostgreSQL can implement it too: no SQLite-only behaviour leaks into the callers. Every engine passes
/// the conformance suite (`Tests/LiftoffStoreTests/StoreConformanceTests.swift`).
///
/// Contracts common to every method:
/// - Each method that changes something is one transaction, with its audit entry when it takes one: it
///   happens whole or not at all. When it returns, the change is durable (acknowledged means committed).
/// - Failures of the database itself are `StoreError`s (`busy`, `unavailable`, `storageFull`, `readOnly`,
///   `corrupt`); a refusal because of what is stored is `StoreError.conflict`.
/// - Times are stored to the millisecond. Minute indexes are whole minutes since 1970-01-01T00:00Z
///   (`MinuteIndex`); day indexes whole UTC days since then (`DayIndex`).
public protocol Store: RolloutStore, GuardrailStore, PlanStore {
    /// Records accepted events durably, in one transaction, with the aggregates they feed (so aggregates never
    /// disagree with raw events: every read sees the aggregates of every committed event). Returns only after
    /// the commit, one status per event in the order given. An engine may write some aggregate rows behind the
    /// commit when reads take them from memory meanwhile and the committed events let it rebuild them after a
    /// crash (SQLite: `AggregateBacklog`).
    ///
    /// Idempotency: an event with an `id` already recorded is a `.duplicate` and changes nothing, within the
    /// batch too. How far back ids are recognised is the engine's promise: SQLite keeps the ids of the last
    /// 24 hours (at most the newest two million, reloaded from the file when opened) in memory, so a retry
    /// older than that is stored again; an engine with a unique index recognises every id it holds.
    /// `receivedAt` is the server time of arrival, which retention counts from.
    func append(_ events: [RecordedEvent], receivedAt: Date) async throws -> [AppendStatus]

    /// How many `append` calls the engine runs well at once. An embedded file has one writer, so 1; a
    /// database server runs one call's statements while it commits another's, so its callers keep more in
    /// flight. Whatever the number, each call stays one transaction.
    var concurrentAppends: Int { get }

    /// Where a caller that appends in a loop (the ingest pipeline) should run to spare `append` a thread
    /// hand-off each time: an embedded file's writer thread. nil: anywhere.
    var appendExecutor: (any TaskExecutor)? { get }

    /// The per-minute aggregates of the minute indexes in `minutes` (inclusive), optionally narrowed to one
    /// phase, one variant, the guardrail epochs from `fromEpoch` on, and some measures (nil: all). Costs
    /// O(minutes × phases × variants × measures), never a scan of raw events.
    func aggregates(minutes: ClosedRange<MinuteIndex>, phase: String?, variant: Variant?, fromEpoch: Int?,
                    measures: Set<Measure>?) async throws -> AggregateTable

    /// The per-minute aggregates of one segment (one value of one declared dimension), with the same filters and
    /// cost bound as `aggregates`; each row's key carries the segment. Segments are kept from the time the plan
    /// declared their dimension: earlier events are not in them.
    func aggregates(minutes: ClosedRange<MinuteIndex>, phase: String?, variant: Variant?, fromEpoch: Int?,
                    measures: Set<Measure>?, segment: Segment) async throws -> AggregateTable

    /// The values each dimension has admitted (at most its cap; later values are counted as `other`).
    func dimensionValues() async throws -> [MetricDimension: Set<String>]

    /// What `aggregates` answers, merged per measure: a window's totals. Same filters and cost bound; an
    /// engine may answer it without building the per-minute rows.
    func aggregateTotals(minutes: ClosedRange<MinuteIndex>, phase: String?, variant: Variant?, fromEpoch: Int?,
                         measures: Set<Measure>?) async throws -> AggregateTotals

    /// `aggregateTotals` of one segment's rows.
    func aggregateTotals(minutes: ClosedRange<MinuteIndex>, phase: String?, variant: Variant?, fromEpoch: Int?,
                         measures: Set<Measure>?, segment: Segment) async throws -> AggregateTotals

    /// How many users first seen on a day in `firstDays` (day indexes, inclusive) were active again exactly
    /// `afterDays` later, counting users by the phase and variant of their first day.
    func retention(afterDays: Int, firstDays: ClosedRange<DayIndex>, phase: String?, variant: Variant?) async throws -> RetentionCounts

    /// Fails with a `StoreError` when the store cannot be reached.
    func ping() async throws

    /// Keys not revoked (expired ones included: the key ring checks expiry), in no particular order.
    func activeKeys() async throws -> [StoredKey]

    /// Adds a key; fails with `StoreError.conflict` when its name or hash is taken.
    func insertKey(_ key: StoredKey) async throws

    /// Adds a key with its audit entry, in one transaction.
    func insertKey(_ key: StoredKey, audit: AuditEntry) async throws

    /// Every key, revoked ones included, oldest first.
    func allKeys() async throws -> [StoredKey]

    /// Revokes the key `id` at `date`; false when there is no such key that is still active.
    func revokeKey(_ id: String, at date: Date, audit: AuditEntry) async throws -> Bool

    /// Sets the hash of the key called `name`, creating it with `scope` if it does not exist.
    func upsertKey(_ key: StoredKey) async throws

    /// The server secret called `name`, created from `make` the first time it is asked for.
    func secret(named name: String, make: @Sendable () -> [UInt8]) async throws -> [UInt8]

    /// Deletes raw events received before `eventsBefore` and removes feedback suggestions received before
    /// `feedbackTextBefore`, with the audit entry `audit(deleted, redacted)` when anything changed, in one
    /// transaction; aggregates stay.
    func purge(eventsBefore: Date?, feedbackTextBefore: Date?, audit: @escaping @Sendable (Int, Int) -> AuditEntry) async throws -> PurgeResult

    /// Spend since `since` by model (every model, most expensive first) and by user (the top `limit` users),
    /// from the raw events: what retention deleted is no longer in it.
    func costBreakdown(since: Date, limit: Int) async throws -> CostBreakdown

    /// Feedback events matching `filter`, newest first, at most `filter.limit`.
    func feedback(_ filter: FeedbackFilter) async throws -> [FeedbackRecord]

    /// Completion events of users that occurred in `from..<to`, optionally of one phase and variant, oldest first
    /// (ties in arrival order), at most `limit`: what learning paths are read from. Reads raw events (an index on
    /// completions keeps it to them), so what retention deleted is no longer in it.
    func completionSteps(from: Date, to: Date, phase: String?, variant: Variant?, limit: Int) async throws -> [CompletionStep]

    /// The phases started so far, oldest first.
    func phaseHistory() async throws -> [PhaseRecord]

    /// Starts `phase` at `date`, ending the current one at the same instant.
    func startPhase(_ phase: String, at date: Date) async throws
}

/// Whether an appended event was recorded or recognised as a retry.
public enum AppendStatus: Sendable, Equatable {
    case accepted
    case duplicate
}

/// An API key as stored: never the secret, only its SHA-256.
public struct StoredKey: Sendable, Equatable {
    public var id: String
    public var name: String
    public var scope: Scope
    public var hash: [UInt8]
    /// The first characters of the secret, enough to tell keys apart in a listing.
    public var prefix: String
    public var createdAt: Date
    public var revokedAt: Date?
    /// Requests per second this key may make; nil for no limit.
    public var rateLimit: Double?
    /// After this the key no longer authenticates.
    public var expiresAt: Date?

    public init(id: String, name: String, scope: Scope, hash: [UInt8], prefix: String, createdAt: Date, revokedAt: Date? = nil,
                rateLimit: Double? = nil, expiresAt: Date? = nil) {
        self.id = id
        self.name = name
        self.scope = scope
        self.hash = hash
        self.prefix = prefix
        self.createdAt = createdAt
        self.revokedAt = revokedAt
        self.rateLimit = rateLimit
        self.expiresAt = expiresAt
    }
}

/// A phase's actual start and end.
public struct PhaseRecord: Sendable, Equatable {
    public var phase: String
    public var startedAt: Date
    public var endedAt: Date?

    public init(phase: String, startedAt: Date, endedAt: Date? = nil) {
        self.phase = phase
        self.startedAt = startedAt
        self.endedAt = endedAt
    }
}

/// Why the store refused or failed an operation. Engines say their own failures in these terms, so the
/// server maps them to HTTP in one place whatever the engine.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public enum Code: Sendable {
        /// The operation conflicts with what is stored (a taken name, a rollout changed meanwhile).
        case conflict
        /// What is stored cannot be read back: a bug or a damaged file, not a condition that passes.
        case corrupt
        /// The database cannot be reached now (closed, I/O failure, a server down): retrying later helps.
        case unavailable
        /// The database is busy with other writers: retrying soon helps.
        case busy
        /// No space left to write; reads still work.
        case storageFull
        /// The database refuses writes (permissions, a read-only replica); reads still work.
        case readOnly
    }
    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

/// Which engine holds Liftoff's data, and where. The configuration names it; the entry point opens it
/// (`liftoff serve`, the simulator, the tests) and hands the store to the server.
public enum StoreLocation: Sendable, Equatable, CustomStringConvertible {
    /// The embedded default: one SQLite file in WAL mode.
    case sqlite(path: String)
    /// A PostgreSQL database that several nodes may share, by its `postgres://` URL.
    case postgres(url: String)

    public var description: String {
        switch self {
        case .sqlite(let path): "SQLite at \(path)"
        case .postgres(let url): "PostgreSQL at \(Self.withoutPassword(url))"
        }
    }

    /// `url` with any password replaced by `***`: locations are printed and logged.
    public static func withoutPassword(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.password != nil else { return url }
        components.password = "***"
        return components.string ?? "(unreadable URL)"
    }
}

extension Store {
    public var concurrentAppends: Int { 1 }
    public var appendExecutor: (any TaskExecutor)? { nil }

    public func aggregateTotals(minutes: ClosedRange<MinuteIndex>, phase: String?, variant: Variant?, fromEpoch: Int?,
                                measures: Set<Measure>?) async throws -> AggregateTotals {
        AggregateTotals(try await aggregates(minutes: minutes, phase: phase, variant: variant, fromEpoch: fromEpoch, measures: measures),
                        minutes: minutes)
    }

    /// `aggregates` of the whole population (`segment` nil) or of one segment.
    public func aggregates(minutes: ClosedRange<MinuteIndex>, phase: String?, variant: Variant?, fromEpoch: Int?,
                           measures: Set<Measure>?, segment: Segment?) async throws -> AggregateTable {
        guard let segment else {
            return try await aggregates(minutes: minutes, phase: phase, variant: variant, fromEpoch: fromEpoch, measures: measures)
        }
        return try await aggregates(minutes: minutes, phase: phase, variant: variant, fromEpoch: fromEpoch, measures: measures, segment: segment)
    }

    /// `aggregateTotals` of the whole population (`segment` nil) or of one segment.
    public func aggregateTotals(minutes: ClosedRange<MinuteIndex>, phase: String?, variant: Variant?, fromEpoch: Int?,
                                measures: Set<Measure>?, segment: Segment?) async throws -> AggregateTotals {
        guard let segment else {
            return try await aggregateTotals(minutes: minutes, phase: phase, variant: variant, fromEpoch: fromEpoch, measures: measures)
        }
        return try await aggregateTotals(minutes: minutes, phase: phase, variant: variant, fromEpoch: fromEpoch, measures: measures,
                                         segment: segment)
    }

    public func aggregateTotals(minutes: ClosedRange<MinuteIndex>, phase: String?, variant: Variant?, fromEpoch: Int?,
                                measures: Set<Measure>?, segment: Segment) async throws -> AggregateTotals {
        AggregateTotals(try await aggregates(minutes: minutes, phase: phase, variant: variant, fromEpoch: fromEpoch, measures: measures,
                                             segment: segment), minutes: minutes)
    }
}
