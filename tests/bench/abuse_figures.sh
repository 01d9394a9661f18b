#!/usr/bin/env bash
# tests/bench/abuse_figures.sh - issue 14's availability figures, measured
# against a real `ideatriage serve` with its default configuration, on
# 127.0.0.1 only (clients spread over 127.0.x.y source addresses):
#
#   tests/bench/abuse_figures.sh                  (build/ideatriage, built when missing)
#   BIN=path/to/ideatriage tests/bench/abuse_figures.sh   (another build, e.g. the old code)
#
#   1. connections one client address holds before it is refused, and how
#      many the server holds overall (clients from many addresses);
#   2. the server's RSS while 20 clients each send a 16 MiB body to /login;
#   3. wrong sign-ins (POST /login) answered per second from one address
#      before 429, over 3 s on one kept-alive connection;
#   4. log lines per second, and CPU, while accept() fails with EMFILE for
#      3 s (the server's descriptor limit lowered with prlimit).
#
# It starts the server in a temp folder with the embedded PostgreSQL (the
# first start runs initdb), stops it and removes everything on exit. Bounded:
# at most ~3,000 connections, ~320 MiB sent, about a minute in all. Not run
# by ctest.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
BIN=${BIN:-$ROOT/build/ideatriage}
say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

command -v curl >/dev/null && command -v python3 >/dev/null || {
  echo "needs curl and python3" >&2
  exit 2
}
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
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# only the address: every limit keeps its default
printf '{"http": {"listen": "127.0.0.1:%s", "workers": 2}}\n' "$PORT" >"$WORK/cfg.json"
say "starting $BIN on 127.0.0.1:$PORT"
(cd "$WORK" && exec "$BIN" serve --config cfg.json >serve.log 2>&1) &
PID=$!
for _ in $(seq 1 600); do
  curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  kill -0 "$PID" 2>/dev/null || { cat "$WORK/serve.log" >&2; exit 1; }
  sleep 0.1
done

python3 - "$PORT" "$PID" "$WORK/serve.log" <<'PY'
import errno, http.client, os, resource, socket, sys, time

port, pid, logpath = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

def conn(src):
    s = socket.socket()
    s.bind((src, 0))
    s.connect(("127.0.0.1", port))
    return s

def answered(socks, wait=0.5):
    """(held silently, refused with an answer or closed)"""
    time.sleep(wait)
    held = refused = 0
    for s in socks:
        s.setblocking(False)
        try:
            data = s.recv(4096)
            refused += 1
        except BlockingIOError:
            held += 1
        except OSError:
            refused += 1
    return held, refused

def rss_kb():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return -1

def cpu_s():
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")

def log_lines():
    with open(logpath, "rb") as f:
        return sum(1 for _ in f)

fig = {}

# 1. connections held
socks = [conn("127.0.9.1") for _ in range(200)]
held, refused = answered(socks)
fig["held_one_address"] = f"{held} held, {refused} refused (of 200 from one address)"
for s in socks: s.close()
time.sleep(0.5)
socks = []
for i in range(3000):
    try:
        socks.append(conn(f"127.0.{10 + i // 40 // 250}.{1 + (i // 40) % 250}"))
    except OSError:
        break
held, refused = answered(socks, 1.0)
fig["held_overall"] = f"{held} held, {refused} refused (of {len(socks)} from {len(socks)//40} addresses)"
for s in socks: s.close()
time.sleep(1.0)

# 2. RSS with 20 concurrent 16 MiB bodies
N, SIZE, CHUNK = 20, 16 << 20, b"x" * 65536
base = peak = rss_kb()
posts = []
for i in range(N):
    s = conn(f"127.0.20.{i + 1}")
    s.sendall(b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
              b"Content-Length: %d\r\n\r\n" % SIZE)
    s.setblocking(False)
    posts.append([s, 0, None])
