#!/usr/bin/env python3
"""Compare dockfix with hadolint on the rules that map one to one.

    DF101 root-user          <- DL3002 (last USER should not be root)
    DF102 sudo-in-run        <- DL3004 (do not use sudo)
    DF104 useradd-no-log-init<- DL3046 (useradd without -l and a high UID)
    DF201 latest-tag         <- DL3007 (using latest)
    DF202 untagged-image     <- DL3006 (always tag the image)
    DF301..DF312 (packages)  <- DL3015, DL3009, DL3019, DL3032/DL3040/DL3036,
                                DL3042, DL3060, DL3027, DL3014/DL3030/DL3038/DL3034,
                                DL3008/DL3018/DL3013/DL3016/DL3028/DL3062

For every file, `hadolint -f json FILE` and `dockfix check --format json
--select DF101,DF102,DF104,DF201,DF202 FILE` run, and every reported line is
mapped to the start line of the instruction that contains it (BuildKit's
parser gives the instruction ranges: dockfix reports a token, hadolint the
instruction). Per rule the (file, instruction) pairs are counted as reported
by both, only by hadolint, only by dockfix; DF101/DL3002 is also compared per
file, since the two report different lines (DF101: the final FROM when the
final stage has no USER, or the final `USER root`; DL3002: the last `USER
root`). Files hadolint cannot parse (DL1000) are counted apart and left out.

For each disagreement class (rule, side, and a sub-class guessed from the
instruction text) up to --examples example files are printed with the lines.

Usage: compare_hadolint.py [--bin DOCKFIX] [--hadolint HADOLINT] [--json OUT]
                           [--examples N] [PATH...]
The binary defaults to $DOCKFIX_BIN, then target/release/dockfix; hadolint to
$HADOLINT, then `hadolint` next to this Python, then on PATH. The corpus is
$DOCKFIX_REAL_CORPUS, or ../shared/corpus/real next to the repository.
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
import time

import dockerfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MAPPING = {"DF101": "DL3002", "DF102": "DL3004", "DF104": "DL3046", "DF201": "DL3007", "DF202": "DL3006",
           "DF301": "DL3015", "DF302": "DL3009", "DF303": "DL3019", "DF304": "DL3032+", "DF305": "DL3042",
           "DF306": "DL3060", "DF308": "DL3027", "DF309": "DL3014+", "DF312": "DL3008+"}
# Rules that several hadolint checks map to (one per package manager): shown as `DLxxxx+`.
EXTRA_HADOLINT = {"DL3032": "DF304", "DL3040": "DF304", "DL3036": "DF304",
                  "DL3014": "DF309", "DL3030": "DF309", "DL3038": "DF309", "DL3034": "DF309",
                  "DL3008": "DF312", "DL3018": "DF312", "DL3013": "DF312", "DL3016": "DF312",
                  "DL3028": "DF312", "DL3062": "DF312"}
HADOLINT_TO_OURS = {**{v: k for k, v in MAPPING.items() if not v.endswith("+")}, **EXTRA_HADOLINT}


def corpus_files(paths):
    if not paths:
        corpus = os.environ.get("DOCKFIX_REAL_CORPUS") or os.path.join(ROOT, "..", "shared", "corpus", "real")
        if not os.path.isdir(corpus):
            sys.exit(f"error: the real-world corpus is not at {corpus} (set DOCKFIX_REAL_CORPUS)")
        paths = [corpus]
    files = []
    for p in paths:
        if os.path.isdir(p):
            for root, _, names in os.walk(p):
                files.extend(os.path.join(root, n) for n in names if not n.endswith((".md", ".tsv")))
        else:
            files.append(p)
    return sorted(files)


def find_hadolint():
    here = os.path.join(os.path.dirname(sys.executable), "hadolint")
    return os.environ.get("HADOLINT") or (here if os.access(here, os.X_OK) else shutil.which("hadolint"))


def instructions(path):
    try:
        return [(c.start_line, c.end_line, c.cmd.lower(), c.original) for c in dockerfile.parse_file(path)]
    except dockerfile.GoParseError:
        return None


def start_of(instrs, line):
    for start, end, _, _ in instrs or ():
        if start <= line <= end:
            return start
    return line


def run_hadolint(hadolint, path, cwd):
    # An empty working directory and no config: hadolint reads .hadolint.yaml from the cwd.
    proc = subprocess.run([hadolint, "--no-color", "-f", "json", path], capture_output=True, text=True, cwd=cwd)
    try:
        return json.loads(proc.stdout or "[]"), None
    except json.JSONDecodeError:
        return [], f"hadolint exited {proc.returncode}: {(proc.stderr or proc.stdout).strip()[:200]}"


def run_dockfix(binary, path):
    proc = subprocess.run([binary, "check", "--format", "json", "--exit-zero", "--select", ",".join(MAPPING), path],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"dockfix exited {proc.returncode}: {proc.stderr.strip()[:300]}")
    return json.loads(proc.stdout)


def analyse(binary, hadolint, path, cwd):
    instrs = instructions(path)
    hl, error = run_hadolint(hadolint, path, cwd)
    df = run_dockfix(binary, path)
    result = {"path": path, "hadolint_error": error, "hadolint_parse_error": None,
              "buildkit": instrs is not None, "hadolint": {}, "dockfix": {}, "messages": {}}
    for d in hl:
        if d["code"] == "DL1000":
            result["hadolint_parse_error"] = f"line {d['line']}: {d['message'].splitlines()[0]}"
        ours = HADOLINT_TO_OURS.get(d["code"])
        if ours:
            result["hadolint"].setdefault(ours, set()).add(start_of(instrs, d["line"]))
    for d in df:
        line = start_of(instrs, d["start"]["line"])
        result["dockfix"].setdefault(d["code"], set()).add(line)
        result["messages"][(d["code"], line)] = d["message"]
    return result


def line_text(path, instrs, line):
    for start, end, _, original in instrs or ():
        if start == line:
            with open(path, encoding="utf-8", errors="replace") as f:
                lines = f.read().splitlines()
            text = " ".join(x.strip() for x in lines[start - 1:end])
            return text
    return ""


def subclass(rule, side, text, message):
    """A guess at why the tools disagree, from the instruction text; refined in the report."""
    t = text.strip()
    low = t.lower()
    if rule in ("DF201", "DF202"):
        ref = low.split()[1:] if low.startswith("from") else []
        ref = [x for x in ref if not x.startswith("--")]
        ref = ref[0] if ref else ""
        if "$" in ref:
            return "FROM with a variable"
        if "@sha256:" in ref or "@" in ref:
            return "FROM with a digest"
        if ref == "scratch":
            return "FROM scratch"
        if ":latest" in ref:
            return "FROM …:latest"
        if ":" not in ref.rsplit("/", 1)[-1]:
            return "FROM without a tag"
        return "FROM with a tag"
    if rule == "DF101":
        if low.startswith("user"):
            return "final USER line"
        if low.startswith("from"):
            return "FROM of a final stage without USER"
        return "other line"
    if rule == "DF102":
        if not low.startswith("run"):
            return "sudo outside RUN (" + low.split()[0].upper() + ")"
        if re.search(r"\bsudo\b", low) is None:
            return "no literal `sudo` word"
        if re.search(r"sudo\s+-[a-z]*[uigs]", low):
            return "sudo with -u/-i/-s/-g"
        return "sudo command"
    if rule == "DF104":
        m = re.search(r"(?:-u|--uid)[= ]+(\S+)", t)
        if not m:
            return "useradd without a literal -u"
        uid = m.group(1)
        if not uid.isdigit():
            return "UID is a variable"
        return f"UID of {len(uid)} digits"
    return "other"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*")
    parser.add_argument("--bin", default=os.environ.get("DOCKFIX_BIN") or os.path.join(ROOT, "target/release/dockfix"))
    parser.add_argument("--hadolint", default=find_hadolint())
    parser.add_argument("--json", metavar="OUT")
    parser.add_argument("--examples", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=max(2, os.cpu_count() or 2))
    args = parser.parse_args()
    binary = os.path.abspath(args.bin)
    if not os.access(binary, os.X_OK):
        sys.exit(f"error: no dockfix binary at {binary}")
    if not args.hadolint:
        sys.exit("error: hadolint not found (pass --hadolint or set HADOLINT)")
    files = corpus_files(args.paths)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="dockfix-hadolint-") as cwd:
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
            results = list(pool.map(lambda f: analyse(binary, args.hadolint, os.path.abspath(f), cwd), files))
    elapsed = time.monotonic() - started

    compared = [r for r in results if not r["hadolint_parse_error"] and not r["hadolint_error"]]
    unparsed = [r for r in results if r["hadolint_parse_error"] or r["hadolint_error"]]
    table = {}
    classes = collections.defaultdict(list)  # (rule, side, subclass) -> [(path, line, text, message)]
    instr_cache = {}
    for r in compared:
        for rule, dl in MAPPING.items():
            h = r["hadolint"].get(rule, set())
            d = r["dockfix"].get(rule, set())
            row = table.setdefault(rule, collections.Counter())
            row["both"] += len(h & d)
            row["only_hadolint"] += len(h - d)
            row["only_dockfix"] += len(d - h)
            row["files_both"] += bool(h) and bool(d)
            row["files_only_hadolint"] += bool(h) and not d
            row["files_only_dockfix"] += bool(d) and not h
            row["files_any"] += bool(h) or bool(d)
            for side, lines in (("only hadolint", h - d), ("only dockfix", d - h)):
                if rule == "DF101" and h and d:
                    side += " (line only; both flag the file)"
                for line in sorted(lines):
                    if r["path"] not in instr_cache:
                        instr_cache[r["path"]] = instructions(r["path"])
                    text = line_text(r["path"], instr_cache[r["path"]], line)
                    msg = r["messages"].get((rule, line), "")
                    classes[(rule, dl, side, subclass(rule, side, text, msg))].append((r["path"], line, text, msg))
    dockfix_in_unparsed = collections.Counter()
    for r in unparsed:
        for rule, lines in r["dockfix"].items():
            dockfix_in_unparsed[rule] += len(lines)

    print(f"{len(files)} files: hadolint parsed {len(compared)}, could not parse {len(unparsed)} "
          f"({sum(1 for r in unparsed if r['buildkit'])} of them accepted by BuildKit); {elapsed:.1f}s")
    print()
    print("Per instruction (file, start line of the reported instruction), on the files hadolint parsed:")
    print()
    print("| dockfix | hadolint | both | only hadolint | only dockfix | files both | files only hadolint | files only dockfix |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for rule, dl in MAPPING.items():
        row = table.get(rule, collections.Counter())
        print(f"| {rule} | {dl} | {row['both']} | {row['only_hadolint']} | {row['only_dockfix']} "
              f"| {row['files_both']} | {row['files_only_hadolint']} | {row['files_only_dockfix']} |")
    print()
    if unparsed:
        print(f"dockfix findings in the {len(unparsed)} files hadolint could not parse: "
              + (", ".join(f"{k} ×{v}" for k, v in sorted(dockfix_in_unparsed.items())) or "none"))
        for r in unparsed[: args.examples]:
            print(f"  {os.path.basename(r['path'])}: {r['hadolint_parse_error'] or r['hadolint_error']}")
        print()
    print("Disagreement classes:")
    for key in sorted(classes):
        rule, dl, side, sub = key
        items = classes[key]
        nfiles = len({p for p, *_ in items})
        print(f"\n### {rule}/{dl} {side}: {sub} — {len(items)} instructions in {nfiles} files")
        shown = set()
        for path, line, text, msg in items:
            if path in shown:
                continue
            shown.add(path)
            if len(shown) > args.examples:
                break
            print(f"  {os.path.basename(path)}:{line}: {text[:160]}")
            if msg:
                print(f"      dockfix: {msg[:160]}")

    if args.json:
        with open(args.json, "w") as f:
            json.dump({
                "files": len(files),
                "hadolint_parsed": len(compared),
                "hadolint_unparsed": [{"path": r["path"], "error": r["hadolint_parse_error"] or r["hadolint_error"]}
                                      for r in unparsed],
                "dockfix_in_unparsed": dict(dockfix_in_unparsed),
                "seconds": round(elapsed, 1),
                "table": [{"dockfix": rule, "hadolint": dl, **table.get(rule, {})} for rule, dl in MAPPING.items()],
                "classes": [{"rule": k[0], "hadolint": k[1], "side": k[2], "class": k[3], "count": len(v),
                             "examples": [{"path": p, "line": l, "text": t, "dockfix_message": m}
                                          for p, l, t, m in v]}
                            for k, v in sorted(classes.items())],
            }, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
