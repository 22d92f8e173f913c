#!/usr/bin/env bash
# 3D Tiles requests/s served by GeoTwin next to nginx serving the same files, in one run.
# GeoTwin: `serve --demo` on a fresh data folder, the houses tileset its demo start builds, requests signed in
# (cookie) as a viewer sends them; nginx (Debian package) started here on a free port with a temporary config,
# root = the same tileset folder, gzip_static on. Load generator: ab (apache2-utils), keep-alive,
# Accept-Encoding: gzip, so both answer with the precompressed .gz beside each file.
# Rounds alternate GeoTwin and nginx; the median requests/s of each and the median of per-round ratios are reported.
# Also times the OSGB conversion job (Production_5 uploaded as a zip, polled to done).
# Usage: tests/bench/3dtiles.sh [rounds] [requests] [concurrency]   (defaults 5, 3000, 8)
# Needs: apt-get install nginx-light apache2-utils (or nginx).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
ROUNDS="${1:-5}" REQUESTS="${2:-3000}" CONCURRENCY="${3:-8}"
for tool in nginx ab curl python3; do
    command -v "$tool" >/dev/null || PATH="$PATH:/usr/sbin" command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install nginx-light apache2-utils)" >&2; exit 2; }
done
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"

dotnet build "$ROOT/server/GeoTwin.Server" -c Release -nologo -v quiet -clp:ErrorsOnly >/dev/null
WORK="$(mktemp -d)"; chmod 755 "$WORK"
SERVER_PID="" NGINX_PID=""
cleanup() {
    [ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null || true
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
median() { grep . | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
now_ms() { date +%s%3N; }

dotnet "$ROOT/server/GeoTwin.Server/bin/Release/net10.0/GeoTwin.Server.dll" serve --demo --port 0 --data "$WORK/data" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 240); do grep -q "running at" "$WORK/server.log" && break; sleep 0.5; done
URL="$(sed -nE 's/.*running at (http:[^ ]*)\/ .*/\1/p' "$WORK/server.log")"
[ -n "$URL" ] || { cat "$WORK/server.log" >&2; exit 1; }
curl -s -c "$WORK/cookies" -H 'Content-Type: application/json' -d '{"username":"admin","password":"demo-admin"}' "$URL/api/auth/login" >/dev/null
AUTH="$(awk '$6 == "geotwin.auth" { print $7 }' "$WORK/cookies")"
CSRF="$(awk '$6 == "geotwin.csrf" { print $7 }' "$WORK/cookies")"
VERSION=""
for _ in $(seq 1 240); do
    VERSION="$(curl -s -b "$WORK/cookies" "$URL/api/tilesets" | python3 -c 'import json,sys; print(next((t["version"] for t in json.load(sys.stdin) if t["name"] == "houses"), ""))')"
    [ -n "$VERSION" ] && break; sleep 0.5
done
[ -n "$VERSION" ] || { echo "the houses tileset was not built" >&2; exit 1; }
TILESETS="$WORK/data/tilesets"
GLB="$(cd "$TILESETS/houses/$VERSION" && find tiles -name '*.glb' -printf '%s %p\n' | sort -n | awk '{ a[NR] = $2 } END { print a[int((NR + 1) / 2)] }')"  # the median-sized tile

PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
cat >"$WORK/nginx.conf" <<EOF
daemon off;
worker_processes auto;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $WORK/nginx-tmp;
    proxy_temp_path $WORK/nginx-tmp;
    fastcgi_temp_path $WORK/nginx-tmp;
    uwsgi_temp_path $WORK/nginx-tmp;
    scgi_temp_path $WORK/nginx-tmp;
    types { model/gltf-binary glb; application/json json; application/octet-stream b3dm subtree bin; }
    sendfile on;
    gzip_static on;
    server {
        listen 127.0.0.1:$PORT;
        root $TILESETS;
        add_header Cache-Control "private, max-age=31536000, immutable";
    }
}
EOF
mkdir -p "$WORK/nginx-tmp"
"$NGINX" -c "$WORK/nginx.conf" -e "$WORK/nginx-error.log" &
NGINX_PID=$!
sleep 1

GEOTWIN_GLB="$URL/3dtiles/houses/v/$VERSION/$GLB"
NGINX_GLB="http://127.0.0.1:$PORT/houses/$VERSION/$GLB"
# Same bytes from both, else the comparison is meaningless.
cmp <(curl -s -H 'Accept-Encoding: gzip' -b "$WORK/cookies" "$GEOTWIN_GLB") <(curl -s -H 'Accept-Encoding: gzip' "$NGINX_GLB") \
    || cmp <(curl -s -b "$WORK/cookies" "$GEOTWIN_GLB") <(curl -s "$NGINX_GLB")
BYTES="$(curl -s -H 'Accept-Encoding: gzip' "$NGINX_GLB" | wc -c)"
rps() { ab -k -q -c "$CONCURRENCY" -n "$REQUESTS" -H 'Accept-Encoding: gzip' "$@" 2>/dev/null | awk '/Requests per second/ { print $4 }'; }

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); tile $GLB, $BYTES bytes as sent"
rps -C "geotwin.auth=$AUTH" "$GEOTWIN_GLB" >/dev/null; rps "$NGINX_GLB" >/dev/null   # warm-up (JIT, page cache)
G="" N="" R=""
for round in $(seq 1 "$ROUNDS"); do
    g="$(rps -C "geotwin.auth=$AUTH" "$GEOTWIN_GLB")"
    n="$(rps "$NGINX_GLB")"
    r="$(awk -v g="$g" -v n="$n" 'BEGIN { printf "%.3f", g / n }')"
    echo "round $round: GeoTwin $g req/s, nginx $n req/s, ratio $r"
    G+="$g"$'\n'; N+="$n"$'\n'; R+="$r"$'\n'
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

# The OSGB conversion as the server runs it: upload, job, publish.
python3 -m zipfile -c "$WORK/p5.zip" "$ROOT/tests/data/osgb/Production_5/metadata.xml" "$ROOT/tests/data/osgb/Production_5/Data"
t0=$(now_ms)
LOCATION="$(curl -s -D - -o /dev/null -b "$WORK/cookies" -H "X-CSRF-Token: $CSRF" -F "file=@$WORK/p5.zip" -F name=production-5 -F outsideOk=true "$URL/api/tilesets/osgb" | sed -nE 's/^[Ll]ocation: ([^\r]*).*/\1/p')"
STATUS=""
for _ in $(seq 1 600); do
    STATUS="$(curl -s -b "$WORK/cookies" "$URL$LOCATION" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')"
    [ "$STATUS" = done ] || [ "$STATUS" = failed ] && break; sleep 0.2
done
JOB_MS=$(( $(now_ms) - t0 ))
echo "OSGB job: $STATUS in $JOB_MS ms (upload, unzip, osgconv, convert, gzip, publish)"

echo
echo "| what | GeoTwin req/s (median) | nginx req/s (median) | GeoTwin ÷ nginx (median of rounds) |"
echo "|---|---|---|---|"
printf '| median-sized houses GLB (%s bytes gzip), ab -k -c %s -n %s, %s rounds | %s | %s | %s |\n' \
    "$BYTES" "$CONCURRENCY" "$REQUESTS" "$ROUNDS" "$(median <<<"$G")" "$(median <<<"$N")" "$(median <<<"$R")"
printf '| Production_5 OSGB upload → published (job) | %s ms | | |\n' "$JOB_MS"
