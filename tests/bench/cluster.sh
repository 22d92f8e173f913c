#!/usr/bin/env bash
# Several nodes as one, on this machine, as processes on loopback (no Docker): redis-server, a PostgreSQL primary
# (`geotwin db`) and its streaming replica (`geotwin replica`: pg_basebackup -R), two GeoTwin nodes (GEOTWIN_DB,
# GEOTWIN_DB_READ, GEOTWIN_REDIS) and nginx in front (docker/nginx/geotwin.conf.template). Drives fixes through nginx
# (tests/bench/cluster_ingest.py) and runs the faults, printing what happened and the recovery times:
#   1. kill -9 one node: ingest goes on through the other; the node is started again;
#   2. kill -9 redis for 10 s: what degrades (pushes between nodes), ingest goes on; redis is started again;
#   3. kill -9 the replica's postmaster: reads fall back to the primary (/readyz readReplica); the replica restarts;
# then counts acknowledged fixes against stored rows (lost must be 0). No viewer or tile reader runs yet: the replica
# fault is judged on /readyz (readReplica), and push latency is not measured here (tests/bench/live.sh does that).
# Usage: tests/bench/cluster.sh [fixes_per_second=100] [units=200]   (needs ./geotwin build first; nginx with
# libnginx-mod-stream, redis-server). The lead runs it at 2,000 fixes/s; keep the default when checking it works.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
RATE="${1:-100}"
UNITS="${2:-200}"
DLL="$ROOT/server/GeoTwin.Server/bin/Release/net10.0/GeoTwin.Server.dll"
[ -f "$DLL" ] || { echo "build first: ./geotwin build" >&2; exit 1; }
WORK="$(mktemp -d /tmp/gt-cluster-XXXX)"; chmod 755 "$WORK"
PIDS=()
cleanup() {
  set +e
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
  sleep 3
  for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
  echo "logs and data kept in $WORK"
}
trap cleanup EXIT
# Free loopback ports, all in one interpreter start (the machine may be slow to start one).
read -r REDIS_PORT PG_PORT REPLICA_PORT NGINX_PORT JT_PORT N1 N2 J1 J2 < <(/usr/bin/python3 -c '
import socket
socks = [socket.socket() for _ in range(9)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])')
now() { date +%s%N; }
since() { local d=$(( ($(date +%s%N) - $1) / 100000000 )); echo "$((d / 10)).$((d % 10))"; } # seconds, one decimal
wait_for() { # wait_for SECONDS WHAT COMMAND...: polls until COMMAND succeeds
  local end=$((SECONDS + $1)) what=$2; shift 2
  until "$@" >/dev/null 2>&1; do
    if [ "$SECONDS" -gt "$end" ]; then echo "gave up waiting for $what" >&2; exit 1; fi
    sleep 0.2
  done
}
ready() { [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/readyz")" = 200 ]; }
acked_now() { grep -o 'acked=[0-9]*' "$WORK/driver.log" | tail -1 | cut -d= -f2; }
failed_now() { grep -o 'failed_attempts=[0-9]*' "$WORK/driver.log" | tail -1 | cut -d= -f2; }
push_failures() { cat "$WORK"/node*.log | grep -c 'pushing unit changes failed' || true; }

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores; work folder $WORK"

start_redis() { redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no >"$WORK/redis.log" 2>&1 & REDIS_PID=$!; PIDS+=("$REDIS_PID"); }
start_redis
mkdir -p "$WORK/primary" "$WORK/replica"; chmod 755 "$WORK/primary" "$WORK/replica"
dotnet "$DLL" db --data "$WORK/primary" --pg-port "$PG_PORT" >"$WORK/primary.log" 2>&1 & PIDS+=($!)
wait_for 180 "the primary" test -s "$WORK/primary/connection"
PRIMARY="$(cat "$WORK/primary/connection")"
start_replica() { dotnet "$DLL" replica --primary "$PRIMARY" --data "$WORK/replica" --pg-port "$REPLICA_PORT" >>"$WORK/replica.log" 2>&1 & REPLICA_PID=$!; PIDS+=("$REPLICA_PID"); }
start_replica
wait_for 300 "the replica" test -s "$WORK/replica/connection"
READ="$(cat "$WORK/replica/connection")"
export PGPASSWORD; PGPASSWORD="$(cat "$WORK/primary/postgres-password")"
PSQL=(psql -X -q -t -A -h 127.0.0.1 -p "$PG_PORT" -U geotwin -d geotwin -v ON_ERROR_STOP=1)

