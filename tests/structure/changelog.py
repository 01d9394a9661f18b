#!/usr/bin/env python3
"""The changelog says what the build says (issue 16, point 7).

CHANGELOG.md follows Keep a Changelog: an [Unreleased] section first, then
released versions newest first as "## [X.Y.Z] - YYYY-MM-DD", each with only
the standard kinds of change as subsections, and a link for every version.
The newest released version is the one CMake's project(VERSION) builds, so
`ideatriage --version`, the package and the changelog never disagree.

usage: changelog.py CHANGELOG.md PROJECT_VERSION
"""
import re
import sys

KINDS = {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}


def problems(text, version):
    out = []
    heads = re.findall(r"^## (.*)$", text, re.M)
    if not heads or heads[0] != "[Unreleased]":
        out.append("the first section must be '## [Unreleased]'")
    released = []
    for h in heads[1:]:
        m = re.fullmatch(r"\[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})", h)
        if not m:
            out.append(f"'## {h}': not '## [X.Y.Z] - YYYY-MM-DD'")
        else:
            released.append(m.groups())
    if not released:
        out.append("no released version")
    elif released[0][0] != version:
        out.append(f"newest version {released[0][0]} is not the project's {version}")
    key = lambda v: tuple(int(p) for p in v[0].split("."))
    if [key(v) for v in released] != sorted((key(v) for v in released), reverse=True):
        out.append("versions are not newest first")
    if [v[1] for v in released] != sorted((v[1] for v in released), reverse=True):
        out.append("dates are not newest first")
    for kind in re.findall(r"^### (.*)$", text, re.M):
        if kind not in KINDS:
            out.append(f"'### {kind}' is not one of {sorted(KINDS)}")
    for name in ["Unreleased"] + [v[0] for v in released]:
        if not re.search(r"^\[" + re.escape(name) + r"\]: \S+$", text, re.M):
            out.append(f"no link for [{name}]")
    return out


def main():
    path, version = sys.argv[1], sys.argv[2]
    with open(path, encoding="utf-8") as f:
        found = problems(f.read(), version)
    for p in found:
        print(f"{path}: {p}")
    if not found:
        print(f"{path}: Keep a Changelog, newest version {version}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
