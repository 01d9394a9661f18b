#!/usr/bin/env python3
"""Self-test of tests/structure (ctest `structure_selftest`).

Once the tree is clean, `layering` and `structure` pass whether they still
see anything or not. This builds, in a temporary folder, a small tree that
breaks every rule once (and holds the look-alikes each rule must let
through: a log message, a placeholder in angle brackets, SQL inside db/, a
private header), runs both checkers on it and compares their reports line
by line (in any order); then a clean tree, which must pass.
"""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))

LAYERS = """triage:
db: triage
intake: triage
intake/dedup: intake db triage
intake/ingest: intake/dedup intake db triage
intake/read: intake db triage
intake/http: intake/ingest intake/read intake db triage
intake/app: intake/http intake db triage
"""

LONG_BODY = "".join(f"\tn += {i};\n" for i in range(96))

BROKEN = {
    "README.md": "# x\n\n## The folders\n\n    triage/   pure\n    db/       SQL\n"
                 "    intake/   process\n    intake/app/  main\n    intake/gone/  old\n"
                 "    intake/http/ web\n    intake/ingest/ unit\n    intake/dedup/ match\n\n## Next\n"
                 "    intake/read/  not in the map: after the next heading\n"
                 "Try <http://127.0.0.1:8080/login>; see <https://example.com/guide>.\n"
                 + "filler\n" * 235,
    "docs/design.md": "Users: `../README.md`. The contract: `../../shared/ARCHITECTURE.md`.\n",
    "triage/pure.c": '#include "triage/pure.h"\n#include "db/db.h"\n',
    "triage/pure.h": "",
    "db/db.h": "",
    "db/db.c": '#include "db/db.h"\nstatic const char *q = "SELECT 1 FROM ideas WHERE id = $1";\n',
    "intake/dedup/match.h": '#include "intake/ingest/unit.h"\n',
    "intake/dedup/match.c": '#include "intake/dedup/match.h"\n',
    "intake/ingest/unit.h": "",
    "intake/ingest/unit.c": '#include "intake/ingest/unit.h"\n#include "intake/dedup/match.h"\n'
                            '#include "intake/ingest/parts.h"\n'
                            'static void f(void)\n{\n\tlog_warn("BEGIN failed: %s", e);\n'
                            '\tlog_warn("could not update the idea");\n\tq("BEGIN");\n}\n',
    # a private header: implemented by unit.c, which includes it; not a pair
    "intake/ingest/parts.h": '#include "intake/ingest/unit.h"\n',
    "intake/read/render.h": "",
    "intake/read/render.c": '#include "intake/read/render.h"\n#include "intake/http/router.h"\n'
                            'static void g(FILE *f)\n{\n\tfputs("&lt;", f);\n'
                            '\tfprintf(f, "<option%s>", s);\n'
                            '\tfputs("<div class=\\"card\\">"\n\t      "text", f);\n}\n',
    "intake/http/router.h": "",
    "intake/http/router.c": '#include "intake/http/router.h"\n#include "intake/app/app.h"\n'
                            'static void h(void)\n{\n'
                            '\tproblem(401, "use \'Authorization: Bearer <token>\'");\n'
                            '\tq("SELECT id, title "\n\t  "FROM ideas " LIMIT_SQL\n\t  "WHERE id = $1");\n'
                            '\tq("UPDATE connector_state SET cursor = $2 WHERE name = $1");\n}\n',
    "intake/app/app.h": "",
    "intake/app/app.c": '#include "intake/app/app.h"\nint long_one(void)\n{\n\tint n = 0;\n'
                        + LONG_BODY + "\treturn n;\n}\n",
    "intake/big.c": "/* big */\n" * 751,
}
for i in range(8):
    BROKEN[f"intake/f{i}.c"] = ""

EXPECTED_LAYERING = """\
intake/dedup/match.h:1: includes intake/ingest/unit.h (intake/dedup must never use intake/ingest: matching sits below the unit of work)
intake/http/router.c:2: includes intake/app/app.h (intake/http must never use intake/app: nothing includes app except app)
intake/read/render.c:2: includes intake/http/router.h (intake/read must never use intake/http: rendering a roadmap or an export needs no HTTP)
triage/pure.c:2: includes db/db.h (triage must never use db: triage is pure: no I/O)
intake/dedup/match.h:1: includes intake/ingest/unit.h and intake/ingest/unit.c:2 includes intake/dedup/match.h: the modules intake/dedup/match and intake/ingest/unit use each other
layering: 14 includes checked, 5 violation(s)
"""

