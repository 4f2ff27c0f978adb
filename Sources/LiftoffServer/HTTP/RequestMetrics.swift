import Foundation
import Hummingbird
import Prometheus
import Synchronization

/// Records how long each route takes on the server, from routing to the response, into a Prometheus
/// histogram per route, method and status: `liftoff_http_request_duration_seconds`. Served at `/v1/metrics/prometheus`.
struct RequestMetrics<Context: RequestContext>: RouterMiddleware {
    let registry: PrometheusCollectorRegistry
    private let histograms = HistogramCache()

    /// Fine buckets at the low end, where flag evaluation and single-event ingest live.
    static var buckets: [Duration] {
        [.microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
         .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
         .seconds(1), .seconds(2.5), .seconds(5), .seconds(10)]
    }

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            record(request, context, status: response.status.code, since: start)
            return response
        } catch {
            let status = (error as? APIError)?.status.code ?? (error as? any HTTPResponseError)?.status.code ?? 500
            record(request, context, status: status, since: start)
            throw error
        }
    }

    private func record(_ request: Request, _ context: Context, status: Int, since start: ContinuousClock.Instant) {
        record(route: context.endpointPath ?? "unmatched", method: request.method.rawValue, status: status, since: start)
    }

    /// Records one request answered outside the router (`IngestFastPath`) into the same histograms.
    func record(route: String, method: String, status: Int, since start: ContinuousClock.Instant) {
        let key = HistogramCache.Key(route: route, method: method, status: status)
        histograms.histogram(for: key, registry: registry).record(ContinuousClock.now - start)
    }

    final class HistogramCache: Sendable {
        struct Key: Hashable, Sendable {
            var route: String
            var method: String
            var status: Int
        }

        private let cache = Mutex<[Key: DurationHistogram]>([:])

        func histogram(for key: Key, registry: PrometheusCollectorRegistry) -> DurationHistogram {
            cache.withLock { cache in
                if let existing = cache[key] { return existing }
                let created = registry.makeDurationHistogram(
                    descriptor: MetricNameDescriptor(namespace: "liftoff", subsystem: "http", metricName: "request_duration",
                                                     unitName: "seconds", helpText: "Server-side time per request, by route, method and status."),
                    labels: [("route", key.route), ("method", key.method), ("status", String(key.status))],
                    buckets: RequestMetrics.buckets)
                cache[key] = created
                return created
            }
        }
    }
}
