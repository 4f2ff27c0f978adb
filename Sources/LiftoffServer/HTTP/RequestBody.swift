import CompressNIO
import Foundation
import NIOCore
import Hummingbird

/// Reads a request body within a limit, decoding `Content-Encoding: gzip` or `deflate` (zlib, RFC 1950,
/// as HTTP's `deflate` means and OTLP exporters send).
enum RequestBody {
    static func read(_ request: Request, limit: Int) async throws -> Data {
        var buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw APIError.tooLarge(limit: limit)
        }
        switch request.headers[.contentEncoding]?.lowercased() {
        case nil, "identity":
            break
        case "gzip", "x-gzip":
            do {
                buffer = try buffer.decompress(with: .gzip, maxSize: limit)
            } catch let error as CompressNIOError where error == .bufferOverflow {
                throw APIError(.contentTooLarge, code: "body_too_large",
                               "request body exceeds the limit of \(ByteCount.format(limit)) once decompressed")
            } catch {
                throw APIError.badRequest("the body is not valid gzip", code: "invalid_encoding")
            }
        case "deflate":
            do {
                buffer = try buffer.decompress(with: .zlib(), maxSize: limit)
            } catch let error as CompressNIOError where error == .bufferOverflow {
                throw APIError(.contentTooLarge, code: "body_too_large",
                               "request body exceeds the limit of \(ByteCount.format(limit)) once decompressed")
            } catch {
                throw APIError.badRequest("the body is not valid deflate (zlib) data", code: "invalid_encoding")
            }
        case let other?:
            throw APIError(.unsupportedMediaType, code: "unsupported_encoding",
                           "Content-Encoding '\(other)' is not supported; send identity, gzip or deflate")
        }
        return Data(buffer.readableBytesView)
    }
}
