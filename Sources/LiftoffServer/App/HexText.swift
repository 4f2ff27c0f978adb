/// Bytes as lowercase hex, two digits each: how signatures, pseudonyms and plan hashes are written.
extension Sequence<UInt8> {
    var hexText: String { map { String(format: "%02x", $0) }.joined() }
}
