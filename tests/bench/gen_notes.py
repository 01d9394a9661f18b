#!/usr/bin/env python3
"""Synthetic sales notes for load benchmarks: N notes as CSV on stdout.

Deterministic (fixed seed). Each note asks for one of many distinct requests
built from a vocabulary of product terms, so most notes make their own idea
and some repeat a request (as real demand does): the corpus grows to roughly
0.8 N ideas.  usage: gen_notes.py N [SEED] > notes.csv (another SEED: other
requests, most of them new to a corpus built with the default one)"""
import csv, random, sys

n = int(sys.argv[1])
rnd = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 42)
objects = ["exit node", "subnet router", "acl", "dns", "derp relay", "auth key", "api token",
           "kubernetes operator", "terraform provider", "sso", "scim", "device posture",
           "audit log", "tray icon", "ios app", "android app", "windows client", "macos client",
           "app connector", "workload identity", "service", "tailnet", "node key", "webhook"]
verbs = ["support", "export", "rotate", "filter", "group", "tag", "limit", "monitor", "sync",
         "schedule", "approve", "route", "pin", "label", "audit", "throttle", "share", "expire"]
# a synthetic long tail so requests differ the way real ones do
tail = ["%s%s" % (rnd.choice("bcdfghklmnprstvz"), rnd.choice(["ar", "en", "ol", "ix", "um", "ad",
        "or", "et", "yl", "on"])) + rnd.choice(["ing", "er", "ity", "ment", "ance", "ure"]) +
        str(i % 97) for i in range(20000)]
requests = []
for i in range(max(1, int(n * 0.8))):
    words = rnd.sample(tail, 3)
    requests.append("%s %s for %s %s with %s" % (rnd.choice(verbs), rnd.choice(objects),
                                                  words[0], words[1], words[2]))
w = csv.writer(sys.stdout, lineterminator="\n")
w.writerow(["account", "arr", "contact", "note", "date", "external_id"])
for i in range(n):
    req = requests[i] if i < len(requests) else rnd.choice(requests)
    w.writerow(["Account %d" % rnd.randrange(3000), rnd.randrange(5, 2000) * 1000,
                "AE %d" % rnd.randrange(40),
                "Call notes: customer wants to %s. They mentioned it on the call." % req,
                "2026-%02d-%02d" % (rnd.randrange(1, 12), rnd.randrange(1, 28)), "bench-%d" % i])
