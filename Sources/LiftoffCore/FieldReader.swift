import Foundation

/// Reads typed fields out of one JSON object, turning every mismatch into an error that names the field.
/// Unknown members are ignored, as the event contract promises.
struct FieldReader {
    let object: [String: JSONValue]

    /// Longest text accepted in an identifier field.
    static let maxIdentifierLength = 128

    func string(_ field: String, maxLength: Int = maxIdentifierLength) throws(EventValidationError) -> String? {
        guard let value = object[field], value != .null else { return nil }
        guard case .string(let text) = value else { throw mismatch(field, "a string", value) }
        guard !text.isEmpty else { throw EventValidationError(field: field, reason: "must not be empty") }
        guard text.count <= maxLength else {
            throw EventValidationError(field: field, reason: "longer than \(maxLength) characters")
        }
        return text
    }

    func requiredString(_ field: String, maxLength: Int = maxIdentifierLength) throws(EventValidationError) -> String {
        guard let text = try string(field, maxLength: maxLength) else { throw missing(field) }
        return text
    }

    func number(_ field: String, in range: ClosedRange<Double>? = nil) throws(EventValidationError) -> Double? {
        guard let value = object[field], value != .null else { return nil }
        guard case .number(let number) = value, number.isFinite else { throw mismatch(field, "a number", value) }
        if let range, !range.contains(number) {
            throw EventValidationError(field: field, reason: "\(format(number)) is outside \(format(range.lowerBound))…\(format(range.upperBound))")
        }
        return number
    }

    func requiredNumber(_ field: String, in range: ClosedRange<Double>? = nil) throws(EventValidationError) -> Double {
        guard let number = try number(field, in: range) else { throw missing(field) }
        return number
    }

    func integer(_ field: String, in range: ClosedRange<Int>) throws(EventValidationError) -> Int? {
        guard let number = try number(field) else { return nil }
        guard number.rounded() == number, let whole = Int(exactly: number) else {
            throw EventValidationError(field: field, reason: "expected a whole number, got \(format(number))")
        }
        guard range.contains(whole) else {
            throw EventValidationError(field: field, reason: "\(whole) is outside \(range.lowerBound)…\(range.upperBound)")
        }
        return whole
    }

    func bool(_ field: String) throws(EventValidationError) -> Bool? {
        guard let value = object[field], value != .null else { return nil }
        guard case .bool(let flag) = value else { throw mismatch(field, "a boolean", value) }
        return flag
    }

    func choice<Choice: RawRepresentable & CaseIterable>(_ field: String, _: Choice.Type) throws(EventValidationError) -> Choice?
    where Choice.RawValue == String {
        guard let text = try string(field) else { return nil }
        guard let choice = Choice(rawValue: text) else {
            let allowed = Choice.allCases.map(\.rawValue).joined(separator: ", ")
            throw EventValidationError(field: field, reason: "'\(text)' is not one of \(allowed)")
        }
        return choice
    }

    func requiredChoice<Choice: RawRepresentable & CaseIterable>(_ field: String, _ type: Choice.Type) throws(EventValidationError) -> Choice
    where Choice.RawValue == String {
        guard let choice = try choice(field, type) else { throw missing(field) }
        return choice
    }

    private func missing(_ field: String) -> EventValidationError {
        EventValidationError(field: field, reason: "required")
    }

    private func mismatch(_ field: String, _ expected: String, _ value: JSONValue) -> EventValidationError {
        EventValidationError(field: field, reason: "expected \(expected), got \(value.kindDescription)")
    }

    private func format(_ number: Double) -> String {
        number.rounded() == number && abs(number) < 1e15 ? String(Int(number)) : String(number)
    }
}
