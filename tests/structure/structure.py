#!/usr/bin/env python3
"""The structure test (ctest `structure`): the shape the code keeps.

  sql      no SQL text outside db/: string literals under triage/, connectors/
           and intake/ that read as SQL (db/ owns every statement)
  html     no HTML in C string literals under intake/: pages and exports
           render through templates (intake/read/templates/)
  size     no function over 100 lines, no file over 750 lines, in C outside tests/
  flat     at most 8 .c files directly under intake/ (the rest is split by concern)
  map      the README's folder map matches the tree
  docs     the README at most 250 lines; no link out of the repository in it,
           SECURITY.md or docs/*.md

Usage: structure.py --root SOURCE_DIR [CHECK...]   (default: every check)
Prints FILE:LINE: what is wrong, per violation; exits 1 if any.
"""
import argparse
import functools
import os
import re
import sys

CODE_TOPS = ("triage", "db", "connectors", "intake")
MAX_FUNCTION_LINES = 100
MAX_FILE_LINES = 750
MAX_INTAKE_TOP_C = 8


def c_files(root, tops, exts=(".c", ".h")):
    for top in tops:
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, top)):
            dirnames.sort()
            for name in sorted(filenames):
                if name.endswith(exts):
                    yield os.path.relpath(os.path.join(dirpath, name), root)


def read(root, rel):
    with open(os.path.join(root, rel), encoding="utf-8", errors="replace") as f:
        return f.read()


# --- a small C lexer: enough to find string literals and braces -------------

TOKEN = re.compile(r"""
    (?P<comment>/\*.*?\*/|//[^\n]*)
  | (?P<string>(?:u8|[uUL])?"(?:[^"\\\n]|\\.)*")
  | (?P<char>(?:[uUL])?'(?:[^'\\\n]|\\.)*')
  | (?P<pp>^[ \t]*\#(?:[^\n\\]|\\.)*)
  | (?P<brace>[{}])
  | (?P<semi>;)
  | (?P<newline>\n)
""", re.S | re.M | re.X)
# what may sit between two pieces of one string: space, or a macro that
# expands to a literal ("... LIMIT " MAX_ROWS_SQL " ...")
MACRO_GAP = re.compile(r"\s*([A-Z_][A-Z0-9_]*\s*)?$")
DEFINE = re.compile(r"^\s*#\s*define\s+\w+(\([^)]*\))?")
STRING_BODY = re.compile(r'(?:u8|[uUL])?"((?:[^"\\\n]|\\.)*)"')


def literals(text):
    """(line, text) of each string literal, adjacent literals joined (the
    compiler joins them, and a statement is usually split over lines).
    Literals inside #define bodies count: SQL macros are SQL text too."""
    out = []
    line = 1
    cur = None  # [first line, pieces, end offset]
    for m in TOKEN.finditer(text):
        kind = m.lastgroup
        gap = text[cur[2]:m.start()] if cur else ""
        if cur and (kind not in ("string", "comment", "newline") or not MACRO_GAP.match(gap)):
            out.append((cur[0], "".join(cur[1])))
            cur = None
        if kind == "string":
            body = STRING_BODY.match(m.group()).group(1)
            if cur:
                cur[1].append(body)
                cur[2] = m.end()
            else:
                cur = [line, [body], m.end()]
        elif kind == "pp" and DEFINE.match(m.group()):
            # a macro's literals: its body lexed on its own, continuations kept
            for n, text_ in literals(DEFINE.sub("", m.group(), count=1)):
                out.append((line + n - 1, text_))
        elif kind == "comment" and cur:
            cur[2] = m.end()
        elif kind == "newline" and cur:
            cur[2] = m.end()
        line += m.group().count("\n")
    if cur:
        out.append((cur[0], "".join(cur[1])))
    return out


@functools.lru_cache(maxsize=None)
def file_literals(root, rel):
    """literals() of one file, lexed once for every check that asks."""
    return literals(read(root, rel))


# --- sql ---------------------------------------------------------------------

