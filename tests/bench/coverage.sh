#!/usr/bin/env bash
# Camera coverage speed (issue #18), in process, no database (tests/GeoTwin.Coverage.Bench):
#  agreement  GeoTwin's exact visibility sweep against a ray casting at 0.1° steps written in the bench (100 random
#             scenes): the worst area difference (goal ≤ 1 %) and the time per camera of each.
#  city       2,000 cameras among 20,000 synthetic buildings, VisibilityStore.Compute (goal ≤ 10 s); reference: the
#             ray casting of the same cameras in the same run, and the two total areas compared.
#  edit       one camera moved: its visibility and the street segments its old and new reach touch (goal ≤ 50 ms).
#  greedy     lazy greedy k = 20 among 5,000 candidates (goal ≤ 5 s); reference: plain greedy written in the bench.
#  exact      the integer programme, k = 20 among 500 candidates (goal ≤ 60 s); reference: lazy greedy, and the gap.
# Every figure is a median over RUNS; the load average is printed with each step.
# Not measured here: all demo cameras' visibility and street coverage for the demo (they need the demo database).
# Usage: tests/bench/coverage.sh [runs]   (default 5)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
RUNS="${1:-5}"
BENCH_DLL="$ROOT/tests/GeoTwin.Coverage.Bench/bin/Release/net10.0/GeoTwin.Coverage.Bench.dll"
dotnet build "$ROOT/tests/GeoTwin.Coverage.Bench" -c Release -nologo -v quiet -clp:ErrorsOnly >/dev/null
echo "commit $(git -C "$ROOT" rev-parse --short HEAD), $(date -u '+%Y-%m-%d %H:%M') UTC"
for mode in agreement city edit greedy exact; do
    echo "== $mode (load $(cut -d' ' -f1 /proc/loadavg))"
    dotnet "$BENCH_DLL" "$mode" "$RUNS"
done