deadline = time.time() + 60
while time.time() < deadline and any(p[2] is None for p in posts):
    for p in posts:
        if p[2] is not None: continue
        try:
            d = p[0].recv(256)
            p[2] = d.split(b" ")[1].decode() if d.startswith(b"HTTP/") else "closed"
            continue
        except BlockingIOError:
            pass
        except OSError as e:
            p[2] = e.strerror; continue
        if p[1] >= SIZE:
            continue
        try:
            p[1] += p[0].send(CHUNK)
        except BlockingIOError:
            pass
        except OSError as e:
            p[2] = e.strerror
    peak = max(peak, rss_kb())
    time.sleep(0.002)
statuses = sorted(set(str(p[2]) for p in posts))
fig["rss_bodies"] = (f"{base/1024:.0f} MB before, {peak/1024:.0f} MB at most "
                     f"(answers: {', '.join(statuses)}; {max(p[1] for p in posts) >> 10} KiB sent at most)")
for p in posts: p[0].close()
time.sleep(1.5)

# 3. wrong sign-ins per second before 429 (one address, keep-alive)
c = http.client.HTTPConnection("127.0.0.1", port, source_address=("127.0.30.1", 0), timeout=5)
counts, t0 = {}, time.time()
first_429 = None
while time.time() - t0 < 3.0:
    c.request("POST", "/login", body="token=wrong-guess-0123456789",
              headers={"Content-Type": "application/x-www-form-urlencoded"})
    r = c.getresponse(); r.read()
    counts[r.status] = counts.get(r.status, 0) + 1
    if r.status == 429 and first_429 is None:
        first_429 = sum(counts.values())
    if r.getheader("Connection", "").lower() == "close":
        c.close(); c = http.client.HTTPConnection("127.0.0.1", port, source_address=("127.0.30.1", 0), timeout=5)
el = time.time() - t0
wrong = sum(v for k, v in counts.items() if k != 429)
fig["wrong_signins"] = (f"{wrong / el:.0f}/s answered (total {wrong} in {el:.1f} s), "
                        f"{counts.get(429, 0) / el:.0f}/s refused with 429"
                        + (f" from request {first_429} on" if first_429 else "") + f"; statuses {counts}")

# 4. log lines per second under descriptor exhaustion
used = len(os.listdir(f"/proc/{pid}/fd"))
def prlimit_as_owner(pid, lim):
    # started as root, the server runs as run.user: changing another user's
    # limits needs CAP_SYS_RESOURCE, which a container's root may lack
    st = os.stat(f"/proc/{pid}")
    child = os.fork()
    if child == 0:
        try:
            if os.getuid() != st.st_uid:
                os.setgroups([]); os.setgid(st.st_gid); os.setuid(st.st_uid)
            resource.prlimit(pid, resource.RLIMIT_NOFILE, lim)
            os._exit(0)
        except BaseException:
            os._exit(1)
    _, status = os.waitpid(child, 0)
    if status != 0:
        raise SystemExit("cannot lower the server's descriptor limit")
prlimit_as_owner(pid, (used + 24, used + 24))
lines0, size0, cpu0 = log_lines(), os.path.getsize(logpath), cpu_s()
socks = []
for i in range(300):
    try: socks.append(conn("127.0.40.1"))
    except OSError: break
t0 = time.time(); time.sleep(3.0); el = time.time() - t0
lines, size, cpu = log_lines() - lines0, os.path.getsize(logpath) - size0, cpu_s() - cpu0
for s in socks: s.close()
ok = False
for _ in range(50):
    try:
        h = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        h.request("GET", "/healthz"); ok = h.getresponse().status == 200; h.close()
    except OSError:
        pass
    if ok: break
    time.sleep(0.1)
fig["emfile"] = (f"{lines / el:.1f} log lines/s ({size / el / 1e6:.2f} MB/s of log), "
                 f"{cpu / el * 100:.0f}% of a core, {len(socks)} connections waiting; "
                 f"answers again afterwards: {'yes' if ok else 'no'}")

print()
print("connections held, one address   :", fig["held_one_address"])
print("connections held, overall       :", fig["held_overall"])
print("RSS, 20 x 16 MiB bodies to /login:", fig["rss_bodies"])
print("wrong sign-ins before 429       :", fig["wrong_signins"])
print("descriptor exhaustion (3 s)     :", fig["emfile"])
PY
