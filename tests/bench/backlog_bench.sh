#!/usr/bin/env bash
# tests/bench/backlog_bench.sh - issue 6 "Speed", restated by issue 19 so the
# headline measures what it says: the backlog API at N ideas (default 100000)
# next to PostgreSQL running the same SQL, and the cached answers next to
# nginx serving the same bytes, in one run on this machine:
#
#   tests/bench/backlog_bench.sh [N]       (DURATION=15 CONNS=64 to change;
#                                           HOLD=1 keeps it all up at the end)
#
#   1. headline: GET /api/v1/backlog?view=public&limit=50 from a server with
#      its public cache off (http.public_cache_ms 0: every request runs the
#      SQL) under wrk (64 connections) vs pgbench running the exact SQL the
#      service runs for it (taken from db/reports.c at run time: sql_public
#      with limit 50 and every filter NULL), 64 clients, -M prepared.
#                                               target: >= 0.8x, p99 <= 25 ms
#   2. the internal backlog (a triager's token, filtered
#      category=security&bridge=true; never cached) vs pgbench on sql_internal
#      with the same parameters.                 reported, not a target
#   3. cached answers (the default 5 s public cache): the same public backlog
#      URL and GET /roadmap/public?format=json, each vs nginx serving the same
#      bytes as a static file.         target: roadmap >= 0.5x nginx
#
# It installs what is missing (wrk, nginx-light, pgbench) with apt-get, builds
# build/ (RelWithDebInfo) when needed, runs its own throwaway PostgreSQL
# cluster (initdb in a temp dir, as the postgres user when root, Unix socket
# only) seeded with tests/bench/backlog_seed.sql, and removes everything on
# exit. The servers' per-request JSON logs go to files, not the terminal.
# Every figure includes the client (wrk or pgbench on the same 2 cores) and
# excludes TLS and any network beyond loopback.
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

# ---- the SQL the service runs, from db/reports.c -------------------------------------
# sql_NAME with its $n parameters bound as the API binds them for the URLs
# below: the given ones ("1=50 4='security'"), every other one NULL
extract_sql() { # NAME BINDS -> SQL on stdout
  python3 - "$ROOT/db/reports.c" "$1" "$2" <<'PY'
import re, sys
src, name = open(sys.argv[1]).read(), sys.argv[2]
vals = dict(b.split('=', 1) for b in sys.argv[3].split())
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
m = re.search(r'static const char ' + name + r'\[\]\s*=\s*(.*?);\n', src, re.S)
if not m:
    sys.exit(f'{name} not found in db/reports.c')
sql = expand(m.group(1))
sql = re.sub(r'\$(\d+)', lambda p: vals.get(p.group(1), 'NULL'), sql)
# pgbench reads ":name" as a variable even inside a string literal
# ('...HH24:MI:SS...'): spell those colons chr(58), which the planner folds
# into the same constant
sql = re.sub(r"'[^']*'", lambda l: re.sub(r':(?=[A-Za-z])', "' || chr(58) || '", l.group(0))
             if re.search(r':[A-Za-z]', l.group(0)) else l.group(0), sql)
print(sql + ';')
PY
}
extract_sql sql_public "1=50" >"$WORK/public.sql"
# category=security&bridge=true: $4 the category, $6 the bridge flag
extract_sql sql_internal "1=50 4='security' 6=true" >"$WORK/internal.sql"
printf 'equivalent SQL (%s bytes): %.160s...\n' "$(wc -c <"$WORK/public.sql")" "$(cat "$WORK/public.sql")"

# ---- the services -----------------------------------------------------------------
port_free() { ! (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null; }
pick_port() { local p; for p in "$@"; do port_free "$p" && { echo "$p"; return; }; done; echo "no free port" >&2; exit 1; }
# wrk's connections all come from 127.0.0.1: the per-address limits that
# protect a public server would measure themselves, not the service
echo '{"ratelimit": {"public_per_s": 0, "signin_per_min": 0}, "http": {"max_connections_per_client": 4096}}' \
  >"$WORK/bench.json"
echo '{"ratelimit": {"public_per_s": 0, "signin_per_min": 0},
       "http": {"public_cache_ms": 0, "max_connections_per_client": 4096}}' >"$WORK/nocache.json"
