#!/usr/bin/env bash
# Vector tiles as a peer measures them: an outside client (Node, its own process, keep-alive, Accept-Encoding: gzip,
# as a browser asks) over the demo's houses+roads tiles at z14-z16 (every tile over the city bureau's extent: 89 on
# the Monaco demo), one at a time and six in flight, beside the floor: node-postgres sending the same two layer
# queries under the same scoped role (set_config role + geotwin.scope, RLS). Reads tests/bench/tiles-client/client.mjs.
#
# One PostgreSQL (lib.sh's private cluster, trust auth) serves two `serve --demo` GeoTwin servers: "uncached" runs
# with GeoTwin:Tiles:CacheBytes=0 (the tile cache's capacity: nothing fits, so every tile is built from PostgreSQL;
# the setting, not a data-version bump, so every round is uncached alike), "cached" with the default 256 MiB.
# CPU per tile: utime+stime from /proc/<pid>/stat of the server and of every process of the cluster, before/after.
# Prints markdown rows: per zoom, per way (floor / uncached / cached) at 1 and 6 in flight, medians over the rounds.
# Usage: tests/bench/tiles_outside.sh [rounds]   (default 5). Needs node, npm (the client's one dependency: pg).
# GEOTWIN_SERVER_DLL=/elsewhere/GeoTwin.Server.dll times another build (e.g. an older commit's, for a before/after).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ROUNDS="${1:-5}"
CLIENT="$ROOT/tests/bench/tiles-client"

if [ -n "${GEOTWIN_SERVER_DLL:-}" ]; then SERVER_DLL="$GEOTWIN_SERVER_DLL"
else dotnet build "$ROOT/server/GeoTwin.Server" -c Release -nologo -v quiet -clp:ErrorsOnly >/dev/null; fi
[ -d "$CLIENT/node_modules/pg" ] || (cd "$CLIENT" && npm ci --no-audit --no-fund >/dev/null)

bench_postgres tiles
psql_ -d postgres -c "CREATE DATABASE geotwin"
SERVERS=()
stop_servers() { for pid in "${SERVERS[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; done; bench_cleanup; }
trap stop_servers EXIT

start_server() { # name cache-bytes -> URL_<name>, PID_<name>
    mkdir -p "$WORK/$1"
    GEOTWIN_DB="$(db_url geotwin)" GeoTwin__Tiles__CacheBytes="$2" GeoTwin__Jobs__Worker=false \
        GeoTwin__Auth__PublicRequestsPerMinute=1000000 Logging__LogLevel__Default=Warning \
        dotnet "$SERVER_DLL" serve --demo --port 0 --data "$WORK/$1/data" >"$WORK/$1/server.log" 2>&1 &
    local pid=$!
    SERVERS+=("$pid")
    for _ in $(seq 1 600); do grep -q "running at" "$WORK/$1/server.log" && break; sleep 0.5; done
    local url
    url="$(sed -nE 's/.*running at (http:[^ ]*)\/ .*/\1/p' "$WORK/$1/server.log")"
    [ -n "$url" ] || { cat "$WORK/$1/server.log" >&2; exit 1; }
    printf -v "URL_$1" '%s' "$url"
    printf -v "PID_$1" '%s' "$pid"
}
start_server uncached 0   # first: loads the demo into the empty database
start_server cached $((256 << 20))
psql_ -d geotwin -c ANALYZE
POSTMASTER_PID="$(head -1 "$WORK/pg/postmaster.pid")"

echo "machine: $(machine); load average before: $(cut -d' ' -f1-3 /proc/loadavg); commit $(git -C "$ROOT" rev-parse --short HEAD)"
UNCACHED_URL="$URL_uncached" UNCACHED_PID="$PID_uncached" CACHED_URL="$URL_cached" CACHED_PID="$PID_cached" \
    POSTMASTER_PID="$POSTMASTER_PID" PG_URL="postgres://bench@127.0.0.1:$PORT/geotwin" \
    SQL_DIR="$ROOT/server/GeoTwin.Server/Tiles/Layers" node "$CLIENT/client.mjs" "$ROUNDS"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
