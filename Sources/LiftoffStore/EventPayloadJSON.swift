import Foundation
import LiftoffCore

/// The type-specific fields of an event as stored in `events.payload`: JSON, so reports and drill-downs can
/// read them back whatever the store.
public enum EventPayloadJSON {
    /// A reusable encoder: making one per event cost a measurable share of the append rate.
    public static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return encoder
    }

    public static func encode(_ payload: EventPayload, with encoder: JSONEncoder = makeEncoder()) throws -> String {
        let data: Data
        switch payload {
        case .aiInteraction(let value): data = try encoder.encode(value)
        case .feedback(let value): data = try encoder.encode(value)
        case .sessionStart: return "{}"
        case .sessionEnd(let value): data = try encoder.encode(value)
        case .assessment(let value): data = try encoder.encode(value)
        case .completion(let value): data = try encoder.encode(value)
        case .securityIssue(let value): data = try encoder.encode(value)
        case .integrityViolation(let value): data = try encoder.encode(value)
        case .resource(let value): data = try encoder.encode(value)
        }
        return String(decoding: data, as: UTF8.self)
    }

    public static func decode(_ json: String, type: EventType) throws -> EventPayload {
        let decoder = JSONDecoder()
        let data = Data(json.utf8)
        switch type {
        case .aiInteraction: return .aiInteraction(try decoder.decode(AIInteraction.self, from: data))
        case .feedback: return .feedback(try decoder.decode(Feedback.self, from: data))
        case .sessionStart: return .sessionStart
        case .sessionEnd: return .sessionEnd(try decoder.decode(SessionEnd.self, from: data))
        case .assessment: return .assessment(try decoder.decode(Assessment.self, from: data))
        case .completion: return .completion(try decoder.decode(Completion.self, from: data))
        case .securityIssue: return .securityIssue(try decoder.decode(SecurityIssue.self, from: data))
        case .integrityViolation: return .integrityViolation(try decoder.decode(IntegrityViolation.self, from: data))
        case .resource: return .resource(try decoder.decode(ResourceSample.self, from: data))
        }
    }
}