wait_ready() { # PORT LOGNAME
  for _ in $(seq 150); do curl -fs "http://127.0.0.1:$1/readyz" >/dev/null && return; sleep 0.2; done
  tail -20 "$WORK/$2.log" >&2; exit 1
}
UPORT=$(pick_port 18441 18451 18461 18471)
say "uncached server on 127.0.0.1:$UPORT (http.public_cache_ms 0; log $WORK/serve-nocache.log)"
IDEATRIAGE_LISTEN=127.0.0.1:$UPORT "$BIN" serve --config "$WORK/nocache.json" >"$WORK/serve-nocache.out" \
  2>"$WORK/serve-nocache.log" &
UNCACHED_PID=$!
APORT=$(pick_port 18439 18449 18459 18469)
say "cached server on 127.0.0.1:$APORT (the default 5 s public cache; log $WORK/serve.log)"
IDEATRIAGE_LISTEN=127.0.0.1:$APORT "$BIN" serve --config "$WORK/bench.json" >"$WORK/serve.out" 2>"$WORK/serve.log" &
SERVE_PID=$!
wait_ready "$UPORT" serve-nocache
wait_ready "$APORT" serve
grep -o '"workers":[0-9]*' "$WORK/serve.log" | head -1 | sed 's/"workers":/server workers: /'
PUBLIC="/api/v1/backlog?view=public&limit=50"
UN_API="http://127.0.0.1:$UPORT$PUBLIC"
API="http://127.0.0.1:$APORT$PUBLIC"
INTERNAL="http://127.0.0.1:$UPORT/api/v1/backlog?view=internal&limit=50&category=security&bridge=true"
ROADMAP="http://127.0.0.1:$APORT/roadmap/public?format=json"
TOKEN=$("$BIN" token create --role triager --name bench 2>"$WORK/token.log") || { cat "$WORK/token.log" >&2; exit 1; }
AUTH="Authorization: Bearer $TOKEN"

# each API answers what its SQL returns, and the public one never a hidden idea
check_ids() { # URL SQLFILE WHAT [curl args]
  curl -fs "${@:4}" "$1" >"$WORK/check.json"
  psql -X -At -d ideatriage -f "$2" | cut -d'|' -f1 >"$WORK/check.ids"
  python3 - "$WORK/check.json" "$WORK/check.ids" "$3" <<'PY'
import json, sys
items = json.load(open(sys.argv[1]))["items"]
ids = [int(x) for x in open(sys.argv[2]).read().split()]
api = [it["id"] for it in items]
assert len(items) == 50, f"{sys.argv[3]}: the API gave {len(items)} items, not 50"
assert api == ids, f"{sys.argv[3]}: the API's ids differ from the SQL's: {api[:5]}... vs {ids[:5]}..."
if sys.argv[3] == "public":
    bad = [it["id"] for it in items if it.get("category") == "security" and it.get("status") != "shipped"]
    assert not bad, f"unshipped security ideas in the public view: {bad}"
print(f"check {sys.argv[3]}: the API's 50 ids equal the SQL's")
PY
}
check_ids "$UN_API" "$WORK/public.sql" public
check_ids "$INTERNAL" "$WORK/internal.sql" internal -H "$AUTH"

