#!/usr/bin/env bash
# Live units: sustained ingest of N units at 1 Hz with V SignalR viewers (always-visible region), fixes/s accepted,
# ingest-to-viewer latency p50/p99, CPU and memory, sent = stored = pushed, and k-nearest time; reference in the
# same run: the same number of fixes as a bare binary COPY. Usage: tests/bench/live.sh [units] [seconds] [viewers] [spread|burst]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
dotnet build "$ROOT/tests/GeoTwin.Live.Bench" -c Release -nologo -v quiet -clp:ErrorsOnly >/dev/null
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"
"$ROOT/tests/GeoTwin.Live.Bench/bin/Release/net10.0/GeoTwin.Live.Bench" "${1:-10000}" "${2:-20}" "${3:-50}" "${4:-spread}"
