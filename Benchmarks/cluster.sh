#!/usr/bin/env bash
# SQLite against PostgreSQL, and one node against two, side by side in one run on this machine:
#   batched ingest (500 events a request, each with a unique id) on SQLite, on PostgreSQL with one node, the
#   same without ids (what the database's unique index costs), on two PostgreSQL nodes at once; then
#   /v1/evaluate on a follower node: full speed, and at a fixed offered rate with the server-side p99 from the
#   node's own histogram. Release build; PostgreSQL 15 started by scripts/start-postgres.sh.
# Needs wrk and hey (apt-get install wrk hey). Everything listens on 127.0.0.1 and every run is bounded in time.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
duration=${DURATION:-10s}
key=benchmark-admin-key-0123456789
work=$(mktemp -d)
servers=()
trap 'for pid in "${servers[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"
  rmdir /sys/fs/cgroup/cpu/liftoff-bench-* /sys/fs/cgroup/liftoff-bench-* 2>/dev/null || true' EXIT

swift build -c release --product liftoff > /dev/null
liftoff=$root/.build/release/liftoff
postgres=$(scripts/start-postgres.sh)

# Each request is a fresh batch of 500 events with unique ids (WITH_IDS=0: without ids).
cat > "$work/batch.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $key"
local with_ids = os.getenv("WITH_IDS") ~= "0"
-- Every thread's ids start with a UUID of its own: wrk seeds every thread's random numbers alike, in every
-- run, so ids from math.random repeated between threads and between the warm-up and the measured run, and
-- the repeats were answered as retries, which costs less than recording them.
function setup(thread)
  local source = io.open("/proc/sys/kernel/random/uuid", "r")
  thread:set("thread_id", (os.getenv("PREFIX") or "") .. source:read("*l"))
  source:close()
end
local counter = 0
request = function()
  counter = counter + 1
  local events = {}
  for i = 1, 500 do
    local id = with_ids and ('"id":"' .. thread_id .. '-' .. counter .. '-' .. i .. '",') or ""
    events[i] = '{' .. id .. '"type":"ai_interaction","userId":"u-' .. (i % 200) .. '","sessionId":"s-' .. (i % 50)
      .. '","model":"gpt-4o-mini","latencyMs":' .. (300 + (i * 37) % 2500) .. ',"inputTokens":900,"outputTokens":250,"outcome":"ok"}'
  end
  return wrk.format(nil, nil, nil, '{"events":[' .. table.concat(events, ",") .. ']}')
end
LUA
cat > "$work/evaluate.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $key"
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format(nil, nil, nil, '{"userId":"user-' .. (counter % 5000) .. '"}')
end
LUA

