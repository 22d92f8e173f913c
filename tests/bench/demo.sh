#!/usr/bin/env bash
# Demo build time: `geotwin demo` into a fresh data directory (new private cluster, empty database),
# RUNS times. Reported: the loader's own time (read the PBF, build, write in one transaction; the
# verb prints it), and the whole command including initdb and migrations. Reference in the same run:
# a bare OsmSharp read of the same PBF, six passes (one per layer, as the demo reads it).
# Usage: tests/bench/demo.sh [runs]   (default 3). Prints medians and ratios.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
RUNS="${1:-3}"
PBF="$ROOT/data-import/data/monaco-latest.osm.pbf"

"$ROOT/geotwin" build >/dev/null
dotnet build "$ROOT/tests/bench/OsmRead/OsmRead.csproj" -c Release -nologo -v quiet -clp:ErrorsOnly >/dev/null
OSMREAD="$ROOT/tests/bench/OsmRead/bin/Release/net10.0/OsmRead.dll"
now_ms() { date +%s%3N; }
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }

declare -a load whole ref
for i in $(seq 1 "$RUNS"); do
    d=$(mktemp -d /tmp/geotwin-bench-XXXXXX); chmod 755 "$d"
    t0=$(now_ms)
    out=$("$ROOT/geotwin" demo --data "$d" 2>&1 | tail -1)
    t1=$(now_ms)
    rm -rf "$d"
    s=$(sed -nE 's/.* in ([0-9.]+) s$/\1/p' <<<"$out")
    [ -n "$s" ] || { echo "demo failed: $out" >&2; exit 1; }
    load+=("$(awk "BEGIN { printf \"%d\", $s * 1000 }")"); whole+=($((t1 - t0)))
    ref+=("$(dotnet "$OSMREAD" "$PBF" 6 | cut -d' ' -f1)")
    printf 'run %d: demo load %s ms, whole command %s ms | bare OsmSharp read x6 %s ms\n' "$i" "${load[-1]}" "${whole[-1]}" "${ref[-1]}" >&2
done
echo "$out" | sed 's/^geotwin: //' >&2
ml=$(printf '%s\n' "${load[@]}" | median); mw=$(printf '%s\n' "${whole[@]}" | median); mr=$(printf '%s\n' "${ref[@]}" | median)
echo "| what | median ms | bare OsmSharp read of the PBF x6 (median ms) | ratio |"
echo "|---|---|---|---|"
echo "| demo load (read, build, write in one transaction) | $ml | $mr | $(awk "BEGIN { printf \"%.1fx\", $ml / $mr }") |"
echo "| whole \`geotwin demo\` on a fresh data directory | $mw | $mr | $(awk "BEGIN { printf \"%.1fx\", $mw / $mr }") |"
echo "runs: $RUNS; machine: $(nproc) cores, $(free -g | awk '/Mem:/ { print $2 }') GiB, $(uname -r)"