EXPECTED_STRUCTURE = """\
intake/http/router.c:6: SQL text outside db/: "SELECT id, title FROM ideas WHERE id = $1" (move it into a typed function in db/)
intake/http/router.c:9: SQL text outside db/: "UPDATE connector_state SET cursor = $2 WHERE name = $1" (move it into a typed function in db/)
intake/ingest/unit.c:8: SQL text outside db/: "BEGIN" (move it into a typed function in db/)
structure sql: No SQL text outside db/ (db/migrations included there). 3 violation(s)
intake/read/render.c:6: HTML in a C string: "<option%s>" (render it through a template in intake/read/templates/)
intake/read/render.c:7: HTML in a C string: "<div class=\\"card\\">text" (render it through a template in intake/read/templates/)
structure html: No HTML in C string literals under intake/. 2 violation(s)
intake/big.c:1: 751 lines, over 750 (split it by concern)
intake/app/app.c:2: long_one() is 101 lines, over 100 (give each job its own function)
structure size: No function over 100 lines, no file over 750 lines (tests aside). 2 violation(s)
intake/: 9 .c files directly under it, over 8: big.c f0.c f1.c f2.c f3.c f4.c f5.c f6.c f7.c (move them into the sub-folder of their concern)
structure flat: At most 8 .c files directly under intake/. 1 violation(s)
README.md:9: the folder map lists intake/gone/, which does not exist
README.md:5: the folder map does not list connectors/
README.md:5: the folder map does not list intake/read/
structure map: The README's folder map matches the tree. 3 violation(s)
README.md:1: 251 lines, over 250 (design goes to docs/design.md, figures to docs/benchmarks.md)
README.md:16: https://example.com/guide is outside the repository (a reader of the checkout cannot follow it)
docs/design.md:1: ../../shared/ARCHITECTURE.md is outside the repository (a reader of the checkout cannot follow it)
structure docs: The README stays for users; the documents link nothing outside the repository. 3 violation(s)
"""

CLEAN = {
    "README.md": "# x\n\n## Folder map\n\n    triage/       pure\n    db/           SQL\n"
                 "    connectors/   upstream\n    intake/       process\n    intake/app/   main\n",
    "triage/ok.h": "",
    "triage/ok.c": '#include "triage/ok.h"\nint ok(void)\n{\n\treturn 1;\n}\n',
    "intake/app/main.c": '#include "triage/ok.h"\nint main(void)\n{\n'
                         '\treturn puts("could not update the idea; send <id>") < 0;\n}\n',
    "connectors/.keep": "",
    "db/.keep": "",
}
CLEAN_LAYERS = "triage:\ndb: triage\nconnectors: triage\nintake: triage\nintake/app: intake triage\n"


def make(root, files):
    for rel, text in files.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)


def run(script, root, layers):
    args = [sys.executable, os.path.join(HERE, script), "--root", root]
    if script == "layering.py":
        args += ["--layers", layers]
    p = subprocess.run(args, capture_output=True, text=True, check=False)
    return p.returncode, p.stdout + p.stderr


def compare(what, got, want, rc, want_rc):
    if sorted(got.splitlines()) == sorted(want.splitlines()) and rc == want_rc:
        return 0
    print(f"{what}: exit {rc} (want {want_rc}); output differs:")
    g, w = got.splitlines(), want.splitlines()
    for line in w:
        if line not in g:
            print(f"  missing:    {line}")
    for line in g:
        if line not in w:
            print(f"  unexpected: {line}")
    return 1


def main():
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        broken, clean = os.path.join(tmp, "broken"), os.path.join(tmp, "clean")
        make(broken, dict(BROKEN, **{"layers.txt": LAYERS}))
        make(clean, dict(CLEAN, **{"layers.txt": CLEAN_LAYERS}))
        for script, want in (("layering.py", EXPECTED_LAYERING),
                             ("structure.py", EXPECTED_STRUCTURE)):
            rc, out = run(script, broken, os.path.join(broken, "layers.txt"))
            failed += compare(f"{script} on a broken tree", out, want, rc, 1)
            rc, out = run(script, clean, os.path.join(clean, "layers.txt"))
            if rc != 0:
                print(f"{script} on a clean tree: exit {rc}\n{out}")
                failed += 1
    print(f"structure_selftest: {'ok' if not failed else f'{failed} failure(s)'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
