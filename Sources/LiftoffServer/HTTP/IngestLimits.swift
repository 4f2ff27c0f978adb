/// Limits of the ingest route.
public struct IngestLimits: Sendable {
    /// The largest body accepted, on the wire and after gzip decoding.
    public var maxBodyBytes: Int
    public var maxEventsPerRequest: Int
    /// The most events waiting for their commit; past it, requests are refused with 503 and Retry-After
    /// instead of queueing without bound (memory stays bounded when the store cannot keep up).
    public var maxQueuedEvents: Int

    public init(maxBodyBytes: Int = 10 << 20, maxEventsPerRequest: Int = 10_000, maxQueuedEvents: Int = 200_000) {
        self.maxBodyBytes = maxBodyBytes
        self.maxEventsPerRequest = maxEventsPerRequest
        self.maxQueuedEvents = maxQueuedEvents
    }
}