# wrk prints "Requests/sec" and, with --latency, a 99% line; both to key=value
wrk_run() { # URL [wrk args] -> prints rps=, p99_ms=, non2xx=
  local out
  out=$(wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency "${@:2}" "$1")
  echo "$out" | sed 's/^/    /' >&2
  python3 - "$out" <<'PY'
import re, sys
out = sys.argv[1]
rps = float(re.search(r'Requests/sec:\s*([\d.]+)', out).group(1))
m = re.search(r'^\s*99%\s+([\d.]+)(us|ms|s)\b', out, re.M)
p99 = float(m.group(1)) * {'us': 0.001, 'ms': 1, 's': 1000}[m.group(2)]
bad = re.search(r'Non-2xx or 3xx responses:\s*(\d+)', out)
print(f"rps={rps:.0f} p99_ms={p99:.2f} non2xx={bad.group(1) if bad else 0}")
PY
}
pgbench_run() { # SQLFILE -> prints tps (after a 5 s warm-up)
  local out
  "$PGBIN/pgbench" -n -c "$CONNS" -j 2 -T 5 -M prepared -f "$1" ideatriage >"$WORK/pgbench-warmup.log" 2>&1 \
    || { tail -5 "$WORK/pgbench-warmup.log" >&2; exit 1; }
  out=$("$PGBIN/pgbench" -n -c "$CONNS" -j 2 -T "$DURATION" -M prepared -f "$1" ideatriage 2>&1)
  echo "$out" | grep -E 'latency average|latency stddev|tps|failed' | sed 's/^/    /' >&2
  echo "$out" | sed -n 's/^tps = \([0-9.]*\).*/\1/p' | head -1
}

# ---- 1. the headline: the uncached public backlog API vs pgbench ----------------
say "pgbench: the public backlog SQL, $CONNS clients, -j 2, -M prepared, ${DURATION} s"
PG_TPS=$(pgbench_run "$WORK/public.sql")
say "wrk: GET $PUBLIC, public cache off, $CONNS connections, ${DURATION} s (after 5 s warm-up)"
wrk -t2 -c"$CONNS" -d5s "$UN_API" >/dev/null
UN_R=$(wrk_run "$UN_API")

# ---- 2. the internal backlog (authenticated, filtered, never cached) -------------
say "pgbench: the internal backlog SQL (category security, bridge), $CONNS clients, ${DURATION} s"
PGI_TPS=$(pgbench_run "$WORK/internal.sql")
say "wrk: the internal backlog as a triager, category=security&bridge=true, ${DURATION} s (after 5 s warm-up)"
wrk -t2 -c"$CONNS" -d5s -H "$AUTH" "$INTERNAL" >/dev/null
IN_R=$(wrk_run "$INTERNAL" -H "$AUTH")
kill "$UNCACHED_PID" 2>/dev/null || true # the cached part runs without it
wait "$UNCACHED_PID" 2>/dev/null || true
UNCACHED_PID=

# ---- 3. cached answers vs nginx serving the same bytes ---------------------------
fetch_same() { # URL FILE: the same bytes on two reads, kept for nginx
  curl -fs -o "$WORK/www/$2" "$1"
  curl -fs -o "$WORK/again" "$1"
  cmp -s "$WORK/www/$2" "$WORK/again" || { echo "$1 changed between two reads" >&2; exit 1; }
  chmod 644 "$WORK/www/$2"
}
fetch_same "$ROADMAP" roadmap.json
fetch_same "$API" backlog.json
NPORT=$(pick_port 18440 18450 18460 18470)
cat >"$WORK/nginx.conf" <<NGINXCONF
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
NGINXCONF
mkdir -p "$WORK/nginx-tmp"
"$NGINX" -c "$WORK/nginx.conf" -p "$WORK" &
NGINX_PID=$!
for _ in $(seq 50); do curl -fs -o /dev/null "http://127.0.0.1:$NPORT/roadmap.json" && break; sleep 0.1; done
for f in roadmap.json backlog.json; do
  curl -fs "http://127.0.0.1:$NPORT/$f" | cmp -s - "$WORK/www/$f" \
    || { echo "nginx does not serve the same bytes ($f)" >&2; cat "$WORK/nginx-error.log" >&2; exit 1; }
