#!/usr/bin/env python3
"""Counts of real incidents by hour of day and by weekday, written to incident-profiles.csv.

The demo's incident times imitate these shapes; no coordinate or record of the sources is kept.
Run from the project root with the shared data beside it:
    python3 data-import/data/derive-incident-profiles.py ../shared/data/incidents > data-import/data/incident-profiles.csv
"""
import collections, csv, datetime, gzip, sys

def counts(times):
    hours, days = collections.Counter(), collections.Counter()
    for t in times:
        d = datetime.datetime.fromisoformat(t.replace("Z", "+00:00"))  # local clock times as published
        hours[d.hour] += 1
        days[d.weekday()] += 1
    return hours, days

src = sys.argv[1]
with open(f"{src}/san_francisco_robbery.csv", newline="") as f:
    robbery = counts(r["date_time"] for r in csv.DictReader(f))
with gzip.open(f"{src}/cincinnati_burglary.csv.gz", "rt", newline="") as f:
    burglary = counts(r["offense_date"] for r in csv.DictReader(f))

out = csv.writer(sys.stdout, lineterminator="\n")
out.writerow(["profile", "unit", "slot", "count"])
for name, (hours, days) in (("robbery", robbery), ("burglary", burglary)):
    for h in range(24):
        out.writerow([name, "hour", h, hours[h]])
    for d in range(7):  # 0 = Monday
        out.writerow([name, "weekday", d, days[d]])
