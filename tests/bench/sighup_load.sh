#!/usr/bin/env bash
# tests/bench/sighup_load.sh - issue 16's "SIGHUP reloads scoring rules under
# load with no failed request", measured against a real `ideatriage serve` on
# 127.0.0.1:
#
#   tests/bench/sighup_load.sh            (build/ideatriage, built when missing)
#   BIN=path/to/ideatriage DURATION=10 tests/bench/sighup_load.sh
#   SIGHUPS=off tests/bench/sighup_load.sh   (the same load, no reloads: a baseline)
#
# wrk (Debian's) posts new ideas for DURATION seconds (default 10) on 8
# connections: every request runs the ingest pipeline, so every one scores
# with the rules in force. Meanwhile, every 100 ms, the scoring file is
# replaced (renamed over: SRPF weights x1, then x2, alternately) and the
# server gets SIGHUP. Printed: requests, non-2xx answers, socket errors
# (connect, read, write, timeout), reloads applied and failed, and how many
# new ideas were scored by each rule set. The pass condition is 0 failed
# requests and 0 failed reloads (exit 1 otherwise).
#
# The server runs in a temp folder with the embedded PostgreSQL (the first
# start runs initdb), 2 workers, rate limits off; stopped and removed on exit.
# Bounded: one client process, 8 connections, DURATION seconds. Not run by ctest.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
BIN=${BIN:-$ROOT/build/ideatriage}
DURATION=${DURATION:-10}
say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

for tool in wrk curl python3; do
  command -v $tool >/dev/null || { echo "needs $tool (apt-get install $tool)" >&2; exit 2; }
done
if [ ! -x "$BIN" ] && [ "$BIN" = "$ROOT/build/ideatriage" ]; then
  say "building build/ (RelWithDebInfo)"
  cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DIDEATRIAGE_TESTS=OFF >/dev/null
  cmake --build build -j2 --target ideatriage >/dev/null
fi

WORK=$(mktemp -d)
PID=
cleanup() {
  if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
    kill -TERM "$PID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
# started as root, serve runs as run.user: SIGHUP re-reads the files as it
chmod 755 "$WORK"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 - "$ROOT/config/scoring.json" "$WORK" <<'PY'
import json, sys
src, work = sys.argv[1], sys.argv[2]
for k in (1, 2):
    rules = json.load(open(src))
    srpf = rules["score"]["srpf"]
    for key, v in list(srpf.items()):
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            srpf[key] = v * k
    json.dump(rules, open(f"{work}/scoring-x{k}.json", "w"))
PY
cp "$WORK/scoring-x1.json" "$WORK/scoring.json"
printf '{"http": {"listen": "127.0.0.1:%s", "workers": 2},
  "ratelimit": {"signin_per_min": 0, "public_per_s": 0},
  "triage": {"scoring_file": "scoring.json"}}\n' "$PORT" >"$WORK/cfg.json"
chmod 644 "$WORK"/*.json
say "starting $BIN on 127.0.0.1:$PORT"
(cd "$WORK" && exec "$BIN" serve --config cfg.json >serve.log 2>&1) &
PID=$!
for _ in $(seq 1 600); do
  curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  kill -0 "$PID" 2>/dev/null || { cat "$WORK/serve.log" >&2; exit 1; }
  sleep 0.1
done
TOKEN=$(cd "$WORK" && "$BIN" --config cfg.json token create --role submitter --name bench 2>/dev/null)

cat >"$WORK/post.lua" <<LUA
local n = 0
local tid = 0
-- titles of random words: distinct ideas, not one idea merged 1,000 times
local words = {"export", "dashboard", "calendar", "invoice", "tagging", "webhook", "archive",
  "mobile", "printing", "avatar", "billing", "search", "filter", "sharing", "timezone",
  "keyboard", "widget", "template", "comment", "badge", "folder", "import", "markdown",
  "locale", "digest", "sidebar", "emoji", "reminder", "gallery", "survey", "ticket",
  "kanban", "audit", "invite", "palette", "session", "snippet", "glossary", "ledger", "roster"}
setup = function(thread) tid = tid + 1; thread:set("tid", tid) end
request = function()
  n = n + 1
  local t = {}
  for i = 1, 6 do t[i] = words[math.random(#words)] end
  local body = string.format('{"title": "%s %d"}', table.concat(t, " "), n)
  return wrk.format("POST", "/api/v1/ideas", {["Content-Type"] = "application/json",
                    ["Authorization"] = "Bearer $TOKEN"}, body)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT requests=%d non2xx=%d connect=%d read=%d write=%d timeout=%d p99_ms=%.1f\n",
    summary.requests, e.status, e.connect, e.read, e.write, e.timeout, latency:percentile(99) / 1000))
end
LUA

say "load: wrk -t1 -c8 -d${DURATION}s POST /api/v1/ideas, SIGHUP every 100 ms with x1/x2 rules"
wrk -t1 -c8 -d"${DURATION}s" --timeout 5s -s "$WORK/post.lua" "http://127.0.0.1:$PORT" >"$WORK/wrk.out" 2>&1 &
WRK=$!
sent=0
end=$((SECONDS + DURATION))
while [ "${SIGHUPS:-on}" != off ] && [ $SECONDS -lt $end ] && kill -0 $WRK 2>/dev/null; do
  k=$((sent % 2 + 1))
  cp "$WORK/scoring-x$k.json" "$WORK/scoring.next" && chmod 644 "$WORK/scoring.next"
  mv "$WORK/scoring.next" "$WORK/scoring.json"
  kill -HUP "$PID"
  sent=$((sent + 1))
  sleep 0.1
done
wait $WRK
sleep 0.5
kill -0 "$PID" || { echo "the server died" >&2; tail -20 "$WORK/serve.log" >&2; exit 1; }

cat "$WORK/wrk.out" | grep -v '^RESULT' >&2
result=$(grep '^RESULT' "$WORK/wrk.out")
applied=$(grep -c '"msg":"config reloaded"' "$WORK/serve.log" || true)
failed=$(grep -c 'config reload failed' "$WORK/serve.log" || true)
# which rule set scored the new ideas: the SRPF factor of each in its
# breakdown (GET /api/v1/ideas/{id}; 1 or 2 for a feature idea)
TRIAGER=$(cd "$WORK" && "$BIN" --config cfg.json token create --role triager --name bench 2>/dev/null)
scored=$(python3 - "$PORT" "$TRIAGER" <<'PY'
import json, sys, urllib.request
port, token = sys.argv[1], sys.argv[2]
def srpf(node):
    if isinstance(node, dict):
        if node.get("name") == "srpf" and "value" in node:
            return node["value"]
        node = list(node.values())
    if isinstance(node, list):
        for v in node:
            found = srpf(v)
            if found is not None:
                return found
    return None
seen, missing = {}, 0
for i in range(1, 100000):
    req = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/ideas/{i}",
                                 headers={"Authorization": f"Bearer {token}"})
    try:
        doc = json.load(urllib.request.urlopen(req))
    except urllib.error.HTTPError as e:
        missing += 1
        if missing > 20:
            break
        continue
    v = srpf(doc)
    seen[v] = seen.get(v, 0) + 1
print(" ".join(f"srpf={k}:{n}" for k, n in sorted(seen.items(), key=str)))
PY
)
echo "$result sighups_sent=$sent reloads_applied=$applied reloads_failed=$failed ideas_by_rules: $scored"
echo "$result" | grep -q 'non2xx=0 connect=0 read=0 write=0 timeout=0' && [ "$failed" = 0 ]
