#!/usr/bin/env bash
# Recommendation latency (issue #8): GeoTwin's in-memory road graph vs pgr_dijkstraCost, same question, same run,
# on the Monaco demo network and a synthetic ~106,000-edge grid with one-way streets.
# Usage: tests/bench/dispatch.sh [units] [geotwin-rounds] [pgrouting-rounds]   (default 1000 200 15)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
dotnet build "$ROOT/tests/GeoTwin.Dispatch.Bench" -c Release -nologo -v quiet -clp:ErrorsOnly >/dev/null
dotnet "$ROOT/tests/GeoTwin.Dispatch.Bench/bin/Release/net10.0/GeoTwin.Dispatch.Bench.dll" "${1:-1000}" "${2:-200}" "${3:-15}"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ { print $2 }') GiB, $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)"
