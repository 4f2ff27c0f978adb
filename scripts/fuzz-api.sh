#!/usr/bin/env bash
# Runs schemathesis (PyPI) against a live server described by its own /openapi.yaml, with an admin key:
# no 5xx, every status code documented, every body matching its schema. Loopback only; bounded examples.
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-.build/debug/liftoff}
port=18099
key=fuzz-admin-key-0123456789
data=$(mktemp -d)
LIFTOFF_ADMIN_KEY=$key "$binary" serve --plan scripts/fuzz-plan.yml --data-dir "$data" --port $port > "$data/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 100); do curl -s "http://127.0.0.1:$port/healthz" > /dev/null && break; sleep 0.1; done
timeout 900 schemathesis run "http://127.0.0.1:$port/openapi.yaml" -H "Authorization: Bearer $key" \
  -c not_a_server_error,status_code_conformance,response_schema_conformance,content_type_conformance \
  -n 20 --generation-deterministic --no-color
