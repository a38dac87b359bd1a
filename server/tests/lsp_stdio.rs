//! End to end: the real `dockfix server` binary, JSON-RPC over pipes.

#![allow(clippy::expect_used, clippy::unwrap_used)] // Tests fail by panicking.

use std::time::Duration;

use serde_json::{json, Value};

mod support;

use support::Server;

impl Server {
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let message = self
                .messages
                .recv_timeout(Duration::from_secs(10))
                .expect("a response");
            if message["id"] == json!(id) {
                return message;
            }
            self.backlog.push(message);
        }
    }

    /// The next publishDiagnostics notification for a given version.
    fn diagnostics(&mut self, version: i64) -> Value {
        let wanted = |m: &Value| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["version"] == json!(version)
        };
        if let Some(i) = self.backlog.iter().position(wanted) {
            return self.backlog.remove(i)["params"].clone();
        }
        loop {
            let message = self
                .messages
                .recv_timeout(Duration::from_secs(10))
                .expect("diagnostics");
            if message["method"] == "textDocument/publishDiagnostics"
                && message["params"]["version"] == json!(version)
            {
                return message["params"].clone();
            }
        }
    }
}

const URI: &str = "file:///work/Dockerfile";

fn initialize(server: &mut Server, encodings: Value) -> Value {
    let result = server.request(
        "initialize",
        // Only DF001: these tests are about the protocol, not the rules.
        json!({"processId": null, "rootUri": null, "capabilities": {"general": {"positionEncodings": encodings}},
               "initializationOptions": {"select": ["DF001"]}}),
    );
    server.notify("initialized", json!({}));
    result
}

#[test]
fn negotiates_utf8_when_offered_and_utf16_by_default() {
    let mut server = Server::start(std::path::Path::new(env!("CARGO_BIN_EXE_dockfix")));
    let result = initialize(&mut server, json!(["utf-16", "utf-8"]));
    assert_eq!(
        result["result"]["capabilities"]["positionEncoding"],
        "utf-8"
    );
    assert_eq!(result["result"]["serverInfo"]["name"], "dockfix");

    let mut server = Server::start(std::path::Path::new(env!("CARGO_BIN_EXE_dockfix")));
    let result = server.request(
        "initialize",
        json!({"processId": null, "rootUri": null, "capabilities": {}}),
    );
    assert_eq!(
        result["result"]["capabilities"]["positionEncoding"],
        "utf-16"
    );
}

#[test]
fn publishes_versioned_diagnostics_in_the_negotiated_encoding() {
    for (encoding, column) in [("utf-16", 13), ("utf-32", 12), ("utf-8", 15)] {
        let mut server = Server::start(std::path::Path::new(env!("CARGO_BIN_EXE_dockfix")));
        initialize(&mut server, json!([encoding]));
        // The emoji is 4 bytes, 2 UTF-16 units, 1 code point; CMD's JSON error follows it.
        let text = "FROM alpine\r\nLABEL x=\"🐳\" \r\nCMD [\"🐳\", 1]\r\n";
        server.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": URI, "languageId": "dockerfile", "version": 1, "text": text}}),
        );
        let published = server.diagnostics(1);
        let diagnostics = published["diagnostics"].as_array().expect("an array");
        assert_eq!(diagnostics.len(), 1, "{published}");
        let d = &diagnostics[0];
        assert_eq!(d["source"], "dockfix");
        assert_eq!(d["code"], "DF001");
        assert_eq!(
            d["range"]["start"],
            json!({"line": 2, "character": 4}),
            "{encoding}"
        );
        assert_eq!(
            d["range"]["end"],
            json!({"line": 2, "character": column}),
            "{encoding}"
        );

        // An incremental edit that fixes it: replace `1` with `"1"`.
        let one = json!({"line": 2, "character": column - 2});
        let after = json!({"line": 2, "character": column - 1});
        server.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": URI, "version": 2},
                   "contentChanges": [{"range": {"start": one, "end": after}, "text": "\"1\""}]}),
        );
        let published = server.diagnostics(2);
        assert_eq!(
            published["diagnostics"],
            json!([]),
            "{encoding}: {published}"
        );

        let pulled = server.request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": URI}}),
        );
        assert_eq!(pulled["result"]["kind"], "full");
        assert_eq!(pulled["result"]["items"], json!([]));
    }
}

