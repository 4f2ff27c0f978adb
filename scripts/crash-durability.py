#!/usr/bin/env python3
"""Acknowledged means durable: kill -9 the server while clients ingest, restart it on the same data
directory, and re-send every batch that was answered 200. Each must now come back as duplicates only,
which proves every acknowledged event was on disk. Bounded: a few seconds of load, loopback only."""
import json, os, signal, subprocess, sys, tempfile, threading, time, urllib.request, urllib.error

binary = sys.argv[1] if len(sys.argv) > 1 else ".build/debug/liftoff"
port = 18090
key = "crash-test-admin-key-0123456789"
data = tempfile.mkdtemp(prefix="liftoff-crash-")
base = f"http://127.0.0.1:{port}"


def start():
    env = dict(os.environ, LIFTOFF_ADMIN_KEY=key)
    server = subprocess.Popen([binary, "serve", "--data-dir", data, "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)
            return server
        except OSError:
            time.sleep(0.05)
    raise SystemExit("server did not start")


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


server = start()
threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
for thread in threads:
    thread.start()
time.sleep(3)
os.kill(server.pid, signal.SIGKILL)
server.wait()
stop.set()
for thread in threads:
    thread.join()

server = start()
try:
    lost = 0
    for batch in acknowledged:
        answer = post(batch)
        if answer.get("duplicates") != 20:
            lost += 20 - answer.get("duplicates", 0)
    events = 20 * len(acknowledged)
    print(f"crash durability: {events} events acknowledged before kill -9, {lost} missing after restart")
    if lost or not acknowledged:
        sys.exit(1)
finally:
    server.terminate()
    server.wait()
