import NIOCore
import PostgresNIO

/// A one-dimensional PostgreSQL array in its binary wire form, written value by value while a batch is read,
/// so an insert binds ready bytes. Building Swift arrays that PostgresNIO then encodes element by element (and,
/// for the payloads, a `String` per event first) was a quarter of a node's CPU in PostgreSQL ingest.
/// Wire form (PostgreSQL's `array_recv`): dimensions, has-nulls flag, element type, then per dimension its length
/// and lower bound, then each element as a 4-byte length and its bytes. No element is ever NULL here.
struct BinaryArray<Element: PostgresArrayEncodable>: PostgresNonThrowingEncodable {
    static var psqlType: PostgresDataType { Element.psqlArrayType }
    static var psqlFormat: PostgresFormat { .binary }

    private var elements: ByteBuffer
    private(set) var count = 0

    /// `bytesPerElement`: a guess of each element's size, to allocate once.
    init(capacity: Int, bytesPerElement: Int = 12) {
        elements = ByteBufferAllocator().buffer(capacity: capacity * (4 + bytesPerElement))
    }

    func encode<JSONEncoder: PostgresJSONEncoder>(into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        buffer.writeInteger(count == 0 ? 0 : 1, as: Int32.self)
        buffer.writeInteger(0, as: Int32.self)
        buffer.writeInteger(Element.psqlType.rawValue)
        guard count > 0 else { return }
        buffer.writeInteger(Int32(count))
        buffer.writeInteger(1, as: Int32.self)
        buffer.writeImmutableBuffer(elements)
    }
}

extension BinaryArray where Element == String {
    mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { bytes in
            elements.writeInteger(Int32(bytes.count))
            elements.writeBytes(bytes)
        }
        count += 1
    }

    /// Appends text already encoded as UTF-8.
    mutating func append(utf8 bytes: [UInt8]) {
        elements.writeInteger(Int32(bytes.count))
        elements.writeBytes(bytes)
        count += 1
    }
}

extension BinaryArray where Element == Int64 {
    mutating func append(_ value: Int64) {
        elements.writeInteger(8, as: Int32.self)
        elements.writeInteger(value)
        count += 1
    }
}

extension BinaryArray where Element == Int32 {
    mutating func append(_ value: Int32) {
        elements.writeInteger(4, as: Int32.self)
        elements.writeInteger(value)
        count += 1
    }
}

extension BinaryArray where Element == Double {
    mutating func append(_ value: Double) {
        elements.writeInteger(8, as: Int32.self)
        elements.writeInteger(value.bitPattern)
        count += 1
    }
}
