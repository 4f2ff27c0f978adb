#!/usr/bin/env python3
"""Liftoff's alerts in the Alertmanager a team already routes: Debian's Alertmanager on loopback, a live
Liftoff whose plan has an `alertmanager_api` route to it, slow answers make a rule fire, and the alert shows
up in Alertmanager's own API (labels, annotations, generatorURL at the dashboard); fast answers clear it and
Alertmanager sees it resolved (its endsAt has passed). Everything on 127.0.0.1, bounded in time.

usage: alertmanager-push.py BINARY"""
import datetime, json, os, shutil, subprocess, sys, tempfile, time, urllib.parse, urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from liftoff_server import LiftoffServer  # noqa: E402

ADMIN = "alertmanager-check-admin-key-0123456789"
ALERTMANAGER = "http://127.0.0.1:19093"
PLAN = f"""rollout: alertmanager-check
phases:
  - name: internal
    audience: {{ groups: {{ developers: [dev-1, dev-2] }} }}
adjustments:
  - {{ trigger: response_time.p95, threshold: 3000, action: notify, minSamples: 10 }}
alerts:
  routes:
    - {{ url: "{ALERTMANAGER}/api/v2/alerts", format: alertmanager_api, minSeverity: info }}
"""


def alerts():
    query = urllib.parse.urlencode({"filter": 'rule="adjustments[0]"'})
    with urllib.request.urlopen(f"{ALERTMANAGER}/api/v2/alerts?{query}", timeout=5) as response:
        return json.loads(response.read())


def wait_for(what, check, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            found = check()
            if found:
                return found
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"timed out after {seconds} s waiting for {what}")


def interactions(count, latency):
    return {"events": [{"type": "ai_interaction", "userId": "dev-1", "model": "gpt-4o-mini", "latencyMs": latency,
                        "inputTokens": 500, "outputTokens": 100, "outcome": "ok"} for _ in range(count)]}


def main():
    binary = sys.argv[1]
    work = tempfile.mkdtemp(prefix="liftoff-alertmanager-")
    with open(f"{work}/alertmanager.yml", "w") as file:
        file.write('route: { receiver: "null" }\nreceivers: [ { name: "null" } ]\n')
    with open(f"{work}/plan.yml", "w") as file:
        file.write(PLAN)
    alertmanager = subprocess.Popen(["prometheus-alertmanager", f"--config.file={work}/alertmanager.yml", f"--storage.path={work}/data",
                                     "--web.listen-address=127.0.0.1:19093", "--cluster.listen-address="],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for("Alertmanager to start", lambda: urllib.request.urlopen(f"{ALERTMANAGER}/-/ready", timeout=2).status == 200)
        with LiftoffServer(binary, 18160, ADMIN, plan=f"{work}/plan.yml") as server:
            server.call("POST", "/v1/events", interactions(20, 6000))
            firing = wait_for("the alert in Alertmanager", lambda: [a for a in alerts() if a["status"]["state"] == "active"])[0]
            assert firing["labels"]["rollout"] == "alertmanager-check" and firing["labels"]["alertname"] == "adjustments[0]", firing
            assert firing["labels"]["metric"] == "response_time.p95", firing
            assert firing["annotations"]["threshold"] == "3000", firing
            assert firing["generatorURL"] == f"{server.base}/alerts", firing
            print(f"firing in Alertmanager: {firing['labels']['alertname']} ({firing['annotations']['summary']}), "
                  f"value {firing['annotations']['value']}, endsAt {firing['endsAt']}")

            server.call("POST", "/v1/events", interactions(1000, 100))

            # Alertmanager lists only alerts that have not ended: a resolved one leaves its list.
            def resolved():
                now = datetime.datetime.now(datetime.timezone.utc)
                return not any(a["status"]["state"] == "active"
                               and datetime.datetime.fromisoformat(a["endsAt"].replace("Z", "+00:00")) > now for a in alerts())
            wait_for("the alert to resolve in Alertmanager", resolved)
            deliveries = [d for d in server.call("GET", "/v1/deliveries")["deliveries"] if d["target"].startswith(ALERTMANAGER)]
            assert len(deliveries) >= 2 and all(d["status"] == "delivered" for d in deliveries), deliveries
            print(f"resolved in Alertmanager; {len(deliveries)} pushes delivered to /api/v2/alerts")
            rules = server.call("GET", "/v1/guardrails")["rules"]
            assert next(r for r in rules if r["id"] == "adjustments[0]")["state"] == "inactive", rules
    finally:
        alertmanager.terminate()
        alertmanager.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