# A jurisdiction, UNITS units and an ingest token (stored as its SHA-256, as the server issues them).
SECRET="gt_cluster$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')"
HASH="$(printf %s "$SECRET" | sha256sum | cut -d' ' -f1)"
"${PSQL[@]}" <<SQL
INSERT INTO jurisdictions (code, kind, name, boundary) VALUES ('C-CITY', 'city_bureau', 'cluster', ST_Multi(ST_MakeEnvelope(7.0, 43.5, 8.0, 44.0, 4326)));
INSERT INTO police_units (call_sign, kind, jurisdiction_id) SELECT 'C' || g, 'car', (SELECT id FROM jurisdictions WHERE code = 'C-CITY') FROM generate_series(1, $UNITS) g;
INSERT INTO api_tokens (name, token_hash, purpose, jurisdiction_id) SELECT 'cluster bench', decode('$HASH', 'hex'), 'position_ingest', id FROM jurisdictions WHERE code = 'C-CITY';
SQL
"${PSQL[@]}" -c "SELECT id FROM police_units WHERE call_sign LIKE 'C%' AND jurisdiction_id = (SELECT id FROM jurisdictions WHERE code = 'C-CITY')" >"$WORK/units.txt"

start_node() { # start_node N HTTP_PORT JT_PORT
  GEOTWIN_DB="$PRIMARY" GEOTWIN_DB_READ="$READ" GEOTWIN_REDIS="127.0.0.1:$REDIS_PORT" \
  GeoTwin__Jt808__Port="$3" GeoTwin__Jt808__Address=127.0.0.1 \
    dotnet "$DLL" serve --port "$2" --data "$WORK/node$1" >>"$WORK/node$1.log" 2>&1 &
  eval "NODE$1_PID=$!"; PIDS+=($!)
}
mkdir -p "$WORK/node1" "$WORK/node2"
start_node 1 "$N1" "$J1"; start_node 2 "$N2" "$J2"
wait_for 300 "node 1" ready "$N1"; wait_for 300 "node 2" ready "$N2"
mkdir -p "$WORK/nginx"
NODE1="127.0.0.1:$N1" NODE2="127.0.0.1:$N2" JT1="127.0.0.1:$J1" JT2="127.0.0.1:$J2" LISTEN="127.0.0.1:$NGINX_PORT" \
  JT_LISTEN="127.0.0.1:$JT_PORT" NGINX_PREFIX="$WORK/nginx" \
  envsubst '$NODE1 $NODE2 $JT1 $JT2 $LISTEN $JT_LISTEN $NGINX_PREFIX' <"$ROOT/docker/nginx/geotwin.conf.template" >"$WORK/nginx/nginx.conf"
nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx/" -g 'daemon off;' & PIDS+=($!)
wait_for 30 "nginx" ready "$NGINX_PORT"
wait_for 60 "the replica to be read" sh -c "[ \"\$(curl -s http://127.0.0.1:$N1/readyz | grep -o '\"state\":\"ok\"')\" ]"
echo "up: redis :$REDIS_PORT, primary :$PG_PORT, replica :$REPLICA_PORT, nodes :$N1 :$N2 (JT/T 808 :$J1 :$J2), nginx :$NGINX_PORT (JT/T 808 :$JT_PORT)"

