import Foundation

/// A mergeable histogram of non-negative values with logarithmic buckets (the DDSketch construction):
/// every quantile it reports is within 1% of the true value of that rank, and merging two sketches gives
/// exactly the sketch of the union of their inputs, so per-minute sketches add up to any window.
public struct QuantileSketch: Sendable, Equatable {
    /// The relative error bound of every quantile.
    public static let relativeAccuracy = 0.01
    static let gamma = (1 + relativeAccuracy) / (1 - relativeAccuracy)
    static let logGamma = log(gamma)
    /// Values at or below this go to the zero bucket (a latency of 0 ms is real, log(0) is not).
    static let smallest = 1e-9

    private(set) var bins: [Int32: UInt64] = [:]
    private(set) var zeroCount: UInt64 = 0
    /// How many values were added.
    public private(set) var count: UInt64 = 0

    public init() {}

    /// Adds one value; negative values count as zero.
    public mutating func add(_ value: Double) {
        count += 1
        guard value > Self.smallest else {
            zeroCount += 1
            return
        }
        bins[Self.index(of: value), default: 0] += 1
    }

    /// Adds every value of `other`.
    public mutating func merge(_ other: QuantileSketch) {
        count += other.count
        zeroCount += other.zeroCount
        for (index, binCount) in other.bins {
            bins[index, default: 0] += binCount
        }
    }

    /// The value of nearest rank `ceil(q × count)` within the relative accuracy, or nil for an empty sketch.
    /// Callers that know the exact minimum and maximum clamp it to them (`Aggregate.quantile`): a bucket's
    /// representative can lie outside what was observed.
    public func quantile(_ q: Double) -> Double? {
        guard count > 0 else { return nil }
        return value(atRank: max(1, UInt64((min(max(q, 0), 1) * Double(count)).rounded(.up))))
    }

    /// The value of the `rank`-th smallest sample (1-based) within the relative accuracy, or nil for an empty
    /// sketch; ranks past the count read the largest bucket.
    public func value(atRank rank: UInt64) -> Double? {
        guard count > 0 else { return nil }
        var seen = zeroCount
        if seen >= rank { return 0 }
        for index in bins.keys.sorted() {
            seen += bins[index]!
            if seen >= rank { return Self.value(of: index) }
        }
        return Self.value(of: bins.keys.max()!)
    }

    static func index(of value: Double) -> Int32 {
        Int32((log(value) / logGamma).rounded(.up))
    }

    /// The representative of bucket `index`, `(γ^(i-1), γ^i]`, whose relative distance to any value in it
    /// is at most the relative accuracy.
    static func value(of index: Int32) -> Double {
        2 * pow(gamma, Double(index)) / (gamma + 1)
    }
}

extension QuantileSketch {
    private static let formatVersion: UInt8 = 1

    /// A compact binary form: version, zero count, then the buckets in index order as zig-zag deltas.
    public func encoded() -> [UInt8] {
        var bytes: [UInt8] = [Self.formatVersion]
        bytes.reserveCapacity(4 + bins.count * 3)
        VarInt.append(zeroCount, to: &bytes)
        VarInt.append(UInt64(bins.count), to: &bytes)
        var previous: Int64 = 0
        for index in bins.keys.sorted() {
            VarInt.append(VarInt.zigZag(Int64(index) - previous), to: &bytes)
            VarInt.append(bins[index]!, to: &bytes)
            previous = Int64(index)
        }
        return bytes
    }

    /// Reads the form written by `encoded()`; nil when the bytes are not such a form.
    public init?(encoded bytes: some Collection<UInt8>) {
        var reader = VarInt.Reader(bytes: Array(bytes))
        guard reader.byte() == Self.formatVersion,
              let zeros = reader.next(), let binCount = reader.next() else { return nil }
        self.init()
        zeroCount = zeros
        count = zeros
        var index: Int64 = 0
        for _ in 0..<binCount {
            guard let delta = reader.next(), let binValue = reader.next() else { return nil }
            index += VarInt.unZigZag(delta)
            guard let bin = Int32(exactly: index) else { return nil }
            bins[bin] = binValue
            count += binValue
        }
        guard reader.isAtEnd else { return nil }
    }
}
