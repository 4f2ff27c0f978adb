import Foundation

/// Cost per user per month projected from the span of time actually observed, so ten hours of data are not
/// read as a month (the plan's price point is per user per month).
public struct CostProjection: Sendable, Equatable {
    /// The observed cost per user over `observedDays`.
    public var costPerUser: Double
    /// Days of data the projection rests on: from the first to the end of the last minute with traffic.
    public var observedDays: Double
    /// costPerUser × 30 / observedDays.
    public var perUserPerMonth: Double

    public static let daysPerMonth = 30.0

    /// nil without a cost per user or without any observed time.
    public init?(costPerUser: Double?, observedSeconds: TimeInterval) {
        guard let costPerUser, observedSeconds > 0 else { return nil }
        self.costPerUser = costPerUser
        self.observedDays = observedSeconds / 86_400
        self.perUserPerMonth = costPerUser * Self.daysPerMonth / observedDays
    }

    /// The margin against a monthly `pricePoint`: (price − cost) and its share of the price.
    public func margin(against pricePoint: Double) -> (amount: Double, share: Double) {
        (pricePoint - perUserPerMonth, pricePoint > 0 ? (pricePoint - perUserPerMonth) / pricePoint : 0)
    }
}
