#!/usr/bin/env python3
"""Builds the seed corpora of the fuzz targets into fuzz/corpus/<target>/
from the real-world corpus (../shared/corpus/real or $DOCKFIX_REAL_CORPUS)
and the test fixtures. Deterministic; existing files are kept (a corpus grown
by earlier runs stays)."""
import hashlib
import json
import os
import random
import sys
from pathlib import Path

FUZZ = Path(__file__).resolve().parent
ROOT = FUZZ.parent
SEPARATOR = b"\xff\xfe"  # fuzz_targets/incremental_edits.rs


def dockerfiles():
    corpus = Path(os.environ.get("DOCKFIX_REAL_CORPUS", ROOT.parent / "shared/corpus/real"))
    files = sorted(p for p in corpus.rglob("*") if p.is_file()) if corpus.is_dir() else []
    if not files:
        print(f"warning: no real-world corpus at {corpus}; seeding from the fixtures only", file=sys.stderr)
    files += sorted(p for p in (ROOT / "tests/fixtures").rglob("*Dockerfile*") if p.is_file())
    return [(p, p.read_bytes()) for p in files]


def write(target: str, data: bytes):
    out = FUZZ / "corpus" / target
    out.mkdir(parents=True, exist_ok=True)
    (out / hashlib.sha1(data).hexdigest()).write_bytes(data)


def lsp_session(uri: str, text: str, rng: random.Random) -> bytes:
    lines = text.split("\n")
    last = max(len(lines) - 1, 0)
    doc = {"uri": uri}
    whole = {"start": {"line": 0, "character": 0}, "end": {"line": last + 1, "character": 0}}
    line = rng.randint(0, last)
    point = {"line": line, "character": rng.randint(0, 12)}
    messages = [
        {"method": "textDocument/didOpen", "params": {"textDocument": {"uri": uri, "languageId": "dockerfile", "version": 1, "text": text}}},
        {"id": 0, "method": "textDocument/diagnostic", "params": {"textDocument": doc}},
        {"id": 0, "method": "textDocument/codeAction", "params": {"textDocument": doc, "range": whole, "context": {"diagnostics": []}}},
        {"method": "textDocument/didChange", "params": {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [
            {"range": {"start": point, "end": point}, "text": rng.choice(["\\\n", "RUN ", "\n", "# c\n", "<<EOF\n", "USER root\n", "\"", "${A:-x}"])}]}},
        {"id": 0, "method": "textDocument/hover", "params": {"textDocument": doc, "position": point}},
        {"id": 0, "method": "textDocument/codeAction", "params": {"textDocument": doc, "range": {"start": point, "end": point}, "context": {"diagnostics": [], "only": ["quickfix", "refactor.rewrite"]}}},
        {"id": 0, "method": "textDocument/codeAction", "params": {"textDocument": doc, "range": whole, "context": {"diagnostics": [], "only": ["source.fixAll.dockfix"]}}},
        {"id": 0, "method": "codeAction/resolve", "params": {"title": "Fix all", "kind": "source.fixAll.dockfix", "data": {"action": "fixAll", "uri": uri, "version": 2}}},
        {"id": 0, "method": "workspace/executeCommand", "params": {"command": "dockfix.applyAllFixes", "arguments": [{"uri": uri, "unsafe": rng.random() < 0.5}]}},
        {"id": 0, "method": "textDocument/semanticTokens/full", "params": {"textDocument": doc}},
        {"id": 0, "method": "textDocument/semanticTokens/range", "params": {"textDocument": doc, "range": whole}},
        {"id": 0, "method": "textDocument/documentSymbol", "params": {"textDocument": doc}},
        {"id": 0, "method": "textDocument/foldingRange", "params": {"textDocument": doc}},
        {"method": "workspace/didChangeConfiguration", "params": {"settings": {"dockfix": {"select": ["ALL"], "ignore": ["DF201"]}}}},
        {"method": "textDocument/didChange", "params": {"textDocument": {"uri": uri, "version": 3}, "contentChanges": [{"text": text.replace("RUN", "RUN  ", 1)}]}},
        {"id": 0, "method": "dockfix/documentText", "params": {"textDocument": doc}},
        {"method": "textDocument/didClose", "params": {"textDocument": doc}},
    ]
    return ("\n".join(json.dumps(m, ensure_ascii=rng.random() < 0.5) for m in messages) + "\n").encode()


def main():
    rng = random.Random(9)
    files = dockerfiles()
    for path, data in files:
        write("analyze", data)
        if len(data) <= 32 << 10:
            write("incremental_edits", data + SEPARATOR + bytes(rng.randrange(256) for _ in range(96)))
    small = [(p, d) for p, d in files if len(d) <= 6 << 10]
    for i, (path, data) in enumerate(small[::4]):
        text = data.decode("utf-8", "replace")
        write("lsp", lsp_session(f"file:///fuzz/{i}/Dockerfile", text, rng))
    # Frames that are not requests: broken JSON, batches, stray responses, odd ids.
    for junk in [b"{", b"[]", b'[{"jsonrpc":"2.0","id":1,"method":"shutdown"}]', b'{"jsonrpc":"2.0","id":7,"result":null}',
                 b'{"jsonrpc":"2.0","id":{"x":1},"method":"textDocument/hover","params":{}}', b'{"jsonrpc":"1.0","method":"initialized"}',
                 b'{"id":0,"method":"textDocument/hover","params":{"textDocument":{"uri":"file:///nowhere"},"position":{"line":-1,"character":99999999999}}}']:
        write("lsp", junk + b"\n")
    counts = {t: len(list((FUZZ / "corpus" / t).iterdir())) for t in ("analyze", "incremental_edits", "lsp")}
    print("seeds: " + ", ".join(f"{t} {n}" for t, n in counts.items()))


if __name__ == "__main__":
    main()
