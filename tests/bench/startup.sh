#!/usr/bin/env bash
# Start-up time of `./geotwin up` until /readyz answers 200, cold (fresh data directory) and warm
# (second start on the same data), next to bare PostgreSQL doing the same in the same run:
# cold = initdb + start + CREATE EXTENSION postgis, pgrouting; warm = start until it accepts.
# Usage: tests/bench/startup.sh [runs]   (default 5). Prints medians in ms and the ratios.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
RUNS="${1:-5}"
PGBIN=/usr/lib/postgresql/15/bin
PG_USER=postgres
[ "$(id -u)" -eq 0 ] || PG_USER="$(id -un)"

"$ROOT/geotwin" build >/dev/null
now_ms() { date +%s%3N; }
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
as_pg() { if [ "$(id -u)" -eq 0 ]; then setpriv --reuid="$PG_USER" --regid="$(id -g "$PG_USER")" --init-groups -- "$@"; else "$@"; fi; }
# exec, so that $! of `as_pg_exec ... &` is PostgreSQL itself and not a subshell that ignores SIGINT
as_pg_exec() { if [ "$(id -u)" -eq 0 ]; then exec setpriv --reuid="$PG_USER" --regid="$(id -g "$PG_USER")" --init-groups -- "$@"; else exec "$@"; fi; }

geotwin_start() { # data dir -> ms until /readyz 200
    local data="$1" port t0 t1 pid
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    t0=$(now_ms)
    "$ROOT/geotwin" up --port "$port" --data "$data" >/dev/null 2>&1 &
    pid=$!
    until curl -sf -o /dev/null "http://127.0.0.1:$port/readyz"; do sleep 0.05; done
    t1=$(now_ms)
    kill -TERM "$pid"; wait "$pid" || true
    echo $((t1 - t0))
}

postgres_start() { # data dir, cold|warm -> ms until it accepts (and has the extensions, when cold)
    local data="$1" kind="$2" port t0 t1 pid
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    t0=$(now_ms)
    if [ "$kind" = cold ]; then as_pg "$PGBIN/initdb" -D "$data/pg" -U bench --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null; fi
    as_pg_exec "$PGBIN/postgres" -D "$data/pg" -p "$port" -c listen_addresses=127.0.0.1 -c unix_socket_directories= >/dev/null 2>&1 &
    pid=$!
    until "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$port"; do sleep 0.05; done
    if [ "$kind" = cold ]; then
        "$PGBIN/psql" -q -h 127.0.0.1 -p "$port" -U bench -d postgres -c "CREATE EXTENSION postgis; CREATE EXTENSION pgrouting" >/dev/null
    fi
    t1=$(now_ms)
    kill -INT "$pid"; wait "$pid" || true
    echo $((t1 - t0))
}

declare -a gc gw pc pw
for i in $(seq 1 "$RUNS"); do
    d=$(mktemp -d /tmp/geotwin-bench-XXXXXX); chmod 755 "$d"
    gc+=("$(geotwin_start "$d")"); gw+=("$(geotwin_start "$d")")
    rm -rf "$d"
    d=$(mktemp -d /tmp/geotwin-bench-XXXXXX); chmod 755 "$d"; [ "$(id -u)" -eq 0 ] && chown "$PG_USER" "$d"
    pc+=("$(postgres_start "$d" cold)"); pw+=("$(postgres_start "$d" warm)")
    rm -rf "$d"
    printf 'run %d: geotwin cold %s warm %s | postgres cold %s warm %s\n' "$i" "${gc[-1]}" "${gw[-1]}" "${pc[-1]}" "${pw[-1]}" >&2
done
mgc=$(printf '%s\n' "${gc[@]}" | median); mgw=$(printf '%s\n' "${gw[@]}" | median)
mpc=$(printf '%s\n' "${pc[@]}" | median); mpw=$(printf '%s\n' "${pw[@]}" | median)
echo "| start | ./geotwin up to /readyz 200 (median ms) | bare PostgreSQL (median ms) | ratio |"
echo "|---|---|---|---|"
echo "| cold (fresh data directory) | $mgc | $mpc | $(awk "BEGIN { printf \"%.1fx\", $mgc / $mpc }") |"
echo "| warm (same data directory) | $mgw | $mpw | $(awk "BEGIN { printf \"%.1fx\", $mgw / $mpw }") |"
echo "runs: $RUNS; machine: $(nproc) cores, $(free -g | awk '/Mem:/ { print $2 }') GiB, $(uname -r)"
