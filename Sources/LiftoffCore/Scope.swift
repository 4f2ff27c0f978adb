/// What an API key may do. `admin` covers everything; `operate` covers `read`; `ingest` is the app's.
public enum Scope: String, Sendable, CaseIterable, Codable {
    case ingest
    case read
    case operate
    case admin

    /// Whether a key of this scope may call a route that requires `required`.
    public func covers(_ required: Scope) -> Bool {
        switch (self, required) {
        case (.admin, _): true
        case (.operate, .read), (.operate, .operate): true
        case let (held, needed): held == needed
        }
    }
}
