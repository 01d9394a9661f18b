#!/usr/bin/env python3
"""The layering test (ctest `layering`): every #include goes along an allowed arrow.

Which folder may include which comes from build/layers.txt, written by
CMakeLists.txt from the intake_layer() declarations (each line "DIR: DIR..."),
so the rule and the link line cannot drift apart. On top of it, the "never"
arrows below are held explicitly: a layers.txt that someone widens by mistake
still cannot make triage/ do I/O or dedup/ reach up into the ingest. A pair of
modules (a.c/a.h) that include each other is refused too: one of them must
sit below the other.

Usage: layering.py --root SOURCE_DIR --layers BUILD_DIR/layers.txt
Prints FILE:LINE: includes X (FOLDER may use: ...) per violation; exits 1 if any.
"""
import argparse
import os
import re
import sys

SCANNED = ("triage", "db", "connectors", "intake")

# Why each is forbidden whatever layers.txt says (the target picture).
NEVER = [
    ("triage", "db", "triage is pure: no I/O"),
    ("triage", "connectors", "triage is pure: no I/O"),
    ("triage", "intake", "triage is pure: no I/O"),
    ("connectors", "db", "connectors never touch the database; sync joins them"),
    ("db", "connectors", "the database layer knows no upstream"),
    ("db", "intake", "the database layer knows no process"),
    ("intake/read", "intake/http", "rendering a roadmap or an export needs no HTTP"),
    ("intake/ingest", "intake/http", "the unit of work knows no request"),
    ("intake/dedup", "intake/ingest", "matching sits below the unit of work"),
    ("intake/sync", "intake/app", "a sync run does not open the app"),
    ("intake/ingest", "intake/app", "the unit of work does not reach the process"),
]
# Nothing but app/ opens the application.
NEVER_INTO_APP_EXCEPT = "intake/app"

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def read_layers(path):
    """{folder: [folders it may include]}, in the order CMake wrote them."""
    layers = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            if ":" not in line:
                sys.exit(f"{path}:{n}: not 'DIR: DIR...': {line}")
            folder, uses = line.split(":", 1)
            layers[folder.strip()] = uses.split()
    return layers


def c_files(root):
    for top in SCANNED:
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, top)):
            dirnames.sort()
            for name in sorted(filenames):
                if name.endswith((".c", ".h")):
                    yield os.path.relpath(os.path.join(dirpath, name), root)


def includes(root, rel):
    """(line number, included path as written) for each quoted include."""
    with open(os.path.join(root, rel), encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, 1):
            m = INCLUDE.match(line)
            if m:
                yield n, m.group(1)


def target_of(rel, inc):
    """The repository path an include names: root-relative when it has a
    folder (the only include directory is the root), else beside the file."""
    if "/" in inc:
        return os.path.normpath(inc)
    return os.path.normpath(os.path.join(os.path.dirname(rel), inc))


def under(folder, top):
    return folder == top or folder.startswith(top + "/")


def never_reason(src, dst):
    for a, b, why in NEVER:
        if under(src, a) and under(dst, b):
            return why
    if under(dst, NEVER_INTO_APP_EXCEPT) and not under(src, NEVER_INTO_APP_EXCEPT):
        return "nothing includes app except app"
    return None


def check_layers(root, layers, edges):
    """Each include is in the file's own folder or in a folder it may use."""
    bad = []
    for rel, n, inc, dst in edges:
        src = os.path.dirname(rel)
        if src not in layers:
            bad.append(f"{rel}:{n}: {src}/ is not declared in layers.txt "
                       "(add an intake_layer() for it in CMakeLists.txt)")
            continue
        allowed = layers[src]
        why = never_reason(src, os.path.dirname(dst))
        if why:
            bad.append(f"{rel}:{n}: includes {inc} ({src} must never use "
                       f"{os.path.dirname(dst)}: {why})")
        elif os.path.dirname(dst) != src and os.path.dirname(dst) not in allowed:
            bad.append(f"{rel}:{n}: includes {inc} ({src} may use: "
                       f"{' '.join(allowed) or 'nothing'})")
    return bad


def check_pairs(root, edges):
    """No two modules (a.c + a.h) include each other's headers. A header with
    no .c of its own (connectors/source.h, intake/ingest/parts.h) is the private
    interface of the module that implements it, which includes it to do so:
    it is not a module, so it takes no part in a pair."""
    def module(rel):
        base = os.path.splitext(rel)[0]
        return base if os.path.exists(os.path.join(root, base + ".c")) else None

    uses = {}
    where = {}
    for rel, n, inc, dst in edges:
        a, b = module(rel), module(dst)
        if a and b and a != b:
            uses.setdefault(a, set()).add(b)
            where.setdefault((a, b), f"{rel}:{n}")
    bad = []
    for a in sorted(uses):
        for b in sorted(uses[a]):
            if a < b and a in uses.get(b, ()):
                bad.append(f"{where[(a, b)]}: includes {b}.h and {where[(b, a)]} "
                           f"includes {a}.h: the modules {a} and {b} use each other")
    return bad


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--root", required=True)
    p.add_argument("--layers", required=True)
    args = p.parse_args()
    layers = read_layers(args.layers)
    missing = [f for f in layers if not os.path.isdir(os.path.join(args.root, f))]
    edges = []
    for rel in c_files(args.root):
        for n, inc in includes(args.root, rel):
            dst = target_of(rel, inc)
            if os.path.exists(os.path.join(args.root, dst)):
                edges.append((rel, n, inc, dst))
            # else: a generated or system header named with quotes; not ours
    bad = [f"layers.txt names {f}/, which does not exist" for f in missing]
    bad += check_layers(args.root, layers, edges)
    bad += check_pairs(args.root, edges)
    for line in bad:
        print(line)
    print(f"layering: {len(edges)} includes checked, {len(bad)} violation(s)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
