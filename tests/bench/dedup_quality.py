#!/usr/bin/env python3
"""Dedup quality on real duplicate reports (tests/data/dedup/pairs.json).

The pairs are split by project into a tuning half and a held-out half
(TUNING and HELD_OUT below); each half is measured on its own empty database
and both are reported. Tune only on the tuning half.

Starts `ideatriage serve` on its own embedded PostgreSQL in a temp folder,
ingests the originals and the distractors through POST /api/v1/ideas, then
each duplicate, and measures:
  recall@1  - the duplicate was auto-merged into its original, or the
              original is the top suggestion of GET /api/v1/ideas/{id}/similar
  recall@5  - ... or among the top five suggestions
  auto-merge precision - of the duplicates that were auto-merged, the share
              merged into their own original
It also reports merges made while loading originals and distractors (all of
which are false merges: none of them duplicates another).

Few of the real pairs are close enough to join by themselves, so auto-merge
precision is also measured where merges happen: the demo data set
(`ideatriage demo`: 1,023 GitHub, Reddit, sales and employee mentions of
79 requests, with the ground truth of which post voices which request in
demo/topics.json). Every auto-merged post is checked against the request of
the post that founded its idea; it also prints how many ideas the posts of
one request end up in (1.0 = every request folded into one idea).

usage: tests/bench/dedup_quality.py [build/ideatriage]
"""
import json, os, shutil, socket, subprocess, sys, tempfile, time, urllib.request, urllib.error
from collections import defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "ideatriage"))
VERBOSE = os.environ.get("DEDUP_VERBOSE") == "1"  # print each duplicate not found first
DATA = json.load(open(os.path.join(ROOT, "tests", "data", "dedup", "pairs.json")))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def token(cwd, role):
    out = subprocess.run([BIN, "token", "create", "--role", role, "--name", "bench-" + role],
                         cwd=cwd, capture_output=True, text=True, check=True)
    return out.stdout.strip()


