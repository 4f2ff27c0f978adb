import Foundation
import LiftoffCore

/// The type-specific fields of an event as stored in `events.payload`: JSON, so reports and drill-downs can
/// read them back whatever the store.
public enum EventPayloadJSON {
    /// Compact JSON of the payload's fields, as the ingest API names them.
    public static func encode(_ payload: EventPayload) -> String {
        payload.compactJSONText
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
        case .integrityCheck: return .integrityCheck(try decoder.decode(IntegrityCheck.self, from: data))
        case .resource: return .resource(try decoder.decode(ResourceSample.self, from: data))
        case .payment: return .payment(try decoder.decode(Payment.self, from: data))
        }
    }
}

extension EventPayloadJSON {
    /// `encode(_:)` as UTF-8 bytes, for an engine that binds them directly.
    public static func encodeUTF8(_ payload: EventPayload) -> [UInt8] {
        payload.compactJSONUTF8
    }
}
