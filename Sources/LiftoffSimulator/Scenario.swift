import Foundation
import LiftoffCore

/// A stretch of launch life with a known truth: who uses the product, how much, and what goes wrong from
/// when. The scorecard holds Liftoff's decisions against that truth.
public struct Scenario: Sendable {
    /// What should be acted on, and how.
    public struct Truth: Sendable {
        /// Metrics the regression moves: a firing on one of them after the onset is no false action.
        public var metrics: Set<Metric>
        /// The kinds of rule whose firing on one of `metrics` is the right action (a rollback for a broken
        /// release, an adjustment or scaling for drift).
        public var kinds: Set<Rule.Kind>

        public init(metrics: Set<Metric>, kinds: Set<Rule.Kind>) {
            self.metrics = metrics
            self.kinds = kinds
        }
    }

    /// A finding the app reports from the onset on (a security scanner, a data-integrity check).
    public struct Injection: Sendable {
        public var type: String
        public var fields: [String: JSONValue]
        /// Seconds between two reports; nil for one report at the onset.
        public var every: TimeInterval?
    }

    public var name: String
    public var summary: String
    /// The phase the scenario plays in: `alpha` (invited users) or `beta` (admitted from the waitlist).
    public var phase: String
    public var treatmentUsers: Int
    /// Users outside the phase's audience, on the old experience.
    public var controlUsers: Int
    /// Sessions each user starts per hour, on average.
    public var sessionsPerUserHour: Double
    /// Simulated time a run lasts without a regression; with one it ends two rule windows after the onset.
    public var duration: TimeInterval
    /// When the regression starts, from the start of the run.
    public var onset: TimeInterval?
    /// For a drift, how long after the onset there is something to act on (a creeping p95 crossing the
    /// trigger); detection delay and deadline count from then. 0 for a step.
    public var actionableAfter: TimeInterval
    /// A stretch with no traffic at all, from the start of the run.
    public var quiet: Range<TimeInterval>?
    /// The platform as it is before anything goes wrong.
    public var model: PlatformModel
    /// How users differ from one another: each gets a latency factor log-normal around 1 with this sigma.
    public var userLatencySpread: Double
    /// What the regression does to the new experience, given the time since the onset.
    public var regression: @Sendable (inout PlatformModel, TimeInterval) -> Void
    public var injection: Injection?
    /// nil: healthy; any firing is a false action.
    public var truth: Truth?

    public init(name: String, summary: String, phase: String = "beta", treatmentUsers: Int = 200, controlUsers: Int = 200,
                sessionsPerUserHour: Double = 1, duration: TimeInterval = 4 * 3600, onset: TimeInterval? = nil, actionableAfter: TimeInterval = 0,
                quiet: Range<TimeInterval>? = nil, model: PlatformModel = PlatformModel(), userLatencySpread: Double = 0,
                regression: @escaping @Sendable (inout PlatformModel, TimeInterval) -> Void = { _, _ in },
                injection: Injection? = nil, truth: Truth? = nil) {
        self.name = name
        self.summary = summary
        self.phase = phase
        self.treatmentUsers = treatmentUsers
        self.controlUsers = controlUsers
        self.sessionsPerUserHour = sessionsPerUserHour
        self.duration = duration
        self.onset = onset
        self.actionableAfter = actionableAfter
        self.quiet = quiet
        self.model = model
        self.userLatencySpread = userLatencySpread
        self.regression = regression
        self.injection = injection
        self.truth = truth
    }
}
