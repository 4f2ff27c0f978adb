#!/usr/bin/env python3
"""PostgreSQL restarted under a live node: stale is better than down, and nothing acknowledged is lost.

A node on PostgreSQL takes ingest and /v1/evaluate traffic; the database is stopped for OUTAGE seconds, then
started again. While it is down: every /v1/evaluate is answered (from the last known state), ingest is refused
with 503 and Retry-After (never acknowledged), /readyz says degraded. After: ingest resumes by itself, and every
batch acknowledged at any point comes back as duplicates only. Bounded: about OUTAGE + 20 seconds.

    database-outage.py BINARY DATABASE_URL [POSTGRES_FOLDER] [OUTAGE_SECONDS]
        POSTGRES_FOLDER: the folder scripts/start-postgres.sh started the server in (default /tmp/liftoff-postgres)
"""
import json, os, subprocess, sys, threading, time, urllib.error, urllib.request
from liftoff_server import LiftoffServer

binary, database_url = sys.argv[1], sys.argv[2]
folder = sys.argv[3] if len(sys.argv) > 3 else "/tmp/liftoff-postgres"
outage = float(sys.argv[4]) if len(sys.argv) > 4 else 30
here = os.path.dirname(os.path.abspath(__file__))
port = int(database_url.rsplit(":", 1)[1].split("/")[0])
key = "outage-check-admin-key-0123456789"
node = LiftoffServer(binary, 18121, key, database_url=database_url)


def postgres(action):
    if action == "start":
        subprocess.run([os.path.join(here, "start-postgres.sh"), folder, str(port)], check=True, stdout=subprocess.DEVNULL)
        return
    pg_ctl = sorted(p for p in (os.path.join("/usr/lib/postgresql", v, "bin/pg_ctl") for v in os.listdir("/usr/lib/postgresql"))
                    if os.path.exists(p))[-1]
    command = [pg_ctl, "-D", os.path.join(folder, "data"), "stop", "-m", "fast"]
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--"] + command
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)


def call(method, path, body=None, timeout=10):
    request = urllib.request.Request(node.base + path, method=method, data=None if body is None else json.dumps(body).encode(),
                                     headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read() or b"{}")


phase = {"name": "before"}
acknowledged, lock, stop = [], threading.Lock(), threading.Event()
seen = {}  # (phase, path, status) -> count
slowest = {"ingest": 0.0, "evaluate": 0.0}
failures = []


def note(path, status, took):
    with lock:
        seen[(phase["name"], path, status)] = seen.get((phase["name"], path, status), 0) + 1
        slowest[path] = max(slowest[path], took)


def ingest(worker):
    sequence = 0
    while not stop.is_set() and sequence < 100_000:
        sequence += 1
        batch = {"events": [{"id": f"o{worker}-{sequence}-{i}", "type": "ai_interaction", "userId": f"dev-{1 + i % 5}",
                             "latencyMs": 300, "outcome": "ok"} for i in range(10)]}
        started = time.time()
        try:
            status, headers, answer = call("POST", "/v1/events", batch)
        except (OSError, urllib.error.URLError):
            status, headers, answer = 0, {}, {}
        note("ingest", status, time.time() - started)
        if status == 200 and answer.get("accepted", 0) + answer.get("duplicates", 0) == 10:
            with lock:
                acknowledged.append(batch)
        elif status == 503:
            if "Retry-After" not in headers:
                failures.append("a 503 from ingest came without Retry-After")
            time.sleep(min(float(headers.get("Retry-After", 1)), 1))
        time.sleep(0.02)


def evaluate():
    while not stop.is_set():
        started = time.time()
        try:
            status, _, _ = call("POST", "/v1/evaluate", {"userId": "dev-1"}, timeout=5)
        except (OSError, urllib.error.URLError):
            status = 0
        note("evaluate", status, time.time() - started)
        time.sleep(0.01)


node.start()
threads = [threading.Thread(target=ingest, args=(n,)) for n in range(3)] + [threading.Thread(target=evaluate)]
try:
    for thread in threads:
        thread.start()
    time.sleep(3)
    phase["name"] = "down"
    postgres("stop")
    down_at = time.time()
    time.sleep(2)
    status, _, ready = call("GET", "/readyz")
    if ready.get("status") != "degraded":
        failures.append(f"/readyz said {status} {ready} while the database was down")
    else:
        print(f"/readyz while down: {ready['status']} — {ready.get('detail', '')}")
    time.sleep(max(0, outage - (time.time() - down_at)))
    phase["name"] = "after"
    postgres("start")
    up_at = time.time()
    resumed = None
    while time.time() - up_at < 60:
        with lock:
            if seen.get(("after", "ingest", 200), 0) > 0:
                resumed = time.time() - up_at
                break
        time.sleep(0.1)
    if resumed is None:
        failures.append("ingest did not resume within 60 s of the database coming back")
    else:
        print(f"ingest resumed {resumed:.1f} s after the database came back (down {outage:.0f} s)")
    time.sleep(2)
    status, _, ready = call("GET", "/readyz")
    if ready.get("status") != "ready":
        failures.append(f"/readyz said {status} {ready} after the database came back")
finally:
    stop.set()
    for thread in threads:
        thread.join()

try:
    lost = 0
    for batch in acknowledged:
        status, _, answer = call("POST", "/v1/events", batch)
        lost += 10 - answer.get("duplicates", 0)
    for (when, path, status), count in sorted(seen.items()):
        print(f"  {when:6} {path:8} {status}: {count}")
    print(f"slowest answer: ingest {slowest['ingest']:.2f} s, evaluate {slowest['evaluate']:.3f} s")
    print(f"durability: {10 * len(acknowledged)} events acknowledged, {lost} missing after the outage")
    if lost:
        failures.append(f"{lost} acknowledged events are missing")
    for (when, path, status), count in seen.items():
        if path == "evaluate" and status != 200:
            failures.append(f"{count} evaluations answered {status} ({when} the outage)")
        if path == "ingest" and status not in (200, 503):
            failures.append(f"{count} ingest requests answered {status} ({when} the outage)")
    if seen.get(("down", "ingest", 503), 0) == 0:
        failures.append("no ingest request was refused with 503 while the database was down")
finally:
    node.stop()

if failures:
    print("database outage check FAILED:\n  " + "\n  ".join(sorted(set(failures))))
    sys.exit(1)
print("database outage check passed")
