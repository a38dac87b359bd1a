#!/usr/bin/env python3
"""Corpus-wide fix safety: `dockfix check --fix` must never break a Dockerfile.

For every file (the real-world corpus, the rule fixtures and the valid syntax
fixtures unless paths are given), in a private temporary copy, for both
`--fix` (safe fixes) and `--fix --unsafe-fixes`:

  (a) the official BuildKit parser (PyPI `dockerfile`) still accepts the
      output whenever it accepted the input;
  (b) running the same command again changes nothing (idempotence), and
      dockfix itself reports no "did not converge" warning;
  (c) every full-line comment of the input is still in the output (as a
      multiset, whitespace-trimmed), except `# dockfix ignore=` lines when
      DF002 (unused-suppression) offered a fix;
  (d) instructions are only kept or changed where a fix applied: the number
      of instructions does not drop, only RUN and USER may be added (DF101)
      (and the instructions of RULE_ADDS / RULE_REMOVES, when that rule
      offered a fix of the applied level),
      and every input instruction that no first-round fix touches (neither
      the diagnostic's range nor its edits) is still in the output,
      unchanged and in order. (d) is checked for the unsafe run only; safe
      fixes never add or remove instructions (but for DF701, DF704 and DF705
      as above), so there the counts per keyword must be equal.

It also counts, per rule and applicability, the fixable diagnostics of a
`--format json` run before fixing, and how many of them are still reported
after fixing ("left"). A fix of the applied level that is still offered
after the fix-all loop converged is printed as a note (an offered fix that
cannot apply), not as a failure.

Usage: check_fixes.py [--bin DOCKFIX] [--json OUT] [--jobs N] [PATH...]
The binary defaults to $DOCKFIX_BIN, then target/release/dockfix. The corpus
is $DOCKFIX_REAL_CORPUS, or ../shared/corpus/real next to the repository.
Exit status 1 on any failure.
"""
import argparse
import collections
import concurrent.futures
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import dockerfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SUPPRESSION = re.compile(r"^#\s*dockfix\s+(global\s+)?ignore\s*=", re.IGNORECASE)
MODES = {"safe": ["--fix"], "unsafe": ["--fix", "--unsafe-fixes"]}
LEVELS = {"safe": {"safe"}, "unsafe": {"safe", "unsafe"}}
# Instructions a fix may add, by rule (DF101 creates a user and switches to it).
MAY_ADD = {"run", "user"}
# Instructions other rules' documented fixes may add or remove, when the rule
# offered a fix of the applied level: DF601 turns `cd /x &&` into WORKDIR,
# DF702 inserts a HEALTHCHECK, DF706 inserts SHELL, DF310 converts to a
# multi-stage build (all unsafe); DF701 drops
# an EXPOSE left empty, DF704 drops overridden CMD/ENTRYPOINT/HEALTHCHECK and
# DF705 turns MAINTAINER into LABEL (all safe).
RULE_ADDS = {"DF601": {"workdir"}, "DF702": {"healthcheck"}, "DF706": {"shell"}, "DF705": {"label"},
             "DF502": {"copy"},
             # The multi-stage conversion adds a runtime stage: its FROM, the
             # copies from the build stage, run-time ENV and build ARGs again,
             # WORKDIR, package installs and user creation, USER, and nginx's
             # EXPOSE 8080 for a static site; DF702 may then give the new
             # runtime stage the HEALTHCHECK it could not give the old one.
             "DF310": {"from", "copy", "env", "arg", "workdir", "run", "user", "expose", "healthcheck"}}
RULE_REMOVES = {"DF701": {"expose"}, "DF704": {"cmd", "entrypoint", "healthcheck"}, "DF705": {"maintainer"},
                "DF502": {"add"}, "DF401": {"arg", "env"}, "DF504": {"env"}, "DF307": {"run"},
                # Overridden CMD/ENTRYPOINTs are written once; a static site
                # keeps nginx's own command and port.
                "DF310": {"cmd", "entrypoint", "expose"}}