start() { # port [--database-url URL]: starts a node, waits for it
  local port=$1; shift
  LIFTOFF_ADMIN_KEY=$key "$liftoff" serve --plan examples/learning-platform.yml --data-dir "$work/data-$port" --port "$port" "$@" \
    > "$work/server-$port.log" 2>&1 &
  servers+=($!)
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" > /dev/null && return; sleep 0.1; done
  echo "the node on $port did not start" >&2; cat "$work/server-$port.log" >&2; exit 1
}
# Caps a node's CPU with a cgroup (v1 cpu controller or v2 cpu.max; needs root), so that the nodes, not the
# 2 cores PostgreSQL and the load generator share with them, are what limits a run.
cap_cpu() { # pid cores
  local quota period=100000
  quota=$(python3 -c "print(int($2 * $period))")
  if [ -w /sys/fs/cgroup/cpu ]; then
    mkdir -p "/sys/fs/cgroup/cpu/liftoff-bench-$1"
    echo "$quota" > "/sys/fs/cgroup/cpu/liftoff-bench-$1/cpu.cfs_quota_us"
    echo "$1" > "/sys/fs/cgroup/cpu/liftoff-bench-$1/cgroup.procs"
  else
    mkdir -p "/sys/fs/cgroup/liftoff-bench-$1"
    echo "$quota $period" > "/sys/fs/cgroup/liftoff-bench-$1/cpu.max"
    echo "$1" > "/sys/fs/cgroup/liftoff-bench-$1/cgroup.procs"
  fi
}
can_cap() { [ "$(id -u)" = 0 ] && { [ -w /sys/fs/cgroup/cpu ] || grep -qw cpu /sys/fs/cgroup/cgroup.controllers 2>/dev/null; }; }
stop_all() { for pid in "${servers[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done; servers=(); }
fresh_database() { # name -> URL of a new, empty database
  psql "$postgres" -qc "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" > /dev/null 2>&1
  echo "${postgres%/*}/$1"
}
rate() { # wrk output -> requests/s, failing on any non-2xx answer or socket error
  if grep -qE "Non-2xx|Socket errors" <<<"$1"; then
    echo "wrk reported errors:" >&2; echo "$1" >&2
    grep -hiE "error|warning" "$work"/server-*.log | tail -20 >&2 || true
    exit 1
  fi
  awk '/Requests\/sec/ {print $2}' <<<"$1"
}
batched() { # port [WITH_IDS] -> events/s over $duration
  local out
  out=$(WITH_IDS=${2:-1} wrk -t2 -c8 -d"$duration" -s "$work/batch.lua" "http://127.0.0.1:$1/v1/events")
  python3 -c "print(round(float('$(rate "$out")') * 500))"
}

echo "SQLite, one node…"
start 18201
WITH_IDS=1 wrk -t1 -c2 -d2s -s "$work/batch.lua" "http://127.0.0.1:18201/v1/events" > /dev/null
sqlite=$(batched 18201)
stop_all

echo "PostgreSQL, one node…"
start 18202 --database-url "$(fresh_database liftoff_bench_one)"
WITH_IDS=1 wrk -t1 -c2 -d2s -s "$work/batch.lua" "http://127.0.0.1:18202/v1/events" > /dev/null
pg_one=$(batched 18202)
pg_one_without_ids=$(batched 18202 0)
stop_all

echo "PostgreSQL, two nodes…"
url=$(fresh_database liftoff_bench_two)
start 18203 --database-url "$url"
start 18204 --database-url "$url"
PREFIX=warm WITH_IDS=1 wrk -t1 -c2 -d2s -s "$work/batch.lua" "http://127.0.0.1:18203/v1/events" > /dev/null
PREFIX=a WITH_IDS=1 wrk -t1 -c4 -d"$duration" -s "$work/batch.lua" "http://127.0.0.1:18203/v1/events" > "$work/two-a.txt" &
load_a=$!
PREFIX=b WITH_IDS=1 wrk -t1 -c4 -d"$duration" -s "$work/batch.lua" "http://127.0.0.1:18204/v1/events" > "$work/two-b.txt" &
load_b=$!
wait "$load_a" "$load_b"
pg_two=$(python3 -c "print(round((float('$(rate "$(cat "$work/two-a.txt")")') + float('$(rate "$(cat "$work/two-b.txt")")')) * 500))")

# The follower: whichever node does not lead.
follower=18203
if curl -sf -H "Authorization: Bearer $key" http://127.0.0.1:18203/v1/cluster | python3 -c '
import json, sys
cluster = json.load(sys.stdin)
sys.exit(0 if any(n["leader"] and n["id"] == cluster["self"] for n in cluster["nodes"]) else 1)'; then follower=18204; fi
echo "/v1/evaluate on the follower (port $follower)…"
evaluate_out=$(wrk -t2 -c64 -d"$duration" --latency -s "$work/evaluate.lua" "http://127.0.0.1:$follower/v1/evaluate")
evaluate=$(rate "$evaluate_out")
evaluate_p99=$(awk '/ 99%/ {print $2}' <<<"$evaluate_out")
scrape() { curl -sf -H "Authorization: Bearer $key" "http://127.0.0.1:$follower/v1/metrics/prometheus" | grep 'route="/v1/evaluate",method="POST",status="200"' || true; }
scrape > "$work/metrics-before.txt"
hey_out=$(hey -z "$duration" -c 20 -q 500 -m POST -T application/json -H "Authorization: Bearer $key" \
  -d '{"userId":"dev-3"}' "http://127.0.0.1:$follower/v1/evaluate")
scrape > "$work/metrics-after.txt"
hey_rate=$(awk '/Requests\/sec/ {print $2}' <<<"$hey_out")
server_p99=$(python3 Benchmarks/histogram_p99.py "$work/metrics-before.txt" "$work/metrics-after.txt")
stop_all

# Where the database is not the limit: each node capped at $CAP of a core, one node against two.
cap=${CAP:-0.35}
capped_one=0 capped_two=0 capped_eval_one=0 capped_eval_two=0 own_sqlite=0 own_pg=0
if can_cap; then
  # The deployment PostgreSQL is for: the node on its own core, the database on another (here shared with the
  # load generator), against SQLite with the same one core.
  echo "one core for the node: SQLite…"
  start 18207
  cap_cpu "${servers[-1]}" 1
  WITH_IDS=1 wrk -t1 -c2 -d2s -s "$work/batch.lua" "http://127.0.0.1:18207/v1/events" > /dev/null
  own_sqlite=$(batched 18207)
  stop_all
  echo "… and PostgreSQL"
  start 18208 --database-url "$(fresh_database liftoff_bench_own_core)"
  cap_cpu "${servers[-1]}" 1
  WITH_IDS=1 wrk -t1 -c2 -d2s -s "$work/batch.lua" "http://127.0.0.1:18208/v1/events" > /dev/null
  own_pg=$(batched 18208)
  stop_all
  echo "PostgreSQL, nodes capped at $cap of a core each: one node…"
  url=$(fresh_database liftoff_bench_capped)
  start 18205 --database-url "$url"
  cap_cpu "${servers[-1]}" "$cap"
  PREFIX=warm WITH_IDS=1 wrk -t1 -c2 -d2s -s "$work/batch.lua" "http://127.0.0.1:18205/v1/events" > /dev/null
  capped_one=$(python3 -c "print(round(float('$(rate "$(PREFIX=one WITH_IDS=1 wrk -t1 -c8 -d"$duration" -s "$work/batch.lua" \
    "http://127.0.0.1:18205/v1/events")")') * 500))")
  capped_eval_one=$(rate "$(wrk -t1 -c32 -d"$duration" -s "$work/evaluate.lua" "http://127.0.0.1:18205/v1/evaluate")")
  echo "… and two nodes"
  start 18206 --database-url "$url"
  cap_cpu "${servers[-1]}" "$cap"
  loads=()
  for port in 18205 18206; do
    PREFIX=c$port WITH_IDS=1 wrk -t1 -c4 -d"$duration" -s "$work/batch.lua" "http://127.0.0.1:$port/v1/events" > "$work/capped-$port.txt" &
    loads+=($!)
  done
  wait "${loads[@]}"
  capped_two=$(python3 -c "print(round((float('$(rate "$(cat "$work/capped-18205.txt")")') + float('$(rate "$(cat "$work/capped-18206.txt")")')) * 500))")
  loads=()
  for port in 18205 18206; do
    wrk -t1 -c16 -d"$duration" -s "$work/evaluate.lua" "http://127.0.0.1:$port/v1/evaluate" > "$work/capped-eval-$port.txt" &
    loads+=($!)
  done
  wait "${loads[@]}"
  capped_eval_two=$(python3 -c "print(float('$(rate "$(cat "$work/capped-eval-18205.txt")")') + float('$(rate "$(cat "$work/capped-eval-18206.txt")")'))")
  stop_all
else
  echo "(not root or no cgroup cpu controller: the capped one-against-two run is skipped)"
fi

python3 - "$sqlite" "$pg_one" "$pg_one_without_ids" "$pg_two" "$evaluate" "$evaluate_p99" "$hey_rate" "$server_p99" \
  "$cap" "$capped_one" "$capped_two" "$capped_eval_one" "$capped_eval_two" "$own_sqlite" "$own_pg" <<'PY'
import sys
sqlite, pg_one, pg_without_ids, pg_two = (float(x) for x in sys.argv[1:5])
evaluate, evaluate_p99, hey_rate, server_p99 = sys.argv[5:9]
cap, capped_one, capped_two, capped_eval_one, capped_eval_two, own_sqlite, own_pg = (float(x) for x in sys.argv[9:16])
print()
print(f"{'measure':52} {'rate':>14}")
print(f"{'batched ingest, SQLite, one node':52} {sqlite:>11,.0f} events/s")
print(f"{'batched ingest, PostgreSQL, one node':52} {pg_one:>11,.0f} events/s")
print(f"{'batched ingest, PostgreSQL, one node, no event ids':52} {pg_without_ids:>11,.0f} events/s")
print(f"{'batched ingest, PostgreSQL, two nodes together':52} {pg_two:>11,.0f} events/s")
print(f"{'/v1/evaluate on a follower, full speed (wrk -c64)':52} {float(evaluate):>11,.0f} req/s   p99 {evaluate_p99} (client-side)")
print(f"{'/v1/evaluate on a follower, offered 10,000/s (hey)':52} {float(hey_rate):>11,.0f} req/s   server-side p99 {server_p99}")
print()
print(f"PostgreSQL one node / SQLite       = {pg_one / sqlite:.2f}   (target >= 0.50)")
print(f"PostgreSQL with ids / without ids  = {pg_one / pg_without_ids:.2f}   (what the unique index on event ids costs)")
print(f"PostgreSQL two nodes / one node    = {pg_two / pg_one:.2f}   (uncapped: PostgreSQL, both nodes and the load share the cores)")
if capped_one:
    print()
    print(f"each node capped at {cap:g} of a core, so the nodes are the limit, not the database:")
    print(f"{'  batched ingest, one node':52} {capped_one:>11,.0f} events/s")
    print(f"{'  batched ingest, two nodes together':52} {capped_two:>11,.0f} events/s")
    print(f"{'  /v1/evaluate, one node':52} {capped_eval_one:>11,.0f} req/s")
    print(f"{'  /v1/evaluate, two nodes together':52} {capped_eval_two:>11,.0f} req/s")
    print(f"two nodes / one node, ingest       = {capped_two / capped_one:.2f}   (target >= 1.50)")
    print(f"two nodes / one node, evaluate     = {capped_eval_two / capped_eval_one:.2f}   (target >= 1.50)")
    print()
    print("the node capped at one core, the database on the other (shared with the load generator):")
    print(f"{'  batched ingest, SQLite':52} {own_sqlite:>11,.0f} events/s")
    print(f"{'  batched ingest, PostgreSQL':52} {own_pg:>11,.0f} events/s")
    print(f"PostgreSQL / SQLite, node on its own core = {own_pg / own_sqlite:.2f}   (target >= 0.50)")
PY
