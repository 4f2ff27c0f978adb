#!/usr/bin/env python3
"""Liftoff in the Prometheus a team already runs: a live server with the example plan gets some traffic, its
exposition passes `promtool check metrics`, then Debian's Prometheus scrapes it with a read key (as the
README's scrape config says) and a catalog series and the rollout's state are read back through Prometheus'
HTTP API and compared with what Liftoff itself answers. Everything on 127.0.0.1, bounded in time.

usage: prometheus-scrape.py BINARY"""
import json, os, shutil, subprocess, sys, tempfile, time, urllib.parse, urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from liftoff_server import LiftoffServer  # noqa: E402

ADMIN = "prometheus-check-admin-key-0123456789"
PLAN = os.path.join(os.path.dirname(__file__), "..", "examples", "learning-platform.yml")


def get(url, key=None):
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as response:
        return response.read()


def main():
    binary = sys.argv[1]
    work = tempfile.mkdtemp(prefix="liftoff-prometheus-")
    prometheus = None
    with LiftoffServer(binary, 18150, ADMIN, plan=PLAN) as server:
        try:
            read_key = server.call("POST", "/v1/keys", {"name": "prometheus", "scope": "read"})["key"]
            events = [{"type": "ai_interaction", "userId": f"dev-{1 + i % 5}", "model": "gpt-4o-mini", "latencyMs": 400 + 10 * i,
                       "inputTokens": 900, "outputTokens": 200, "outcome": "ok" if i % 20 else "timeout"} for i in range(60)]
            answer = server.call("POST", "/v1/events", {"events": events})
            assert answer["accepted"] == 60, answer

            exposition = get(server.base + "/v1/metrics/prometheus", read_key)
            check = subprocess.run(["promtool", "check", "metrics"], input=exposition, capture_output=True)
            if check.returncode != 0:
                raise SystemExit(f"promtool check metrics failed:\n{check.stdout.decode()}{check.stderr.decode()}")
            print(f"promtool check metrics: {len(exposition.splitlines())} lines, no problems")

            config = os.path.join(work, "prometheus.yml")
            with open(config, "w") as file:
                file.write(f"""global:
  scrape_interval: 1s
scrape_configs:
  - job_name: liftoff
    metrics_path: /v1/metrics/prometheus
    authorization:
      credentials: {read_key}
    static_configs:
      - targets: ["127.0.0.1:{server.port}"]
""")
            prometheus = subprocess.Popen(["prometheus", f"--config.file={config}", f"--storage.tsdb.path={work}/data",
                                           "--web.listen-address=127.0.0.1:19090"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

            def query(promql):
                body = json.loads(get("http://127.0.0.1:19090/api/v1/query?" + urllib.parse.urlencode({"query": promql})))
                return body["data"]["result"]

            interactions, status = [], []
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline and not (interactions and status):
                time.sleep(1)
                try:
                    interactions = query('liftoff_interactions{phase="internal",variant="treatment",window="5m"}')
                    status = query('liftoff_rollout_status == 1')
                except OSError:
                    pass
            if not (interactions and status):
                raise SystemExit("Prometheus did not scrape Liftoff's series within 90 s")
            own = server.call("GET", "/v1/metrics?window=5m&phase=internal&variant=treatment&names=interactions,error_rate")["metrics"]
            scraped = float(interactions[0]["value"][1])
            assert scraped == own["interactions"]["value"] == 60, (scraped, own)
            error_rate = float(query('liftoff_error_rate_ratio{variant="treatment",window="5m"}')[0]["value"][1])
            assert abs(error_rate - own["error_rate"]["value"]) < 1e-9, (error_rate, own)
            assert status[0]["metric"]["status"] == "running", status
            up = query('up{job="liftoff"}')
            assert up and up[0]["value"][1] == "1", up
            print(f"Prometheus scraped Liftoff with a read key: interactions {scraped:g}, error rate {error_rate:g}, status running")
        finally:
            if prometheus:
                prometheus.terminate()
                prometheus.wait(timeout=30)
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