done
printf 'public roadmap JSON: %s bytes; public backlog JSON: %s bytes\n' \
  "$(wc -c <"$WORK/www/roadmap.json")" "$(wc -c <"$WORK/www/backlog.json")"

cached_pair() { # SERVICE-URL NGINX-FILE NAME -> prints "<service figures> | <nginx figures>"
  say "wrk: $3 (cached), then nginx with the same bytes, $CONNS connections, ${DURATION} s each"
  wrk -t2 -c"$CONNS" -d5s "$1" >/dev/null
  wrk -t2 -c"$CONNS" -d5s "http://127.0.0.1:$NPORT/$2" >/dev/null
  echo "$(wrk_run "$1") | $(wrk_run "http://127.0.0.1:$NPORT/$2")"
}
BC=$(cached_pair "$API" backlog.json "GET $PUBLIC")
RM=$(cached_pair "$ROADMAP" roadmap.json "GET /roadmap/public?format=json")

# ---- summary ------------------------------------------------------------------------
rc=0
python3 - "$N" "$CONNS" "$(nproc)" "$(uptime | sed 's/.*load average: //')" "$PG_TPS" "$UN_R" \
  "$PGI_TPS" "$IN_R" "${BC%% | *}" "${BC##* | }" "${RM%% | *}" "${RM##* | }" <<'PY' || rc=$?
import sys
n, conns, cpus, load, pg, pgi = sys.argv[1:5] + [sys.argv[5], sys.argv[7]]
kv = lambda s: {k: float(v) for k, v in (x.split("=") for x in s.split())}
un, inn, bc, bcn, rm, rmn = map(kv, [sys.argv[6]] + sys.argv[8:])
pg, pgi = float(pg), float(pgi)
ok = lambda b: "MET" if b else "NOT MET"
line = lambda name, r: f"  {name:<40}{r['rps']:8.0f} req/s  p99 {r['p99_ms']:7.2f} ms  non-2xx {r['non2xx']:.0f}"
r1, ri, rb, r2 = un["rps"] / pg, inn["rps"] / pgi, bc["rps"] / bcn["rps"], rm["rps"] / rmn["rps"]
t1 = r1 >= 0.8 and un["non2xx"] == 0
t2 = un["p99_ms"] <= 25
t3 = r2 >= 0.5 and rm["non2xx"] == 0
print(f"""
== backlog benchmark: {n} ideas, {conns} connections, {cpus} CPUs, load {load}, all on 127.0.0.1
   (each figure includes its client, wrk or pgbench, on the same CPUs; excludes TLS and a real network)
 headline: the public backlog with every request running the SQL (public cache off)
  pgbench, public backlog SQL, -M prepared{pg:8.0f} tps
{line("API public, limit 50, uncached", un)}
  API / pgbench                           {r1:8.2f}x       target >= 0.8x: {ok(t1)}
  API p99                                 {un['p99_ms']:8.2f} ms      target <= 25 ms: {ok(t2)}
 the internal backlog (triager token, category=security&bridge=true; never cached)
  pgbench, internal backlog SQL           {pgi:8.0f} tps
{line("API internal, limit 50", inn)}
  API / pgbench                           {ri:8.2f}x       (reported, not a target)
 cached answers (the 5 s public cache) vs nginx serving the same bytes
{line("API public, limit 50, cached", bc)}
{line("nginx, the same backlog bytes", bcn)}
  cached backlog / nginx                  {rb:8.2f}x       (reported, not a target)
{line("/roadmap/public?format=json, cached", rm)}
{line("nginx, the same roadmap bytes", rmn)}
  roadmap / nginx                         {r2:8.2f}x       target >= 0.5x: {ok(t3)}""")
sys.exit(0 if (t1 and t2 and t3) else 3)
PY
if [ -n "${HOLD:-}" ]; then # look around before everything is removed
  echo "HOLD: psql \"$DATABASE_URL\"; the cached service on 127.0.0.1:$APORT (log $WORK/serve.log); Enter ends" >&2
  read -r _ || true
fi
exit $rc
