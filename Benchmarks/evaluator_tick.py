#!/usr/bin/env python3
"""What one guardrail tick costs as traffic grows, side by side in one run: for each scale, a fresh server
(release build, the example plan, promoted to its last phase so every user is in treatment) is filled with
170 minutes of traffic, then its own `liftoff_guardrail_tick_duration_seconds` histogram is read over 30 s
of ticks (one a second). A tick reads every rule's windows (up to an hour, and the control's hour), so its
cost should follow rules x window minutes and stay flat as events and users grow.

Beta scale, from the plan: 150 active users, about 2,000 AI calls an hour (a busy beta hour uses 1.4M tokens
at ~1,150 tokens a call), plus feedback and sessions: 40 events a minute. `--scales 1,100` (the default)
runs beta and 100x beta (15,000 users, 4,000 events a minute, 680,000 events).

usage: evaluator_tick.py BINARY [--scales 1,100] [--port 18110]"""
import argparse, json, os, random, re, sys, time, urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "scripts"))
from liftoff_server import LiftoffServer  # noqa: E402

KEY = "benchmark-admin-key-0123456789"
MINUTES = 170
PLAN = os.path.join(os.path.dirname(__file__), "..", "examples", "learning-platform.yml")


def events_for_minute(scale, minute_start, rng):
    users = 150 * scale
    out = []
    for _ in range(40 * scale):
        user = f"learner-{rng.randrange(users)}"
        at = minute_start + rng.random() * 59
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(at)) + f".{int((at % 1) * 1000):03d}Z"
        kind = rng.random()
        if kind < 0.75:
            failed = rng.random() < 0.005
            out.append({"type": "ai_interaction", "userId": user, "sessionId": f"{user}-s", "timestamp": stamp,
                        "feature": rng.choice(["tutoring_chat", "code_analysis", "hints"]), "model": "gpt-4o-mini",
                        "latencyMs": round(rng.lognormvariate(6.9, 0.5)), "inputTokens": rng.randrange(600, 1200),
                        "outputTokens": rng.randrange(100, 400), "outcome": "api_error" if failed else "ok",
                        "relevance": round(min(1, rng.gauss(0.93, 0.04)), 3)})
        elif kind < 0.875:
            out.append({"type": "feedback", "userId": user, "timestamp": stamp, "rating": rng.choice([3, 4, 4, 5, 5])})
        elif kind < 0.95:
            out.append({"type": "session_start", "userId": user, "sessionId": f"{user}-s", "timestamp": stamp})
        else:
            out.append({"type": "session_end", "userId": user, "sessionId": f"{user}-s", "timestamp": stamp, "durationSeconds": 600})
    return out


def scrape(server):
    request = urllib.request.Request(server.base + "/v1/metrics/prometheus", headers={"Authorization": f"Bearer {KEY}"})
    text = urllib.request.urlopen(request, timeout=10).read().decode()
    buckets, total, count = {}, 0.0, 0
    for line in text.splitlines():
        if not line.startswith("liftoff_guardrail_tick_duration_seconds"):
            continue
        match = re.search(r'_bucket\{le="([^"]+)"\} (\d+)', line)
        if match:
            buckets[float("inf") if match.group(1) == "+Inf" else float(match.group(1))] = int(match.group(2))
        elif line.startswith("liftoff_guardrail_tick_duration_seconds_sum"):
            total = float(line.split()[-1])
        elif line.startswith("liftoff_guardrail_tick_duration_seconds_count"):
            count = int(line.split()[-1])
    return buckets, total, count


def measure(binary, port, scale):
    rng = random.Random(7)
    with LiftoffServer(binary, port, KEY, plan=PLAN) as server:
        for _ in range(3):
            server.call("POST", "/v1/rollout/promote", {"force": True, "reason": "benchmark: every user in treatment"})
        now = time.time()
        first = (int(now // 60) - MINUTES) * 60
        sent, batch = 0, []
        for minute in range(MINUTES + 1):
            batch += events_for_minute(scale, first + minute * 60, rng)
            while len(batch) >= 500 or (minute == MINUTES and batch):
                chunk, batch = batch[:500], batch[500:]
                answer = server.call("POST", "/v1/events", {"events": chunk})
                assert answer["accepted"] == len(chunk) and not answer["rejected"], answer
                sent += len(chunk)
        time.sleep(3)  # a few ticks on the filled store before measuring
        before = scrape(server)
        time.sleep(30)
        after = scrape(server)
    ticks = after[2] - before[2]
    mean = (after[1] - before[1]) / ticks
    delta = sorted((le, after[0][le] - before[0].get(le, 0)) for le in after[0])
    p99 = next(le for le, n in delta if n >= 0.99 * ticks)
    return {"scale": scale, "users": 150 * scale, "events": sent, "ticks": ticks, "mean_ms": mean * 1000, "p99_bucket_ms": p99 * 1000}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--scales", default="1,100")
    parser.add_argument("--port", type=int, default=18110)
    arguments = parser.parse_args()
    results = [measure(arguments.binary, arguments.port, int(scale)) for scale in arguments.scales.split(",")]
    print(f"{'traffic':>14} {'users':>8} {'events stored':>14} {'ticks':>6} {'mean tick':>10} {'p99 bucket':>11}")
    for r in results:
        print(f"{str(r['scale']) + 'x beta':>14} {r['users']:>8,} {r['events']:>14,} {r['ticks']:>6} {r['mean_ms']:>8.2f}ms {'<= %gms' % r['p99_bucket_ms']:>11}")
    base = results[0]
    for r in results[1:]:
        print(f"{r['scale']}x beta / {base['scale']}x beta: mean tick {r['mean_ms'] / base['mean_ms']:.2f}x "
              f"for {r['events'] / base['events']:.0f}x the events and {r['users'] / base['users']:.0f}x the users")


if __name__ == "__main__":
    main()