# Rules whose fixes may remove whole instructions (an EXPOSE left empty, a
# repeated CMD, a secret ARG/ENV, a TLS-disabling ENV, an update-only RUN
# merged into the next install).
MAY_DROP = ("DF701", "DF704", "DF401", "DF504", "DF307")


def default_files():
    corpus = os.environ.get("DOCKFIX_REAL_CORPUS") or os.path.join(ROOT, "..", "shared", "corpus", "real")
    if not os.path.isdir(corpus):
        sys.exit(f"error: the real-world corpus is not at {corpus} (set DOCKFIX_REAL_CORPUS)")
    files = [os.path.join(corpus, n) for n in sorted(os.listdir(corpus))]
    files += sorted(glob.glob(os.path.join(ROOT, "tests/fixtures/rules/**/*.Dockerfile"), recursive=True))
    valid = os.path.join(ROOT, "tests/fixtures/syntax/valid")
    files += [os.path.join(valid, n) for n in sorted(os.listdir(valid))]
    return [f for f in files if os.path.isfile(f) and not f.endswith((".md", ".tsv"))]


def expand(paths):
    files = []
    for p in paths:
        if os.path.isdir(p):
            for root, _, names in os.walk(p):
                files.extend(os.path.join(root, n) for n in sorted(names) if not n.endswith((".md", ".tsv")))
        else:
            files.append(p)
    return files


def buildkit(path):
    """(instruction list, None), or (None, error) when BuildKit rejects the file."""
    try:
        return [(c.cmd.lower(), c.original, c.start_line, c.end_line) for c in dockerfile.parse_file(path)], None
    except dockerfile.GoParseError as e:
        return None, str(e)


def run(binary, args, path):
    proc = subprocess.run([binary, "check", "--exit-zero", "--select", "ALL", "--format", "json", *args, path],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"dockfix exited {proc.returncode}: {proc.stderr.strip()[:300]}")
    return json.loads(proc.stdout), proc.stderr


def read(path):
    with open(path, "rb") as f:
        return f.read().decode("utf-8", errors="surrogateescape")


def comment_lines(text):
    return collections.Counter(line.strip() for line in text.splitlines() if line.lstrip().startswith("#"))


def touched_lines(diagnostics, level):
    """Lines (1-based) covered by a fixable diagnostic of the level: its range and its edits."""
    lines = set()
    for d in diagnostics:
        fix = d.get("fix")
        if not fix or fix["applicability"] not in level:
            continue
        lines.update(range(d["start"]["line"], d["end"]["line"] + 1))
        for e in fix["edits"]:
            # An insertion at column 1 of line n touches no existing instruction
            # on line n; an edit that ends at column 1 does not touch its last line.
            last = e["end"]["line"] - (1 if e["end"]["column"] == 1 and e["end"] != e["start"] else 0)
            if e["start"] == e["end"]:
                # An insertion inside a line changes the instruction on it.
                if e["start"]["column"] != 1:
                    lines.add(e["start"]["line"])
                continue
            lines.update(range(e["start"]["line"], max(e["start"]["line"], last) + 1))
    return lines


def subsequence(needles, haystack):
    it = iter(haystack)
    missing = []
    for n in needles:
        for h in it:
            if h == n:
                break
        else:
            missing.append(n)
            it = iter(())
    return missing


