import Foundation

/// A simulated learner: a skill level that sets where their scores start, a habit that sets how often they
/// come back, and the practice they have accumulated.
public struct Learner: Sendable, Equatable {
    public enum Level: String, Sendable, CaseIterable {
        case beginner, intermediate, advanced

        var baseScore: Double {
            switch self {
            case .beginner: 0.35
            case .intermediate: 0.55
            case .advanced: 0.75
            }
        }
    }

    public var id: String
    public var level: Level
    /// Probability of a session on any given day.
    public var dailyActivity: Double
    public var sessions = 0
    /// Items of the course completed so far: the next one is the item they work on.
    public var completedItems = 0

    public init(id: String, level: Level, dailyActivity: Double) {
        self.id = id
        self.level = level
        self.dailyActivity = dailyActivity
    }

    /// Whether this learner is among the `rate` share who subscribe: a stable hash of the id (FNV-1a), the same
    /// in every run and independent of the run's random numbers.
    func subscribes(atRate rate: Double) -> Bool {
        Double(stableHash("subscription") % 10_000) < rate * 10_000
    }

    /// The level the AI's initial assessment put this learner at: their own in `accuracy` of learners (by a
    /// stable hash, like `subscribes`), else a neighbouring one.
    func predictedLevel(accuracy: Double) -> Level {
        let hash = stableHash("placement")
        guard Double(hash % 10_000) >= accuracy * 10_000 else { return level }
        switch level {
        case .beginner: return .intermediate
        case .advanced: return .intermediate
        case .intermediate: return (hash / 10_000) % 2 == 0 ? .beginner : .advanced
        }
    }

    /// Where the learner is, by a stable hash like `subscribes`: the `region` every event of theirs carries,
    /// so breakdowns by region have data (shares about 40/30/20/10).
    var region: String {
        let bucket = stableHash("region") % 10
        return bucket < 4 ? "eu-west" : bucket < 7 ? "us-east" : bucket < 9 ? "latam" : "apac"
    }

    /// FNV-1a of the id and a purpose, so each purpose picks its own learners.
    private func stableHash(_ purpose: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in (purpose + ":" + id).utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }

    /// A cohort of `count` learners with a mix of levels and habits.
    public static func cohort(_ count: Int, prefix: String, random: inout SeededRandom) -> [Learner] {
        (0..<count).map { index in
            Learner(id: "\(prefix)-\(index + 1)",
                    level: random.pick([(.beginner, 0.4), (.intermediate, 0.4), (.advanced, 0.2)]),
                    dailyActivity: min(0.95, max(0.1, random.normal(mean: 0.55, sd: 0.2))))
        }
    }
}
