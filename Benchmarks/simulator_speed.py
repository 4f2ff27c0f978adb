#!/usr/bin/env python3
"""Seconds per simulation run, two builds of liftoff side by side in one run, and whether they decide alike.

    Benchmarks/simulator_speed.py --binary NEW --vs OLD [--scenarios healthy,traffic-gap] [--runs 2] [--rounds 3]

Each round runs every scenario once with each binary, alternating (so drift on a shared machine hits both),
`--runs` runs per invocation at `--parallel 1`, on the same seeds. Prints per scenario the median wall seconds
per run of each binary and their ratio, and whether both printed the same scorecard (detections, false
actions, delays) for those seeds; exits 1 if not.
"""
import argparse
import json
import statistics
import subprocess
import sys
import time


def run(binary, scenario, runs, seed):
    started = time.monotonic()
    out = subprocess.run([binary, "simulate", "--scenario", scenario, "--runs", str(runs), "--seed", str(seed),
                          "--parallel", "1", "--json"], check=True, capture_output=True, text=True, timeout=3600).stdout
    return (time.monotonic() - started) / runs, json.loads(out)["scenarios"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--vs", required=True)
    parser.add_argument("--scenarios", default="healthy,small-cohort-noise,traffic-gap,latency-step,error-spike")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1000)
    args = parser.parse_args()
    same = True
    print(f"{'scenario':22s} {'new s/run':>10s} {'old s/run':>10s} {'speed-up':>9s}  decisions")
    for scenario in args.scenarios.split(","):
        new_times, old_times = [], []
        new_card = old_card = None
        for _ in range(args.rounds):
            seconds, new_card = run(args.binary, scenario, args.runs, args.seed)
            new_times.append(seconds)
            seconds, old_card = run(args.vs, scenario, args.runs, args.seed)
            old_times.append(seconds)
        new, old = statistics.median(new_times), statistics.median(old_times)
        alike = json.dumps(new_card, sort_keys=True) == json.dumps(old_card, sort_keys=True)
        same = same and alike
        print(f"{scenario:22s} {new:10.2f} {old:10.2f} {old / new:8.1f}x  {'same' if alike else 'DIFFERENT'}")
        if not alike:
            print(f"  new: {json.dumps(new_card, sort_keys=True)}\n  old: {json.dumps(old_card, sort_keys=True)}")
    sys.exit(0 if same else 1)


if __name__ == "__main__":
    main()
