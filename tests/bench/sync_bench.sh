#!/usr/bin/env bash
# tests/bench/sync_bench.sh - GitHub sync speed, end to end, on this machine.
#
#   tests/bench/sync_bench.sh [N]     (default N = 10000 issues)
#
# Serves N synthetic issues from the tests' fake GitHub (tests/bench/fake_github,
# the same code as tests/support/fake_upstream.c) and syncs them with
# `ideatriage sync github` into an empty embedded PostgreSQL, triage included
# (classify, dedup, score: the ingest pipeline). Prints issues/s next to the
# time the fake server alone needs to serve the same pages (curl over one
# keep-alive connection): the upstream's share of the total. The target is
# checked on the wall time of the `ideatriage sync` command (process start,
# connecting, the sync, exit), not on the time the sync reports for itself;
# the embedded PostgreSQL is already up (a server keeps it running), so its
# start and shutdown checkpoint are not in either figure.
# Uses a release build in build-connbench/.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
N=${1:-10000}
B=$ROOT/build-connbench
cmake -S "$ROOT" -B "$B" -DCMAKE_BUILD_TYPE=Release -DIDEATRIAGE_TESTS=ON >/dev/null
cmake --build "$B" -j "$(nproc)" --target ideatriage fake_github >/dev/null
BIN=$B/ideatriage
WORK=$(mktemp -d /var/tmp/sync-bench.XXXXXX)
chmod 755 "$WORK" # the postgres user must reach the cluster inside
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

"$B/tests/fake_github" 0 bench/big "$N" >"$WORK/fake.out" 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do grep -q listening "$WORK/fake.out" 2>/dev/null && break; sleep 0.1; done
URL=$(sed -n 's/^listening on //p' "$WORK/fake.out")
PAGES=$(( (N + 99) / 100 ))

# the upstream's share: every page once, one connection, nothing else
FIRST="$URL/repos/bench/big/issues?state=all&sort=updated&direction=asc&per_page=100"
ARGS=("$FIRST")
for p in $(seq 2 "$PAGES"); do ARGS+=("$FIRST&page=$p"); done
t0=$(date +%s.%N)
curl -s --compressed "${ARGS[@]}" >/dev/null
t1=$(date +%s.%N)
UP=$(echo "$t1 - $t0" | bc -l)

cat >"$WORK/config.json" <<JSON
{"log": {"level": "warn"},
 "connectors": {"github": {"api_url": "$URL", "repos": ["bench/big"]}}}
JSON
cd "$WORK"
# a server keeps the embedded cluster up, so the sync below measures the sync
IDEATRIAGE_LISTEN=127.0.0.1:0 "$BIN" serve --config <(echo '{"log": {"level": "warn"}}') \
  >"$WORK/serve.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 300); do [ -S "$WORK/.ideatriage/pg/.s.PGSQL.5432" ] || ls "$WORK"/.ideatriage/pg/.s.PGSQL.* >/dev/null 2>&1 && break; sleep 0.2; done
sleep 1
t0=$(date +%s.%N)
OUT=$("$BIN" sync github --config "$WORK/config.json" 2>"$WORK/sync.log") || { cat "$WORK/sync.log" >&2; echo "$OUT"; exit 1; }
t1=$(date +%s.%N)
echo "$OUT"
WALL=$(echo "$t1 - $t0" | bc -l)
SYNC=$(echo "$OUT" | sed -n 's/.*requests, \([0-9.]*\) s[;)].*/\1/p')
python3 - "$N" "$PAGES" "$UP" "$SYNC" "$WALL" <<'PY'
import sys
n, pages, up, sync, wall = int(sys.argv[1]), int(sys.argv[2]), *map(float, sys.argv[3:])
print(f"upstream alone: {pages} pages in {up:.2f} s ({n/up:,.0f} issues/s)")
print(f"sync command, wall time, triage included: {n} issues in {wall:.2f} s = {n/wall:,.0f} issues/s;"
      f" upstream share {100*up/wall:.1f}%")
print(f"  (the sync's own reported time: {sync:.2f} s = {n/sync:,.0f} issues/s; not the target)")
print("target >= 1,000 issues/s (wall time):", "met" if n/wall >= 1000 else "NOT met")
PY