# Upper-case keywords in the shapes only a statement has: a log message says
# "could not update the idea", never "UPDATE ideas SET". Case-sensitive on
# purpose.
SQL = [re.compile(p) for p in (
    r"^\s*(BEGIN|COMMIT|ROLLBACK|END|START TRANSACTION|ABORT)\b[A-Z ,]*;?\s*$",
    r"\b(SAVEPOINT|RELEASE( SAVEPOINT)?|ROLLBACK TO( SAVEPOINT)?)\s+[a-z_]\w*",
    r"\bSELECT\s+(DISTINCT\s+)?[\w*$(\"']",
    r"\bINSERT\s+INTO\s",
    r"\bUPDATE\s+\w+(\s+\w+)?\s+SET\s",
    r"\bDELETE\s+FROM\s",
    r"\bLOCK\s+(TABLE\s+)?\w+(\s+IN\s)?",
    r"^\s*SET\s+(LOCAL\s+|SESSION\s+)?\w+(\.\w+)?\s*(=|TO\b)",
    r"\bWITH\s+(RECURSIVE\s+)?\w+(\s*\([^)]*\))?\s+AS\s+(NOT\s+)?(MATERIALIZED\s+)?\(",
    r"\bCREATE\s+(TABLE|INDEX|UNIQUE|TEMP|TEMPORARY|OR REPLACE|EXTENSION|FUNCTION|ROLE|DATABASE|SCHEMA|TYPE|TRIGGER|VIEW)\b",
    r"\b(ON CONFLICT|RETURNING\s+\w|FROM\s+\w+\s+WHERE\s)",
    r"\bpg_(advisory|try_advisory)\w*\s*\(",
    # pieces of a statement split over macros: clauses and typed parameters
    r"\bWHERE\s+(NOT\s+)?[\w.]+\s*(=|<>|<|>|IS\b|IN\b|@@|ILIKE\b)",
    r"\b(ORDER|GROUP|PARTITION)\s+BY\s+[\w.(]",
    r"\bJOIN\s+(LATERAL\s+)?\w+(\s+\w+)?\s+ON\b",
    r"\bFILTER\s*\(\s*WHERE\b",
    r"\$\d+::\w+",
    r"=\s*ANY\s*\(",
    r"\bCASE\s+WHEN\b",
    r"\bVALUES\s*\(\$\d",
    r"\bFROM\s+\w+(\s+\w+)?(\s*,|\s+WHERE\b|\s+(LEFT\s+|INNER\s+)?JOIN\b)",
    r"\bAND\s+(NOT\s+)?\(?[\w.]+(\s*(=|<>|<|>)|\s+IS\b)",
    r"\bIS\s+(NOT\s+)?NULL\b",
)]


def check_sql(root):
    """No SQL text outside db/ (db/migrations included there)."""
    bad = []
    for rel in c_files(root, ("triage", "connectors", "intake")):
        for line, s in file_literals(root, rel):
            if any(p.search(s) for p in SQL):
                bad.append(f"{rel}:{line}: SQL text outside db/: \"{short(s)}\" "
                           "(move it into a typed function in db/)")
    return bad


def short(s, n=60):
    s = re.sub(r"\s+", " ", s.replace("\\n", " ").replace("\\t", " ")).strip()
    return s if len(s) <= n else s[:n - 3] + "..."


# --- html --------------------------------------------------------------------

# Markup: a closing tag, a tag with attributes, a known element (HTML, SVG,
# Atom), a comment, a doctype or an XML declaration. Placeholders in
# messages ("Bearer <token>", "<idea id>") and the escaper's "&lt;" are not.
ELEMENTS = (
    "a abbr article aside b body br button caption code dd details div dl dt em "
    "fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 head header hr html i "
    "img input label legend li link main meta nav ol optgroup option output p pre "
    "script section select small span strong style summary sup table tbody td "
    "textarea tfoot th thead time title tr ul "
    "svg g rect text path line circle "
    "feed entry updated author category content subtitle").split()
HTML = re.compile(r"</[A-Za-z][\w:-]*\s*>|<[A-Za-z][\w:-]*(\s+[\w:-]+=)"
                  r"|<(" + "|".join(ELEMENTS) + r")(\s*/?>|%s|\s+[\w:-]+(=|\s*/?>))"
                  r"|<!(DOCTYPE|--)|<\?xml", re.I)


def check_html(root):
    """No HTML in C string literals under intake/."""
    bad = []
    for rel in c_files(root, ("intake",)):
        for line, s in file_literals(root, rel):
            m = HTML.search(s)
            if m:
                bad.append(f"{rel}:{line}: HTML in a C string: \"{short(s)}\" "
                           "(render it through a template in intake/read/templates/)")
    return bad


# --- size --------------------------------------------------------------------

HEAD_NAME = re.compile(r"(\w+)\s*\(")
ATTRIBUTE = re.compile(r"__attribute__\s*\(\(.*?\)\)", re.S)


def functions(text):
    """(name, first line, last line) of each function definition: a
    top-level '{' whose head (since the last ';', '}' or directive) ends in ')'."""
    out = []
    depth = 0
    line = 1
    head, head_line = "", None
    start = None
    pos = 0
    for m in TOKEN.finditer(text):
        if depth == 0:
            chunk = text[pos:m.start()]
            if chunk.strip() and head_line is None:
                head_line = line  # chunks hold no newline: those are tokens
            head += chunk
        kind = m.lastgroup
        if kind == "brace" and m.group() == "{":
            if depth == 0:
                h = ATTRIBUTE.sub("", head).strip()
                name = HEAD_NAME.search(h)
                start = (name.group(1), head_line) if h.endswith(")") and name else None
            depth += 1
        elif kind == "brace":
            depth -= 1
            if depth == 0:
                if start:
                    out.append((start[0], start[1], line))
                start = None
                head, head_line = "", None
        elif depth == 0 and kind in ("semi", "pp"):
            head, head_line = "", None
        elif depth == 0 and kind in ("string", "char"):
            head += m.group()
        line += m.group().count("\n")
        pos = m.end()
    return out


