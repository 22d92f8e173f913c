#!/usr/bin/env bash
# Extrusion + tiling rate of GeoTwin.Tiling on synthetic footprints, with peak memory, next to a reference
# measured in the same run: the same prisms written as a bare float32 triangle list on one thread (no checks,
# no tree, no glTF, no properties). Each measurement is its own process, so peak RSS (VmHWM) is its own.
# Each run measures the reference and then the builder back to back; the ratio is taken per run (the machine
# is shared, so load drifts between runs) and the median of those ratios is reported.
# Usage: tests/bench/tiling.sh [runs] [features]   (defaults 3, 1000000).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
RUNS="${1:-3}"
FEATURES="${2:-1000000}"
BENCH="$ROOT/tests/GeoTwin.Tiling.Bench/bin/Release/net10.0/GeoTwin.Tiling.Bench"

dotnet build "$ROOT/tests/GeoTwin.Tiling.Bench" -c Release -nologo -v quiet -clp:ErrorsOnly >/dev/null
median() { grep . | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
field() { sed -nE "s/.* $1=([0-9.]+).*/\1/p"; }

MODES=("raw" "builder 2" "builder 1")
declare -A RATES MEMORY RATIOS
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for run in $(seq 1 "$RUNS"); do
    raw=""
    for mode in "${MODES[@]}"; do
        read -r what workers <<<"$mode"
        line="$("$BENCH" "$what" "$FEATURES" ${workers:+"$workers"})"
        echo "run $run: $line"
        rate="$(field rate <<<"$line")"
        [ "$what" = raw ] && raw="$rate"
        RATES[$mode]+="$rate"$'\n'
        MEMORY[$mode]+="$(field peak_rss_mib <<<"$line")"$'\n'
        RATIOS[$mode]+="$(awk -v a="$rate" -v b="$raw" 'BEGIN { print a / b }')"$'\n'
    done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

echo
echo "| what | features/s (median of $RUNS) | peak RSS MiB (median) | rate ÷ raw rate (median of per-run ratios) |"
echo "|---|---|---|---|"
for mode in "${MODES[@]}"; do
    case "$mode" in
        raw) label="raw triangles (reference, 1 thread)" ;;
        "builder 2") label="TilesetBuilder, 2 workers" ;;
        *) label="TilesetBuilder, 1 worker" ;;
    esac
    printf '| %s | %.0f | %.0f | %.2f |\n' "$label" "$(median <<<"${RATES[$mode]}")" "$(median <<<"${MEMORY[$mode]}")" "$(median <<<"${RATIOS[$mode]}")"
done
