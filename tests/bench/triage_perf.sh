#!/usr/bin/env bash
# tests/bench/triage_perf.sh - triage speed at scale, on this machine.
#
#   tests/bench/triage_perf.sh [N]     (default N = 100000; RUNS=3 to change)
#
# For 10k and N synthetic sales notes (tests/bench/gen_notes.py: requests in
# words of real issue text, Zipf-distributed), RUNS times each, into an empty
# embedded PostgreSQL each time, alternating two ways of timing:
#   - headline: `ideatriage import-sales` with the server (and so its
#     embedded PostgreSQL) already running, as when `ideatriage serve` is up
#     or DATABASE_URL is set: the import alone. Growth 10k -> N is computed
#     from these.
#   - the whole command on a stopped cluster: starting the embedded
#     PostgreSQL, the import, and the shutdown checkpoint writing its pages.
# Each is reported as the median of the runs with the range (min-max).
# Then at N ideas (the last headline run's database): `ideatriage rescore` of
# every idea (the whole command), and RUNS times: restart the cluster (stop
# the server, start it again: empty shared buffers, no VACUUM or CHECKPOINT
# first; the OS page cache stays as it is), attach 1000 mentions that restate
# requests the corpus has (cold, right after the restart), 1000 more (warm),
# and 1000 of other requests, which mostly found ideas of their own
# (tests/bench/attach_bench: one transaction each, as the API does; its first
# 20 attaches per connection fill the backend's caches and are not counted).
# Last, pgbench running only the candidate-retrieval SQL on the same database.
# Uses the release build in build/ and attach_bench from build-bench/.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
N=${1:-100000}
RUNS=${RUNS:-3}
BIN=$ROOT/build/ideatriage
[ -x "$BIN" ] || { echo "build first: scripts/dev run (or cmake --build build)" >&2; exit 1; }
cmake -S "$ROOT" -B "$ROOT/build-bench" -DCMAKE_BUILD_TYPE=Release -DIDEATRIAGE_TESTS=ON >/dev/null
cmake --build "$ROOT/build-bench" -j "$(nproc)" --target attach_bench >/dev/null
WORK=$(mktemp -d /var/tmp/triage-perf.XXXXXX)
chmod 755 "$WORK" # the postgres user must reach the clusters inside
SERVE=
stop_server() { [ -z "$SERVE" ] || { kill "$SERVE" 2>/dev/null; wait "$SERVE" 2>/dev/null; SERVE=; } || true; }
trap 'stop_server; rm -rf "$WORK"' EXIT
echo "load before: $(uptime | sed 's/.*load average: //')"

start_server() { # DIR: a server keeps the embedded cluster up
  (cd "$1" && IDEATRIAGE_LISTEN=127.0.0.1:0 exec "$BIN" serve >"$1/serve.log" 2>&1) &
  SERVE=$!
  for _ in $(seq 150); do pg_isready -q -h "$1/.ideatriage/pg" && return; sleep 0.2; done
  cat "$1/serve.log" >&2; exit 1
}
now() { date +%s.%N; }

import_once() { # N DIR MODE(up|whole) -> appends seconds to $WORK/MODE-N
  local n=$1 dir=$2 mode=$3 t0 t1
  mkdir -p "$dir"
  cp "$WORK/notes-$n.csv" "$dir/notes.csv"
  (cd "$dir" && "$BIN" migrate >/dev/null 2>&1)
  [ "$mode" = whole ] || start_server "$dir"
  t0=$(now)
  (cd "$dir" && "$BIN" import-sales notes.csv 2>"$dir/import.log" >"$dir/import.out") \
    || { grep -v '"level":"info"' "$dir/import.log" >&2; exit 1; }
  t1=$(now)
  [ "$mode" = whole ] || stop_server
  python3 -c "n=$n; s=$t1-$t0; print(f'  import {n} notes, $mode: {s:.2f} s, {n/s:.0f} mentions/s')"
  echo "$t1 - $t0" | bc -l >>"$WORK/$mode-$n"
}

echo "== bulk import (one transaction per file, triage on every row), $RUNS runs of each"
for n in 10000 "$N"; do
  python3 "$ROOT/tests/bench/gen_notes.py" "$n" >"$WORK/notes-$n.csv"
  for r in $(seq "$RUNS"); do
    import_once "$n" "$WORK/up-$n-$r" up
    [ "$n" = "$N" ] && [ "$r" = "$RUNS" ] || rm -rf "$WORK/up-$n-$r" # the last one is measured below
    import_once "$n" "$WORK/whole-$n-$r" whole
    rm -rf "$WORK/whole-$n-$r"
  done
done
python3 - "$WORK" "$N" <<'PY'
import math, statistics, sys
w, n = sys.argv[1], int(sys.argv[2])
t = lambda mode, k: [float(x) for x in open(f"{w}/{mode}-{k}").read().split()]
def rate(mode, k):
    r = sorted(k / s for s in t(mode, k))
    return f"median {statistics.median(r):,.0f} mentions/s (range {r[0]:,.0f}-{r[-1]:,.0f}, {len(r)} runs)"
