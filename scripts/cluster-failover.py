#!/usr/bin/env python3
"""Two Liftoff nodes on one PostgreSQL database behind nginx, as a team past the beta would run them.

The app's traffic (batched ingest and /v1/evaluate) goes through the proxy. The leader is killed with kill -9
while traffic flows; the check measures how long until the survivor leads, how many app requests failed, then
sends a critical security finding through the proxy: the rollback the new leader decides must reach the
survivor's /v1/evaluate. Before that, a pause made on one node must reach the other within 1 s. Finally every acknowledged batch is sent again: all must come back as duplicates.
Bounded: about 20 seconds of traffic, loopback only.

    cluster-failover.py BINARY DATABASE_URL      (an empty database; nginx on PATH or in /usr/sbin)
"""
import json, os, shutil, subprocess, sys, tempfile, threading, time, urllib.error, urllib.request
from liftoff_server import LiftoffServer

binary, database_url = sys.argv[1], sys.argv[2]
key = "cluster-check-admin-key-0123456789"
node_ports = [18111, 18112]
proxy_port = 18110
proxy = f"http://127.0.0.1:{proxy_port}"


def call(base, method, path, body=None, timeout=5):
    request = urllib.request.Request(base + path, method=method, data=None if body is None else json.dumps(body).encode(),
                                     headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())


