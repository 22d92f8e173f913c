#!/usr/bin/env bash
# Import speed: N address points (default 1,000,000) from GeoJSON and from CSV through `geotwin import`,
# each into a fresh copy of a migrated database with a jurisdiction tree, next to the reference measured in
# the same run: PostgreSQL's own COPY (psql \copy) of the same rows as CSV into the same addresses table.
# A second line gives the floor: the same \copy into a table of the same columns with no index, constraint or
# trigger (what writing these rows costs PostgreSQL at all on this machine).
# Reports medians of wall time (whole process), rows/s, peak memory (VmHWM via /usr/bin/time -v), ratio.
# Usage: tests/bench/import.sh [runs] [rows]   (default 3 runs, 1000000 rows)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
RUNS="${1:-3}"
ROWS="${2:-1000000}"

"$ROOT/geotwin" build >/dev/null
bench_postgres import

echo "generating $ROWS address points" >&2
python3 - "$WORK" "$ROWS" <<'PY'
import random, sys
work, n = sys.argv[1], int(sys.argv[2])
random.seed(42)
with open(f"{work}/tree.geojson", "w") as t:
    t.write('{"type":"FeatureCollection","features":['
            '{"type":"Feature","properties":{"code":"MC","kind":"city_bureau","name":"Monaco"},"geometry":null},'
            '{"type":"Feature","properties":{"code":"ST1","kind":"station","name":"Station","parent_code":"MC"},"geometry":{"type":"Polygon","coordinates":[[[7.40,43.72],[7.44,43.72],[7.44,43.76],[7.40,43.76],[7.40,43.72]]]}},'
            '{"type":"Feature","properties":{"code":"RA1","kind":"responsibility_area","name":"West","parent_code":"ST1"},"geometry":{"type":"Polygon","coordinates":[[[7.40,43.72],[7.42,43.72],[7.42,43.76],[7.40,43.76],[7.40,43.72]]]}},'
            '{"type":"Feature","properties":{"code":"RA2","kind":"responsibility_area","name":"East","parent_code":"ST1"},"geometry":{"type":"Polygon","coordinates":[[[7.42,43.72],[7.44,43.72],[7.44,43.76],[7.42,43.76],[7.42,43.72]]]}}]}')
with open(f"{work}/a.csv", "w") as c, open(f"{work}/a.geojson", "w") as g, open(f"{work}/ref.csv", "w") as r:
    c.write("code,full_text,door_number,lon,lat\n")
    g.write('{"type":"FeatureCollection","features":[\n')
    for i in range(n):
        lon, lat = 7.40 + random.random() * 0.04, 43.72 + random.random() * 0.04
        code, text, door = f"MC-{i:08d}", f"Boulevard {i % 500} No. {i % 97}", i % 97
        c.write(f"{code},{text},{door},{lon:.7f},{lat:.7f}\n")
        g.write(("," if i else "") + f'{{"type":"Feature","properties":{{"code":"{code}","full_text":"{text}","door_number":"{door}"}},"geometry":{{"type":"Point","coordinates":[{lon:.7f},{lat:.7f}]}}}}\n')
        # the reference gets the jurisdiction GeoTwin would find (RA ids 3 and 4 in tree order)
        r.write(f"{code},50,{text},{door},SRID=4326;POINT({lon:.7f} {lat:.7f}),{3 if lon < 7.42 else 4}\n")
    g.write("]}\n")
PY

psql_ -d postgres -c "CREATE DATABASE bench_template"
GEOTWIN_DB="$(db_url bench_template)" dotnet "$SERVER_DLL" import "$WORK/tree.geojson" --layer jurisdictions >/dev/null 2>&1
[ "$(psql_ -d bench_template -Atc "SELECT string_agg(code, ',' ORDER BY id) FROM jurisdictions")" = "MC,ST1,RA1,RA2" ] || { echo "tree not loaded as expected" >&2; exit 1; }

run_geotwin() { # file -> "seconds peak_MiB"
    local db="run_$RANDOM$RANDOM" out
    psql_ -d postgres -c "CREATE DATABASE $db TEMPLATE bench_template"
    out="$(GEOTWIN_DB="$(db_url "$db")" /usr/bin/time -v dotnet "$SERVER_DLL" import "$1" --layer addresses 2>&1)"
    grep -q "1,000,000 inserted\|$ROWS inserted\|inserted" <<<"$out" || { echo "$out" >&2; exit 1; }
    [ "$(psql_ -d "$db" -Atc "SELECT count(*) FROM addresses")" = "$ROWS" ] || { echo "$out" >&2; exit 1; }
    psql_ -d postgres -c "DROP DATABASE $db"
    echo "$(wall "$out") $(peak "$out")"
}

