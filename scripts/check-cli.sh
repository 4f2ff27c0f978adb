#!/usr/bin/env bash
# The operator CLI against a live server with the example plan: status, a refused promotion (exit 1, every
# unmet condition listed), pause, resume, rollback, a refused admission, and --json.
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-.build/debug/liftoff}
data=$(mktemp -d)
export LIFTOFF_URL=http://127.0.0.1:18093 LIFTOFF_KEY=cli-check-admin-key-0123456789
LIFTOFF_ADMIN_KEY=$LIFTOFF_KEY "$binary" serve --plan examples/learning-platform.yml --data-dir "$data" --port 18093 > "$data/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 100); do curl -s "$LIFTOFF_URL/healthz" > /dev/null && break; sleep 0.1; done
fail() { echo "CLI check: $*"; exit 1; }

"$binary" status | tee "$data/status.txt"
grep -q "phase internal  status running" "$data/status.txt" || fail "status does not show the phase"
grep -q "minimum duration: 7d remaining" "$data/status.txt" || fail "status does not list the unmet conditions"

if "$binary" promote --reason "try" 2> "$data/promote.txt"; then fail "promotion should have been refused"; fi
cat "$data/promote.txt"
grep -q "checklist: 'staging deployment verified' is not signed" "$data/promote.txt" || fail "refusal does not list the unmet checklist item"

"$binary" report --format md | grep -q "^# Phase report: ai-tutor / internal" || fail "report"
# Plan versions: the file serve started with is version 1; a changed copy is diffed, applied as version 2, then
# the unchanged file again is a no-op; a file that drops the current phase is refused with the reason.
sed 's/promptProfile: standard/promptProfile: economy/' examples/learning-platform.yml > "$data/economy.yml"
"$binary" plan apply "$data/economy.yml" --reason "cli check" --dry-run | tee "$data/plan.txt"
grep -q "^Would change .*live version 1" "$data/plan.txt" && grep -q 'config handed to treatment users: promptProfile "standard" → "economy"' "$data/plan.txt" || fail "plan apply --dry-run"
"$binary" plan apply "$data/economy.yml" --reason "cli check" | grep -q "^Applied as plan version 2" || fail "plan apply"
"$binary" plan apply "$data/economy.yml" --reason "again" | grep -q "^Unchanged: the file is live version 2" || fail "plan apply again"
python3 - "$data/economy.yml" "$data/stranding.yml" <<'PY'
import sys
text = open(sys.argv[1]).read()
open(sys.argv[2], "w").write(text[:text.index("  - name: internal")] + text[text.index("  # Phase 2"):])
PY
if "$binary" plan apply "$data/stranding.yml" --reason "skip" 2> "$data/strand.txt"; then fail "a stranding plan should be refused"; fi
grep -q "removes phase 'internal', the phase the rollout is in" "$data/strand.txt" || fail "the refusal does not say why: $(cat "$data/strand.txt")"
"$binary" pause --reason "cli check" | grep -q "(paused)" || fail "pause"
"$binary" resume | grep -q "(running)" || fail "resume"
"$binary" rollback --reason "cli check" | grep -q "(rolled_back)" || fail "rollback"
if "$binary" waitlist admit 2> /dev/null; then fail "admission should be refused after a rollback"; fi
"$binary" status --json | python3 -c 'import json,sys; assert json.load(sys.stdin)["status"] == "rolled_back"' || fail "--json"
if LIFTOFF_KEY=wrong "$binary" status 2> /dev/null; then fail "a wrong key should fail"; fi

# The simulator: the scenario list, and one scored run as JSON.
"$binary" simulate --list | grep -q "^traffic-gap" || fail "simulate --list"
"$binary" simulate --scenario security-issue --runs 2 --seed 3 --parallel 1 --json 2> "$data/progress.txt" > "$data/scorecard.json"
# Progress goes to standard error line by line when it is not a terminal: a bar over every run, and the time left.
grep -q "^\[##########----------\] 1/2 runs · .* left · security-issue: run 1/2" "$data/progress.txt" || fail "simulate progress: $(cat "$data/progress.txt")"
python3 - "$data/scorecard.json" <<'PY' || fail "simulate --json"
import json, sys
entry = json.load(open(sys.argv[1]))["scenarios"][0]
assert entry["name"] == "security-issue" and entry["runs"] == 2, entry
assert entry["detected"] == 2 and entry["falseActions"] == 0, entry
assert set(entry) >= {"medianDetectionSeconds", "worstDetectionSeconds"}, entry
PY
if "$binary" simulate --scenario no-such-thing 2> /dev/null; then fail "an unknown scenario should be refused"; fi

# The demo, sped up: it reaches the full release, stays up, and stops cleanly on Ctrl-C.
"$binary" demo --data-dir "$data/demo" --port 18094 --speed 1500 > "$data/demo.log" 2>&1 &
demo=$!
for _ in $(seq 1 600); do grep -q "press Ctrl-C" "$data/demo.log" && break; sleep 0.5; done
cat "$data/demo.log"
grep -q "Done: internal → alpha → beta → full" "$data/demo.log" || { kill $demo; fail "the demo did not reach the full release"; }
curl -sf http://127.0.0.1:18094/healthz > /dev/null || { kill $demo; fail "the demo server is not up after the demo"; }
kill -INT $demo
wait $demo || fail "the demo did not stop cleanly on Ctrl-C"
# What an operator must see reaches a file at once, as under systemd, Docker or nohup: the plan summary, the
# generated admin key and the URL are in the log while the server runs, and survive a kill -9.
fresh=$(mktemp -d)
env -u LIFTOFF_ADMIN_KEY "$binary" serve --plan examples/learning-platform.yml --data-dir "$fresh" --port 18095 > "$fresh/serve.log" 2>&1 &
redirected=$!
for _ in $(seq 1 100); do curl -s http://127.0.0.1:18095/healthz > /dev/null && break; sleep 0.1; done
sleep 0.5
kill -9 $redirected; wait $redirected 2> /dev/null || true
cat "$fresh/serve.log"
grep -q "^Plan: examples/learning-platform.yml" "$fresh/serve.log" || fail "the plan summary did not reach the log while the server ran"
grep -q "Liftoff listening on http://127.0.0.1:18095" "$fresh/serve.log" || fail "the URL did not reach the log while the server ran"
generated=$(grep -A2 "Generated an admin key" "$fresh/serve.log" | tail -n 1 | tr -d ' ')
[ -n "$generated" ] || fail "the generated admin key did not reach the log before the kill -9"
"$binary" serve --plan examples/learning-platform.yml --data-dir "$fresh" --port 18095 > "$fresh/again.log" 2>&1 &
redirected=$!
for _ in $(seq 1 100); do curl -s http://127.0.0.1:18095/healthz > /dev/null && break; sleep 0.1; done
LIFTOFF_URL=http://127.0.0.1:18095 LIFTOFF_KEY=$generated "$binary" status > /dev/null || fail "the key printed before the kill -9 does not work"
kill $redirected; wait $redirected 2> /dev/null || true
rm -rf "$fresh"
echo "CLI check: ok"
