#!/usr/bin/env bash
# JT/T 808 gateway (issue #21): N terminals connected at once, each registered, authenticated and bound to a unit,
# each reporting 0x0200 at 1 Hz for S seconds, with 50 SignalR viewers on the whole region; beside it in the same
# command the same load through POST /api/positions (the reference). Each prints fixes/s, p50/p99 frame-to-viewer
# latency, sent / acknowledged / stored (lost = sent - stored), and for JT/T 808 the server's memory per connection.
# Usage: tests/bench/jt808.sh [terminals] [seconds] [viewers]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
# Open files are counted per process: the load generator holds one socket a terminal, the server another (plus its
# PostgreSQL connections, files and viewers' sockets).
want=$(( ${1:-10000} + 4096 ))
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$want" ]; then
    ulimit -n "$want" 2>/dev/null || ulimit -n "$(ulimit -Hn)"
fi
[ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -ge "$want" ] || echo "warning: ulimit -n is $(ulimit -n), below the $want open files ${1:-10000} terminals need" >&2
dotnet build "$ROOT/tests/GeoTwin.Live.Bench" -c Release -nologo -v quiet -clp:ErrorsOnly >/dev/null
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores; ulimit -n $(ulimit -n)"
BENCH="$ROOT/tests/GeoTwin.Live.Bench/bin/Release/net10.0/GeoTwin.Live.Bench"
echo "== HTTP ingest, POST /api/positions (reference)"
"$BENCH" "${1:-10000}" "${2:-20}" "${3:-50}" spread transport=http
echo "== JT/T 808 terminals over TCP"
"$BENCH" "${1:-10000}" "${2:-20}" "${3:-50}" spread transport=jt808
