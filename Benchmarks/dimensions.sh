#!/usr/bin/env bash
# Part of #17: what declaring breakdown dimensions costs batched ingest. Release build first:
#   swift build -c release --product liftoff && bash Benchmarks/dimensions.sh
# Batched ingest (500 events a request) with the example plan as it is (four dimensions) and without its
# dimensions section, alternated, same binary.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'kill ${server:-0} 2>/dev/null || true; rm -rf "$work"' EXIT
key=bench-admin-key-0123456789
python3 - "$work" <<'PY'
import json, sys, re
work = sys.argv[1]
def event(i):
    return {"type": "ai_interaction", "userId": f"u-{i % 200}", "sessionId": f"s-{i % 50}", "feature": ["tutoring_chat","code_analysis","hints"][i % 3],
            "model": "gpt-4o-mini", "region": ["eu","us"][i % 2], "latencyMs": 300 + (i * 37) % 2500, "inputTokens": 900, "outputTokens": 250,
            "outcome": "ok" if i % 50 else "timeout", "relevance": 0.9}
json.dump({"events": [event(i) for i in range(500)]}, open(f"{work}/batch.json", "w"))
text = open("examples/learning-platform.yml").read()
plain = re.sub(r"\ndimensions:\n(  .*\n)+", "\n", text)
plain = re.sub(r".*feature: learning_path_generation.*\n", "", plain)
assert "dimensions" not in plain.split("phases:")[0].split("#")[-1]
open(f"{work}/plain.yml", "w").write(plain)
PY
cat > "$work/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $key"
local file = io.open(os.getenv("BODY"), "r")
wrk.body = file:read("*a")
file:close()
LUA
run() {
  rm -rf "$work/data"
  LIFTOFF_ADMIN_KEY=$key .build/release/liftoff serve --plan "$1" --data-dir "$work/data" --port 18111 > "$work/server.log" 2>&1 &
  server=$!
  for _ in $(seq 100); do curl -sf http://127.0.0.1:18111/healthz >/dev/null && break; sleep 0.1; done
  rate=$(BODY=$work/batch.json wrk -t2 -c8 -d${SECONDS_PER:-10}s -s "$work/post.lua" http://127.0.0.1:18111/v1/events | awk '/Requests\/sec/ {print $2}')
  kill $server; wait $server 2>/dev/null || true
  python3 -c "print(f'{\"$2\":12} {float(\"$rate\")*500:>10.0f} events/s')"
}
for round in 1 2 3; do
  run examples/learning-platform.yml dimensions
  run "$work/plain.yml" none
done
