#!/usr/bin/env python3
"""The raw SQLite append rate of the rows a batched-ingest benchmark posts: Python's sqlite3 appending them to
the events table of a copy of Liftoff's own schema (taken from a file `liftoff serve` created, so indexes and
constraints are the same), WAL, synchronous=FULL, one transaction per posted batch. Bounded by time and count.

usage: raw_sqlite_append.py SCHEMA-SOURCE.sqlite BATCH.json WORK-DIR SECONDS
prints: rows_per_second N
"""
import json, os, sqlite3, sys, time

source, batch_path, work, seconds = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
schema = [sql for (sql,) in sqlite3.connect(source).execute(
    "SELECT sql FROM sqlite_master WHERE tbl_name = 'events' AND sql IS NOT NULL ORDER BY type DESC")]
os.makedirs(work, exist_ok=True)
path = os.path.join(work, "raw.sqlite")
db = sqlite3.connect(path, isolation_level=None)
db.execute("PRAGMA journal_mode=WAL")
db.execute("PRAGMA synchronous=FULL")
for statement in schema:
    db.execute(statement)

top_level = {"id", "type", "userId", "sessionId", "timestamp"}
events = json.load(open(batch_path))["events"]
now = int(time.time() * 1000)
rows = [(event.get("id"), event["type"], now, now, event.get("userId"), event.get("sessionId"), "default", "treatment",
         0.000285, json.dumps({k: v for k, v in event.items() if k not in top_level}, separators=(",", ":")), 1)
        for event in events]
insert = ("INSERT INTO events (event_id, type, occurred_at, received_at, user_id, session_id, phase, variant, cost_usd,"
          " payload, epoch) VALUES (?,?,?,?,?,?,?,?,?,?,?)")
appended, start = 0, time.monotonic()
while time.monotonic() - start < seconds and appended < 200_000_000:
    db.execute("BEGIN")
    db.executemany(insert, rows)
    db.execute("COMMIT")
    appended += len(rows)
print(f"rows_per_second {int(appended / (time.monotonic() - start))}")