def check_mode(binary, src, workdir, mode, before, diagnostics):
    """Fix a copy in `mode`; return (problems, notes, changed, left-counter)."""
    problems, notes = [], []
    copy = os.path.join(workdir, mode, os.path.basename(src))
    os.makedirs(os.path.dirname(copy), exist_ok=True)
    shutil.copyfile(src, copy)
    original = read(copy)
    after_diags, stderr = run(binary, MODES[mode], copy)
    if "did not converge" in stderr:
        problems.append(f"[{mode}] (b) {stderr.strip().splitlines()[0]}")
    fixed = read(copy)
    changed = fixed != original
    # (b) idempotence
    _, stderr2 = run(binary, MODES[mode], copy)
    again = read(copy)
    if again != fixed:
        problems.append(f"[{mode}] (b) a second run changes the file again")
    # (a) BuildKit still accepts
    after, error = buildkit(copy if again == fixed else _write(workdir, mode, fixed, src))
    if before is not None and after is None:
        problems.append(f"[{mode}] (a) BuildKit rejects the fixed file: {error[:200]}")
    # (c) comments survive
    has_df002 = any(d["code"] == "DF002" and d.get("fix") for d in diagnostics)
    kept = comment_lines(fixed)
    for line, n in comment_lines(original).items():
        if kept[line] >= n:
            continue
        if has_df002 and SUPPRESSION.match(line):
            continue
        # DF401 raises `# syntax=` to a version with `--mount=type=secret,env=`.
        if re.match(r"^#\s*syntax\s*=", line) and any(d["code"] == "DF401" for d in diagnostics):
            continue
        problems.append(f"[{mode}] (c) comment line lost: {line[:100]!r}")
    # (d) instructions
    if before is not None and after is not None:
        cb = collections.Counter(c[0] for c in before)
        ca = collections.Counter(c[0] for c in after)
        fixed_codes = collections.Counter(d["code"] for d in diagnostics
                                          if d.get("fix") and d["fix"]["applicability"] in LEVELS[mode])
        removable = set().union(*(RULE_REMOVES[c] for c in fixed_codes if c in RULE_REMOVES))
        addable = set().union(*(RULE_ADDS[c] for c in fixed_codes if c in RULE_ADDS))
        may_drop = sum(n for c, n in fixed_codes.items() if c in MAY_DROP)
        if len(after) < len(before) - may_drop:
            problems.append(f"[{mode}] (d) {len(before)} instructions before, {len(after)} after")
        for kw in sorted(set(cb) | set(ca)):
            delta = ca[kw] - cb[kw]
            if delta < 0 and kw in removable:
                continue
            if delta > 0 and kw in addable:
                continue
            if delta < 0 or (delta > 0 and (mode == "safe" or kw not in MAY_ADD)):
                problems.append(f"[{mode}] (d) {kw.upper()}: {cb[kw]} before, {ca[kw]} after")
        touched = touched_lines(diagnostics, LEVELS[mode])
        untouched = [c[1] for c in before if not touched.intersection(range(c[2], c[3] + 1))]
        for m in subsequence(untouched, [c[1] for c in after])[:3]:
            problems.append(f"[{mode}] (d) instruction changed though no fix touched it: {m[:100]!r}")
    # Fixes of the applied level still offered after the loop converged.
    left = collections.Counter()
    for d in after_diags:
        fix = d.get("fix")
        if fix and fix["applicability"] in LEVELS[mode]:
            left[(d["code"], fix["applicability"])] += 1
            notes.append(f"[{mode}] {d['code']} still offers a {fix['applicability']} fix after fixing "
                         f"(line {d['start']['line']}: {fix['title'][:80]})")
    return problems, notes, changed, left


def _write(workdir, mode, text, src):
    path = os.path.join(workdir, mode + "-first", os.path.basename(src))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", errors="surrogateescape") as f:
        f.write(text)
    return path


