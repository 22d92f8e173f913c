#!/usr/bin/env bash
# Hotspots at city scale (issue #16) on Chicago's 148,636 aggravated assaults 2010-2019 (tests/data/chicago):
#  1. import: the 22 police districts (+ district 31) as stations under a city bureau, then the incidents, through
#     `geotwin import` into fresh databases; reference in the same run: psql \copy of the same rows into incidents.
#  2. Gi* with FDR from stored incidents to answered cells (GeoTwin.Hotspots.Bench gi: the in-process pipeline
#     the /api/hotspots/gi endpoint runs), and R spdep on the same cells (dnearneigh + include.self, localG,
#     p.adjust BH): z-scores compared, times compared (R end to end: Rscript start to answer, from the cells CSV).
#  3. one uncached density tile at z12-z16 (kernel surface from the tile's stored incidents, coloured, PNG).
#  4. emerging hot spots over the 120 months.
# Every figure is a median over RUNS; peak memory is each process's VmHWM (/usr/bin/time -v); the load average is
# printed with each step because the figures are only comparable to the reference run beside them.
# Installs Debian's r-base-core and r-cran-spdep when R spdep is missing.
# Usage: tests/bench/hotspots.sh [runs] [cell size m]   (default 5 runs, 200 m hexagons: > 10,000 cells)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
RUNS="${1:-5}"
CELL="${2:-200}"
BENCH_DLL="$ROOT/tests/GeoTwin.Hotspots.Bench/bin/Release/net10.0/GeoTwin.Hotspots.Bench.dll"
INCIDENTS=148636

if ! Rscript -e 'suppressPackageStartupMessages(library(spdep))' >/dev/null 2>&1; then
    echo "installing R spdep (Debian r-base-core, r-cran-spdep)" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends r-base-core r-cran-spdep >/dev/null
fi
dotnet build "$ROOT/tests/GeoTwin.Hotspots.Bench" -c Release -nologo -v quiet -clp:ErrorsOnly >/dev/null

bench_postgres hotspots

python3 "$ROOT/tests/bench/chicago_geojson.py" "$ROOT/tests/data/chicago" "$WORK"
psql_ -d postgres -c "CREATE DATABASE chicago_tree"
GEOTWIN_DB="$(db_url chicago_tree)" dotnet "$SERVER_DLL" import "$WORK/chicago_jurisdictions.geojson" --layer jurisdictions >"$WORK/tree.log" 2>&1 \
    || { cat "$WORK/tree.log" >&2; exit 1; }
[ "$(psql_ -d chicago_tree -Atc "SELECT count(*) FILTER (WHERE kind = 'station' AND boundary IS NOT NULL) || '/' || count(*) FROM jurisdictions")" = "23/24" ] \
    || { echo "jurisdiction tree not loaded as expected" >&2; cat "$WORK/tree.log" >&2; exit 1; }

# 1. Import, RUNS times into fresh copies of the tree; the last copy is kept for the analyses.
declare -a imp impm impl cp
for i in $(seq 1 "$RUNS"); do
    db="chicago_$i"
    psql_ -d postgres -c "CREATE DATABASE $db TEMPLATE chicago_tree"
    impl+=("$(load)")
    out="$(GEOTWIN_DB="$(db_url "$db")" /usr/bin/time -v dotnet "$SERVER_DLL" import "$WORK/chicago_assaults.csv" --layer incidents 2>&1)" \
        || { echo "$out" >&2; exit 1; }
    [ "$(psql_ -d "$db" -Atc "SELECT count(*) FROM incidents WHERE category = 'fight'")" = "$INCIDENTS" ] || { echo "$out" >&2; exit 1; }
    imp+=("$(wall "$out")"); impm+=("$(peak "$out")")
    # Reference: the rows GeoTwin stored, written back by psql \copy into another copy of the tree.
    psql_ -d "$db" -c "\\copy (SELECT code, category, status, received_at, location, jurisdiction_id, description, source FROM incidents) TO '$WORK/ref.csv' CSV"
    psql_ -d postgres -c "CREATE DATABASE ref_$i TEMPLATE chicago_tree"
    t0=$(date +%s%3N)
    psql_ -d "ref_$i" -c "\\copy incidents (code, category, status, received_at, location, jurisdiction_id, description, source) FROM '$WORK/ref.csv' CSV"
    t1=$(date +%s%3N)
    cp+=("$(awk "BEGIN { print ($t1 - $t0) / 1000 }")")
    psql_ -d postgres -c "DROP DATABASE ref_$i"
    [ "$i" -lt "$RUNS" ] && psql_ -d postgres -c "DROP DATABASE $db"
    printf 'import run %d: geotwin import %ss %sMiB | psql \\copy %ss | load %s\n' "$i" "${imp[-1]}" "${impm[-1]}" "${cp[-1]}" "${impl[-1]}" >&2
done
DB="$(db_url "chicago_$RUNS")"
psql_ -d "chicago_$RUNS" -c "VACUUM ANALYZE incidents"
# Placed where Chicago placed them: every incident in the station of its source district.
misplaced="$(psql_ -d "chicago_$RUNS" -Atc "SELECT count(*) FROM incidents i JOIN jurisdictions j ON j.id = i.jurisdiction_id WHERE j.kind <> 'station'")"

