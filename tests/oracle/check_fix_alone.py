#!/usr/bin/env python3
"""Every fix alone: for every file (the real-world corpus, the rule fixtures
and the valid syntax fixtures unless paths are given) and every diagnostic
that carries a fix (any applicability: an editor's quick fix applies even a
display-only one), the output of that one fix applied alone
(`server/examples/fix_each.rs`, the library's own `fix::apply`) must:

  (a) be accepted by the official BuildKit parser (PyPI `dockerfile`)
      whenever the input was;
  (b) re-parse with no more syntax errors (DF001) than the input had;
  (c) keep every full-line comment of the input (as a multiset, trimmed),
      except the suppression comment a DF002 fix removes and the `# syntax=`
      line DF401's fix raises;
  (d) keep, unchanged and in order, every instruction of the input that the
      fix does not touch (neither the diagnostic's lines nor its edits').

Usage: check_fix_alone.py [--fix-each BIN] [--json OUT] [PATH...]
BIN defaults to target/release/examples/fix_each. Exit status 1 on any failure.
"""
import argparse
import collections
import json
import os
import re
import subprocess
import sys
import time

import dockerfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_fixes import ROOT, SUPPRESSION, comment_lines, default_files, expand, subsequence  # noqa: E402


def buildkit(text):
    try:
        return [(c.cmd.lower(), c.original, c.start_line, c.end_line) for c in dockerfile.parse_string(text)], None
    except dockerfile.GoParseError as e:
        return None, str(e)


def check_fix(source, before, record, fix):
    problems = []
    where = f"{fix['code']} ({fix['applicability']}) {fix['title'][:70]!r}"
    output = fix["output"]
    if before is not None:
        after, error = buildkit(output)
        if after is None:
            problems.append(f"(a) {where}: BuildKit rejects the output: {error[:200]}")
    else:
        after = None
    if fix["syntax_errors"] > record["syntax_errors"]:
        problems.append(f"(b) {where}: {record['syntax_errors']} syntax errors before, {fix['syntax_errors']} after")
    kept = comment_lines(output)
    for line, n in comment_lines(source).items():
        if kept[line] >= n:
            continue
        if fix["code"] == "DF002" and SUPPRESSION.match(line):
            continue
        if fix["code"] == "DF401" and re.match(r"^#\s*syntax\s*=", line):
            continue
        problems.append(f"(c) {where}: comment line lost: {line[:100]!r}")
    if before is not None and after is not None:
        touched = set()
        for first, last in fix["touched"]:
            touched.update(range(first, last + 1))
        untouched = [c[1] for c in before if not touched.intersection(range(c[2], c[3] + 1))]
        for m in subsequence(untouched, [c[1] for c in after])[:3]:
            problems.append(f"(d) {where}: instruction changed though the fix does not touch it: {m[:100]!r}")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", help="files or folders (default: corpus + fixtures)")
    parser.add_argument("--fix-each", default=os.path.join(ROOT, "target/release/examples/fix_each"))
    parser.add_argument("--json", metavar="OUT", help="write the summary as JSON")
    args = parser.parse_args()
    if not os.access(args.fix_each, os.X_OK):
        sys.exit(f"error: no fix_each binary at {args.fix_each} "
                 "(cargo build --release --example fix_each, or pass --fix-each)")
    files = sorted(expand(args.paths)) if args.paths else default_files()
    started = time.monotonic()
    proc = subprocess.run([args.fix_each, *files], capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"error: fix_each exited {proc.returncode}: {proc.stderr.strip()[:500]}")

    counts = collections.Counter()
    per_rule = collections.Counter()
    failures = []
    for line in proc.stdout.splitlines():
        record = json.loads(line)
        counts["files"] += 1
        if "error" in record:
            failures.append((record["path"], [f"error: {record['error']}"]))
            continue
        # newline="": the exact bytes (universal newlines would turn CRLF into LF).
        with open(record["path"], encoding="utf-8", errors="surrogateescape", newline="") as f:
            source = f.read()
        before, _ = buildkit(source)
        counts["accepted"] += before is not None
        problems = []
        for fix in record["fixes"]:
            if not fix["applied"]:
                # Edits outside the text or overlapping each other: the fix
                # machinery refuses them, so nothing is written.
                problems.append(f"{fix['code']} ({fix['applicability']}) {fix['title'][:70]!r}: the fix cannot apply")
                continue
            counts["fixes"] += 1
            counts[fix["applicability"]] += 1
            per_rule[(fix["code"], fix["applicability"])] += 1
            problems += check_fix(source, before, record, fix)
        if problems:
            failures.append((record["path"], problems))
    elapsed = time.monotonic() - started

    print(f"{counts['files']} files ({counts['accepted']} accepted by BuildKit); "
          f"{counts['fixes']} fixes applied alone ({counts['safe']} safe, {counts['unsafe']} unsafe, "
          f"{counts['display-only']} display-only)")
    print("per rule: " + ", ".join(f"{c} {a} ×{n}" for (c, a), n in sorted(per_rule.items())))
    for path, problems in failures:
        print(f"FAIL {os.path.relpath(path)}")
        for p in problems[:8]:
            print(f"    {p}")
    print(f"{counts['files']} files, {counts['fixes']} fixes alone, {len(failures)} failures, {elapsed:.1f}s")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"files": counts["files"], "accepted_by_buildkit": counts["accepted"],
                       "fixes_alone": counts["fixes"],
                       "by_applicability": {a: counts[a] for a in ("safe", "unsafe", "display-only")},
                       "per_rule": [{"code": c, "applicability": a, "count": n} for (c, a), n in sorted(per_rule.items())],
                       "failures": [{"path": p, "problems": pr} for p, pr in failures],
                       "seconds": round(elapsed, 1)}, f, indent=2)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
