#!/usr/bin/env bash
# tests/bench/backlog_bench.sh - issue 6 "Speed": the public backlog API and the
# cached public roadmap at N ideas (default 100000), each next to its ceiling,
# in one run on this machine:
#
#   tests/bench/backlog_bench.sh [N]       (DURATION=15 CONNS=64 to change;
#                                           HOLD=1 keeps it all up at the end)
#
#   1. GET /api/v1/backlog?view=public&limit=50 under wrk (64 connections)
#      vs pgbench running the exact SQL the service runs for it (taken from
#      intake/views.c at run time: sql_public with limit 50 and every filter
#      NULL), 64 clients, -M prepared.          target: >= 0.8x, p99 <= 25 ms
#   2. GET /roadmap/public?format=json (cached in the service) vs nginx
#      serving the same bytes as a static file.  target: >= 0.5x
#
# It installs what is missing (wrk, nginx-light, pgbench) with apt-get, builds
# build/ (RelWithDebInfo) when needed, runs its own throwaway PostgreSQL
# cluster (initdb in a temp dir, as the postgres user when root, Unix socket
# only) seeded with tests/bench/backlog_seed.sql, and removes everything on
# exit. The server's per-request JSON log goes to a file, not the terminal.
# Not run by ctest. Exit status: 0 when every target is met, 3 otherwise.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
N=${1:-100000}
DURATION=${DURATION:-15}
CONNS=${CONNS:-64}
PGPORT=${PGPORT:-55439}
PGBIN=/usr/lib/postgresql/15/bin
say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# ---- what it needs ------------------------------------------------------------
need=()
command -v wrk >/dev/null || need+=(wrk)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
[ -x "$PGBIN/pgbench" ] && [ -x "$PGBIN/initdb" ] || need+=(postgresql-15 postgresql-contrib)
command -v psql >/dev/null || need+=(postgresql-client-15)
command -v curl >/dev/null || need+=(curl)
command -v python3 >/dev/null || need+=(python3)
if [ ${#need[@]} -gt 0 ]; then
  say "installing Debian packages: ${need[*]}"
  sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  if [ ! -f /etc/postgresql-common/createcluster.conf ]; then
    "${sudo[@]}" mkdir -p /etc/postgresql-common
    echo "create_main_cluster = false" | "${sudo[@]}" tee /etc/postgresql-common/createcluster.conf >/dev/null
  fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  # Debian starts nginx on port 80 when it installs it: not ours to keep
  if [[ " ${need[*]} " == *" nginx-light "* ]] && command -v systemctl >/dev/null; then
    "${sudo[@]}" systemctl disable --now nginx >/dev/null 2>&1 || true
  fi
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

if [ ! -x build/ideatriage ] || ! grep -q 'CMAKE_BUILD_TYPE:STRING=RelWithDebInfo' build/CMakeCache.txt 2>/dev/null; then
  say "building build/ (RelWithDebInfo)"
  cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DIDEATRIAGE_TESTS=OFF >/dev/null
fi
cmake --build build -j "$(nproc)" >/dev/null
BIN=${IDEATRIAGE_BIN:-$ROOT/build/ideatriage} # IDEATRIAGE_BIN: compare another build

# ---- a throwaway cluster --------------------------------------------------------
WORK=$(mktemp -d /var/tmp/backlog-bench.XXXXXX)
chmod 755 "$WORK" # the postgres user (root runs) and nginx's workers reach inside
PGDATA=$WORK/pg SOCK=$WORK/sock
SERVE_PID= NGINX_PID=
as_pg=()
if [ "$(id -u)" -eq 0 ]; then as_pg=(runuser -u postgres --); fi
cleanup() {
  set +e
  [ -n "$SERVE_PID" ] && kill "$SERVE_PID" 2>/dev/null && wait "$SERVE_PID" 2>/dev/null
  [ -n "${UNCACHED_PID:-}" ] && kill "$UNCACHED_PID" 2>/dev/null && wait "$UNCACHED_PID" 2>/dev/null
  [ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null
  [ -f "$PGDATA/postmaster.pid" ] && "${as_pg[@]}" "$PGBIN/pg_ctl" -D "$PGDATA" -m immediate stop >/dev/null 2>&1
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$PGDATA" "$SOCK" "$WORK/www"
[ "$(id -u)" -eq 0 ] && chown postgres: "$PGDATA" "$SOCK"
say "PostgreSQL 15 cluster in $PGDATA (socket $SOCK, port $PGPORT)"
"${as_pg[@]}" "$PGBIN/initdb" -D "$PGDATA" -U postgres -A trust -E UTF8 --no-sync >"$WORK/initdb.log" 2>&1 \
  || { cat "$WORK/initdb.log" >&2; exit 1; }
# 64 pgbench clients + one connection per server worker; durability does not
# matter for a read benchmark on a throwaway cluster
PGOPTS="-p $PGPORT -k $SOCK -c listen_addresses='' -c max_connections=200 -c shared_buffers=256MB"
PGOPTS+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c jit=off"
"${as_pg[@]}" "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w -t 60 start -o "$PGOPTS" >/dev/null \
  || { cat "$PGDATA/server.log" >&2; exit 1; }
export PGHOST=$SOCK PGPORT PGUSER=postgres
"$PGBIN/createdb" ideatriage
export DATABASE_URL="postgresql:///ideatriage?host=$SOCK&port=$PGPORT&user=postgres"
"$BIN" migrate 2>"$WORK/migrate.log" || { cat "$WORK/migrate.log" >&2; exit 1; }

say "seeding $N ideas (tests/bench/backlog_seed.sql)"
t0=$(date +%s.%N)
psql -q -X -d ideatriage -v n="$N" -f tests/bench/backlog_seed.sql -P pager=off
printf 'seeded in %.1f s\n' "$(echo "$(date +%s.%N) - $t0" | bc -l)"

# ---- the SQL the service runs, from intake/views.c -------------------------------
python3 - "$ROOT/intake/views.c" >"$WORK/public.sql" <<'PY'
import re, sys
src = open(sys.argv[1]).read()
tok = re.compile(r'"((?:\\.|[^"\\])*)"|\b([A-Z_][A-Z0-9_]*)\b')
defs = {}
for m in re.finditer(r'^#define\s+([A-Z_]+)\s*((?:.*\\\n)*.*)$', src, re.M):
    defs[m.group(1)] = m.group(2)
def expand(text):
    out = []
    for t in tok.finditer(text):
        if t.group(1) is not None:
            out.append(bytes(t.group(1), 'utf-8').decode('unicode_escape'))
        elif t.group(2) in defs:
            out.append(expand(defs[t.group(2)]))
    return ''.join(out)
m = re.search(r'static const char sql_public\[\]\s*=\s*(.*?);\n', src, re.S)
if not m:
    sys.exit('sql_public not found in intake/views.c')
sql = expand(m.group(1))
# the API call's parameters: $1 limit = 50, every filter ($2..$10) NULL
sql = re.sub(r'\$(\d+)', lambda p: '50' if p.group(1) == '1' else 'NULL', sql)
# pgbench reads ":name" as a variable even inside a string literal
# ('...HH24:MI:SS...'): spell those colons chr(58), which the planner folds
# into the same constant
sql = re.sub(r"'[^']*'", lambda l: re.sub(r':(?=[A-Za-z])', "' || chr(58) || '", l.group(0))
             if re.search(r':[A-Za-z]', l.group(0)) else l.group(0), sql)
print(sql + ';')
PY
printf 'equivalent SQL (%s bytes): %.160s...\n' "$(wc -c <"$WORK/public.sql")" "$(cat "$WORK/public.sql")"

# ---- the service ------------------------------------------------------------------
port_free() { ! (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null; }
pick_port() { local p; for p in "$@"; do port_free "$p" && { echo "$p"; return; }; done; echo "no free port" >&2; exit 1; }
APORT=$(pick_port 18439 18449 18459 18469)
say "serving on 127.0.0.1:$APORT (request log to $WORK/serve.log, not the terminal)"
# wrk's connections all come from 127.0.0.1: the per-address limits that
# protect a public server would measure themselves, not the service
echo '{"ratelimit": {"public_per_s": 0, "signin_per_min": 0}, "http": {"max_connections_per_client": 4096}}' \
  >"$WORK/bench.json"
IDEATRIAGE_LISTEN=127.0.0.1:$APORT "$BIN" serve --config "$WORK/bench.json" >"$WORK/serve.out" 2>"$WORK/serve.log" &
SERVE_PID=$!
for _ in $(seq 150); do curl -fs "http://127.0.0.1:$APORT/healthz" >/dev/null && break; sleep 0.2; done
curl -fs "http://127.0.0.1:$APORT/readyz" >/dev/null || { tail -20 "$WORK/serve.log" >&2; exit 1; }
grep -o '"workers":[0-9]*' "$WORK/serve.log" | head -1 | sed 's/"workers":/server workers: /'
API="http://127.0.0.1:$APORT/api/v1/backlog?view=public&limit=50"
ROADMAP="http://127.0.0.1:$APORT/roadmap/public?format=json"

# the API answers what the SQL returns, and never a hidden idea
curl -fs "$API" >"$WORK/api.json"
psql -X -At -d ideatriage -f "$WORK/public.sql" | cut -d'|' -f1 >"$WORK/sql.ids"
python3 - "$WORK/api.json" "$WORK/sql.ids" <<'PY'
import json, sys
items = json.load(open(sys.argv[1]))["items"]
ids = [int(x) for x in open(sys.argv[2]).read().split()]
api = [it["id"] for it in items]
assert len(items) == 50, f"the API gave {len(items)} items, not 50"
assert api == ids, f"the API's ids differ from the SQL's: {api[:5]}... vs {ids[:5]}..."
bad = [it["id"] for it in items if it.get("category") == "security" and it.get("status") != "shipped"]
assert not bad, f"unshipped security ideas in the public view: {bad}"
print(f"check: the API's 50 ids equal the SQL's, best score {items[0]['score']}, none hidden shown")
PY

# wrk prints "Requests/sec" and, with --latency, a 99% line; both to key=value
wrk_run() { # URL -> prints rps=, p99_ms=, errors
  local out
  out=$(wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency "$1")
  echo "$out" | sed 's/^/    /' >&2
  python3 - "$out" <<'PY'
import re, sys
out = sys.argv[1]
rps = float(re.search(r'Requests/sec:\s*([\d.]+)', out).group(1))
m = re.search(r'^\s*99%\s+([\d.]+)(us|ms|s)\b', out, re.M)
p99 = float(m.group(1)) * {'us': 0.001, 'ms': 1, 's': 1000}[m.group(2)]
bad = re.search(r'Non-2xx or 3xx responses:\s*(\d+)', out)
errs = re.search(r'Socket errors:.*', out)
print(f"rps={rps:.0f} p99_ms={p99:.2f} non2xx={bad.group(1) if bad else 0}")
PY
}
kv() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" <<<"$2"; }

# ---- 1. backlog API vs pgbench -----------------------------------------------------
say "warm-up: API and SQL (5 s each)"
wrk -t2 -c"$CONNS" -d5s "$API" >/dev/null
"$PGBIN/pgbench" -n -c "$CONNS" -j 2 -T 5 -M prepared -f "$WORK/public.sql" ideatriage >"$WORK/pgbench-warmup.log" 2>&1 \
  || { tail -5 "$WORK/pgbench-warmup.log" >&2; exit 1; }

say "pgbench: the public backlog SQL, $CONNS clients, -j 2, -M prepared, ${DURATION} s"
PGB=$("$PGBIN/pgbench" -n -c "$CONNS" -j 2 -T "$DURATION" -M prepared -f "$WORK/public.sql" ideatriage 2>&1)
echo "$PGB" | grep -E 'latency average|latency stddev|tps|failed' | sed 's/^/    /'
PG_TPS=$(echo "$PGB" | sed -n 's/^tps = \([0-9.]*\).*/\1/p' | head -1)

say "wrk: GET /api/v1/backlog?view=public&limit=50, $CONNS connections, ${DURATION} s"
API_R=$(wrk_run "$API")
API_RPS=$(kv rps "$API_R") API_P99=$(kv p99_ms "$API_R") API_BAD=$(kv non2xx "$API_R")

# the same API with its public cache off (http.public_cache_ms 0): every request
# runs the SQL, so this is the service's own overhead next to pgbench
UPORT=$(pick_port 18441 18451 18461 18471)
echo '{"ratelimit": {"public_per_s": 0, "signin_per_min": 0},
       "http": {"public_cache_ms": 0, "max_connections_per_client": 4096}}' >"$WORK/nocache.json"
IDEATRIAGE_LISTEN=127.0.0.1:$UPORT "$BIN" serve --config "$WORK/nocache.json" >"$WORK/serve-nocache.out" \
  2>"$WORK/serve-nocache.log" &
UNCACHED_PID=$!
for _ in $(seq 150); do curl -fs "http://127.0.0.1:$UPORT/readyz" >/dev/null && break; sleep 0.2; done
say "wrk: the same API with the public cache off, $CONNS connections, ${DURATION} s"
wrk -t2 -c"$CONNS" -d5s "http://127.0.0.1:$UPORT/api/v1/backlog?view=public&limit=50" >/dev/null
UN_R=$(wrk_run "http://127.0.0.1:$UPORT/api/v1/backlog?view=public&limit=50")
UN_RPS=$(kv rps "$UN_R") UN_P99=$(kv p99_ms "$UN_R")
kill "$UNCACHED_PID" 2>/dev/null || true
wait "$UNCACHED_PID" 2>/dev/null || true

# ---- 2. cached public roadmap vs nginx ---------------------------------------------
curl -fs -o "$WORK/www/roadmap.json" "$ROADMAP"
curl -fs -o "$WORK/roadmap.again" "$ROADMAP"
cmp -s "$WORK/www/roadmap.json" "$WORK/roadmap.again" || { echo "the roadmap changed between two reads" >&2; exit 1; }
chmod 644 "$WORK/www/roadmap.json"
NPORT=$(pick_port 18440 18450 18460 18470)
cat >"$WORK/nginx.conf" <<EOF
worker_processes 2;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
daemon off;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  keepalive_timeout 60s;
  client_body_temp_path $WORK/nginx-tmp;
  proxy_temp_path $WORK/nginx-tmp;
  fastcgi_temp_path $WORK/nginx-tmp;
  uwsgi_temp_path $WORK/nginx-tmp;
  scgi_temp_path $WORK/nginx-tmp;
  types { application/json json; }
  server {
    listen 127.0.0.1:$NPORT;
    root $WORK/www;
  }
}
EOF
mkdir -p "$WORK/nginx-tmp"
"$NGINX" -c "$WORK/nginx.conf" -p "$WORK" &
NGINX_PID=$!
for _ in $(seq 50); do curl -fs -o /dev/null "http://127.0.0.1:$NPORT/roadmap.json" && break; sleep 0.1; done
curl -fs "http://127.0.0.1:$NPORT/roadmap.json" | cmp -s - "$WORK/www/roadmap.json" \
  || { echo "nginx does not serve the same bytes" >&2; cat "$WORK/nginx-error.log" >&2; exit 1; }
printf 'public roadmap JSON: %s bytes, %s ideas\n' "$(wc -c <"$WORK/www/roadmap.json")" \
  "$(grep -o '"id":' "$WORK/www/roadmap.json" | wc -l)"

say "warm-up: roadmap and nginx (5 s each)"
wrk -t2 -c"$CONNS" -d5s "$ROADMAP" >/dev/null
wrk -t2 -c"$CONNS" -d5s "http://127.0.0.1:$NPORT/roadmap.json" >/dev/null
say "wrk: GET /roadmap/public?format=json (cached), $CONNS connections, ${DURATION} s"
RM_R=$(wrk_run "$ROADMAP")
say "wrk: nginx, the same bytes as a static file, $CONNS connections, ${DURATION} s"
NG_R=$(wrk_run "http://127.0.0.1:$NPORT/roadmap.json")
RM_RPS=$(kv rps "$RM_R") NG_RPS=$(kv rps "$NG_R") RM_BAD=$(kv non2xx "$RM_R")

# ---- summary ------------------------------------------------------------------------
rc=0
{ python3 - "$N" "$CONNS" "$PG_TPS" "$API_RPS" "$API_P99" "$API_BAD" "$RM_RPS" "$(kv p99_ms "$RM_R")" \
  "$RM_BAD" "$NG_RPS" "$(kv p99_ms "$NG_R")" "$(nproc)" "$UN_RPS" "$UN_P99" <<'PY'
import sys
n, conns, pg, api, p99, api_bad, rm, rm_p99, rm_bad, ng, ng_p99, cpus, un, un_p99 = sys.argv[1:]
un = float(un)
pg, api, p99, rm, ng = float(pg), float(api), float(p99), float(rm), float(ng)
ok = lambda b: "MET" if b else "NOT MET"
r1, r2 = api / pg, rm / ng
t1, t2, t3 = r1 >= 0.8, p99 <= 25, r2 >= 0.5
t1 = t1 and api_bad == "0"
t3 = t3 and rm_bad == "0"
print(f"""
== backlog benchmark: {n} ideas, {conns} connections, {cpus} CPUs, everything on 127.0.0.1
  pgbench, public backlog SQL      {pg:10.0f} tps
  API /api/v1/backlog public, 50   {api:10.0f} req/s   p99 {p99:.2f} ms   non-2xx {api_bad}
  API / pgbench                    {r1:10.2f}x        target >= 0.8x: {ok(r1 >= 0.8 and api_bad == "0")}
  API p99                          {p99:10.2f} ms      target <= 25 ms: {ok(p99 <= 25)}
  API with the public cache off    {un:10.0f} req/s   p99 {un_p99} ms   ({un / pg:.2f}x pgbench; not a target: the service's own cost per request)
  cached /roadmap/public?format=json {rm:8.0f} req/s   p99 {rm_p99} ms   non-2xx {rm_bad}
  nginx, same bytes, static file   {ng:10.0f} req/s   p99 {ng_p99} ms
  roadmap / nginx                  {r2:10.2f}x        target >= 0.5x: {ok(t3)}""")
sys.exit(0 if (t1 and t2 and t3) else 3)
PY
} || rc=$?
if [ -n "${HOLD:-}" ]; then # look around before everything is removed
  echo "HOLD: psql \"$DATABASE_URL\"; the service on 127.0.0.1:$APORT (log $WORK/serve.log); Enter ends" >&2
  read -r _ || true
fi
exit $rc
