#!/usr/bin/env bash
# Geofences (issue #21): 10,000 units at 1 Hz through POST /api/positions against 20,000 fences, beside the same
# ingest with no fences in the same command: fixes/s, push latency, how far the fence judging trails the stored
# fixes, and the engine alone per fix (with the fences, and with none as the reference).
# Usage: tests/bench/geofences.sh [units] [seconds] [fences]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
dotnet build "$ROOT/tests/GeoTwin.Live.Bench" -c Release -nologo -v quiet -clp:ErrorsOnly >/dev/null
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"
BENCH="$ROOT/tests/GeoTwin.Live.Bench/bin/Release/net10.0/GeoTwin.Live.Bench"
echo "== no fences (reference)"
"$BENCH" "${1:-10000}" "${2:-20}" 10 spread fences=0
echo "== ${3:-20000} fences"
"$BENCH" "${1:-10000}" "${2:-20}" 10 spread "fences=${3:-20000}"
