import LiftoffCore

/// The (user, day) pairs of the latest two days already stored in `user_days`, so an append writes a row only
/// for a user's first event of a day: `INSERT OR IGNORE` of every active user in every batch was a fifth of
/// the statements of a batched append. Only committed pairs are added; the table's rows are never deleted,
/// so a remembered pair is always still stored. Bounded by `capacity`: past it, pairs go to SQL as before.
struct RecentUserDays {
    static let defaultCapacity = 1_000_000

    let capacity: Int
    private var days: [DayIndex: Set<String>] = [:]
    private var count = 0

    init(capacity: Int = defaultCapacity) {
        self.capacity = capacity
    }

    func contains(user: String, day: DayIndex) -> Bool {
        days[day]?.contains(user) ?? false
    }

    mutating func insert(user: String, day: DayIndex) {
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
