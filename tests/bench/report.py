"""Prints the LSP latency table from the probe's and edit-latency.js's JSON files."""
import json
import os
import sys

out = sys.argv[1]


def load(name):
    path = os.path.join(out, name)
    return json.load(open(path)) if os.path.exists(path) else {}


def ratio(a, b):
    return f"{b / a:.0f}×" if a and b else "n/a"


print("| lines | edit in a comment: dockfix p50 | peer | ratio | floor: echo, same diagnostics | floor: echo, none | edit in a RUN: dockfix p50 | peer | ratio | open→diagnostics: dockfix | peer | ratio |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
for size in (500, 2000, 5000):
    ours, peer = load(f"dockfix-{size}.json"), load(f"peer-{size}.json")
    ours_run, peer_run = load(f"dockfix-run-{size}.json"), load(f"peer-run-{size}.json")
    o, p = ours.get("bench", {}).get("p50_ms"), peer.get("bench", {}).get("p50_ms")
    orun, prun = ours_run.get("p50_ms"), peer_run.get("p50_ms")
    floor = load(f"echo-payload-{size}.json").get("bench", {}).get("p50_ms")
    empty = load(f"echo-empty-{size}.json").get("bench", {}).get("p50_ms")
    diagnostics = len(ours.get("publishDiagnostics", {}).get("diagnostics", []))
    oo = ours.get("timings", {}).get("didOpen_to_publishDiagnostics_ms")
    po = peer.get("timings", {}).get("didOpen_to_publishDiagnostics_ms")
    print(f"| {size} | {o} ms | {p} ms | {ratio(o, p)} | {floor} ms ({diagnostics} diagnostics) | {empty} ms | {orun} ms | {prun} ms | {ratio(orun, prun)} | {oo} ms | {po} ms | {ratio(oo, po)} |")
