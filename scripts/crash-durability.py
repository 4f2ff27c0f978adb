#!/usr/bin/env python3
"""Acknowledged means durable: kill -9 the server while clients ingest, restart it on the same data
directory, and re-send every batch that was answered 200. Each must now come back as duplicates only,
which proves every acknowledged event was on disk; on SQLite the aggregates, written behind the commit and
replayed at the restart, must count every stored event. Bounded: a few seconds of load, loopback only.

    crash-durability.py BINARY [DATABASE_URL]    (with a URL, the server stores in that PostgreSQL database)"""
import json, os, sqlite3, sys, threading, time, urllib.request, urllib.error
from liftoff_server import LiftoffServer

binary = sys.argv[1] if len(sys.argv) > 1 else ".build/debug/liftoff"
port = 18090
key = "crash-test-admin-key-0123456789"
database_url = sys.argv[2] if len(sys.argv) > 2 else None
server = LiftoffServer(binary, port, key, database_url=database_url)
base = server.base


def post(batch):
    request = urllib.request.Request(base + "/v1/events", data=json.dumps(batch).encode(), method="POST",
                                     headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


acknowledged = []
lock = threading.Lock()
stop = threading.Event()


def client(worker):
    sequence = 0
    while not stop.is_set() and sequence < 100_000:
        sequence += 1
        batch = {"events": [{"id": f"w{worker}-{sequence}-{i}", "type": "ai_interaction", "userId": f"u{i}",
                             "latencyMs": 100 + i, "outcome": "ok"} for i in range(20)]}
        try:
            answer = post(batch)
        except (OSError, urllib.error.URLError):
            continue  # not acknowledged: the client would retry; nothing is promised for it
        if answer.get("accepted") == 20:
            with lock:
                acknowledged.append(batch)


server.start()
threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
for thread in threads:
    thread.start()
time.sleep(3)
server.kill()
stop.set()
for thread in threads:
    thread.join()

server.start()
try:
    # The restart replayed the events whose aggregate rows were still in the backlog at the kill (SQLite
    # writes them behind the commit): every stored AI call is in the latency rows again.
    mismatch = None
    if not database_url:
        database = sqlite3.connect(os.path.join(server.data, "liftoff.sqlite"))
        calls = database.execute("SELECT count(*) FROM events WHERE type = 'ai_interaction'").fetchone()[0]
        counted = database.execute("SELECT coalesce(sum(count), 0) FROM minute_aggregates WHERE measure = 'latency'").fetchone()[0]
        database.close()
        print(f"crash durability (SQLite): {calls} AI calls stored, {counted} in the aggregates after the restart")
        if calls != counted:
            mismatch = calls - counted
    lost = 0
    for batch in acknowledged:
        answer = post(batch)
        if answer.get("duplicates") != 20:
            lost += 20 - answer.get("duplicates", 0)
    events = 20 * len(acknowledged)
    engine = "PostgreSQL" if database_url else "SQLite"
    print(f"crash durability ({engine}): {events} events acknowledged before kill -9, {lost} missing after restart")
    if lost or not acknowledged or mismatch:
        sys.exit(1)
finally:
    server.stop()
