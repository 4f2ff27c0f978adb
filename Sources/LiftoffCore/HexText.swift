/// Bytes as lowercase hex, two digits each: how signatures, pseudonyms, plan hashes and OTLP ids are written.
extension Sequence<UInt8> {
    public var hexText: String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(underestimatedCount * 2)
        for byte in self {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
