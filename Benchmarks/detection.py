#!/usr/bin/env python3
"""Detection latency: from the acknowledgement of the first breaching batch to /v1/evaluate answering
control, at the default one-second tick. Runs a release server on 127.0.0.1 with a plan whose rollback
trigger is the seed's (error rate above 5%), breaks it RUNS times (resuming in between, which starts a
fresh guardrail epoch), and prints the median and worst. Bounded: RUNS rounds, each polling at most 10 s."""
import os, random, statistics, sys, tempfile, time
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "scripts"))
from liftoff_server import LiftoffServer

binary = sys.argv[1] if len(sys.argv) > 1 else ".build/release/liftoff"
runs = int(os.environ.get("RUNS", "20"))
port = 18095
key = "detection-admin-key-0123456789"
work = tempfile.mkdtemp(prefix="liftoff-detection-")
plan = os.path.join(work, "plan.yml")
with open(plan, "w") as file:
    file.write("""rollout: detection
phases:
  - name: internal
    audience: { groups: { developers: [dev-1, dev-2, dev-3, dev-4, dev-5] } }
  - name: full
    audience: { percentage: 100 }
rollback:
  - { trigger: error_rate, threshold: 0.05, window: 1m, minSamples: 20 }
""")


def interactions(count, failing):
    return {"events": [{"type": "ai_interaction", "userId": f"dev-{1 + i % 5}", "latencyMs": 400,
                        "outcome": "timeout" if i < failing else "ok"} for i in range(count)]}


server = LiftoffServer(binary, port, key, plan=plan)
call = server.call
try:
    server.start()
    latencies = []
    for run in range(runs):
        call("POST", "/v1/events", interactions(20, 0))
        # At least one tick sees the healthy traffic; the random part spreads the breach over the tick's phase.
        time.sleep(1.1 + random.random())
        assert call("POST", "/v1/evaluate", {"userId": "dev-1"})["enabled"], "not enabled before the breach"
        call("POST", "/v1/events", interactions(40, 20))
        acknowledged = time.monotonic()
        deadline = acknowledged + 10
        while time.monotonic() < deadline:
            if call("POST", "/v1/evaluate", {"userId": "dev-1"})["variant"] == "control":
                latencies.append(time.monotonic() - acknowledged)
                break
            time.sleep(0.005)
        else:
            latencies.append(float("inf"))
            print(f"run {run}: not detected within 10 s; guardrails: {call('GET', '/v1/guardrails')}", file=sys.stderr)
            break
        call("POST", "/v1/rollout/resume", {"reason": f"detection run {run}"})
    finite = [value for value in latencies if value != float("inf")]
    print(f"detection latency over {runs} runs (tick 1 s): median {statistics.median(latencies) * 1000:.0f} ms, "
          f"worst {max(latencies) * 1000:.0f} ms, missed {runs - len(finite)}")
    sys.exit(0 if len(finite) == runs else 1)
finally:
    server.stop()
