import Foundation
import Hummingbird
import LiftoffAPI
import LiftoffCore
import LiftoffStore

/// `GET /v1/feedback`: browsing what users said, in the shape of the seed's `UserFeedback`
/// (session, per-response feedback, usability, suggestions), filtered and paged.
struct FeedbackController {
    let store: any Store

    func addRoutes(to routes: inout ScopedRoutes) {
        let store = self.store
        routes.add(.get, "/v1/feedback", scope: .read, query: FeedbackController.queryParameters) { request, _, _ in
            let filter = try Self.filter(request.uri.queryParameters)
            let records = try await store.feedback(filter)
            let items = records.map { record in
                let feedback = record.feedback
                let response = feedback.rating != nil || feedback.helpful != nil || feedback.relevant != nil || feedback.interactionId != nil
                return UserFeedbackView(
                    id: record.sequence, at: record.at, sessionId: record.sessionId, userId: record.userId, phase: record.phase,
                    variant: record.variant,
                    aiResponses: response ? [ResponseFeedbackView(interactionId: feedback.interactionId, rating: feedback.rating,
                                                              helpful: feedback.helpful, relevant: feedback.relevant)] : [],
                    usability: feedback.usability, suggestions: feedback.suggestion.map { [$0] } ?? [])
            }
            return try JSONBody.response(FeedbackPage(feedback: items, next: records.count == filter.limit ? records.last?.sequence : nil))
        }
    }

    static let queryParameters = ["phase", "variant", "rating", "q", "from", "to", "before", "limit"]

    static func filter(_ parameters: some Sequence<(key: Substring, value: Substring)>) throws -> FeedbackFilter {
        var filter = FeedbackFilter()
        for (key, value) in parameters {
            let text = String(value)
            switch key {
            case "phase": filter.phase = text
            case "variant":
                guard let variant = Variant(rawValue: text) else { throw APIError.badRequest("variant: '\(text)' is not one of treatment, control") }
                filter.variant = variant
            case "rating":
                guard let rating = Int(text), (1...5).contains(rating) else { throw APIError.badRequest("rating: must be 1 to 5") }
                filter.rating = rating
            case "q":
                guard text.count <= 200 else { throw APIError.badRequest("q: longer than 200 characters") }
                filter.text = text
            case "from", "to":
                guard let date = Timestamp.parse(text) else { throw APIError.badRequest("\(key): '\(text)' is not an RFC 3339 time") }
                if key == "from" { filter.from = date } else { filter.to = date }
            case "before":
                guard let sequence = Int(text) else { throw APIError.badRequest("before: must be an id from a previous page") }
                filter.before = sequence
            case "limit":
                guard let limit = Int(text), (1...500).contains(limit) else { throw APIError.badRequest("limit: must be 1 to 500") }
                filter.limit = limit
            default:
                // The route lets only `queryParameters` through.
                break
            }
        }
        return filter
    }
}
