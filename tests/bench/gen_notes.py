#!/usr/bin/env python3
"""Synthetic sales notes for load benchmarks: N notes as CSV on stdout.

Deterministic (fixed seed). Each note asks for one of many distinct requests:
a verb and a product term, then 3-6 words drawn from the vocabulary of real
issue text (tests/data/github/*.json, tests/data/dedup/pairs.json,
demo/demo.json), ranked by how often each word occurs there and drawn with a
Zipf-like frequency (the word of rank r with weight 1/(r + 2.7)): common
words recur across many requests and rare ones are rare, as in real demand,
so candidate retrieval is no more selective than it would be on real text.
Most notes make their own idea and some repeat a request: the corpus grows
to roughly 0.8 N ideas, fewer where Zipf draws make two requests alike.
usage: gen_notes.py N [SEED] > notes.csv (another SEED: other requests, most
of them new to a corpus built with the default one)"""
import csv, glob, itertools, json, os, random, re, sys
from collections import Counter

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# words too common to carry a request (the triage normaliser drops them too)
STOP = set("""the and for with that this are but not you your our can has have was were will
would could should from into when what which who how why all any out use using used also
there their them they then than its it's just like get got one some more only other about
been being does doesn't don't can't isn't it'd i'm i've we've let make new way need want
see add now very much many each such same well way""".split())


def texts(node):
    """Every title and body in a JSON document, wherever it sits."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k in ("title", "body", "selftext", "note") and isinstance(v, str):
                yield v
            else:
                yield from texts(v)
    elif isinstance(node, list):
        for v in node:
            yield from texts(v)


def vocabulary():
    files = sorted(glob.glob(os.path.join(ROOT, "tests", "data", "github", "*.json")))
    files += [os.path.join(ROOT, "tests", "data", "dedup", "pairs.json"), os.path.join(ROOT, "demo", "demo.json")]
    counts = Counter()
    for f in files:
        for t in texts(json.load(open(f))):
            t = re.sub(r"https?://\S+", " ", t.lower())
            counts.update(w for w in re.findall(r"[a-z][a-z0-9'-]{2,}", t) if w not in STOP)
    # most frequent first; ties by the word, so the ranking never depends on set order
    return [w for w, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


n = int(sys.argv[1])
rnd = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 42)
objects = ["exit node", "subnet router", "acl", "dns", "derp relay", "auth key", "api token",
           "kubernetes operator", "terraform provider", "sso", "scim", "device posture",
           "audit log", "tray icon", "ios app", "android app", "windows client", "macos client",
           "app connector", "workload identity", "service", "tailnet", "node key", "webhook"]
verbs = ["support", "export", "rotate", "filter", "group", "tag", "limit", "monitor", "sync",
         "schedule", "approve", "route", "pin", "label", "audit", "throttle", "share", "expire"]
words = vocabulary()
cum = list(itertools.accumulate(1.0 / (r + 2.7) for r in range(len(words))))
requests = []
for i in range(max(1, int(n * 0.8))):
    picked = rnd.choices(words, cum_weights=cum, k=rnd.randint(3, 6))
    requests.append("%s %s with %s" % (rnd.choice(verbs), rnd.choice(objects), " ".join(picked)))
w = csv.writer(sys.stdout, lineterminator="\n")
w.writerow(["account", "arr", "contact", "note", "date", "external_id"])
for i in range(n):
    req = requests[i] if i < len(requests) else rnd.choice(requests)
    w.writerow(["Account %d" % rnd.randrange(3000), rnd.randrange(5, 2000) * 1000,
                "AE %d" % rnd.randrange(40),
                "Call notes: customer wants to %s. They mentioned it on the call." % req,
                "2026-%02d-%02d" % (rnd.randrange(1, 12), rnd.randrange(1, 28)), "bench-%d" % i])