def call(url, tok, body=None):
    req = urllib.request.Request(url, data=json.dumps(body).encode() if body is not None else None,
                                 headers={"Authorization": "Bearer " + tok,
                                          "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.load(r)
    except urllib.error.HTTPError as e:
        raise SystemExit(f"{url}: {e.code} {e.read()[:300]!r}")


# The labelled pairs split by project, fixed here so the split never moves:
# tuning changes to config/scoring.json may look at the tuning half only; the
# held-out half is reported and never tuned on. Split by project, not by
# pair, so a project's vocabulary does not leak from one half into the other.
# PowerToys alone has 24 of the 48 pairs; the other five projects the rest.
# (The thresholds in config/scoring.json were set before this split, on all
# 48 pairs: from 2026-12-04 on, the held-out figure is the honest one.)
TUNING = {"microsoft/PowerToys"}
HELD_OUT = {"microsoft/terminal", "microsoft/vscode", "golang/go", "kubernetes/kubernetes",
            "flutter/flutter"}


def precision(right, merged):
    """Auto-merge precision; no merges measure nothing, so say so."""
    return f"{right / merged:.3f}" if merged else "n/a (0 merges)"


def main():
    projects = {p["original"]["repo"] for p in DATA["pairs"]} | {d["repo"] for d in DATA["distractors"]}
    assert projects == TUNING | HELD_OUT, f"a project in neither half: {projects - TUNING - HELD_OUT}"
    print("dedup quality on real duplicate pairs, split by project (each half on its own empty database)")
    for name, repos in (("tuning half", TUNING), ("held-out half", HELD_OUT)):
        measure(name, repos)


def measure(name, repos):
    pairs = [p for p in DATA["pairs"] if p["original"]["repo"] in repos]
    distractors = [d for d in DATA["distractors"] if d["repo"] in repos]
    tmp = tempfile.mkdtemp(prefix="dedup-bench-")
    os.chmod(tmp, 0o755)  # run as root, the postgres user must reach the cluster inside
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    port = free_port()
    env["IDEATRIAGE_LISTEN"] = f"127.0.0.1:{port}"
    sub, tri = token(tmp, "submitter"), token(tmp, "triager")
    log = open(os.path.join(tmp, "serve.log"), "w")
    srv = subprocess.Popen([BIN, "serve"], cwd=tmp, env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/readyz", timeout=1)
                break
            except Exception:
                time.sleep(0.1)

        def post(issue):
            return call(base + "/api/v1/ideas", sub, {"title": issue["title"][:200],
                        "body": issue["body"], "external_id": issue["url"]})

        original_idea = {}
        load_merges = 0
        for p in pairs:
            r = post(p["original"])
            original_idea[p["original"]["url"]] = r["idea_id"]
            load_merges += r["merged"]
        for d in distractors:
            r = post(d)
            load_merges += r["merged"]
            if VERBOSE and r["merged"]:
                print(f"false merge while loading: {d['title']!r} joined idea {r['idea_id']}")

        r1 = r5 = merged = merged_right = 0
        t0 = time.time()
        for p in pairs:
            want = original_idea[p["original"]["url"]]
            r = post(p["duplicate"])
            if r["merged"]:
                merged += 1
                merged_right += r["idea_id"] == want
                r1 += r["idea_id"] == want
                r5 += r["idea_id"] == want
                continue
            found = call(f"{base}/api/v1/ideas/{r['idea_id']}/similar", tri)
            sims = [s["idea_id"] for s in found]
            r1 += sims[:1] == [want]
            r5 += want in sims[:5]
            if VERBOSE and sims[:1] != [want]:
                rank = sims.index(want) + 1 if want in sims else None
                top = found[0] if found else None
                print(f"miss (original at {rank}): {p['duplicate']['title']!r} -> idea {r['idea_id']}"
                      f" (original: idea {want}, merged: {r['merged']})\n"
                      f"   original: {p['original']['title']!r}\n"
                      f"   top:      {top and top.get('title')!r} {top and top.get('similarity')}")
        n = len(pairs)
        print(f"{name}: {n} pairs + {len(distractors)} distractors from {', '.join(sorted(repos))}")
        print(f"  recall@1             {r1 / n:.3f}  ({r1}/{n})   target >= 0.65")
        print(f"  recall@5             {r5 / n:.3f}  ({r5}/{n})   target >= 0.80")
        print(f"  auto-merge precision {precision(merged_right, merged)}  ({merged_right}/{merged} auto-merged correctly)   target >= 0.97")
        print(f"  false merges while loading originals and distractors: {load_merges}")
        print(f"  ({(time.time() - t0) * 1000 / n:.1f} ms per duplicate, ingest + similar lookup, over HTTP)")
    finally:
        srv.terminate()
        srv.wait(timeout=60)
        shutil.rmtree(tmp, ignore_errors=True)


def topic_key(source, external_id):
    """A mention's key in demo/topics.json ("github:78", "reddit:1xyh9o", ...)."""
    if source == "github":
        return "github:" + external_id.rsplit("#", 1)[-1]
    if source == "reddit":
        return "reddit:" + external_id.removeprefix("t3_")
    return f"{source}:{external_id}"


def demo_precision():
    topics = json.load(open(os.path.join(ROOT, "demo", "topics.json")))["topics"]
    topic_of = {item: t["id"] for t in topics for item in t["items"]}
    tmp = tempfile.mkdtemp(prefix="dedup-demo-")
    os.chmod(tmp, 0o755)  # run as root, the postgres user must reach the cluster inside
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    env["IDEATRIAGE_LISTEN"] = f"127.0.0.1:{free_port()}"
    srv = None
    try:
        subprocess.run([BIN, "demo"], cwd=tmp, env=env, capture_output=True, check=True)
        # a server keeps the embedded cluster up while psql reads the links
        log = open(os.path.join(tmp, "serve.log"), "w")
        srv = subprocess.Popen([BIN, "serve"], cwd=tmp, env=env, stdout=log, stderr=log)
        conn = f"host={tmp}/.ideatriage/pg user=postgres dbname=ideatriage"
        for _ in range(100):
            if subprocess.run(["pg_isready", "-q", "-h", f"{tmp}/.ideatriage/pg"]).returncode == 0:
                break
            time.sleep(0.2)
        out = subprocess.run(
            ["psql", conn, "-qAtF", "\t", "-c",
             "SELECT m.source, m.external_id, m.idea_id, l.method FROM mentions m"
             " JOIN mention_links l ON l.mention_id = m.id AND l.superseded_at IS NULL"
             " WHERE m.kind = 'post' ORDER BY m.id"],
            capture_output=True, text=True, check=True).stdout
        rows = [line.split("\t") for line in out.splitlines()]
        founder = {idea: topic_of.get(topic_key(src, ext)) for src, ext, idea, how in rows if how == "new"}
        merged = right = 0
        ideas_of = defaultdict(set)
        for src, ext, idea, how in rows:
            topic = topic_of.get(topic_key(src, ext))
            if topic:
                ideas_of[topic].add(idea)
            if how == "auto_merge" and topic:
                merged += 1
                right += founder.get(idea) == topic
                if VERBOSE and founder.get(idea) != topic:
                    print(f"wrong merge: {src}:{ext} ({topic}) joined an idea of {founder.get(idea)}")
        spread = sum(len(v) for v in ideas_of.values()) / max(1, len(ideas_of))
        # what a triager is offered: for an idea founded by a post of a request
        # that other ideas also voice, is one of those among its top five
        # suggestions (either direction, as GET /similar reads them)?
        out = subprocess.run(
            ["psql", conn, "-qAtF", "\t", "-c",
             "SELECT s.a, s.b FROM (SELECT x.a, x.b, row_number() OVER (PARTITION BY x.a"
             " ORDER BY x.sim DESC, x.b) AS r FROM (SELECT idea_id AS a, other_id AS b, similarity AS sim"
             " FROM idea_similar UNION ALL SELECT other_id, idea_id, similarity FROM idea_similar) x) s"
             " WHERE s.r <= 5"],
            capture_output=True, text=True, check=True).stdout
        top5 = defaultdict(set)
        for line in out.splitlines():
            a, b = line.split("\t")
            top5[a].add(b)
        offered = fragments = 0
        for idea, topic in founder.items():
            if topic and len(ideas_of[topic]) > 1:
                fragments += 1
                offered += any(founder.get(o) == topic for o in top5.get(idea, ()))
        print(f"auto-merge on the demo set ({len(rows)} posts of {len(ideas_of)} requests, ground truth demo/topics.json)")
        print(f"  auto-merge precision {precision(right, merged)}  ({right}/{merged} joined an idea of their own request)   target >= 0.97")
        print(f"  ideas per request    {spread:.2f}  (1.00 = each request folded into one idea; the rest are suggestions)")
        print(f"  offered              {offered / max(1, fragments):.3f}  ({offered}/{fragments} ideas of a request voiced by several ideas have another of them among their top five suggestions)")
    finally:
        if srv:
            srv.terminate()
            srv.wait(timeout=60)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
    demo_precision()
