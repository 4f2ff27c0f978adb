import Foundation
import PropertyBased
import Testing
@testable import LiftoffCore

@Suite("JSON parser")
struct JSONParserTests {
    @Test func valuesOfEveryKind() throws {
        let value = try JSONParser.parse(#" {"a": [1, -2.5, 3e2, 0, -0.0, true, false, null], "b": {"c": "d"}, "e": ""} "#)
        #expect(value == .object([
            "a": .array([.number(1), .number(-2.5), .number(300), .number(0), .number(-0.0), .bool(true), .bool(false), .null]),
            "b": .object(["c": .string("d")]),
            "e": .string(""),
        ]))
    }

    @Test func escapesAndUnicode() throws {
        #expect(try JSONParser.parse(#""a\"b\\c\/d\n\t\u00e9\ud83d\ude80 ü""#) == .string("a\"b\\c/d\n\té🚀 ü"))
    }

    @Test func largeNumbers() throws {
        #expect(try JSONParser.parse("12345678901234567890") == .number(12_345_678_901_234_567_890))
        #expect(try JSONParser.parse("1.5e-3") == .number(0.0015))
    }

    @Test(arguments: [
        ("", "the text ends where a value should start at line 1, column 1"),
        ("{\"a\":1,}", "expected a member name in quotes at line 1, column 8"),
        ("[1 2]", "expected ',' or ']' in an array at line 1, column 4"),
        ("{\"a\" 1}", "expected ':' after the member name at line 1, column 6"),
        ("tru", "the text ends inside 'true' at line 1, column 1"),
        ("nul!", "unexpected character '!' at line 1, column 4"),
        ("nulx", "unexpected character 'x' at line 1, column 4"),
        ("01", "unexpected text after the JSON value at line 1, column 2"),
        ("1.", "expected a digit after '.' at line 1, column 3"),
        ("-", "expected a digit at line 1, column 2"),
        ("\"a\u{01}\"", "control character in a string at line 1, column 3"),
        ("\"\\q\"", "invalid escape '\\q' at line 1, column 3"),
        ("[\n  1,\n  ?]", "unexpected character '?' at line 3, column 3"),
        ("{\"a\":\"é", "the text ends inside a string at line 1, column 8"),
        ("1e999", "number out of range at line 1, column 6"),
    ])
    func errorsSayWhere(text: String, message: String) {
        #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.parse(text) }
        do {
            _ = try JSONParser.parse(text)
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func nestingIsBounded() {
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.parse(deep) }
        let fine = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(throws: Never.self) { try JSONParser.parse(fine) }
    }

    /// Whatever Foundation's encoder writes, the parser reads back to the same value: 500 random documents
    /// with escapes, control characters, emoji, large and fractional numbers, nested three deep.
    @Test func readsWhatJSONEncoderWrites() throws {
        var random = SplitMix64(seed: 7)
        let alphabet: [Character] = ["a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\u{01}", "é", "ß", "🚀", "中", "\u{7F}"]
        func text() -> String { String((0..<Int.random(in: 0...10, using: &random)).map { _ in alphabet.randomElement(using: &random)! }) }
        func value(_ depth: Int) -> JSONValue {
            switch Int.random(in: 0..<(depth < 3 ? 7 : 5), using: &random) {
            case 0: return .number(Double.random(in: -1e12...1e12, using: &random))
            case 1: return .number(Double(Int.random(in: -1_000_000...1_000_000, using: &random)))
            case 2: return .string(text())
            case 3: return .bool(Bool.random(using: &random))
            case 4: return .null
            case 5: return .array((0..<Int.random(in: 0...4, using: &random)).map { _ in value(depth + 1) })
            default:
                var members: [String: JSONValue] = [:]
                for _ in 0..<Int.random(in: 0...4, using: &random) { members[text()] = value(depth + 1) }
                return .object(members)
            }
        }
        for _ in 0..<500 {
            let document = value(0)
            #expect(try JSONParser.parse(try JSONEncoder().encode(document)) == document)
        }
    }
}
