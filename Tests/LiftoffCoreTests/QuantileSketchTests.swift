import Foundation
import PropertyBased
import Testing
@testable import LiftoffCore

@Suite("Quantile sketch")
struct QuantileSketchTests {
    /// The exact value of nearest rank ceil(q·n), the definition the sketch approximates.
    func exactQuantile(_ values: [Double], _ q: Double) -> Double {
        let sorted = values.sorted()
        let rank = max(1, Int((q * Double(sorted.count)).rounded(.up)))
        return sorted[rank - 1]
    }

    @Test func everyQuantileWithinOnePercent() {
        var generator = SplitMix64(seed: 42)
        // Log-normal latencies around 800 ms with a long tail, as AI calls have.
        let values = (0..<50_000).map { _ in exp(6.7 + 0.8 * generator.nextGaussian()) }
        var sketch = QuantileSketch()
        values.forEach { sketch.add($0) }
        for q in [0.01, 0.1, 0.5, 0.9, 0.95, 0.99, 0.999, 1.0] {
            let exact = exactQuantile(values, q)
            let estimate = sketch.quantile(q)!
            #expect(abs(estimate - exact) / exact <= QuantileSketch.relativeAccuracy + 1e-12, "q=\(q) exact=\(exact) estimate=\(estimate)")
        }
    }

    @Test func zerosAndEmpty() {
        var sketch = QuantileSketch()
        #expect(sketch.quantile(0.5) == nil)
        sketch.add(0)
        sketch.add(0)
        sketch.add(100)
        #expect(sketch.quantile(0.5) == 0)
        #expect(abs(sketch.quantile(1)! - 100) <= 1)
        #expect(sketch.count == 3)
    }

    @Test func mergeEqualsSketchOfUnion() async {
        let values = Gen.double(in: 0...60_000).array(of: 0...200)
        await propertyCheck(count: 200, input: values, values) { left, right in
            var a = QuantileSketch()
            left.forEach { a.add($0) }
            var b = QuantileSketch()
            right.forEach { b.add($0) }
            var union = QuantileSketch()
            (left + right).forEach { union.add($0) }
            a.merge(b)
            #expect(a == union)
        }
    }

    @Test func encodingRoundTrips() async {
        await propertyCheck(count: 100, input: Gen.double(in: 0...1e7).array(of: 0...300)) { values in
            var sketch = QuantileSketch()
            values.forEach { sketch.add($0) }
            #expect(QuantileSketch(encoded: sketch.encoded()) == sketch)
        }
    }

    @Test func rejectsGarbage() {
        #expect(QuantileSketch(encoded: [9, 1, 2]) == nil)
        #expect(QuantileSketch(encoded: [1, 0, 5]) == nil)
    }
}

/// A small seeded generator, so statistical tests are repeatable.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func nextGaussian() -> Double {
        let u1 = Double.random(in: Double.ulpOfOne..<1, using: &self)
        let u2 = Double.random(in: 0..<1, using: &self)
        return sqrt(-2 * log(u1)) * cos(2 * .pi * u2)
    }
}
