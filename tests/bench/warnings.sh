#!/usr/bin/env bash
# Four-colour warnings at bureau scale (issue #17, "Speed"), on a fresh private PostgreSQL with 10,000 places
# (9,900 compounds and 100 patrol zones along streets, each with a responsible person's phone):
#  1. one pull of 10,000 new incidents through the drop-folder connector: parse, store, jurisdiction, assignment to
#     places and zones, level recompute, text outbox, run log (goal ≤ 5 s); reference in the same run: the bare
#     point-in-polygon join of the same incidents against the places in PostGIS;
#  2. recomputing every level of the month for the 10,000 places from scratch (goal ≤ 1 s); reference: the bare
#     count of the month's incidents per place and zone in PostGIS.
# Medians over RUNS (each pull adds its own 10,000, so later runs recompute on more incidents).
# Usage: tests/bench/warnings.sh [runs]   (default 5)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
RUNS="${1:-5}"
BENCH_DLL="$ROOT/tests/GeoTwin.Warnings.Bench/bin/Release/net10.0/GeoTwin.Warnings.Bench.dll"
dotnet build "$ROOT/tests/GeoTwin.Warnings.Bench" -c Release -nologo -v quiet -clp:ErrorsOnly >/dev/null

bench_postgres warnings
psql_ -d postgres -c "CREATE DATABASE warnings"

l0="$(load)"
out="$(GEOTWIN_DB="$(db_url warnings)" dotnet "$BENCH_DLL" "$RUNS" "$WORK")"
echo
echo "| measure (10,000 places: $(field places "$out")) | median | goal | reference, same run | load average |"
echo "|---|---|---|---|---|"
echo "| one pull of 10,000 new incidents (drop folder: store, assign to places and zones, levels, outbox; $(field outbox_texts "$out") texts queued over the runs) | $(field pull_median_ms "$out") ms | ≤ 5000 ms | bare ST_Intersects join of the same incidents: $(field ref_join_median_ms "$out") ms | $l0 |"
echo "| recompute every level of the month for 10,000 places | $(field recompute_median_ms "$out") ms | ≤ 1000 ms | bare count per place and zone: $(field ref_count_median_ms "$out") ms | $l0 |"
echo "runs: $RUNS; machine: $(machine), load average now $(cut -d' ' -f1-3 /proc/loadavg)"
