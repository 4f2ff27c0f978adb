import Foundation
import LiftoffAPI
import LiftoffCore

/// Learners using the app: sessions start at random (Poisson) times, each begins with `/v1/evaluate` for
/// its user, and its events wait until their own timestamps before they are reported, as a live app's would.
struct Traffic {
    var random: SeededRandom
    var users: [SimulatedUser] = []
    /// Events not yet reported, oldest first (events of one instant in the order they were queued): a step
    /// takes its prefix instead of filtering and sorting every queued event.
    private var pending: [(at: Date, event: JSONValue)] = []
    let generator: SessionGenerator

    init(random: SeededRandom, model: PlatformModel) {
        self.random = random
        generator = SessionGenerator(model: model)
    }

    /// Adds `count` learners named `<prefix>-1`, … with a per-user latency factor (log-normal, `spread`);
    /// returns their indices.
    mutating func addUsers(prefix: String, count: Int, spread: Double = 0) -> Range<Int> {
        let first = users.count
        for learner in Learner.cohort(count, prefix: prefix, random: &random) {
            users.append(SimulatedUser(learner: learner, latencyFactor: spread > 0 ? exp(random.normal(sd: spread)) : 1))
        }
        return first..<users.count
    }

    /// Adds learners with the given ids.
    mutating func addUsers(ids: [String]) -> Range<Int> {
        let first = users.count
        for id in ids {
            users.append(SimulatedUser(learner: Learner(id: id, level: random.pick([(.beginner, 0.4), (.intermediate, 0.4), (.advanced, 0.2)]),
                                                        dailyActivity: 0.5), latencyFactor: 1))
        }
        return first..<users.count
    }

    /// Starts the sessions of `range`'s users between `start` and `end` at `perUserHour` sessions an hour
    /// each. `model` says what the platform is like for a user with that experience at a moment.
    mutating func startSessions(of range: Range<Int>, perUserHour: Double, from start: Date, to end: Date, client: LiftoffClient,
                                model: @escaping (Experience, Date) -> PlatformModel) async throws {
        guard !range.isEmpty, end > start else { return }
        let mean = Double(range.count) * perUserHour * end.timeIntervalSince(start) / 3600
        for _ in 0..<random.poisson(mean: mean) {
            let index = range.lowerBound + min(range.count - 1, Int(random.unit() * Double(range.count)))
            let begins = start.addingTimeInterval(random.unit() * end.timeIntervalSince(start))
            let experience = try await Experience.ask(client, userId: users[index].learner.id)
            let factor = users[index].latencyFactor
            let events = generator.session(for: &users[index].learner, startingAt: begins, random: &random) { at in
                var platform = model(experience, at)
                platform.latency.medianMs *= factor
                return platform
            }
            for event in events { add(event, at: Self.time(of: event) ?? begins) }
        }
    }

    /// Queues one event to be reported at `at`.
    mutating func add(_ event: JSONValue, at: Date) {
        // After every event of the same instant or earlier: the order a stable sort by time would give.
        var low = pending.startIndex, high = pending.endIndex
        while low < high {
            let middle = (low + high) / 2
            if pending[middle].at <= at { low = middle + 1 } else { high = middle }
        }
        pending.insert((at, event), at: low)
    }

    /// Reports every event due by `date`, oldest first, in batches; returns how many the server accepted.
    mutating func report(until date: Date, client: LiftoffClient) async throws -> Int {
        let due = pending.firstIndex { $0.at > date } ?? pending.endIndex
        let ready = pending[..<due].map(\.event)
        pending.removeFirst(due)
        var accepted = 0
        for batch in stride(from: 0, to: ready.count, by: 500) {
            accepted += try await Ingest.send(Array(ready[batch..<min(batch + 500, ready.count)]), with: client)
        }
        return accepted
    }

    static func time(of event: JSONValue) -> Date? {
        guard case .string(let text)? = event["timestamp"] else { return nil }
        return Timestamp.parse(text)
    }
}

/// A learner and what is particular to their device and network.
struct SimulatedUser: Sendable {
    var learner: Learner
    var latencyFactor: Double
}

/// Reports events, failing loudly on any the server rejects: simulated events must all be valid.
enum Ingest {
    static func send(_ events: [JSONValue], with client: LiftoffClient) async throws -> Int {
        guard !events.isEmpty else { return 0 }
        let answer = try await client.ingest(events)
        if let first = answer.rejected.first {
            throw LiftoffClient.Failure(status: nil, message: "the server rejected \(answer.rejected.count) simulated event(s); "
                                        + "first: event \(first.index): \(first.error)")
        }
        return answer.accepted
    }
}
