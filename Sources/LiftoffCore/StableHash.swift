/// A 64-bit hash that is the same in every process and on every machine (Swift's `Hasher` is seeded per
/// process): FNV-1a over the UTF-8 bytes, then MurmurHash3's 64-bit finaliser to spread the bits evenly,
/// which the distinct counter's register choice and leading-zero count rely on.
public enum StableHash {
    public static func hash64(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        hash ^= hash >> 33
        hash &*= 0xff51_afd7_ed55_8ccd
        hash ^= hash >> 33
        hash &*= 0xc4ce_b9fe_1a85_ec53
        hash ^= hash >> 33
        return hash
    }
}