def start_nginx():
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    folder = tempfile.mkdtemp(prefix="liftoff-nginx-")
    upstreams = "\n".join(f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=2s;" for port in node_ports)
    # Ingest is idempotent by event id, so a POST may be retried on the other node (non_idempotent).
    config = f"""
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/error.log;
worker_processes 1;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    upstream liftoff {{
{upstreams}
    }}
    server {{
        listen 127.0.0.1:{proxy_port};
        location / {{
            proxy_pass http://liftoff;
            proxy_next_upstream error timeout http_502 http_503 non_idempotent;
            proxy_connect_timeout 1s;
            proxy_read_timeout 10s;
        }}
    }}
}}
"""
    path = os.path.join(folder, "nginx.conf")
    with open(path, "w") as file:
        file.write(config)
    process = subprocess.Popen([nginx, "-c", path, "-p", folder], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            urllib.request.urlopen(proxy + "/healthz", timeout=1)
            return process
        except OSError:
            time.sleep(0.05)
    raise SystemExit("nginx did not start")


nodes = [LiftoffServer(binary, port, key, database_url=database_url) for port in node_ports]
for node in nodes:
    node.start()
nginx = start_nginx()

acknowledged, lock, stop = [], threading.Lock(), threading.Event()
counts = {"ingest_ok": 0, "ingest_failed": 0, "evaluate_ok": 0, "evaluate_failed": 0}


def ingest(worker):
    sequence = 0
    while not stop.is_set() and sequence < 100_000:
        sequence += 1
        batch = {"events": [{"id": f"c{worker}-{sequence}-{i}", "type": "ai_interaction", "userId": f"dev-{1 + i % 5}",
                             "latencyMs": 200 + i, "outcome": "ok"} for i in range(20)]}
        try:
            answer = call(proxy, "POST", "/v1/events", batch)
            with lock:
                counts["ingest_ok"] += 1
                if answer.get("accepted", 0) + answer.get("duplicates", 0) == 20:
                    acknowledged.append(batch)
        except (OSError, urllib.error.URLError):
            with lock:
                counts["ingest_failed"] += 1
        time.sleep(0.01)


def evaluate():
    while not stop.is_set():
        try:
            call(proxy, "POST", "/v1/evaluate", {"userId": "dev-1"}, timeout=2)
            with lock:
                counts["evaluate_ok"] += 1
        except (OSError, urllib.error.URLError):
            with lock:
                counts["evaluate_failed"] += 1
        time.sleep(0.005)


def leader_of(base):
    cluster = call(base, "GET", "/v1/cluster")
    leaders = [node["id"] for node in cluster["nodes"] if node["leader"]]
    return cluster["self"], leaders


failures = []
try:
    # Wait for both nodes to see each other and for exactly one leader.
    deadline = time.time() + 15
    while time.time() < deadline:
        selves = [leader_of(node.base) for node in nodes]
        cluster = call(nodes[0].base, "GET", "/v1/cluster")
        if len(cluster["nodes"]) == 2 and len(selves[0][1]) == 1:
            break
        time.sleep(0.2)
    else:
        raise SystemExit(f"the two nodes did not form a cluster with one leader: {cluster}")
    leader_id = selves[0][1][0]
    leader = next(n for n, (me, _) in zip(nodes, selves) if me == leader_id)
    survivor = next(n for n in nodes if n is not leader)
    print(f"cluster: nodes {[me for me, _ in selves]}, leader {leader_id}")
    # A change made on one node reaches the other's in-memory state (what /v1/evaluate answers from) within 1 s.
    for origin, other, action, status in [(leader, survivor, "pause", "paused"), (survivor, leader, "resume", "running")]:
        changed_at = time.time()
        call(origin.base, "POST", f"/v1/rollout/{action}", {"reason": "cluster check"})
        reached = None
        while time.time() - changed_at < 5:
            if call(other.base, "GET", "/v1/rollout")["status"] == status:
                reached = time.time() - changed_at
                break
            time.sleep(0.01)
        if reached is None or reached > 1:
            failures.append(f"{action} on one node reached the other in {reached} s (promised within 1 s)")
        else:
            print(f"propagation: {action} on one node served by the other {reached * 1000:.0f} ms later")
    # A new plan version applied on one node is served by the other within 1 s.
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "..", "examples", "learning-platform.yml")) as file:
        economy = file.read().replace("promptProfile: standard", "promptProfile: economy")
    applied_at = time.time()
    answer = call(leader.base, "POST", "/v1/plan", {"yaml": economy, "reason": "cluster check: economy prompts"})
    reached = None
    while time.time() - applied_at < 5:
        if call(survivor.base, "POST", "/v1/evaluate", {"userId": "dev-1"}).get("config", {}).get("promptProfile") == "economy":
            reached = time.time() - applied_at
            break
        time.sleep(0.01)
    if not answer.get("applied") or reached is None or reached > 1:
        failures.append(f"plan version {answer.get('version')} applied on one node reached the other in {reached} s (promised within 1 s)")
    else:
        print(f"propagation: plan version {answer['version']} applied on one node served by the other {reached * 1000:.0f} ms later")
    before = call(survivor.base, "POST", "/v1/evaluate", {"userId": "dev-1"})
    if before.get("variant") != "treatment":
        failures.append(f"dev-1 should be in treatment before the rollback, got {before}")

    threads = [threading.Thread(target=ingest, args=(n,)) for n in range(4)] + [threading.Thread(target=evaluate)]
    for thread in threads:
        thread.start()
    time.sleep(3)

    killed_at = time.time()
    leader.kill()
    took_over = None
    while time.time() - killed_at < 15:
        try:
            me, leaders = leader_of(survivor.base)
            if leaders == [me]:
                took_over = time.time() - killed_at
                break
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.1)
    if took_over is None:
        failures.append("the survivor did not take over the leadership within 15 s")
    else:
        print(f"failover: the survivor leads {took_over:.2f} s after kill -9 of the leader")
        if took_over > 5:
            failures.append(f"takeover took {took_over:.2f} s (promised within 5 s)")

    # A rollback decided after the failover, by the new leader, from a finding sent through the proxy.
    sent_at = time.time()
    call(proxy, "POST", "/v1/events", {"events": [{"type": "security_issue", "severity": "critical",
                                                   "title": "prompt injection reached the grader"}]})
    rolled_back = None
    while time.time() - sent_at < 15:
        answer = call(survivor.base, "POST", "/v1/evaluate", {"userId": "dev-1"})
        if answer.get("reason") == "rolled_back":
            rolled_back = time.time() - sent_at
            break
        time.sleep(0.1)
    if rolled_back is None:
        failures.append("the rollback did not reach the survivor's /v1/evaluate within 15 s")
    else:
        print(f"rollback: decided and served by the survivor {rolled_back:.2f} s after the finding")
    time.sleep(2)
    stop.set()
    for thread in threads:
        thread.join()

    lost = 0
    for batch in acknowledged:
        answer = call(survivor.base, "POST", "/v1/events", batch)
        lost += 20 - answer.get("duplicates", 0)
    total = counts["ingest_ok"] + counts["ingest_failed"]
    print(f"traffic through the proxy: {counts['ingest_ok']} of {total} ingest batches acknowledged, "
          f"{counts['evaluate_ok']} of {counts['evaluate_ok'] + counts['evaluate_failed']} evaluations answered")
    print(f"durability: {20 * len(acknowledged)} events acknowledged, {lost} missing after the failover")
    if lost:
        failures.append(f"{lost} acknowledged events are missing")
    if counts["evaluate_failed"] > 0:
        failures.append(f"{counts['evaluate_failed']} evaluations failed through the proxy")
    if not acknowledged:
        failures.append("no batch was acknowledged")
finally:
    stop.set()
    nginx.terminate()
    nginx.wait()
    for node in nodes:
        if node.process and node.process.poll() is None:
            node.stop()

if failures:
    print("cluster failover check FAILED:\n  " + "\n  ".join(failures))
    sys.exit(1)
print("cluster failover check passed")
