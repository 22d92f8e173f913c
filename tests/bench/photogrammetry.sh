#!/usr/bin/env bash
# Time to convert the real ContextCapture set Production_5 (9 .osgb files, L14-L19) to 3D Tiles, next to a
# reference measured in the same run: osgconv alone turning the same 9 files into .osgt text with their JPEGs,
# which is the reading GeoTwin delegates to OpenSceneGraph. converter ÷ osgconv = the cost of parsing,
# georeferencing (ProjNet), normals, GLB and tileset.json on top.
# Usage: tests/bench/photogrammetry.sh [runs] [folder]   (defaults 5, tests/data/osgb/Production_5).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
RUNS="${1:-5}"
SET="${2:-$ROOT/tests/data/osgb/Production_5}"
BENCH="$ROOT/tests/GeoTwin.Tiling.Bench/bin/Release/net10.0/GeoTwin.Tiling.Bench"

dotnet build "$ROOT/tests/GeoTwin.Tiling.Bench" -c Release -nologo -v quiet -clp:ErrorsOnly >/dev/null
median() { grep . | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
now_ms() { date +%s%3N; }

CONVERTER="" OSGCONV="" RATIOS=""
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for run in $(seq 1 "$RUNS"); do
    work="$(mktemp -d)"
    t0=$(now_ms)
    find "$SET/Data" -name '*.osgb' | sort | while read -r f; do
        (cd "$work" && osgconv -O WriteImageHint=WriteOut "$f" "$(basename "$f" .osgb).osgt" >/dev/null 2>&1)
    done
    osgconv_ms=$(( $(now_ms) - t0 ))
    rm -rf "$work"
    line="$("$BENCH" osgb "$SET")"
    converter_ms="$(sed -nE 's/.*seconds=([0-9.]+).*/\1/p' <<<"$line" | awk '{ printf "%d", $1 * 1000 }')"
    echo "run $run: osgconv alone ${osgconv_ms} ms | $line"
    OSGCONV+="$osgconv_ms"$'\n'; CONVERTER+="$converter_ms"$'\n'
    RATIOS+="$(awk -v a="$converter_ms" -v b="$osgconv_ms" 'BEGIN { print a / b }')"$'\n'
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| what | median ms of $RUNS | ratio to osgconv alone (median of per-run ratios) |"
echo "|---|---|---|"
printf '| PhotogrammetryConverter, Production_5 to 3D Tiles | %s | %.2f |\n' "$(median <<<"$CONVERTER")" "$(median <<<"$RATIOS")"
printf '| osgconv alone, the same 9 files to .osgt + JPEG (reference) | %s | 1.00 |\n' "$(median <<<"$OSGCONV")"
