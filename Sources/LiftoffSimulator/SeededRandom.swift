import Foundation

/// A deterministic random source (SplitMix64): the same seed gives the same traffic, run after run.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    public mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }

    public mutating func chance(_ probability: Double) -> Bool { unit() < probability }

    /// Standard normal (Box–Muller).
    public mutating func normal(mean: Double = 0, sd: Double = 1) -> Double {
        let u1 = max(unit(), 1e-300), u2 = unit()
        return mean + sd * sqrt(-2 * log(u1)) * cos(2 * .pi * u2)
    }

    /// Log-normal with the given median and log-space standard deviation.
    public mutating func logNormal(median: Double, sigma: Double) -> Double {
        median * exp(normal(sd: sigma))
    }

    /// Poisson by inversion (small means).
    public mutating func poisson(mean: Double) -> Int {
        let limit = exp(-mean)
        var product = unit()
        var count = 0
        while product > limit && count < 1000 {
            product *= unit()
            count += 1
        }
        return count
    }

    /// One of `items`, weighted.
    public mutating func pick<T>(_ items: [(T, Double)]) -> T {
        let total = items.reduce(0) { $0 + $1.1 }
        var point = unit() * total
        for (item, weight) in items {
            point -= weight
            if point < 0 { return item }
        }
        return items[items.count - 1].0
    }
}
