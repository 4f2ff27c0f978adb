import Foundation

/// Counts distinct users, mergeably: exact (a set of 64-bit hashes) up to `exactLimit` members, then a
/// HyperLogLog of 2^12 registers (about 1.6% standard error). The union of two counters is the counter of
/// the union, so per-minute counters add up to distinct users over any window.
public struct DistinctCounter: Sendable, Equatable {
    /// Members kept exactly before switching to registers.
    public static let exactLimit = 2048
    static let precision = 12
    static let registerCount = 1 << precision

    enum Storage: Sendable, Equatable {
        case exact(Set<UInt64>)
        case registers([UInt8])
    }

    private(set) var storage: Storage = .exact([])

    public init() {}

    /// Adds a user id.
    public mutating func add(_ member: String) {
        add(hash: StableHash.hash64(member))
    }

    mutating func add(hash: UInt64) {
        switch storage {
        case .exact(var members):
            storage = .exact([])  // keep `members` uniquely referenced while it changes
            members.insert(hash)
            if members.count > Self.exactLimit {
                storage = .registers(Self.registers(from: members))
            } else {
                storage = .exact(members)
            }
        case .registers(var registers):
            storage = .exact([])
            Self.record(hash, in: &registers)
            storage = .registers(registers)
        }
    }

    /// Adds every member of `other`.
    public mutating func merge(_ other: DistinctCounter) {
        switch (storage, other.storage) {
        case (.exact, .exact(let theirs)):
            for hash in theirs { add(hash: hash) }
        case (.exact(let mine), .registers(var registers)):
            for hash in mine { Self.record(hash, in: &registers) }
            storage = .registers(registers)
        case (.registers(var registers), .exact(let theirs)):
            for hash in theirs { Self.record(hash, in: &registers) }
            storage = .registers(registers)
        case (.registers(var registers), .registers(let theirs)):
            for position in registers.indices { registers[position] = max(registers[position], theirs[position]) }
            storage = .registers(registers)
        }
    }

    /// The number of distinct members: exact below the limit, estimated above it.
    public var count: Int {
        switch storage {
        case .exact(let members):
            return members.count
        case .registers(let registers):
            let m = Double(Self.registerCount)
            let alpha = 0.7213 / (1 + 1.079 / m)
            var sum = 0.0
            var zeros = 0
            for register in registers {
                sum += 1 / Double(UInt64(1) << UInt64(register))
                if register == 0 { zeros += 1 }
            }
            let estimate = alpha * m * m / sum
            if estimate <= 2.5 * m && zeros > 0 {
                return Int((m * log(m / Double(zeros))).rounded())
            }
            return Int(estimate.rounded())
        }
    }

    private static func registers(from members: Set<UInt64>) -> [UInt8] {
        var registers = [UInt8](repeating: 0, count: registerCount)
        for hash in members { record(hash, in: &registers) }
        return registers
    }

    private static func record(_ hash: UInt64, in registers: inout [UInt8]) {
        let position = Int(hash >> UInt64(64 - precision))
        let rest = hash << UInt64(precision)
        let rank = UInt8(min(rest.leadingZeroBitCount, 64 - precision) + 1)
        if rank > registers[position] { registers[position] = rank }
    }
}

extension DistinctCounter {
    /// A compact binary form: a tag byte, then the sorted hashes or the registers.
    public func encoded() -> [UInt8] {
        switch storage {
        case .exact(let members):
            var bytes: [UInt8] = [1]
            bytes.reserveCapacity(1 + members.count * 8)
            for hash in members.sorted() { VarInt.appendFixed64(hash, to: &bytes) }
            return bytes
        case .registers(let registers):
            return [2] + registers
        }
    }

    /// Reads the form written by `encoded()`; nil when the bytes are not such a form.
    public init?(encoded bytes: some Collection<UInt8>) {
        var reader = VarInt.Reader(bytes: Array(bytes))
        switch reader.byte() {
        case 1:
            var members = Set<UInt64>()
            while !reader.isAtEnd {
                guard let hash = reader.fixed64() else { return nil }
                members.insert(hash)
            }
            storage = .exact(members)
        case 2:
            let registers = Array(reader.bytes.dropFirst())
            guard registers.count == Self.registerCount else { return nil }
            storage = .registers(registers)
        default:
            return nil
        }
    }
}
