import LiftoffCore

/// The (user, day) pairs of the latest two days already stored in `user_days`, so an append writes a row only
/// for a user's first event of a day: `INSERT OR IGNORE` of every active user in every batch was a fifth of
/// the statements of a batched append on SQLite, and on PostgreSQL an upsert of 200 rows per 500-event batch.
/// Only committed pairs are added; the table's rows are never deleted, so a remembered pair is always still
/// stored (by this process or another node). Bounded by `capacity` pairs: past it, pairs go to SQL as before.
public struct RecentUserDays: Sendable {
    public static let defaultCapacity = 1_000_000

    public let capacity: Int
    private var days: [DayIndex: Set<String>] = [:]
    private var count = 0

    public init(capacity: Int = defaultCapacity) {
        self.capacity = capacity
    }

    /// Whether the pair is known to be stored.
    public func contains(user: String, day: DayIndex) -> Bool {
        days[day]?.contains(user) ?? false
    }

    /// Remembers a committed pair. A day older than the day before the newest one is not kept.
    public mutating func insert(user: String, day: DayIndex) {
        if days[day] == nil {
            // A new day: keep it and the newest one before it (late events of yesterday are common).
            guard days.isEmpty || day >= days.keys.max()!.advanced(by: -1) else { return }
            days[day] = []
            for old in days.keys.sorted().dropLast(2) {
                count -= days[old]!.count
                days[old] = nil
            }
        }
        guard count < capacity, days[day]!.insert(user).inserted else { return }
        count += 1
    }
}