def check_file(binary, src):
    result = {"path": src, "problems": [], "notes": [], "changed": {}, "fixable": collections.Counter(),
              "left": {}, "accepted": None}
    with tempfile.TemporaryDirectory(prefix="dockfix-fixes-") as workdir:
        try:
            before, _ = buildkit(src)
            result["accepted"] = before is not None
            pre = os.path.join(workdir, "pre", os.path.basename(src))
            os.makedirs(os.path.dirname(pre))
            shutil.copyfile(src, pre)
            diagnostics, _ = run(binary, [], pre)
            for d in diagnostics:
                if d.get("fix"):
                    result["fixable"][(d["code"], d["fix"]["applicability"])] += 1
            for mode in MODES:
                problems, notes, changed, left = check_mode(binary, src, workdir, mode, before, diagnostics)
                result["problems"] += problems
                result["notes"] += notes
                result["changed"][mode] = changed
                result["left"][mode] = left
        except Exception as e:  # noqa: BLE001 - reported as a failure of this file
            result["problems"].append(f"error: {type(e).__name__}: {e}")
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", help="files or folders (default: corpus + fixtures)")
    parser.add_argument("--bin", default=os.environ.get("DOCKFIX_BIN") or os.path.join(ROOT, "target/release/dockfix"))
    parser.add_argument("--json", metavar="OUT", help="write the summary as JSON")
    parser.add_argument("--jobs", type=int, default=max(2, os.cpu_count() or 2))
    parser.add_argument("--notes", action="store_true", help="print every note, not only a summary")
    args = parser.parse_args()
    binary = os.path.abspath(args.bin)
    if not os.access(binary, os.X_OK):
        sys.exit(f"error: no dockfix binary at {binary} (build it, or pass --bin / set DOCKFIX_BIN)")
    files = sorted(expand(args.paths)) if args.paths else default_files()
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        results = list(pool.map(lambda f: check_file(binary, f), files))
    elapsed = time.monotonic() - started

    fixable = collections.Counter()
    left = {m: collections.Counter() for m in MODES}
    for r in results:
        fixable.update(r["fixable"])
        for m in MODES:
            left[m].update(r["left"].get(m, {}))
    failures = [r for r in results if r["problems"]]
    noted = [r for r in results if r["notes"]]
    changed = {m: sum(1 for r in results if r["changed"].get(m)) for m in MODES}
    accepted = sum(1 for r in results if r["accepted"])

    print(f"{len(files)} files ({accepted} accepted by BuildKit); changed by --fix: {changed['safe']}, "
          f"by --fix --unsafe-fixes: {changed['unsafe']}")
    print()
    print("| rule | applicability | fixable before | left after --fix | left after --unsafe-fixes |")
    print("|---|---|---:|---:|---:|")
    for (code, appl), n in sorted(fixable.items()):
        print(f"| {code} | {appl} | {n} | {left['safe'][(code, appl)] if appl == 'safe' else '—'} "
              f"| {left['unsafe'][(code, appl)] if appl in ('safe', 'unsafe') else '—'} |")
    print()
    if noted:
        by_rule = collections.Counter(n.split()[1] + " " + n.split()[0] for r in noted for n in r["notes"])
        print(f"notes: {sum(len(r['notes']) for r in noted)} fixes still offered after fixing, in {len(noted)} files: "
              + ", ".join(f"{k} ×{v}" for k, v in sorted(by_rule.items())))
        for r in noted[: None if args.notes else 5]:
            print(f"  {os.path.relpath(r['path'])}")
            for n in r["notes"][:4]:
                print(f"      {n}")
        print()
    for r in failures:
        print(f"FAIL {os.path.relpath(r['path'])}")
        for p in r["problems"][:8]:
            print(f"    {p}")
    print(f"{len(files)} files, {len(failures)} failures, {elapsed:.1f}s")

    if args.json:
        with open(args.json, "w") as f:
            json.dump({
                "files": len(files),
                "accepted_by_buildkit": accepted,
                "changed": changed,
                "seconds": round(elapsed, 1),
                "fixable": [{"code": c, "applicability": a, "count": n,
                             "left_after_fix": left["safe"][(c, a)], "left_after_unsafe_fixes": left["unsafe"][(c, a)]}
                            for (c, a), n in sorted(fixable.items())],
                "failures": [{"path": r["path"], "problems": r["problems"]} for r in failures],
                "notes": [{"path": r["path"], "notes": r["notes"]} for r in noted],
            }, f, indent=2)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
