#!/usr/bin/env bash
# Runs the README's quick-start requests, exactly as written, against a server started the README's way,
# and fails if any request fails: the README's examples stay true.
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-.build/debug/liftoff}
data=$(mktemp -d)
export LIFTOFF_KEY=quickstart-admin-key-change-me
LIFTOFF_ADMIN_KEY=$LIFTOFF_KEY "$binary" serve --data-dir "$data" > "$data/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 100); do curl -s http://127.0.0.1:8080/healthz > /dev/null && break; sleep 0.1; done

# The block after the quickstart marker, with curl made to fail on HTTP errors.
block=$(awk '/<!-- quickstart/{found=1; next} found && /^```sh/{inside=1; next} inside && /^```/{exit} inside{print}' README.md)
[ -n "$block" ] || { echo "no quickstart block found in README.md"; exit 1; }
output=$(bash -euo pipefail -c "curl() { command curl --fail-with-body \"\$@\"; }; export -f curl; $block")
echo "$output"
grep -q '"accepted":3,"duplicates":0,"rejected":\[{"error":"rating: 9 is outside 1…5","index":3}\]' <<<"$output" \
  || { echo "README quickstart: the ingest answer differs from the README"; exit 1; }
grep -q '"error_rate":{"samples":2,"unit":"ratio","value":0.5}' <<<"$output" \
  || { echo "README quickstart: metrics answer unexpected"; exit 1; }
echo "README quickstart: ok"
