import Foundation
import LiftoffCore
import SwiftProtobuf

/// The two encodings of OTLP/HTTP (https://opentelemetry.io/docs/specs/otlp/#otlphttp): binary protobuf
/// (`application/x-protobuf`) and protobuf's JSON mapping (`application/json`), in which trace and span ids
/// are hex strings instead of base64 (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding).
public enum OTLPEncoding: Sendable, Equatable {
    case protobuf
    case json

    /// The encoding a `Content-Type` names, nil for anything else (answered with 415).
    public init?(contentType: String?) {
        let type = contentType?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        switch type {
        case "application/x-protobuf", "application/protobuf": self = .protobuf
        case "application/json": self = .json
        default: return nil
        }
    }

    public var contentType: String {
        switch self {
        case .protobuf: "application/x-protobuf"
        case .json: "application/json"
        }
    }

    /// Why a body could not be read as an OTLP export request.
    public struct DecodingError: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Reads an `ExportTraceServiceRequest`.
    public func traces(_ body: Data) throws(DecodingError) -> Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest {
        do {
            switch self {
            case .protobuf:
                return try Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest(serializedBytes: body)
            case .json:
                var options = JSONDecodingOptions()
                options.ignoreUnknownFields = true  // newer OTLP fields must not fail an older server
                return try Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest(
                    jsonUTF8Data: try Self.base64Identifiers(body), options: options)
            }
        } catch let error as DecodingError {
            throw error
        } catch {
            throw DecodingError(description: "the body is not an OTLP ExportTraceServiceRequest in \(self == .json ? "JSON" : "protobuf"): \(error)")
        }
    }

    /// Writes a response message in this encoding.
    public func encode(_ message: some SwiftProtobuf.Message) throws -> Data {
        switch self {
        case .protobuf: try message.serializedData()
        case .json: try message.jsonUTF8Data()
        }
    }

    /// OTLP/JSON's hex `traceId`, `spanId` and `parentSpanId` as the base64 that protobuf's JSON mapping reads.
    static func base64Identifiers(_ body: Data) throws(DecodingError) -> Data {
        let document: JSONValue
        do {
            document = try JSONParser.parse(body)
        } catch {
            throw DecodingError(description: "the body is not valid JSON: \(error)")
        }
        func convert(_ value: JSONValue) throws(DecodingError) -> JSONValue {
            switch value {
            case .object(var members):
                for key in ["traceId", "spanId", "parentSpanId"] {
                    guard case .string(let hex)? = members[key] else { continue }
                    guard let bytes = Self.bytes(hex: hex) else {
                        throw DecodingError(description: "\(key): '\(hex)' is not hex (OTLP/JSON writes ids as hex strings)")
                    }
                    members[key] = .string(Data(bytes).base64EncodedString())
                }
                for (key, member) in members where !["traceId", "spanId", "parentSpanId"].contains(key) {
                    members[key] = try convert(member)
                }
                return .object(members)
            case .array(let elements):
                var converted: [JSONValue] = []
                for element in elements { converted.append(try convert(element)) }
                return .array(converted)
            default:
                return value
            }
        }
        return Data(try convert(document).compactUTF8)
    }

    static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        func nibble(_ digit: UInt8) -> UInt8? {
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var index = 0
        while index < digits.count {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }
}

extension OTLPEncoding {
    /// The body OTLP/HTTP prescribes for a 4xx or 5xx answer: a `google.rpc.Status` (code, message) in the
    /// request's encoding (https://opentelemetry.io/docs/specs/otlp/#failures-1). Written by hand: two fields.
    public func status(httpStatus: Int, message: String) -> Data {
        let code = Self.grpcCode(httpStatus: httpStatus)
        switch self {
        case .json:
            return Data(JSONValue.object(["code": .number(Double(code)), "message": .string(message)]).compactUTF8)
        case .protobuf:
            var bytes: [UInt8] = []
            if code != 0 {
                bytes.append(0x08)  // field 1, varint
                bytes.append(contentsOf: Self.varint(UInt64(code)))
            }
            let text = Array(message.utf8)
            bytes.append(0x12)  // field 2, length-delimited
            bytes.append(contentsOf: Self.varint(UInt64(text.count)))
            bytes.append(contentsOf: text)
            return Data(bytes)
        }
    }

    /// gRPC's codes for HTTP statuses (https://github.com/grpc/grpc/blob/master/doc/http-grpc-status-mapping.md, reversed).
    static func grpcCode(httpStatus: Int) -> Int {
        switch httpStatus {
        case 400, 413, 415: 3    // INVALID_ARGUMENT
        case 401: 16             // UNAUTHENTICATED
        case 403: 7              // PERMISSION_DENIED
        case 404: 5              // NOT_FOUND
        case 429, 507: 8         // RESOURCE_EXHAUSTED
        case 503: 14             // UNAVAILABLE
        default: 13              // INTERNAL
        }
    }

    static func varint(_ value: UInt64) -> [UInt8] {
        var value = value
        var bytes: [UInt8] = []
        repeat {
            var byte = UInt8(value & 0x7F)
            value >>= 7
            if value != 0 { byte |= 0x80 }
            bytes.append(byte)
        } while value != 0
        return bytes
    }
}