run_copy() { # -> seconds
    local db="ref_$RANDOM$RANDOM" t0 t1
    psql_ -d postgres -c "CREATE DATABASE $db TEMPLATE bench_template"
    t0=$(date +%s%3N)
    psql_ -d "$db" -c "\\copy addresses (code, element_type, full_text, door_number, location, jurisdiction_id) FROM '$WORK/ref.csv' CSV"
    t1=$(date +%s%3N)
    psql_ -d postgres -c "DROP DATABASE $db"
    awk "BEGIN { print ($t1 - $t0) / 1000 }"
}

run_copy_bare() { # -> seconds: the same COPY into a table of the same columns with no index, constraint or trigger
    local db="bare_$RANDOM$RANDOM" t0 t1
    psql_ -d postgres -c "CREATE DATABASE $db TEMPLATE bench_template"
    # jurisdiction_path may stay empty here: in addresses a trigger fills it, and this table has no trigger
    psql_ -d "$db" -c "CREATE TABLE addresses_bare (LIKE addresses INCLUDING DEFAULTS INCLUDING IDENTITY); ALTER TABLE addresses_bare ALTER jurisdiction_path DROP NOT NULL"
    t0=$(date +%s%3N)
    psql_ -d "$db" -c "\\copy addresses_bare (code, element_type, full_text, door_number, location, jurisdiction_id) FROM '$WORK/ref.csv' CSV" >&2 || { echo "unindexed copy failed" >&2; exit 1; }
    t1=$(date +%s%3N)
    [ "$(psql_ -d "$db" -Atc "SELECT count(*) FROM addresses_bare")" = "$ROWS" ] || { echo "unindexed copy incomplete" >&2; exit 1; }
    psql_ -d postgres -c "DROP DATABASE $db"
    awk "BEGIN { print ($t1 - $t0) / 1000 }"
}

declare -a gj gjm cs csm cp cb
for i in $(seq 1 "$RUNS"); do
    read -r s m <<<"$(run_geotwin "$WORK/a.geojson")"; gj+=("$s"); gjm+=("$m")
    read -r s m <<<"$(run_geotwin "$WORK/a.csv")"; cs+=("$s"); csm+=("$m")
    cp+=("$(run_copy)")
    cb+=("$(run_copy_bare)")
    printf 'run %d: geojson %ss %sMiB | csv %ss %sMiB | psql COPY %ss | unindexed COPY %ss\n' "$i" "${gj[-1]}" "${gjm[-1]}" "${cs[-1]}" "${csm[-1]}" "${cp[-1]}" "${cb[-1]}" >&2
done
mgj=$(printf '%s\n' "${gj[@]}" | median); mcs=$(printf '%s\n' "${cs[@]}" | median); mcp=$(printf '%s\n' "${cp[@]}" | median)
mcb=$(printf '%s\n' "${cb[@]}" | median)
mgjm=$(printf '%s\n' "${gjm[@]}" | median); mcsm=$(printf '%s\n' "${csm[@]}" | median)
rate() { awk "BEGIN { printf \"%.0f\", $ROWS / $1 }"; }
ratio() { awk "BEGIN { printf \"%.2fx\", $1 / $mcp }"; }
echo "| source ($ROWS address points) | file size | median s | rows/s | peak memory | time / psql COPY |"
echo "|---|---|---|---|---|---|"
echo "| GeoJSON FeatureCollection | $(($(stat -c %s "$WORK/a.geojson") >> 20)) MiB | $mgj | $(rate "$mgj") | $mgjm MiB | $(ratio "$mgj") |"
echo "| CSV (lon, lat) | $(($(stat -c %s "$WORK/a.csv") >> 20)) MiB | $mcs | $(rate "$mcs") | $mcsm MiB | $(ratio "$mcs") |"
echo "| reference: psql \\copy of the same rows as CSV into addresses | $(($(stat -c %s "$WORK/ref.csv") >> 20)) MiB | $mcp | $(rate "$mcp") | | 1.00x |"
echo "| floor: the same psql \\copy into a table of the same columns without indexes, constraints or triggers | $(($(stat -c %s "$WORK/ref.csv") >> 20)) MiB | $mcb | $(rate "$mcb") | | $(ratio "$mcb") |"
echo "runs: $RUNS; machine: $(machine)"