run_bench() { # mode [args] -> stdout of the bench + "wall=... peak=... load=..."
    local l out
    l="$(load)"
    out="$(GEOTWIN_DB="$DB" /usr/bin/time -v dotnet "$BENCH_DLL" "$@" 2>"$WORK/bench.err")" || { cat "$WORK/bench.err" >&2; exit 1; }
    grep -E "run|density z|bandwidth" "$WORK/bench.err" >&2 || true
    echo "$out peak=$(peak "$(cat "$WORK/bench.err")") load=$l"
}

# 2. Gi* and the R spdep reference on the same cells.
gi="$(run_bench gi "$RUNS" "$WORK" "$CELL")"
declare -a rt rc rl
for i in $(seq 1 "$RUNS"); do
    rl+=("$(load)")
    rout="$(/usr/bin/time -v Rscript "$ROOT/tests/bench/hotspots_spdep.R" "$WORK/cells.csv" "$WORK/band.txt" 2>"$WORK/r.err")" || { cat "$WORK/r.err" >&2; exit 1; }
    rt+=("$(wall "$(cat "$WORK/r.err")")"); rc+=("$(field r_compute_ms "$rout")")
    rpeak="$(peak "$(cat "$WORK/r.err")")"
    echo "R run $i: ${rt[-1]}s end to end, ${rc[-1]} ms localG part, load ${rl[-1]}; $rout" >&2
done
[ "$(field same_neighbours "$rout")" = "TRUE" ] || { echo "R and GeoTwin saw different neighbours: $rout" >&2; exit 1; }

# 3. Density tiles; 4. emerging hot spots (the band Gi* chose, on the same cells).
density="$(run_bench density "$RUNS" "$WORK")"
emerging="$(run_bench emerging "$RUNS" "$WORK" "$CELL" "$(cat "$WORK/band.txt")")"

mimp=$(printf '%s\n' "${imp[@]}" | median); mcp=$(printf '%s\n' "${cp[@]}" | median); mimpm=$(printf '%s\n' "${impm[@]}" | median)
mrt=$(printf '%s\n' "${rt[@]}" | median); mrc=$(printf '%s\n' "${rc[@]}" | median)
gims=$(field median_ms "$gi")
echo
echo "| measure (Chicago, $INCIDENTS aggravated assaults) | median | goal | reference, same run | ratio | peak memory | load average |"
echo "|---|---|---|---|---|---|---|"
echo "| import incidents: geotwin import CSV (+ $misplaced not placed in a station) | ${mimp} s = $(awk "BEGIN { printf \"%.0f\", $INCIDENTS / $mimp }") rows/s | | psql \\copy of the stored rows: ${mcp} s | $(awk "BEGIN { printf \"%.2fx\", $mimp / $mcp }") | ${mimpm} MiB | $(printf '%s ' "${impl[@]}") |"
echo "| Gi* + FDR, stored incidents → answered cells ($(field cells "$gi") cells of ${CELL} m, band $(field band "$gi") m by $(field bandHow "$gi"), $(field neighbours "$gi") neighbours a cell) | ${gims} ms | ≤ 1000 ms | R spdep end to end ${mrt} s (localG + p.adjust alone ${mrc} ms) | R / GeoTwin $(awk "BEGIN { printf \"%.1fx\", $mrt * 1000 / $gims }") | $(field peak "$gi") MiB (R ${rpeak} MiB) | $(field load "$gi") (R $(printf '%s ' "${rl[@]}")) |"
echo "| Gi* z vs R spdep localG | max abs diff $(field max_abs_z_diff "$rout") (BH q $(field max_abs_q_diff "$rout"); bins differing $(field bin_mismatches "$rout")) | ≤ 1e-9 | | | | |"
echo "| one uncached density tile z12-z16 ($(field tiles "$density") tiles; bandwidth $(field bandwidth "$density") m; $(field points_per_tile_median "$density") incidents a tile; $(sed -nE 's/.*(z12_ms=.*z16_ms=[^ ]+).*/\1/p' <<<"$density")) | $(field median_ms "$density") ms (max $(field max_ms "$density")) | ≤ 50 ms | | | $(field peak "$density") MiB | $(field load "$density") |"
echo "| emerging hot spots, $(field cells "$emerging") cells × $(field steps "$emerging") months | $(field median_ms "$emerging") ms | ≤ 10000 ms | | | $(field peak "$emerging") MiB | $(field load "$emerging") |"
echo "patterns: $(sed -nE 's/.*patterns="([^"]*)".*/\1/p' <<<"$emerging")"
echo "runs: $RUNS; machine: $(nproc) cores, $(free -g | awk '/Mem:/ { print $2 }') GiB, $(uname -r), load average now $(cut -d' ' -f1-3 /proc/loadavg); R $(Rscript -e 'cat(R.version$major, R.version$minor, sep=".")') spdep $(Rscript -e 'cat(format(packageVersion("spdep")))')"
