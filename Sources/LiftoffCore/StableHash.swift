/// A 64-bit hash that is the same in every process and on every machine (Swift's `Hasher` is seeded per
/// process): FNV-1a over the UTF-8 bytes, then MurmurHash3's 64-bit finaliser to spread the bits evenly,
/// which the distinct counter's register choice and leading-zero count rely on.
public enum StableHash {
    public static func hash64(_ text: String) -> UInt64 {
        mix(fnv(text, from: offsetBasis))
    }

    /// `hash64(prefix + text)`, without building the joined string: FNV-1a reads bytes in order, so the
    /// prefix's state continues over the text.
    public static func hash64(_ text: String, after prefix: String) -> UInt64 {
        mix(fnv(text, from: fnv(prefix, from: offsetBasis)))
    }

    private static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325

    private static func fnv(_ text: String, from state: UInt64) -> UInt64 {
        var hash = state
        var text = text
        text.withUTF8 { bytes in
            for byte in bytes {
                hash ^= UInt64(byte)
                hash &*= 0x0000_0100_0000_01B3
            }
        }
        return hash
    }

    /// MurmurHash3's 64-bit finaliser: every input bit reaches every output bit, so any slice of the result
    /// (a table slot, a register index) is evenly spread.
    public static func mix(_ state: UInt64) -> UInt64 {
        var hash = state
        hash ^= hash >> 33
        hash &*= 0xff51_afd7_ed55_8ccd
        hash ^= hash >> 33
        hash &*= 0xc4ce_b9fe_1a85_ec53
        hash ^= hash >> 33
        return hash
    }
}
