#!/usr/bin/env python3
"""Fix sender for tests/bench/cluster.sh: RATE fixes/s through URL/api/positions (batches every 100 ms, spread over
the given units), until SIGTERM or SECONDS. A batch that gets no 200 (node killed, 502/503, refused connection) is
sent again with the same fixes, as a device does; stored fixes are keyed by (unit, fix time), so a retry cannot
store one twice. Every acknowledged fix is written to ACKED ("unit<TAB>iso time"); one line a second goes to stdout:
"t=<s> acked=<n> failed_attempts=<n>", the harness reads recovery times from it."""
import json, signal, sys, time, urllib.request, urllib.error
from datetime import datetime, timezone, timedelta

url, token, units_file, rate, seconds, acked_path = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5]), sys.argv[6]
units = [int(u) for u in open(units_file).read().split()]
stop = False
def on_term(*_):
    global stop
    stop = True
signal.signal(signal.SIGTERM, on_term)

per_batch = max(1, rate // 10)
acked_file = open(acked_path, "w")
start = time.monotonic()
next_unit = 0
last_time = {}
acked = failed = 0
last_report = start
pending = None  # a batch not yet acknowledged: sent again until it is

def post(batch):
    body = json.dumps({"fixes": batch}).encode()
    req = urllib.request.Request(url + "/api/positions", data=body, method="POST",
                                 headers={"Content-Type": "application/json", "Authorization": "Bearer " + token})
    with urllib.request.urlopen(req, timeout=5) as r:
        return json.loads(r.read())

tick = start
while not stop and time.monotonic() - start < seconds:
    if pending is None:
        now = datetime.now(timezone.utc)
        pending = []
        for _ in range(per_batch):
            u = units[next_unit % len(units)]
            next_unit += 1
            t = max(now, last_time.get(u, now - timedelta(seconds=1)) + timedelta(milliseconds=1))
            last_time[u] = t
            pending.append({"unitId": u, "time": t.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                            "lon": 7.42 + (u % 100) * 1e-4, "lat": 43.73 + (next_unit % 100) * 1e-5, "speed": 30, "heading": 90, "accuracy": 5})
    try:
        report = post(pending)
        bad = {p["index"] for p in report.get("rejected", [])}
        for i, f in enumerate(pending):
            if i not in bad:
                acked_file.write(f"{f['unitId']}\t{f['time']}\n")
                acked += 1
        pending = None
    except (urllib.error.URLError, urllib.error.HTTPError, TimeoutError, ConnectionError, OSError):
        failed += 1
    now_m = time.monotonic()
    if now_m - last_report >= 1:
        print(f"t={now_m - start:.1f} acked={acked} failed_attempts={failed}", flush=True)
        last_report = now_m
    tick += 0.1
    time.sleep(max(0, tick - time.monotonic()))
acked_file.close()
print(f"done acked={acked} failed_attempts={failed}", flush=True)
