#!/usr/bin/env python3
"""The server-side p99 of a route from two scrapes of /v1/metrics/prometheus (before and after a load run):
the upper bound of the histogram bucket holding the 99th percentile of the requests made in between.

    histogram_p99.py BEFORE AFTER      (each: the route's _bucket lines)"""
import re, sys


def buckets(path):
    counts = {}
    for line in open(path):
        match = re.search(r'_bucket\{.*le="([^"]+)"\} (\d+)', line)
        if match:
            counts[match.group(1)] = int(match.group(2))
    return counts


before, after = buckets(sys.argv[1]), buckets(sys.argv[2])
delta = sorted(((float("inf") if le == "+Inf" else float(le), after[le] - before.get(le, 0)) for le in after), key=lambda x: x[0])
total = delta[-1][1]
for le, count in delta:
    if count >= 0.99 * total:
        print(f"<= {le * 1000:g}ms of {total} requests")
        break
