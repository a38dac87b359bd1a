"""Prints the LSP latency table from the probe's JSON files."""
import json
import os
import sys

out = sys.argv[1]
print("| lines | dockfix edit→diagnostics p50 | peer edit→diagnostics p50 | ratio | dockfix open→diagnostics | peer open→diagnostics | ratio |")
print("|---|---|---|---|---|---|---|")
for size in (500, 2000, 5000):
    ours = json.load(open(os.path.join(out, f"dockfix-{size}.json")))
    peer = json.load(open(os.path.join(out, f"peer-{size}.json")))
    o, p = ours["bench"]["p50_ms"], peer["bench"]["p50_ms"]
    oo = ours["timings"].get("didOpen_to_publishDiagnostics_ms")
    po = peer["timings"].get("didOpen_to_publishDiagnostics_ms")
    ratio = lambda a, b: f"{b / a:.0f}×" if a and b else "n/a"
    print(f"| {size} | {o} ms | {p} ms | {ratio(o, p)} | {oo} ms | {po} ms | {ratio(oo, po)} |")
