import LiftoffCore
import LiftoffStore
import Testing

@Suite("Recent user days")
struct RecentUserDaysTests {
    let day = DayIndex(containing: Timestamp.parse("2026-11-29T10:00:00Z")!)

    @Test func keepsTheNewestTwoDaysOnly() {
        var known = RecentUserDays()
        known.insert(user: "u1", day: day)
        known.insert(user: "u1", day: day.advanced(by: 1))
        #expect(known.contains(user: "u1", day: day) && known.contains(user: "u1", day: day.advanced(by: 1)))
        #expect(!known.contains(user: "u2", day: day))
        known.insert(user: "u2", day: day.advanced(by: 2))
        #expect(!known.contains(user: "u1", day: day))
        #expect(known.contains(user: "u1", day: day.advanced(by: 1)) && known.contains(user: "u2", day: day.advanced(by: 2)))
        // A late event of an older day is not remembered: it goes to SQL, which ignores it if stored.
        known.insert(user: "u3", day: day)
        #expect(!known.contains(user: "u3", day: day))
    }

    @Test func stopsRememberingAtItsCapacity() {
        var known = RecentUserDays(capacity: 2)
        for user in ["u1", "u2", "u3"] { known.insert(user: user, day: day) }
        #expect(known.contains(user: "u1", day: day) && known.contains(user: "u2", day: day))
        #expect(!known.contains(user: "u3", day: day))
    }
}
