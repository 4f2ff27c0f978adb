/// Body limits of the ingest route.
public struct IngestLimits: Sendable {
    /// The largest body accepted, on the wire and after gzip decoding.
    public var maxBodyBytes: Int
    public var maxEventsPerRequest: Int

    public init(maxBodyBytes: Int = 10 << 20, maxEventsPerRequest: Int = 10_000) {
        self.maxBodyBytes = maxBodyBytes
        self.maxEventsPerRequest = maxEventsPerRequest
    }
}