#[test]
fn answers_symbols_folding_and_survives_bad_requests() {
    let mut server = Server::start(std::path::Path::new(env!("CARGO_BIN_EXE_dockfix")));
    initialize(&mut server, json!(["utf-16"]));
    let text = "ARG V=1\nFROM alpine AS build\nRUN echo a && \\\n    echo b\nFROM scratch\nCOPY --from=build /a /a\n";
    server.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": URI, "languageId": "dockerfile", "version": 1, "text": text}}),
    );
    server.diagnostics(1);
    let symbols = server.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": URI}}),
    );
    let names: Vec<&str> = symbols["result"]
        .as_array()
        .expect("symbols")
        .iter()
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert_eq!(
        names,
        [
            "ARG V=1",
            "stage 0: FROM alpine AS build",
            "stage 1: FROM scratch"
        ]
    );
    let folding = server.request(
        "textDocument/foldingRange",
        json!({"textDocument": {"uri": URI}}),
    );
    assert!(folding["result"]
        .as_array()
        .expect("ranges")
        .iter()
        .any(|r| r["startLine"] == 2 && r["endLine"] == 3));

    // Out-of-range positions, unknown documents: answers, not crashes.
    let hover = server.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": URI}, "position": {"line": 999, "character": 999}}),
    );
    assert!(hover.get("result").is_some(), "{hover}");
    let unknown = server.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": "file:///nope"}}),
    );
    assert_eq!(unknown["result"], Value::Null);
    server.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 2},
               "contentChanges": [{"range": {"start": {"line": 500, "character": 3}, "end": {"line": 1, "character": 0}}, "text": "x"}]}),
    );
    server.diagnostics(2);

    let shutdown = server.request("shutdown", Value::Null);
    assert_eq!(shutdown["result"], Value::Null);
    server.notify("exit", Value::Null);
    let status = server.child.wait().expect("the server exits");
    assert!(status.success());
}

/// A tiny deterministic generator, so a failure replays.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, bound: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % bound.max(1)
    }
}

/// (line, byte column) of a byte offset: the UTF-8 position encoding.
fn utf8_position(text: &str, offset: usize) -> Value {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1);
    json!({"line": line, "character": column})
}

#[test]
fn a_thousand_interleaved_edits_keep_the_server_in_step() {
    let mut server = Server::start(std::path::Path::new(env!("CARGO_BIN_EXE_dockfix")));
    initialize(&mut server, json!(["utf-8"]));
    let mut text = String::from(
        "FROM alpine\nRUN apk add --no-cache curl \\\n    && echo done\nCMD [\"sh\"]\n",
    );
    let mut history = vec![text.clone()];
    server.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": URI, "languageId": "dockerfile", "version": 1, "text": text}}),
    );
    let fragments = [
        "x",
        "\n",
        "\\\n",
        "RUN echo ",
        "<<EOF\n",
        "EOF\n",
        "\"",
        "[\"a\", 1]",
        "🐳",
        "",
        "# c\n",
        "ENV A\n",
    ];
    let mut rng = Lcg(7);
    for version in 2..1002i64 {
        // One to three changes per notification, each applied to the text the previous one left.
        let mut changes = Vec::new();
        for _ in 0..1 + rng.next(3) {
            let mut start = rng.next(text.len() + 1);
            while !text.is_char_boundary(start) {
                start -= 1;
            }
            let mut end = (start + rng.next(6)).min(text.len());
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            let insert = fragments[rng.next(fragments.len())];
            changes.push(json!({"range": {"start": utf8_position(&text, start), "end": utf8_position(&text, end)}, "text": insert}));
            text.replace_range(start..end, insert);
        }
        history.push(text.clone());
        server.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": URI, "version": version}, "contentChanges": changes}),
        );
        if version % 7 == 0 {
            let answer = server.request("dockfix/documentText", json!({"uri": URI}));
            assert_eq!(answer["result"]["version"], json!(version));
            assert_eq!(
                answer["result"]["text"].as_str(),
                Some(text.as_str()),
                "after version {version}"
            );
        }
    }
    // Every publication carries the version it was computed for, and its ranges
    // fit that version's text.
    let answer = server.request("dockfix/documentText", json!({"uri": URI}));
    assert_eq!(answer["result"]["text"].as_str(), Some(text.as_str()));
    let mut published = 0;
    let mut messages = std::mem::take(&mut server.backlog);
    while let Ok(message) = server.messages.recv_timeout(Duration::from_millis(300)) {
        messages.push(message);
    }
    for message in messages {
        if message["method"] != "textDocument/publishDiagnostics" {
            continue;
        }
        published += 1;
        let version = message["params"]["version"].as_i64().expect("a version");
        let snapshot = &history[(version - 1) as usize];
        for d in message["params"]["diagnostics"]
            .as_array()
            .expect("diagnostics")
        {
            let line = d["range"]["end"]["line"].as_u64().expect("line") as usize;
            let column = d["range"]["end"]["character"].as_u64().expect("column") as usize;
            let line_text = snapshot
                .split('\n')
                .nth(line)
                .expect("the line exists in that version");
            assert!(column <= line_text.len(), "version {version}: {d}");
        }
    }
    assert!(published > 0);
}
