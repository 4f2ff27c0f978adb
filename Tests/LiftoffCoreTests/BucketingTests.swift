import PropertyBased
import Testing
@testable import LiftoffCore

@Suite("Sticky percentage bucketing")
struct BucketingTests {
    /// MurmurHash3 x86_32 with seed 0, computed with the reference C implementation (Python's mmh3).
    @Test(arguments: [
        ("", UInt32(0)), ("hello", 613_153_351), ("a", 1_009_084_850), ("ab", 2_613_040_991), ("abc", 3_017_643_002),
        ("abcd", 1_139_631_978), ("abcde", 3_902_511_862), ("ai-tutor:u-1", 1_042_964_713),
        ("ai-tutor:dev-1", 1_723_292_955), ("ai-tutor:ü-ñ", 3_500_284_133), ("default:123", 309_085_281),
    ])
    func murmur3Vectors(input: String, expected: UInt32) {
        #expect(Murmur3.x86_32(input) == expected)
    }

    /// Unleash's own normalizedValue examples: `normalizedValue("123", "gr1") == 73`, `("999", "groupX") == 25`.
    @Test func unleashVectors() {
        #expect(Bucketing.bucket(rollout: "gr1", userId: "123") == 73)
        #expect(Bucketing.bucket(rollout: "groupX", userId: "999") == 25)
        #expect(Bucketing.bucket(rollout: "ai-tutor", userId: "user-12345") == 3)
    }

    @Test func bucketsAreUniform() {
        var counts = [Int](repeating: 0, count: 100)
        let ids = 100_000
        for index in 0..<ids { counts[Bucketing.bucket(rollout: "ai-tutor", userId: "user-\(index)") - 1] += 1 }
        let expected = Double(ids) / 100
        let chiSquare = counts.reduce(0.0) { $0 + pow(Double($1) - expected, 2) / expected }
        // The 99.9% quantile of chi-square with 99 degrees of freedom is 148.2.
        #expect(chiSquare < 148.2, "chi-square \(chiSquare)")
    }

    @Test func membershipIsStickyAndOnlyGrows() async {
        await propertyCheck(count: 300, input: Gen.letterOrNumber.string(of: 1...24), Gen.int(in: 0...100), Gen.int(in: 0...100)) { user, a, b in
            let low = Double(min(a, b)), high = Double(max(a, b))
            let first = Bucketing.isIncluded(rollout: "ai-tutor", userId: user, percentage: low)
            #expect(first == Bucketing.isIncluded(rollout: "ai-tutor", userId: user, percentage: low))
            if first { #expect(Bucketing.isIncluded(rollout: "ai-tutor", userId: user, percentage: high)) }
            #expect(Bucketing.isIncluded(rollout: "ai-tutor", userId: user, percentage: 100))
            #expect(!Bucketing.isIncluded(rollout: "ai-tutor", userId: user, percentage: 0))
        }
    }
}

import Foundation
