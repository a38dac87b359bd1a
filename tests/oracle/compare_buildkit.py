#!/usr/bin/env python3
"""Compare `dockfix parse --format json` with the official BuildKit parser.

The oracle is PyPI `dockerfile` (BuildKit's parser compiled for Python). For
every file: when BuildKit accepts it, dockfix must print the same instruction
list (every field) and `dockfix check` must report no DF001; when BuildKit
rejects it, `dockfix parse` must fail and `dockfix check` must report DF001.

Usage: compare_buildkit.py DOCKFIX_BINARY PATH... [--expect-file EXPECTATIONS]
Exit status 0 when everything agrees; the summary line gives the counts.
"""
import argparse
import concurrent.futures
import json
import os
import subprocess
import sys

import dockerfile


def oracle(path):
    try:
        commands = dockerfile.parse_file(path)
    except dockerfile.GoParseError as e:
        return {"error": str(e)}
    out = []
    for c in commands:
        out.append({
            "cmd": c.cmd,
            "sub_cmd": c.sub_cmd,
            "json": c.json,
            "original": c.original,
            "start_line": c.start_line,
            "end_line": c.end_line,
            "flags": list(c.flags),
            "value": list(c.value),
            "heredocs": [
                {"name": h.name, "file_descriptor": h.file_descriptor, "content": h.content}
                for h in c.heredocs
            ],
        })
    return out


def dockfix_parse(binary, path):
    proc = subprocess.run([binary, "parse", "--format", "json", path], capture_output=True, text=True)
    if proc.returncode == 2:
        return {"crash": proc.stderr}
    return json.loads(proc.stdout)


def dockfix_df001(binary, path):
    proc = subprocess.run([binary, "check", path], capture_output=True, text=True)
    return [line for line in proc.stdout.splitlines() if " DF001 " in line]


def has_nul(path):
    with open(path, "rb") as f:
        return b"\0" in f.read()


def compare(binary, path):
    expected = oracle(path)
    actual = dockfix_parse(binary, path)
    df001 = dockfix_df001(binary, path)
    problems = []
    # Fixtures under an `invalid` folder are rejected by BuildKit: by its parser
    # (the oracle), by its instruction parser or when it expands the words (which
    # the oracle does not run).
    must_reject = "invalid" in path.split(os.sep)
    if must_reject and not df001:
        problems.append("BuildKit rejects this fixture but dockfix reports no DF001")
    if isinstance(expected, dict):
        if "valid" in path.split(os.sep):
            problems.append(f"a fixture under `valid` that BuildKit rejects ({expected['error']})")
        if not df001 and not must_reject:
            problems.append(f"BuildKit rejects ({expected['error']}) but dockfix reports no DF001")
        if not (isinstance(actual, dict) and "error" in actual):
            problems.append(f"BuildKit rejects ({expected['error']}) but `dockfix parse` accepts")
        return ("rejected", problems)
    if isinstance(actual, dict):
        problems.append(f"BuildKit accepts but dockfix parse says {actual}")
        return ("accepted", problems)
    if has_nul(path):
        # The binding cuts strings at NUL; compare everything but the text fields.
        for c in expected + actual:
            c.pop("original", None)
            c.pop("value", None)
    if len(expected) != len(actual):
        problems.append(f"{len(expected)} instructions in BuildKit, {len(actual)} in dockfix")
    for i, (e, a) in enumerate(zip(expected, actual)):
        for key in e:
            if e[key] != a.get(key):
                problems.append(f"instruction {i + 1} (line {e['start_line']}) {key}: BuildKit {e[key]!r} dockfix {a.get(key)!r}")
    if not must_reject:
        for line in df001:
            problems.append(f"unexpected DF001: {line}")
    return ("accepted", problems)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args()
    files = []
    for p in args.paths:
        if os.path.isdir(p):
            for root, _, names in os.walk(p):
                files.extend(os.path.join(root, n) for n in sorted(names) if not n.endswith((".md", ".tsv")))
        else:
            files.append(p)
    files.sort()
    counts = {"accepted": 0, "rejected": 0}
    failures = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        for path, (kind, problems) in zip(files, pool.map(lambda f: compare(args.binary, f), files)):
            counts[kind] += 1
            if problems:
                failures += 1
                print(f"FAIL {path}")
                for p in problems[:8]:
                    print(f"    {p}")
    print(f"{len(files)} files: {counts['accepted']} accepted by BuildKit, {counts['rejected']} rejected; "
          f"{len(files) - failures} agree, {failures} differ")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
