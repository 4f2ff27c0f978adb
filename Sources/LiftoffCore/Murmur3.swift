/// MurmurHash3, x86 32-bit variant: the hash Unleash uses for sticky percentage rollouts.
public enum Murmur3 {
    public static func x86_32(_ text: String, seed: UInt32 = 0) -> UInt32 {
        x86_32(bytes: Array(text.utf8), seed: seed)
    }

    public static func x86_32(bytes: [UInt8], seed: UInt32 = 0) -> UInt32 {
        let c1: UInt32 = 0xcc9e_2d51
        let c2: UInt32 = 0x1b87_3593
        var hash = seed
        let blocks = bytes.count / 4
        for block in 0..<blocks {
            let i = block * 4
            var k = UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24
            k &*= c1
            k = k.rotatedLeft(15)
            k &*= c2
            hash ^= k
            hash = hash.rotatedLeft(13)
            hash = hash &* 5 &+ 0xe654_6b64
        }
        var k: UInt32 = 0
        let tail = blocks * 4
        switch bytes.count & 3 {
        case 3:
            k ^= UInt32(bytes[tail + 2]) << 16
            fallthrough
        case 2:
            k ^= UInt32(bytes[tail + 1]) << 8
            fallthrough
        case 1:
            k ^= UInt32(bytes[tail])
            k &*= c1
            k = k.rotatedLeft(15)
            k &*= c2
            hash ^= k
        default:
            break
        }
        hash ^= UInt32(truncatingIfNeeded: bytes.count)
        hash ^= hash >> 16
        hash &*= 0x85eb_ca6b
        hash ^= hash >> 13
        hash &*= 0xc2b2_ae35
        hash ^= hash >> 16
        return hash
    }
}

extension UInt32 {
    fileprivate func rotatedLeft(_ count: UInt32) -> UInt32 { (self << count) | (self >> (32 - count)) }
}

/// Sticky percentage bucketing, compatible with Unleash's `normalizedValue`: a user is in a percentage
/// audience of `p` when `murmur3_x86_32("<rollout>:<userId>", seed 0) % 100 + 1 <= p`. The same user always
/// lands in the same bucket, and raising the percentage only adds users.
public enum Bucketing {
    /// The user's bucket, 1 to 100.
    public static func bucket(rollout: String, userId: String) -> Int {
        Int(Murmur3.x86_32("\(rollout):\(userId)") % 100) + 1
    }

    public static func isIncluded(rollout: String, userId: String, percentage: Double) -> Bool {
        Double(bucket(rollout: rollout, userId: userId)) <= percentage
    }
}
