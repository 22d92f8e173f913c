# Shared setup of the benchmarks that run on their own private PostgreSQL (hotspots.sh, import.sh, warnings.sh):
# sourced, not run. `bench_postgres NAME` makes the work folder /tmp/geotwin-bench-NAME-XXXXXX (WORK), starts a fresh
# cluster on a free local port (PORT, user bench, trust auth) and stops and removes both on exit; the helpers below
# read timings the same way in every script, so their figures compare.
# shellcheck shell=bash
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PGBIN=/usr/lib/postgresql/15/bin
PG_USER=postgres
[ "$(id -u)" -eq 0 ] || PG_USER="$(id -un)"
SERVER_DLL="$ROOT/server/GeoTwin.Server/bin/Release/net10.0/GeoTwin.Server.dll"

# PostgreSQL refuses to run as root: as root, its commands run as the postgres user.
as_pg() { if [ "$(id -u)" -eq 0 ]; then setpriv --reuid="$PG_USER" --regid="$(id -g "$PG_USER")" --init-groups -- "$@"; else "$@"; fi; }

bench_postgres() { # name -> WORK, PORT; the cluster is stopped and WORK removed when the script exits
    WORK="$(mktemp -d "/tmp/geotwin-bench-$1-XXXXXX")"
    chmod 755 "$WORK"
    if [ "$(id -u)" -eq 0 ]; then chown "$PG_USER" "$WORK"; fi
    PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    trap bench_cleanup EXIT
    as_pg "$PGBIN/initdb" -D "$WORK/pg" -U bench --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    as_pg "$PGBIN/pg_ctl" -D "$WORK/pg" -l "$WORK/pg.log" -w -o "-p $PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=" start >/dev/null
}
bench_cleanup() { as_pg "$PGBIN/pg_ctl" -D "$WORK/pg" -m fast stop >/dev/null 2>&1 || true; rm -rf "$WORK"; }

psql_() { "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U bench "$@"; }
db_url() { echo "Host=127.0.0.1;Port=$PORT;Username=bench;Database=$1"; }

# Figures: the 1-minute load average (printed beside each step: figures compare only with the reference beside them),
# the median of numbers on stdin, h:mm:ss.ss as seconds, wall time and peak memory (VmHWM, MiB) from /usr/bin/time -v's
# output, and a key=value field of a bench program's output line.
load() { cut -d' ' -f1 /proc/loadavg; }
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
seconds() { awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }'; }
wall() { sed -nE 's/.*Elapsed \(wall clock\).*: ([0-9:.]+)$/\1/p' <<<"$1" | seconds; }
peak() { echo $(($(sed -nE 's/.*Maximum resident set size \(kbytes\): ([0-9]+)/\1/p' <<<"$1") / 1024)); }
field() { sed -nE "s/.*\b$1=([^ ]+).*/\1/p" <<<"$2" | tail -1; }
machine() { echo "$(nproc) cores, $(free -g | awk '/Mem:/ { print $2 }') GiB, $(uname -r)"; }
