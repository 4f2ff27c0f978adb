#!/usr/bin/env python3
"""An app instrumented with OpenTelemetry reports to Liftoff by changing one endpoint: the official `openai`
client, traced by `opentelemetry-instrumentation-openai-v2` and exported by `opentelemetry-sdk` with
`opentelemetry-exporter-otlp-proto-http` configured only through OTEL_EXPORTER_OTLP_ENDPOINT and
OTEL_EXPORTER_OTLP_HEADERS, calls a small stand-in for the model API on loopback (chat completions with usage,
every fifth call a server error, every fourth slow). Liftoff's metrics must then match what the stand-in
served and what the spans measured: calls, tokens, error rate, latency within the sketch's error, users.

usage: otel-openai.py BINARY"""
import json, logging, os, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(__file__))
from liftoff_server import LiftoffServer  # noqa: E402

ADMIN = "otel-check-admin-key-0123456789"
PLAN = os.path.join(os.path.dirname(__file__), "..", "examples", "learning-platform.yml")
CALLS = 40
served = {"ok": 0, "errors": 0, "input": 0, "output": 0}
lock = threading.Lock()


class ModelAPI(BaseHTTPRequestHandler):
    """Chat completions as OpenAI answers them: usage on success, a 500 on every fifth call."""
    count = 0

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with lock:
            ModelAPI.count += 1
            number = ModelAPI.count
        if number % 4 == 0:
            time.sleep(0.3)
        if number % 5 == 0:
            with lock:
                served["errors"] += 1
            self.send_response(500)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"error":{"message":"the model is overloaded","type":"server_error"}}')
            return
        prompt, completion = 100 + number, 20 + number % 7
        with lock:
            served["ok"] += 1
            served["input"] += prompt
            served["output"] += completion
        answer = {"id": f"chatcmpl-{number}", "object": "chat.completion", "created": int(time.time()), "model": body["model"] + "-2024-07-18",
                  "choices": [{"index": 0, "message": {"role": "assistant", "content": "Try a loop."}, "finish_reason": "stop"}],
                  "usage": {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}}
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *_):
        pass


def main():
    binary = sys.argv[1]
    model_api = ThreadingHTTPServer(("127.0.0.1", 0), ModelAPI)
    threading.Thread(target=model_api.serve_forever, daemon=True).start()
    with LiftoffServer(binary, 18170, ADMIN, plan=PLAN) as server:
        key = server.call("POST", "/v1/keys", {"name": "tutor-app", "scope": "ingest"})["key"]
        # The only Liftoff-specific configuration: where the exporter sends, with the ingest key.
        os.environ["OTEL_EXPORTER_OTLP_ENDPOINT"] = f"{server.base}/otlp"
        os.environ["OTEL_EXPORTER_OTLP_HEADERS"] = f"Authorization=Bearer%20{key}"
        os.environ["OTEL_SERVICE_NAME"] = "tutor"

        from openai import OpenAI, InternalServerError
        from opentelemetry import baggage, context, trace
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.instrumentation.openai_v2 import OpenAIInstrumentor
        from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor
        from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

        class UserFromBaggage(SpanProcessor):
            """Puts the learner the request is for (OpenTelemetry baggage) on every span as user.id."""
            def on_start(self, span, parent_context=None):
                user = baggage.get_baggage("user.id", parent_context)
                if user:
                    span.set_attribute("user.id", str(user))

        # The instrumentation records error.type as the exception class; the SDK warns once per failed call.
        logging.getLogger("opentelemetry.attributes").setLevel(logging.ERROR)
        provider = TracerProvider()
        provider.add_span_processor(UserFromBaggage())
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        measured = InMemorySpanExporter()
        provider.add_span_processor(SimpleSpanProcessor(measured))
        trace.set_tracer_provider(provider)
        OpenAIInstrumentor().instrument()

        client = OpenAI(base_url=f"http://127.0.0.1:{model_api.server_address[1]}/v1", api_key="stand-in", max_retries=0)
        for index in range(CALLS):
            token = context.attach(baggage.set_baggage("user.id", f"dev-{1 + index % 5}"))
            try:
                client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Why does my loop never end?"}])
            except InternalServerError:
                pass
            finally:
                context.detach(token)
        assert provider.force_flush(30_000), "the exporter did not flush"

        spans = [s for s in measured.get_finished_spans() if s.attributes.get("gen_ai.operation.name") == "chat"]
        assert len(spans) == CALLS, len(spans)
        latencies = sorted((s.end_time - s.start_time) / 1e6 for s in spans)
        metrics = {}
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            metrics = server.call("GET", "/v1/metrics?window=5m&phase=internal&variant=treatment&names="
                                  "interactions,error_rate,token_usage,response_time.p95,response_time.max,active_users")["metrics"]
            if metrics["interactions"]["value"] == CALLS:
                break
            time.sleep(0.5)
        p95 = latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))]
        print(f"stand-in served {served['ok']} answers and {served['errors']} errors, {served['input']} + {served['output']} tokens; "
              f"span p95 {p95:.1f} ms, max {latencies[-1]:.1f} ms")
        print("Liftoff: " + ", ".join(f"{name} {value['value']}" for name, value in metrics.items()))
        assert metrics["interactions"]["value"] == CALLS, metrics
        assert abs(metrics["error_rate"]["value"] - served["errors"] / CALLS) < 1e-9, metrics
        assert metrics["token_usage"]["value"] == served["input"] + served["output"], metrics
        assert metrics["active_users"]["value"] == 5, metrics
        # The quantile sketch keeps values within 1% (relative); the p95 may also sit one rank apart.
        assert abs(metrics["response_time.max"]["value"] - latencies[-1]) <= 0.01 * latencies[-1] + 0.5, (metrics, latencies[-1])
        neighbours = latencies[max(0, int(0.95 * len(latencies)) - 1):int(0.95 * len(latencies)) + 2]
        assert any(abs(metrics["response_time.p95"]["value"] - v) <= 0.01 * v + 0.5 for v in neighbours), (metrics, neighbours)
        again = server.call("GET", "/v1/metrics?window=5m&names=unpriced_interactions,api_costs")["metrics"]
        # Dated model names are priced as their family (the plan's gpt-4o-mini). The failed calls (HTTP 500, so
        # api_error) carry no usage: the provider billed nothing for them, so they cost 0 and are not unpriced.
        assert again["unpriced_interactions"]["value"] == 0, again
        expected_cost = (served["input"] * 0.15 + served["output"] * 0.60) / 1e6
        assert abs(again["api_costs"]["value"] - expected_cost) < 1e-12, (again, expected_cost)
        print("OpenTelemetry → Liftoff: every call, token, error and user accounted for")
    model_api.shutdown()


if __name__ == "__main__":
    main()
