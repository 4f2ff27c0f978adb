#!/usr/bin/env bash
# A soak: sustained mixed load for SOAK seconds (default 600) at a fixed offered rate, well inside capacity,
# reporting every 30 s slice side by side: batched-ingest p99, flag-evaluation p99 (client-side, hey) and the
# server's resident memory. Flat means no leak and no slow creep (a growing table scan, an unbounded cache).
#   offered: batches of 500 events at 40 requests/s (20,000 events/s) and /v1/evaluate at 1,000 requests/s.
# Not in CI (ten minutes). Needs hey (apt-get install hey). Listens on 127.0.0.1; every slice is bounded in time.
set -euo pipefail
cd "$(dirname "$0")/.."
port=${PORT:-18120}
soak=${SOAK:-600}
slice=30
key=benchmark-admin-key-0123456789
work=$(mktemp -d)
trap 'kill ${server:-0} 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT

swift build -c release --product liftoff > /dev/null
python3 - "$work" <<'PY'
import json, sys
def event(i):
    return {"type": "ai_interaction", "userId": f"u-{i % 200}", "sessionId": f"s-{i % 50}", "feature": "tutoring_chat",
            "model": "gpt-4o-mini", "latencyMs": 300 + (i * 37) % 2500, "inputTokens": 900, "outputTokens": 250,
            "outcome": "ok" if i % 50 else "timeout", "relevance": 0.9}
json.dump({"events": [event(i) for i in range(500)]}, open(f"{sys.argv[1]}/batch.json", "w"))
PY
LIFTOFF_ADMIN_KEY=$key .build/release/liftoff serve --plan examples/learning-platform.yml --data-dir "$work/data" --port "$port" > "$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" > /dev/null && break; sleep 0.1; done

p99() { awk '/ 99% in/ {printf "%.1f", $3 * 1000}' "$1"; }
errors() { awk '/Status code distribution/ {f=1; next} f && /\[/ && !/\[200\]/ {print}' "$1"; }
printf '%8s %22s %22s %10s\n' "after" "batched ingest p99" "evaluate p99" "RSS"
for i in $(seq 1 $((soak / slice))); do
  hey -z ${slice}s -c 4 -q 10 -m POST -T application/json -H "Authorization: Bearer $key" -D "$work/batch.json" \
    "http://127.0.0.1:$port/v1/events" > "$work/ingest.txt" &
  ingest=$!
  hey -z ${slice}s -c 10 -q 100 -m POST -T application/json -H "Authorization: Bearer $key" -d '{"userId":"dev-3"}' \
    "http://127.0.0.1:$port/v1/evaluate" > "$work/evaluate.txt"
  wait $ingest
  for file in ingest evaluate; do
    [ -z "$(errors "$work/$file.txt")" ] || { echo "non-200 answers in $file: $(errors "$work/$file.txt")" >&2; exit 1; }
  done
  printf '%7ss %19s ms %19s ms %7s MiB\n' $((i * slice)) "$(p99 "$work/ingest.txt")" "$(p99 "$work/evaluate.txt")" \
    "$(awk '/VmRSS/ {print int($2/1024)}' /proc/$server/status)"
done
echo "stored: $(du -sh "$work/data" | cut -f1) in $work/data"