print(f"import, server running (headline): 10k {rate('up', 10000)}; {n} {rate('up', n)}")
print(f"import, whole command (cluster start + import + shutdown checkpoint): 10k {rate('whole', 10000)};"
      f" {n} {rate('whole', n)}")
a, b = statistics.median(t("up", 10000)), statistics.median(t("up", n))
nlogn = (n * math.log(n)) / (10000 * math.log(10000))
print(f"growth 10k -> {n}, server running, medians: time x{b / a:.1f};"
      f" linear would be x{n / 10000:.1f}, n log n x{nlogn:.1f}")
PY

echo "== at $N ideas"
DIR=$WORK/up-$N-$RUNS
cd "$DIR"
"$BIN" rescore 2>/dev/null | tail -1
DATADIR="$DIR/.ideatriage/pg"
CONN="host=$DATADIR user=postgres dbname=ideatriage"
start_server "$DIR"
psql "$CONN" -qAt -c "SELECT count(*) || ' ideas, ' || (SELECT count(*) FROM mentions) || ' mentions' FROM ideas"
export ATTACH_WARMUP=20
python3 "$ROOT/tests/bench/gen_notes.py" 1020 >"$WORK/attach-src.csv"
for r in $(seq "$RUNS"); do
  stop_server # a restart: the cluster's shared buffers start empty
  start_server "$DIR"
  for batch in cold warm; do
    sed "s/,bench-/,attach-$batch-$r-/" "$WORK/attach-src.csv" >"$WORK/attach.csv"
    "$ROOT/build-bench/tests/attach_bench" "$CONN" "$WORK/attach.csv" "$ROOT/config/scoring.json" \
      | tee -a "$WORK/attach-$batch.out" | sed "s/^/  run $r, $batch: /"
  done
  python3 "$ROOT/tests/bench/gen_notes.py" 1020 $((6 + r)) | sed "s/,bench-/,attach-new-$r-/" >"$WORK/attach.csv"
  "$ROOT/build-bench/tests/attach_bench" "$CONN" "$WORK/attach.csv" "$ROOT/config/scoring.json" \
    | tee -a "$WORK/attach-new.out" | sed "s/^/  run $r, other requests: /"
done
python3 - "$WORK" <<'PY'
import re, statistics, sys
for batch, what in (("cold", "restated requests right after a restart"), ("warm", "the next 1000"),
                    ("new", "other requests (most found an idea)")):
    out = open(f"{sys.argv[1]}/attach-{batch}.out").read()
    both = re.findall(r"both \(.*?p50 ([\d.]+), p95 [\d.]+, p99 ([\d.]+)", out)
    p50 = sorted(float(a) for a, _ in both)
    p99 = sorted(float(b) for _, b in both)
    print(f"attach p99, {what}: median {statistics.median(p99):.2f} ms (range {p99[0]:.2f}-{p99[-1]:.2f});"
          f" p50 median {statistics.median(p50):.2f} ms; {len(p99)} runs of 1000")
PY

# the same candidate-retrieval SQL the pipeline runs (one mention's, in the
# function idea_candidates: db/migrations/011), for 1000 real ideas' rare terms
psql "$CONN" -q <<'SQL'
DROP TABLE IF EXISTS bench_queries;
CREATE TABLE bench_queries AS
SELECT row_number() OVER () AS k, q.q, i.norm_title
FROM (SELECT id, norm_title, all_terms FROM ideas ORDER BY random() LIMIT 1000) i,
LATERAL (SELECT to_tsquery('simple', string_agg(t.term, ' | ')) AS q
         FROM (SELECT term FROM terms WHERE term = ANY (i.all_terms) AND df <= greatest(50, (SELECT ideas FROM corpus) * 0.02)
               ORDER BY df LIMIT 16) t) q;
ALTER TABLE bench_queries ADD PRIMARY KEY (k);
SQL
CANDIDATES=$(python3 -c "import json; print(json.load(open('$ROOT/config/scoring.json'))['dedup']['candidates'])")
cat > "$WORK/retrieval.sql" <<SQL
\\set k random(1, 1000)
SELECT c.* FROM bench_queries b, LATERAL idea_candidates(b.q::text, $CANDIDATES) c
WHERE b.k = :k;
SQL
echo "pgbench, candidate retrieval SQL only ($CANDIDATES candidates), 1 client, 20 s:"
/usr/lib/postgresql/15/bin/pgbench -n -M prepared -c 1 -T 20 -f "$WORK/retrieval.sql" "$CONN" 2>/dev/null \
  | grep -E "latency average|latency stddev|tps"
echo "load after: $(uptime | sed 's/.*load average: //')"