python3 "$ROOT/tests/bench/cluster_ingest.py" "http://127.0.0.1:$NGINX_PORT" "$SECRET" "$WORK/units.txt" "$RATE" 100000 "$WORK/acked.tsv" >"$WORK/driver.log" 2>&1 &
DRIVER=$!; PIDS+=("$DRIVER")
sleep 10 # warm-up: the load's duration, not a wait for a state
echo "ingest through nginx at $RATE fixes/s: $(acked_now) acknowledged in the first 10 s"

echo "--- fault 1: kill -9 node 1 (pid $NODE1_PID)"
A0=$(acked_now); F0=$(failed_now); T0=$(now); kill -KILL "$NODE1_PID"
sleep 10 # the fault's length
echo "10 s on node 2 alone: $(( $(acked_now) - A0 )) fixes acknowledged, $(( $(failed_now) - F0 )) batches the sender had to send again (nginx retries the rest on node 2 itself)"
T0=$(now); start_node 1 "$N1" "$J1"; wait_for 300 "node 1 back" ready "$N1"
echo "node 1 restarted and ready after $(since "$T0") s"

# Redis carries the SignalR pushes (all of them: the backplane sends even a node's own viewers' messages through it).
# Without it ingest and storage go on; pushes fail (LivePush logs each failed flush) until it is back.
echo "--- fault 2: kill -9 redis for 10 s"
A0=$(acked_now); F0=$(failed_now); P0=$(push_failures); kill -KILL "$REDIS_PID"
sleep 10 # the fault's length
echo "during the 10 s without redis: $(( $(acked_now) - A0 )) fixes acknowledged, $(( $(failed_now) - F0 )) batches sent again;" \
  "push flushes failed on the nodes: $(( $(push_failures) - P0 )); /readyz node 1 $(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$N1/readyz), node 2 $(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$N2/readyz)"
T0=$(now); start_redis; wait_for 30 "redis" redis-cli -p "$REDIS_PORT" ping
echo "redis back after $(since "$T0") s"
sleep 6 # a push queued while redis was down times out after 5 s (StackExchange.Redis's backlog): let those end first
P0=$(push_failures); sleep 5
echo "push flushes failed 6-11 s after redis returned: $(( $(push_failures) - P0 )) (0: pushes flow again)"

echo "--- fault 3: kill -9 the replica's postmaster"
RPM=$(head -1 "$WORK/replica/postgres/postmaster.pid"); T0=$(now); kill -KILL "$RPM"
wait_for 60 "reads to fall back" sh -c "[ \"\$(curl -s http://127.0.0.1:$N1/readyz | grep -o '\"state\":\"down-using-primary\"')\" ]"
echo "node 1 reads from the primary $(since "$T0") s after the kill: readReplica $(curl -s http://127.0.0.1:$N1/readyz | grep -o '"readReplica":{[^}]*}')"
wait "$REPLICA_PID" 2>/dev/null || true
T0=$(now); start_replica
wait_for 300 "the replica back" sh -c "[ \"\$(curl -s http://127.0.0.1:$N1/readyz | grep -o '\"state\":\"ok\"')\" ]"
echo "replica restarted and read again after $(since "$T0") s"

kill -TERM "$DRIVER"; wait "$DRIVER" 2>/dev/null || true
tail -1 "$WORK/driver.log"
"${PSQL[@]}" >"$WORK/count.txt" <<SQL
CREATE TEMP TABLE acked (unit_id bigint, fix_time timestamptz);
\copy acked FROM '$WORK/acked.tsv'
SELECT (SELECT count(DISTINCT (unit_id, fix_time)) FROM acked) || ' acknowledged, '
    || (SELECT count(*) FROM unit_positions WHERE unit_id IN (SELECT unit_id FROM acked)) || ' stored, '
    || (SELECT count(*) FROM (SELECT DISTINCT * FROM acked) a WHERE NOT EXISTS
          (SELECT 1 FROM unit_positions p WHERE p.unit_id = a.unit_id AND p.fix_time = a.fix_time)) || ' lost';
SQL
echo "fixes: $(cat "$WORK/count.txt")"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