def check_size(root):
    """No function over 100 lines, no file over 750 lines (tests aside)."""
    bad = []
    for rel in c_files(root, CODE_TOPS):
        text = read(root, rel)
        n = text.count("\n")
        if n > MAX_FILE_LINES:
            bad.append(f"{rel}:1: {n} lines, over {MAX_FILE_LINES} (split it by concern)")
        if rel.endswith(".c"):
            for name, first, last in functions(text):
                if last - first + 1 > MAX_FUNCTION_LINES:
                    bad.append(f"{rel}:{first}: {name}() is {last - first + 1} lines, "
                               f"over {MAX_FUNCTION_LINES} (give each job its own function)")
    return bad


# --- flat --------------------------------------------------------------------

def check_flat(root):
    """At most 8 .c files directly under intake/."""
    top = sorted(f for f in os.listdir(os.path.join(root, "intake")) if f.endswith(".c"))
    if len(top) > MAX_INTAKE_TOP_C:
        return [f"intake/: {len(top)} .c files directly under it, over {MAX_INTAKE_TOP_C}: "
                f"{' '.join(top)} (move them into the sub-folder of their concern)"]
    return []


# --- map ---------------------------------------------------------------------

MAP_HEADING = re.compile(r"^##+\s+.*\bfolders?\b", re.I)
# "    intake/read/     what it holds": an indented folder name, then words
MAP_LINE = re.compile(r"^ {4,}((?:[\w.-]+/)+)(\s|$)")


def readme_map(root):
    """(line, folder) of each folder in the README's folder map: the indented
    block under the first heading that names a folder map."""
    lines = read(root, "README.md").split("\n")
    out, inside = [], False
    for n, text in enumerate(lines, 1):
        if text.startswith("#"):
            if inside:
                break
            inside = bool(MAP_HEADING.match(text))
            continue
        m = MAP_LINE.match(text) if inside else None
        if m:
            out.append((n, m.group(1).rstrip("/")))
    return out


def check_map(root):
    """The README's folder map matches the tree.

    Each folder it lists exists; each code folder and intake/ sub-folder is listed."""
    listed = readme_map(root)
    if not listed:
        return ["README.md:1: no folder map (an indented block of 'folder/  what it holds' "
                "lines under a heading with 'folder' in it)"]
    bad = [f"README.md:{n}: the folder map lists {d}/, which does not exist"
           for n, d in listed if not os.path.isdir(os.path.join(root, d))]
    names = {d for _, d in listed}
    intake = os.path.join(root, "intake")
    subs = sorted("intake/" + d for d in os.listdir(intake)
                  if os.path.isdir(os.path.join(intake, d)))
    for d in list(CODE_TOPS) + subs:
        if d not in names:
            bad.append(f"README.md:{listed[0][0]}: the folder map does not list {d}/")
    return bad


# --- docs --------------------------------------------------------------------

MAX_README_LINES = 250
DOCS = ("README.md", "SECURITY.md")
WEB = re.compile(r"\b(https?|ftp)://(?!(127\.0\.0\.1|localhost)[:/])[^\s)>`\"]+")
CLIMB = re.compile(r"(?<![\w.])(\.\./)+[^\s)>`\"]*")


def outside(rel, text):
    """Web addresses (but the local server's) and paths that climb out of the
    checkout, from the folder of the document that names them."""
    found = [m.group() for m in WEB.finditer(text)]
    for m in CLIMB.finditer(text):
        if os.path.normpath(os.path.join(os.path.dirname(rel), m.group())).startswith(".."):
            found.append(m.group())
    return found


def check_docs(root):
    """The README stays for users; the documents link nothing outside the repository."""
    bad = []
    n = read(root, "README.md").count("\n")
    if n > MAX_README_LINES:
        bad.append(f"README.md:1: {n} lines, over {MAX_README_LINES} (design goes to "
                   "docs/design.md, figures to docs/benchmarks.md)")
    docs = [d for d in DOCS if os.path.isfile(os.path.join(root, d))]
    if os.path.isdir(os.path.join(root, "docs")):
        docs += sorted(os.path.join("docs", f) for f in os.listdir(os.path.join(root, "docs"))
                       if f.endswith(".md"))
    for rel in docs:
        for line, text in enumerate(read(root, rel).split("\n"), 1):
            for target in outside(rel, text):
                bad.append(f"{rel}:{line}: {target} is outside the repository "
                           "(a reader of the checkout cannot follow it)")
    return bad


CHECKS = {"sql": check_sql, "html": check_html, "size": check_size,
          "flat": check_flat, "map": check_map, "docs": check_docs}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--root", required=True)
    p.add_argument("checks", nargs="*", choices=[[]] + list(CHECKS), default=[])
    args = p.parse_args()
    failed = 0
    for name in args.checks or CHECKS:
        bad = CHECKS[name](args.root)
        for line in bad:
            print(line)
        print(f"structure {name}: {CHECKS[name].__doc__.splitlines()[0]} "
              f"{'ok' if not bad else f'{len(bad)} violation(s)'}")
        failed += bool(bad)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
