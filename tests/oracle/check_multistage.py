#!/usr/bin/env python3
"""The multi-stage conversion (DF310's fix) on real Dockerfiles and fixture projects.

For every file (the real-world corpus and tests/fixtures/multistage/*/Dockerfile
unless paths are given), in a private temporary copy of its folder (so the
manifests beside it are read, as the CLI does):

  - counts single-stage files, files where DF310 fires, and files where the
    conversion is offered; collects the reasons DF310 gives when it is not;
  - applies the conversion alone (`check --select DF310 --unsafe-fixes --fix`)
    and checks, with the official BuildKit parser (PyPI `dockerfile`), that
    the output parses; that its final stage is on the runtime the fix title
    names, copies from the first stage, runs as a non-root USER and has
    exec-form CMD/ENTRYPOINT, and copies nothing from the build context
    root; that DF310 no longer fires and a second run changes nothing.

Usage: check_multistage.py [--bin DOCKFIX] [--jobs N] [--show N] [PATH...]
Exit status 1 when a conversion fails a check.
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

import dockerfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TITLE = re.compile(r"runtime on `([^`]+)`")
REASON = re.compile(r"\(no automatic conversion: (.*)\)$")


def default_files():
    corpus = os.environ.get("DOCKFIX_REAL_CORPUS") or os.path.join(ROOT, "..", "shared", "corpus", "real")
    files = [os.path.join(corpus, n) for n in sorted(os.listdir(corpus)) if not n.endswith((".md", ".tsv"))]
    files += sorted(glob.glob(os.path.join(ROOT, "tests/fixtures/multistage/*/Dockerfile")))
    return files


def dockfix(binary, args, path):
    proc = subprocess.run([binary, "check", "--exit-zero", "--format", "json", *args, path],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"dockfix exited {proc.returncode}: {proc.stderr.strip()[:300]}")
    return json.loads(proc.stdout) if proc.stdout.strip() else []


def general(reason):
    """A reason with its specifics (names in backticks, numbers) blanked, for counting."""
    return re.sub(r"\d+", "N", re.sub(r"`[^`]*`", "`…`", reason))


def check(binary, src):
    out = {"path": src, "single": False, "fires": False, "offered": False, "reasons": [],
           "problems": [], "buildkit": None, "runtime": None}
    try:
        stages = [c for c in dockerfile.parse_file(src) if c.cmd.lower() == "from"]
    except dockerfile.GoParseError:
        return out
    out["single"] = len(stages) == 1
    fixture = "/tests/fixtures/multistage/" in src
    with tempfile.TemporaryDirectory(prefix="dockfix-multistage-") as tmp:
        work = os.path.join(tmp, "project")
        if fixture:
            shutil.copytree(os.path.dirname(src), work)
        else:
            os.makedirs(work)
            shutil.copyfile(src, os.path.join(work, "Dockerfile"))
        path = os.path.join(work, "Dockerfile")
        try:
            diagnostics = [d for d in dockfix(binary, ["--select", "DF310"], path) if d["code"] == "DF310"]
            out["fires"] = bool(diagnostics)
            fixes = [d["fix"] for d in diagnostics if d.get("fix")]
            out["offered"] = bool(fixes)
            for d in diagnostics:
                m = REASON.search(d["message"])
                if m and m.group(1) not in out["reasons"]:
                    out["reasons"].append(m.group(1))
            if not fixes:
                return out
            m = TITLE.search(fixes[0]["title"])
            out["runtime"] = m.group(1) if m else None
            dockfix(binary, ["--select", "DF310", "--unsafe-fixes", "--fix"], path)
            with open(path, encoding="utf-8", errors="surrogateescape") as f:
                converted = f.read()
            out["converted"] = converted
            try:
                commands = dockerfile.parse_file(path)
                out["buildkit"] = True
            except dockerfile.GoParseError as e:
                out["buildkit"] = False
                out["problems"].append(f"BuildKit rejects the output: {e}")
                return out
            froms = [i for i, c in enumerate(commands) if c.cmd.lower() == "from"]
            if len(froms) < 2:
                out["problems"].append("the output has one stage")
                return out
            first, last = commands[froms[0]], commands[froms[-1]]
            name = first.value[2] if len(first.value) >= 3 and first.value[1].lower() == "as" else None
            if last.value[0] != out["runtime"]:
                out["problems"].append(f"final stage on {last.value[0]}, title says {out['runtime']}")
            final = commands[froms[-1] + 1:]
            copies = [c for c in final if c.cmd.lower() == "copy"]
            if not any(f"--from={name}" in c.flags for c in copies):
                out["problems"].append("the final stage copies nothing from the build stage")
            for c in copies:
                sources = c.value[:-1]
                if not any(f.startswith("--from=") for f in c.flags) and any(s in (".", "./") for s in sources):
                    out["problems"].append("the final stage copies the build context root")
            users = [c.value[0] for c in final if c.cmd.lower() == "user"]
            user = users[-1].split(":")[0] if users else None
            if user is None or user == "root" or user.strip("0") == "":
                out["problems"].append(f"the final stage runs as {user or 'the base image user'}")
            for c in final:
                if c.cmd.lower() in ("cmd", "entrypoint") and not c.json:
                    out["problems"].append(f"{c.cmd} in shell form")
            again = [d for d in dockfix(binary, ["--select", "DF310"], path) if d["code"] == "DF310"]
            if again:
                out["problems"].append("DF310 still fires after the conversion")
            dockfix(binary, ["--select", "DF310", "--unsafe-fixes", "--fix"], path)
            with open(path, encoding="utf-8", errors="surrogateescape") as f:
                if f.read() != converted:
                    out["problems"].append("a second run changes the file")
        except Exception as e:  # noqa: BLE001 - reported as a problem of this file
            out["problems"].append(f"error: {type(e).__name__}: {e}")
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*")
    parser.add_argument("--bin", default=os.environ.get("DOCKFIX_BIN") or os.path.join(ROOT, "target/release/dockfix"))
    parser.add_argument("--jobs", type=int, default=max(2, os.cpu_count() or 2))
    parser.add_argument("--show", type=int, default=0, help="print N converted corpus files")
    args = parser.parse_args()
    binary = os.path.abspath(args.bin)
    files = args.paths or default_files()
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        results = list(pool.map(lambda f: check(binary, f), files))
    for group, members in (("corpus", [r for r in results if "/tests/fixtures/" not in r["path"]]),
                           ("fixtures", [r for r in results if "/tests/fixtures/" in r["path"]])):
        single = [r for r in members if r["single"]]
        fires = [r for r in members if r["fires"]]
        offered = [r for r in members if r["offered"]]
        valid = [r for r in offered if r["buildkit"]]
        clean = [r for r in offered if not r["problems"]]
        print(f"{group}: {len(members)} files, {len(single)} single-stage; DF310 fires in {len(fires)} "
              f"({sum(1 for r in fires if r['single'])} single-stage); conversion offered in {len(offered)}; "
              f"BuildKit-valid after: {len(valid)}/{len(offered)}; all checks pass: {len(clean)}/{len(offered)}")
        reasons = collections.Counter(general(reason) for r in fires if not r["offered"] for reason in r["reasons"][:1])
        for reason, n in reasons.most_common(12):
            print(f"  {n:4d}  {reason}")
        runtimes = collections.Counter(r["runtime"] for r in offered)
        for runtime, n in runtimes.most_common():
            print(f"  runtime {runtime}: {n}")
    failures = [r for r in results if r["problems"]]
    for r in failures:
        print(f"FAIL {os.path.relpath(r['path'])}")
        for p in r["problems"][:6]:
            print(f"    {p}")
    shown = 0
    for r in results:
        if r["offered"] and "/tests/fixtures/" not in r["path"] and shown < args.show:
            shown += 1
            print(f"\n===== {os.path.relpath(r['path'])}\n{r.get('converted', '')}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
