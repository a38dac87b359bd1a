//! In-process language server tests: `dockfix::lsp::serve` over in-memory
//! pipes, driven by a small JSON-RPC client that also answers the server's own
//! requests (`workspace/configuration`, `client/registerCapability`,
//! `workspace/applyEdit`).
//! Responses are snapshotted (insta, JSON).

#![allow(clippy::expect_used, clippy::unwrap_used)] // Tests fail by panicking.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, DuplexStream, WriteHalf};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver};

/// What the test client answers to `workspace/configuration` (per item:
/// the scope URI, or "" for the global item).
type Settings = Arc<Mutex<Vec<(String, Value)>>>;

struct Client {
    writer: Arc<tokio::sync::Mutex<WriteHalf<DuplexStream>>>,
    messages: UnboundedReceiver<Value>,
    backlog: Vec<Value>,
    next_id: i64,
    settings: Settings,
}

async fn write_frame(writer: &tokio::sync::Mutex<WriteHalf<DuplexStream>>, message: &Value) {
    let body = message.to_string();
    let mut writer = writer.lock().await;
    writer
        .write_all(format!("Content-Length: {}\r\n\r\n{body}", body.len()).as_bytes())
        .await
        .unwrap();
    writer.flush().await.unwrap();
}

impl Client {
    fn start() -> Client {
        let (client_side, server_side) = tokio::io::duplex(1 << 20);
        let (server_read, server_write) = tokio::io::split(server_side);
        tokio::spawn(dockfix::lsp::serve(server_read, server_write));
        let (read, write) = tokio::io::split(client_side);
        let writer = Arc::new(tokio::sync::Mutex::new(write));
        let settings: Settings = Arc::new(Mutex::new(Vec::new()));
        let (tx, messages) = unbounded_channel();
        let (reply_writer, reply_settings) = (Arc::clone(&writer), Arc::clone(&settings));
        tokio::spawn(async move {
            let mut reader = BufReader::new(read);
            loop {
                let mut length = 0;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(value) = line.strip_prefix("Content-Length: ") {
                        length = value.parse().unwrap_or(0);
                    }
                }
                let mut body = vec![0; length];
                if reader.read_exact(&mut body).await.is_err() {
                    return;
                }
                let message: Value = serde_json::from_slice(&body).unwrap();
                // The server's own requests are answered here.
                if message.get("id").is_some() && message.get("method").is_some() {
                    let result = match message["method"].as_str() {
                        Some("workspace/configuration") => {
                            let table = reply_settings.lock().unwrap().clone();
                            let items = message["params"]["items"]
                                .as_array()
                                .cloned()
                                .unwrap_or_default();
                            Value::Array(
                                items
                                    .iter()
                                    .map(|item| {
                                        let scope = item["scopeUri"].as_str().unwrap_or("");
                                        table
                                            .iter()
                                            .find(|(s, _)| s == scope)
                                            .map_or(Value::Null, |(_, v)| v.clone())
                                    })
                                    .collect(),
                            )
                        }
                        // The test client takes every edit the server sends.
                        Some("workspace/applyEdit") => json!({"applied": true}),
                        _ => Value::Null,
                    };
                    write_frame(
                        &reply_writer,
                        &json!({"jsonrpc": "2.0", "id": message["id"], "result": result}),
                    )
                    .await;
                }
                if tx.send(message).is_err() {
                    return;
                }
            }
        });
        Client {
            writer,
            messages,
            backlog: Vec::new(),
            next_id: 1,
            settings,
        }
    }

    async fn notify(&mut self, method: &str, params: Value) {
        write_frame(
            &self.writer,
            &json!({"jsonrpc": "2.0", "method": method, "params": params}),
        )
        .await;
    }

    async fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        write_frame(
            &self.writer,
            &json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}),
        )
        .await;
        loop {
            let message = self.next().await;
            if message["id"] == json!(id) && message.get("method").is_none() {
                return message;
            }
            self.backlog.push(message);
        }
    }

    async fn next(&mut self) -> Value {
        tokio::time::timeout(Duration::from_secs(10), self.messages.recv())
            .await
            .expect("a message within 10 s")
            .expect("the server is running")
    }

    /// The next message matching `wanted` (from the backlog first).
    async fn wait_for(&mut self, wanted: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.backlog.iter().position(&wanted) {
            return self.backlog.remove(i);
        }
        loop {
            let message = self.next().await;
            if wanted(&message) {
                return message;
            }
            self.backlog.push(message);
        }
    }

    async fn diagnostics(&mut self, uri: &str, version: i64) -> Vec<Value> {
        let message = self
            .wait_for(|m| {
                m["method"] == "textDocument/publishDiagnostics"
                    && m["params"]["uri"] == uri
                    && m["params"]["version"] == json!(version)
            })
            .await;
        message["params"]["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    async fn initialize(&mut self, capabilities: Value, options: Value) -> Value {
        let result = self
            .request(
                "initialize",
                json!({"processId": null, "rootUri": null, "capabilities": capabilities, "initializationOptions": options}),
            )
            .await;
        self.notify("initialized", json!({})).await;
        result
    }

    async fn open(&mut self, uri: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "dockerfile", "version": version, "text": text}}),
        )
        .await;
    }

    async fn code_actions(
        &mut self,
        uri: &str,
        range: Value,
        diagnostics: Vec<Value>,
        only: Option<Value>,
    ) -> Vec<Value> {
        let mut context = json!({"diagnostics": diagnostics});
        if let Some(only) = only {
            context["only"] = only;
        }
        let response = self
            .request(
                "textDocument/codeAction",
                json!({"textDocument": {"uri": uri}, "range": range, "context": context}),
            )
            .await;
        response["result"].as_array().cloned().unwrap_or_default()
    }
}

/// A client that supports versioned edits, resolving edits and pulled settings.
fn rich_capabilities() -> Value {
    json!({
        "general": {"positionEncodings": ["utf-16"]},
        "workspace": {"workspaceEdit": {"documentChanges": true}, "configuration": true,
                      "didChangeWatchedFiles": {"dynamicRegistration": true}},
        "textDocument": {"codeAction": {"resolveSupport": {"properties": ["edit"]},
                         "codeActionLiteralSupport": {"codeActionKind": {"valueSet": ["quickfix", "source"]}}}}
    })
}

const URI: &str = "file:///nonexistent-dockfix-test/Dockerfile";

const SAMPLE: &str = "FROM debian:bookworm-slim\n  RUN sudo chown -R root /srv\nCOPY --chmod=777 app /app\nCMD [\"app\"]\n";

fn applies(text: &str, edits: &[Value]) -> String {
    applies_in(text, edits, "utf-16")
}

fn applies_in(text: &str, edits: &[Value], encoding: &str) -> String {
    // Edits of one document, in the encoding's positions, applied back to front.
    let offset = |pos: &Value| {
        let line = pos["line"].as_u64().unwrap() as usize;
        let character = pos["character"].as_u64().unwrap() as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        let line_text = text[start..].split('\n').next().unwrap();
        let mut units = 0;
        let mut bytes = 0;
        for c in line_text.chars() {
            if units >= character {
                break;
            }
            units += match encoding {
                "utf-8" => c.len_utf8(),
                "utf-32" => 1,
                _ => c.len_utf16(),
            };
            bytes += c.len_utf8();
        }
        start + bytes
    };
    let mut edits: Vec<&Value> = edits.iter().collect();
    edits.sort_by_key(|e| std::cmp::Reverse(offset(&e["range"]["start"])));
    let mut out = text.to_owned();
    for edit in edits {
        let (start, end) = (
            offset(&edit["range"]["start"]),
            offset(&edit["range"]["end"]),
        );
        out.replace_range(start..end, edit["newText"].as_str().unwrap());
    }
    out
}

fn document_edits(action: &Value) -> Vec<Value> {
    let edit = &action["edit"];
    if let Some(changes) = edit["documentChanges"].as_array() {
        changes[0]["edits"].as_array().cloned().unwrap()
    } else {
        edit["changes"][URI].as_array().cloned().unwrap()
    }
}

#[tokio::test]
async fn quick_fixes_disable_actions_and_fix_all() {
    let mut client = Client::start();
    client
        .initialize(
            rich_capabilities(),
            json!({"settings": {"ignore": ["DF203"]}}),
        )
        .await;
    client.open(URI, 1, SAMPLE).await;
    let diagnostics = client.diagnostics(URI, 1).await;
    let codes: Vec<&str> = diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec!["DF101", "DF102", "DF103"], "{diagnostics:#?}");
    // Every diagnostic carries its fix.
    assert!(diagnostics
        .iter()
        .all(|d| d["data"]["fix"]["edits"].is_array()));

    let sudo = diagnostics
        .iter()
        .find(|d| d["code"] == "DF102")
        .unwrap()
        .clone();
    let actions = client
        .code_actions(URI, sudo["range"].clone(), vec![sudo.clone()], None)
        .await;
    let titles: Vec<&str> = actions
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        vec![
            "Remove `sudo`",
            "Disable DF102 for this line",
            "Fix all safe dockfix problems"
        ]
    );
    assert_eq!(actions[0]["isPreferred"], true);
    assert_eq!(
        actions[0]["edit"]["documentChanges"][0]["textDocument"]["version"],
        1
    );
    assert_eq!(
        applies(SAMPLE, &document_edits(&actions[1])),
        "FROM debian:bookworm-slim\n  # dockfix ignore=DF102\n  RUN sudo chown -R root /srv\nCOPY --chmod=777 app /app\nCMD [\"app\"]\n"
    );
    insta::assert_json_snapshot!("quick_fix_actions", actions);

    // Unsafe fixes say so, and are not preferred.
    let chmod = diagnostics
        .iter()
        .find(|d| d["code"] == "DF103")
        .unwrap()
        .clone();
    let actions = client
        .code_actions(
            URI,
            chmod["range"].clone(),
            vec![chmod],
            Some(json!(["quickfix"])),
        )
        .await;
    assert_eq!(
        actions[0]["title"],
        "Use `755` (no write access for group and others) (unsafe)"
    );
    assert_eq!(actions[0]["isPreferred"], false);
    assert!(actions.iter().all(|a| a["kind"] == "quickfix"));

    // `only: source.fixAll` gives exactly one action, resolved lazily.
    let range = json!({"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}});
    let actions = client
        .code_actions(
            URI,
            range.clone(),
            Vec::new(),
            Some(json!(["source.fixAll"])),
        )
        .await;
    assert_eq!(actions.len(), 1, "{actions:#?}");
    assert_eq!(actions[0]["kind"], "source.fixAll.dockfix");
    assert!(actions[0].get("edit").is_none());
    let resolved = client
        .request("codeAction/resolve", actions[0].clone())
        .await["result"]
        .clone();
    let fixed = applies(SAMPLE, &document_edits(&resolved));
    // Safe fixes only: sudo goes, chmod 777 (unsafe) and the missing USER (unsafe) stay.
    assert_eq!(
        fixed,
        "FROM debian:bookworm-slim\n  RUN chown -R root /srv\nCOPY --chmod=777 app /app\nCMD [\"app\"]\n"
    );
    // `only: refactor` gives nothing.
    let actions = client
        .code_actions(URI, range, Vec::new(), Some(json!(["refactor"])))
        .await;
    assert!(actions.is_empty());
}

#[tokio::test]
async fn without_document_changes_or_resolve_support_edits_come_inline() {
    let mut client = Client::start();
    client.initialize(json!({}), Value::Null).await;
    client.open(URI, 3, SAMPLE).await;
    let diagnostics = client.diagnostics(URI, 3).await;
    let sudo = diagnostics
        .iter()
        .find(|d| d["code"] == "DF102")
        .unwrap()
        .clone();
    let actions = client
        .code_actions(URI, sudo["range"].clone(), vec![sudo], None)
        .await;
    assert!(actions[0]["edit"]["changes"][URI].is_array());
    let fix_all = actions
        .iter()
        .find(|a| a["kind"] == "source.fixAll.dockfix")
        .unwrap();
    assert!(fix_all["edit"]["changes"][URI].is_array(), "{fix_all:#?}");
    // A stale diagnostic (older version) is re-analysed, not trusted.
    client
        .notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": URI, "version": 4},
                   "contentChanges": [{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": "# moved\n"}]}),
        )
        .await;
    let fresh = client.diagnostics(URI, 4).await;
    let sudo_now = fresh.iter().find(|d| d["code"] == "DF102").unwrap().clone();
    let mut stale = sudo_now.clone();
    stale["data"]["version"] = json!(3);
    stale["data"]["fix"]["edits"] = json!([]);
    let actions = client
        .code_actions(
            URI,
            sudo_now["range"].clone(),
            vec![stale],
            Some(json!(["quickfix"])),
        )
        .await;
    let edits = actions[0]["edit"]["changes"][URI].as_array().unwrap();
    assert_eq!(edits.len(), 1, "{actions:#?}");
}

#[tokio::test]
async fn settings_from_the_editor_and_dockfix_toml() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("project");
    std::fs::create_dir_all(project.join("svc")).unwrap();
    let file = project.join("svc/Dockerfile");
    std::fs::write(&file, SAMPLE).unwrap();
    let uri = format!("file://{}", file.display());
    let folder = format!("file://{}", project.display());

    let mut client = Client::start();
    // The editor (pulled per folder) ignores DF101 and raises DF102 to error.
    client.settings.lock().unwrap().push((
        folder.clone(),
        json!({"ignore": ["DF101"], "severity": {"DF102": "error"}, "trace": "off"}),
    ));
    let result = client
        .request(
            "initialize",
            json!({"processId": null, "capabilities": rich_capabilities(),
                   "workspaceFolders": [{"uri": folder, "name": "project"}]}),
        )
        .await;
    assert_eq!(result["result"]["serverInfo"]["name"], "dockfix");
    client.notify("initialized", json!({})).await;
    client.open(&uri, 1, SAMPLE).await;
    let diagnostics = client.diagnostics(&uri, 1).await;
    let codes: Vec<&str> = diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec!["DF102", "DF103"]);
    assert_eq!(diagnostics[0]["severity"], 1);

    // A .dockfix.toml above the file overrides the editor.
    std::fs::write(project.join(".dockfix.toml"), "select = [\"DF103\"]\n").unwrap();
    client
        .notify(
            "workspace/didChangeWatchedFiles",
            json!({"changes": [{"uri": format!("{folder}/.dockfix.toml"), "type": 1}]}),
        )
        .await;
    let diagnostics = client.diagnostics(&uri, 1).await;
    let codes: Vec<&str> = diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec!["DF103"]);

    // An invalid .dockfix.toml is shown with file:line, and the editor's settings apply.
    std::fs::write(
        project.join(".dockfix.toml"),
        "select = [\"DF103\"]\nignroe = 1\n",
    )
    .unwrap();
    client
        .notify(
            "workspace/didChangeConfiguration",
            json!({"settings": null}),
        )
        .await;
    let shown = client
        .wait_for(|m| m["method"] == "window/showMessage")
        .await;
    let message = shown["params"]["message"].as_str().unwrap();
    assert!(message.contains(".dockfix.toml:2:1"), "{message}");
    let diagnostics = client.diagnostics(&uri, 1).await;
    let codes: Vec<&str> = diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec!["DF102", "DF103"]);
}

#[tokio::test]
async fn hover_semantic_tokens_and_pulled_diagnostics() {
    let mut client = Client::start();
    client
        .initialize(
            json!({"general": {"positionEncodings": ["utf-8"]}}),
            Value::Null,
        )
        .await;
    let text = "# syntax=docker/dockerfile:1\nFROM node:16-alpine AS web\nRUN echo \"$HOME\"\n";
    client.open(URI, 1, text).await;
    let _ = client.diagnostics(URI, 1).await;
    let hover = client
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": URI}, "position": {"line": 1, "character": 12}}),
        )
        .await;
    let value = hover["result"]["contents"]["value"].as_str().unwrap();
    assert!(
        value.contains("**node:16-alpine** (Docker official image)"),
        "{value}"
    );
    assert!(value.contains("Distribution: Alpine"), "{value}");
    assert!(value.contains("end of life since 2023-09-11"), "{value}");
    assert!(value.contains("`node` (1000:1000)"), "{value}");
    // The rule's own documentation follows.
    assert!(
        value.contains("**DF206**") && value.contains("## Why is this bad?"),
        "{value}"
    );

    let tokens = client
        .request(
            "textDocument/semanticTokens/full",
            json!({"textDocument": {"uri": URI}}),
        )
        .await;
    let data: Vec<u64> = tokens["result"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    assert!(data.len() % 5 == 0 && data.len() >= 5 * 5, "{data:?}");
    let legend = client
        .request("initialize", json!({"capabilities": {}}))
        .await;
    let _ = legend; // A second initialize is an error; the server stays up.
    let range = client
        .request(
            "textDocument/semanticTokens/range",
            json!({"textDocument": {"uri": URI}, "range": {"start": {"line": 1, "character": 0}, "end": {"line": 2, "character": 0}}}),
        )
        .await;
    let first: Vec<u64> = range["result"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .take(5)
        .map(|v| v.as_u64().unwrap())
        .collect();
    // FROM on line 1, column 0, 4 long, keyword (type 0).
    assert_eq!(first, vec![1, 0, 4, 0, 0]);

    let pulled = client
        .request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": URI}}),
        )
        .await;
    let items = pulled["result"]["items"].as_array().unwrap();
    assert!(
        items
            .iter()
            .any(|d| d["code"] == "DF206" && d["tags"] == json!([2])),
        "{items:#?}"
    );
    assert!(items.iter().all(|d| d["codeDescription"]["href"]
        .as_str()
        .unwrap()
        .contains("/docs/rules/DF")));
}

#[tokio::test]
async fn quick_fix_ranges_in_every_encoding_with_cjk_emoji_and_crlf() {
    let text = "FROM debian:bookworm-slim\r\nLABEL x=\"日本🐳\"\r\nRUN echo 日本🐳 && sudo apt-get update\r\nUSER nobody\r\n";
    let expected = text.replace("sudo ", "");
    for (encoding, sudo_column) in [("utf-8", 23), ("utf-16", 17), ("utf-32", 16)] {
        let mut client = Client::start();
        client
            .initialize(
                json!({"general": {"positionEncodings": [encoding]}}),
                json!({"select": ["DF102"]}),
            )
            .await;
        client.open(URI, 1, text).await;
        let diagnostics = client.diagnostics(URI, 1).await;
        assert_eq!(diagnostics.len(), 1, "{encoding}: {diagnostics:#?}");
        assert_eq!(
            diagnostics[0]["range"]["start"],
            json!({"line": 2, "character": sudo_column}),
            "{encoding}"
        );
        let actions = client
            .code_actions(
                URI,
                diagnostics[0]["range"].clone(),
                diagnostics.clone(),
                Some(json!(["quickfix"])),
            )
            .await;
        let edits = actions[0]["edit"]["changes"][URI]
            .as_array()
            .unwrap()
            .clone();
        assert_eq!(applies_in(text, &edits, encoding), expected, "{encoding}");
    }
}

#[tokio::test]
async fn hostile_documents_and_requests_get_answers() {
    let mut client = Client::start();
    client.initialize(rich_capabilities(), Value::Null).await;
    // 10 MB: one instruction per 50 lines of comments, and a 1 MB line.
    let big = "FROM debian:bookworm-slim\n".to_owned()
        + &format!(
            "{}RUN sudo apt-get install -y curl && echo done\n",
            "# a comment line of some length\n".repeat(50)
        )
        .repeat(6_000)
        + &format!("LABEL x=\"{}\"\n", "y".repeat(1 << 20));
    assert!(big.len() > 10_000_000);
    let many_runs = "FROM debian:bookworm-slim\n".to_owned()
        + &"RUN sudo apt-get install -y curl\n".repeat(5_000);
    let junk: String = (0..200_000u32)
        .map(|i| char::from_u32((i * 7919) % 0xD7FF).unwrap_or('x'))
        .collect();
    let nested = format!(
        "FROM alpine:3.22\nARG A={}x{}\nRUN echo \"$A\"\n",
        "${A:-".repeat(5_000),
        "}".repeat(5_000)
    );
    let documents = [
        ("file:///hostile/big/Dockerfile", big.as_str()),
        ("file:///hostile/many/Dockerfile", many_runs.as_str()),
        ("file:///hostile/junk/Dockerfile", junk.as_str()),
        ("file:///hostile/nested/Dockerfile", nested.as_str()),
        ("file:///hostile/empty/Dockerfile", ""),
    ];
    let started = std::time::Instant::now();
    for (uri, text) in documents {
        let opened = std::time::Instant::now();
        client.open(uri, 1, text).await;
        let _ = client.diagnostics(uri, 1).await;
        let far = json!({"line": 99_999_999, "character": 99_999_999});
        let range = json!({"start": far, "end": far});
        for (method, params) in [
            (
                "textDocument/hover",
                json!({"textDocument": {"uri": uri}, "position": far}),
            ),
            (
                "textDocument/codeAction",
                json!({"textDocument": {"uri": uri}, "range": range, "context": {"diagnostics": []}}),
            ),
            (
                "textDocument/semanticTokens/range",
                json!({"textDocument": {"uri": uri}, "range": range}),
            ),
            (
                "textDocument/documentSymbol",
                json!({"textDocument": {"uri": uri}}),
            ),
            (
                "textDocument/foldingRange",
                json!({"textDocument": {"uri": uri}}),
            ),
        ] {
            let response = client.request(method, params).await;
            assert!(
                response.get("result").is_some() || response.get("error").is_some(),
                "{method}: {response}"
            );
        }
        eprintln!(
            "{uri}: {} bytes, open and five requests in {:?}",
            text.len(),
            opened.elapsed()
        );
    }
    // Unknown documents: empty answers, not errors.
    let response = client
        .request("textDocument/codeAction", json!({"textDocument": {"uri": "file:///nowhere"}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "context": {"diagnostics": []}}))
        .await;
    assert_eq!(response["result"], Value::Null);
    // A resolve with junk data is answered with the action unchanged.
    let response = client.request("codeAction/resolve", json!({"title": "x", "data": {"action": "fixAll", "uri": "file:///nowhere", "version": 3}})).await;
    assert_eq!(response["result"]["title"], "x");
    assert!(
        started.elapsed() < Duration::from_secs(180),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn dockerignore_fix_creates_the_file_and_a_watched_change_clears_the_diagnostic() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("Dockerfile");
    let text =
        "FROM node:22-slim\nWORKDIR /app\nCOPY . .\nUSER node\nCMD [\"node\", \"server.js\"]\n";
    std::fs::write(&file, text).unwrap();
    let uri = format!("file://{}", file.display());
    let ignore_uri = format!("file://{}", dir.path().join(".dockerignore").display());

    let mut capabilities = rich_capabilities();
    capabilities["workspace"]["workspaceEdit"]["resourceOperations"] = json!(["create"]);
    let mut client = Client::start();
    client
        .initialize(capabilities, json!({"select": ["DF404"]}))
        .await;
    client.open(&uri, 1, text).await;
    let diagnostics = client.diagnostics(&uri, 1).await;
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    assert_eq!(diagnostics[0]["code"], "DF404");
    assert_eq!(
        diagnostics[0]["range"]["start"],
        json!({"line": 2, "character": 5})
    );

    let actions = client
        .code_actions(
            &uri,
            diagnostics[0]["range"].clone(),
            diagnostics.clone(),
            None,
        )
        .await;
    let fix = actions
        .iter()
        .find(|a| {
            a["title"]
                .as_str()
                .unwrap()
                .starts_with("Create `.dockerignore`")
        })
        .unwrap_or_else(|| panic!("no create action in {actions:#?}"));
    assert!(fix["title"].as_str().unwrap().ends_with("(unsafe)"));
    assert_eq!(fix["isPreferred"], false);
    let changes = fix["edit"]["documentChanges"].as_array().unwrap();
    assert_eq!(changes[0]["kind"], "create");
    assert_eq!(changes[0]["uri"], ignore_uri.as_str());
    assert_eq!(changes[0]["options"]["ignoreIfExists"], true);
    assert_eq!(changes[1]["textDocument"]["uri"], ignore_uri.as_str());
    assert_eq!(changes[1]["textDocument"]["version"], Value::Null);
    let created = applies("", changes[1]["edits"].as_array().unwrap());
    assert!(created.lines().any(|l| l == ".git"), "{created}");
    assert!(created.lines().any(|l| l == "**/.env"), "{created}");

    // The client writes the file; its watcher tells the server.
    std::fs::write(dir.path().join(".dockerignore"), &created).unwrap();
    client
        .notify(
            "workspace/didChangeWatchedFiles",
            json!({"changes": [{"uri": ignore_uri, "type": 1}]}),
        )
        .await;
    assert_eq!(client.diagnostics(&uri, 1).await, Vec::<Value>::new());
}

#[tokio::test]
async fn dockerignore_fix_is_not_offered_to_clients_that_cannot_create_files() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("Dockerfile");
    let text = "FROM node:22-slim\nCOPY . /app\n";
    std::fs::write(&file, text).unwrap();
    let uri = format!("file://{}", file.display());
    let mut client = Client::start();
    client
        .initialize(rich_capabilities(), json!({"select": ["DF404"]}))
        .await;
    client.open(&uri, 1, text).await;
    let diagnostics = client.diagnostics(&uri, 1).await;
    assert_eq!(diagnostics.len(), 1);
    let actions = client
        .code_actions(
            &uri,
            diagnostics[0]["range"].clone(),
            diagnostics.clone(),
            None,
        )
        .await;
    let titles: Vec<&str> = actions
        .iter()
        .filter(|a| a["kind"] == "quickfix")
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, vec!["Disable DF404 for this line"]);
}

#[tokio::test]
async fn apply_all_fixes_command_safe_and_unsafe() {
    let mut client = Client::start();
    let result = client
        .initialize(rich_capabilities(), json!({"ignore": ["DF203"]}))
        .await;
    let capabilities = &result["result"]["capabilities"];
    assert_eq!(
        capabilities["executeCommandProvider"]["commands"],
        json!(["dockfix.applyAllFixes"])
    );
    // Pushed diagnostics only: announcing pull makes clients show them twice.
    assert!(
        capabilities.get("diagnosticProvider").is_none(),
        "{capabilities:#?}"
    );
    client.open(URI, 1, SAMPLE).await;
    let _ = client.diagnostics(URI, 1).await;

    let run =
        |arguments: Value| json!({"command": "dockfix.applyAllFixes", "arguments": [arguments]});
    let params = run(json!({"uri": URI, "version": 1}));
    let response = client.request("workspace/executeCommand", params).await;
    assert_eq!(
        response["result"],
        json!({"applied": true, "fixes": 1}),
        "{response}"
    );
    let sent = client
        .wait_for(|m| m["method"] == "workspace/applyEdit")
        .await;
    assert_eq!(sent["params"]["label"], "dockfix: fix all safe problems");
    let edit = &sent["params"]["edit"]["documentChanges"][0];
    assert_eq!(edit["textDocument"]["version"], 1);
    let safe = applies(SAMPLE, edit["edits"].as_array().unwrap());
    assert_eq!(
        safe,
        "FROM debian:bookworm-slim\n  RUN chown -R root /srv\nCOPY --chmod=777 app /app\nCMD [\"app\"]\n"
    );

    // Including unsafe fixes: the permissions and the missing USER are fixed too.
    let params = run(json!({"uri": URI, "unsafe": true}));
    let response = client.request("workspace/executeCommand", params).await;
    assert!(
        response["result"]["fixes"].as_u64().unwrap() >= 3,
        "{response}"
    );
    let sent = client
        .wait_for(|m| m["method"] == "workspace/applyEdit")
        .await;
    let edit = &sent["params"]["edit"]["documentChanges"][0];
    let all = applies(SAMPLE, edit["edits"].as_array().unwrap());
    let options = dockfix::Options {
        settings: dockfix::config::Config {
            ignore: vec!["DF203".to_owned()],
            ..Default::default()
        }
        .settings_for(None),
        today: dockfix::cli::discover::today(),
        ..Default::default()
    };
    let expected = dockfix::fix_all(SAMPLE, &options, dockfix::fix::Applicability::Unsafe).text;
    assert_eq!(all, expected);
    assert!(
        all.contains("--chmod=755") && all.contains("\nUSER "),
        "{all}"
    );
    assert!(!all.contains("sudo"), "{all}");

    // A stale version, an unknown document, bad arguments, an unknown command: errors.
    for (params, wanted) in [
        (
            json!({"command": "dockfix.applyAllFixes", "arguments": [{"uri": URI, "version": 7}]}),
            "the document changed",
        ),
        (
            json!({"command": "dockfix.applyAllFixes", "arguments": [{"uri": "file:///nowhere/Dockerfile"}]}),
            "is not open",
        ),
        (
            json!({"command": "dockfix.applyAllFixes", "arguments": [{"unsafe": true}]}),
            "missing field `uri`",
        ),
        (
            json!({"command": "dockfix.applyAllFixes", "arguments": []}),
            "needs",
        ),
        (
            json!({"command": "rm -rf", "arguments": []}),
            "unknown command",
        ),
    ] {
        let response = client.request("workspace/executeCommand", params).await;
        let message = response["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains(wanted), "{wanted}: {response}");
    }
    // Nothing left to fix: no edit is sent.
    client
        .notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": URI, "version": 2},
                   "contentChanges": [{"text": "FROM debian:bookworm-slim\nUSER nobody\n"}]}),
        )
        .await;
    let _ = client.diagnostics(URI, 2).await;
    let params = run(json!({"uri": URI, "unsafe": true}));
    let response = client.request("workspace/executeCommand", params).await;
    assert_eq!(response["result"], json!({"applied": false, "fixes": 0}));
    assert!(!client
        .backlog
        .iter()
        .any(|m| m["method"] == "workspace/applyEdit"));
}

#[tokio::test]
async fn convert_to_multi_stage_build_is_a_refactoring_on_the_from_line_and_on_df310() {
    // A Rust project: the server reads Cargo.toml beside the Dockerfile to
    // name the binary.
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(
        folder.path().join("Cargo.toml"),
        "[package]\nname = \"ledger\"\nversion = \"0.1.0\"\n",
    )
    .unwrap();
    let uri = format!("file://{}/Dockerfile", folder.path().display());
    let text = "FROM rust:1.83-bookworm\nWORKDIR /src\nCOPY . .\nRUN cargo build --release\nEXPOSE 8000\nCMD [\"./target/release/ledger\"]\n";
    let expected = "FROM rust:1.83-bookworm AS build\nWORKDIR /src\nCOPY . .\nRUN cargo build --release\n\nFROM gcr.io/distroless/cc-debian12:nonroot\nWORKDIR /src\nCOPY --from=build /src/target/release/ledger /usr/local/bin/ledger\nEXPOSE 8000\nUSER nonroot:nonroot\nCMD [\"/usr/local/bin/ledger\"]\n";
    let mut client = Client::start();
    let result = client.initialize(rich_capabilities(), Value::Null).await;
    let kinds = &result["result"]["capabilities"]["codeActionProvider"]["codeActionKinds"];
    assert!(
        kinds
            .as_array()
            .unwrap()
            .contains(&json!("refactor.rewrite")),
        "{kinds}"
    );
    client.open(&uri, 1, text).await;
    let diagnostics = client.diagnostics(&uri, 1).await;
    let df310: Vec<Value> = diagnostics
        .iter()
        .filter(|d| d["code"] == "DF310")
        .cloned()
        .collect();
    assert_eq!(df310.len(), 1, "{diagnostics:#?}");
    let document_edits = |action: &Value| -> Vec<Value> {
        action["edit"]["documentChanges"][0]["edits"]
            .as_array()
            .cloned()
            .unwrap()
    };

    // On the FROM line, `only: refactor` (hierarchical) finds it.
    let from_line =
        json!({"start": {"line": 0, "character": 3}, "end": {"line": 0, "character": 3}});
    for only in [json!(["refactor"]), json!(["refactor.rewrite"])] {
        let actions = client
            .code_actions(&uri, from_line.clone(), Vec::new(), Some(only))
            .await;
        assert_eq!(actions.len(), 1, "{actions:#?}");
        assert_eq!(actions[0]["title"], "Convert to multi-stage build");
        assert_eq!(actions[0]["kind"], "refactor.rewrite");
        assert_eq!(applies(text, &document_edits(&actions[0])), expected);
    }
    // Quick fixes only: no refactoring.
    let actions = client
        .code_actions(
            &uri,
            from_line.clone(),
            Vec::new(),
            Some(json!(["quickfix"])),
        )
        .await;
    assert!(
        actions.iter().all(|a| a["kind"] == "quickfix"),
        "{actions:#?}"
    );

    // On the DF310 diagnostic: the unsafe quick fix and the refactoring, with one edit.
    let actions = client
        .code_actions(&uri, df310[0]["range"].clone(), df310.clone(), None)
        .await;
    let titles: Vec<&str> = actions
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert!(
        titles.contains(&"Convert to a multi-stage build: Rust build stage, runtime on `gcr.io/distroless/cc-debian12:nonroot` (unsafe)"),
        "{titles:?}"
    );
    let refactor = actions
        .iter()
        .find(|a| a["kind"] == "refactor.rewrite")
        .expect("the refactoring is offered on DF310");
    assert_eq!(applies(text, &document_edits(refactor)), expected);
    let quick = actions
        .iter()
        .find(|a| a["kind"] == "quickfix" && a["title"].as_str().unwrap().starts_with("Convert"))
        .unwrap();
    assert_eq!(applies(text, &document_edits(quick)), expected);

    // Elsewhere in the file, without a DF310 diagnostic: not offered.
    let expose = json!({"start": {"line": 4, "character": 1}, "end": {"line": 4, "character": 1}});
    let actions = client
        .code_actions(&uri, expose, Vec::new(), Some(json!(["refactor"])))
        .await;
    assert!(actions.is_empty(), "{actions:#?}");

    // Converted: a second request offers nothing.
    client
        .notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": expected}]}),
        )
        .await;
    let after = client.diagnostics(&uri, 2).await;
    assert!(!after.iter().any(|d| d["code"] == "DF310"), "{after:#?}");
    let actions = client
        .code_actions(&uri, from_line, Vec::new(), Some(json!(["refactor"])))
        .await;
    assert!(actions.is_empty(), "{actions:#?}");

    // Without Cargo.toml and with a CMD that does not name the binary's
    // path, the action is not offered and DF310 says why.
    let unnamed = text.replace("./target/release/ledger", "ledger");
    let other = format!("file://{}/sub/Dockerfile", folder.path().display());
    client.open(&other, 1, &unnamed).await;
    let diagnostics = client.diagnostics(&other, 1).await;
    let df310 = diagnostics.iter().find(|d| d["code"] == "DF310").unwrap();
    assert!(
        df310["message"].as_str().unwrap().contains(
            "no automatic conversion: the image runs `ledger`, not the binary `cargo` makes"
        ),
        "{df310:#?}"
    );
    let actions = client
        .code_actions(
            &other,
            df310["range"].clone(),
            vec![df310.clone()],
            Some(json!(["refactor"])),
        )
        .await;
    assert!(actions.is_empty(), "{actions:#?}");
}

#[tokio::test]
async fn comment_edits_reuse_the_analysis_and_match_a_fresh_one() {
    let mut client = Client::start();
    client
        .initialize(
            json!({"general": {"positionEncodings": ["utf-16"]}}),
            Value::Null,
        )
        .await;
    let text = "FROM node:16\n# build\nRUN npm ci\n\n# run\nCMD npm start\n";
    client.open(URI, 1, text).await;
    let _ = client.diagnostics(URI, 1).await;
    // Type into a comment, add comment lines and a blank line, delete one:
    // each result must equal the analysis of the same text opened afresh.
    let edits = [
        (
            json!({"start": {"line": 1, "character": 7}, "end": {"line": 1, "character": 7}}),
            " step 🐳",
        ),
        (
            json!({"start": {"line": 3, "character": 0}, "end": {"line": 3, "character": 0}}),
            "# 構築\n\n",
        ),
        (
            json!({"start": {"line": 1, "character": 0}, "end": {"line": 2, "character": 0}}),
            "",
        ),
        (
            json!({"start": {"line": 6, "character": 0}, "end": {"line": 6, "character": 0}}),
            "# note\n",
        ),
    ];
    let mut current = text.to_owned();
    for (version, (range, insert)) in (2..).zip(edits) {
        client
            .notify(
                "textDocument/didChange",
                json!({"textDocument": {"uri": URI, "version": version},
                       "contentChanges": [{"range": range, "text": insert}]}),
            )
            .await;
        current = applies_in(
            &current,
            &[json!({"range": range, "newText": insert})],
            "utf-16",
        );
        let reused = client.diagnostics(URI, version).await;
        let fresh_uri = format!("file:///fresh/{version}/Dockerfile");
        client.open(&fresh_uri, 1, &current).await;
        let fresh = client.diagnostics(&fresh_uri, 1).await;
        let strip = |diagnostics: Vec<Value>| -> Vec<Value> {
            diagnostics
                .into_iter()
                .map(|mut d| {
                    d["data"]["version"] = Value::Null;
                    d
                })
                .collect()
        };
        assert_eq!(
            strip(reused.clone()),
            strip(fresh),
            "after edit {version}:\n{current}"
        );
        // A quick fix of a reused diagnostic applies to the current text.
        let user = reused
            .iter()
            .find(|d| d["code"] == "DF101")
            .expect("DF101 on a final stage without USER")
            .clone();
        let actions = client
            .code_actions(URI, user["range"].clone(), vec![user], None)
            .await;
        let fix = actions
            .iter()
            .find(|a| a["kind"] == "quickfix")
            .expect("a quick fix for DF101");
        let fixed = applies_in(&current, &document_edits(fix), "utf-16");
        assert!(fixed.contains("USER "), "{fixed}");
    }
}

/// A workspace with many Dockerfiles open keeps trees only for the ones
/// edited lately; the others answer edits and requests as a fresh document.
#[tokio::test]
async fn resting_documents_answer_as_fresh_ones() {
    let mut client = Client::start();
    client
        .initialize(
            json!({"general": {"positionEncodings": ["utf-16"]}}),
            Value::Null,
        )
        .await;
    let uri = |i: usize| format!("file:///workspace/svc{i}/Dockerfile");
    let text = |i: usize| {
        format!(
            "FROM debian:12\n# service {i}\nRUN apt-get update && apt-get install -y curl{i} \\\n    && cd /srv\nCMD [\"run\"]\n"
        )
    };
    for i in 0..12 {
        client.open(&uri(i), 1, &text(i)).await;
    }
    for i in 0..12 {
        let _ = client.diagnostics(&uri(i), 1).await;
    }
    let resting = |response: &Value| response["result"]["resting"] == json!(true);
    let state = client
        .request("dockfix/documentText", json!({"uri": uri(0)}))
        .await;
    assert!(resting(&state), "{state}");
    let state = client
        .request("dockfix/documentText", json!({"uri": uri(11)}))
        .await;
    assert!(!resting(&state), "{state}");

    // Requests on a resting document.
    let fresh_uri = "file:///fresh/Dockerfile";
    let mut answers = Vec::new();
    for target in [uri(1), fresh_uri.to_owned()] {
        if target == fresh_uri {
            client.open(fresh_uri, 1, &text(1)).await;
            let _ = client.diagnostics(fresh_uri, 1).await;
        }
        let document = json!({"textDocument": {"uri": target}});
        let mut answer = Vec::new();
        for method in [
            "textDocument/documentSymbol",
            "textDocument/foldingRange",
            "textDocument/semanticTokens/full",
        ] {
            answer.push(client.request(method, document.clone()).await["result"].clone());
        }
        let position = json!({"line": 2, "character": 20});
        answer.push(
            client
                .request(
                    "textDocument/hover",
                    json!({"textDocument": {"uri": target}, "position": position}),
                )
                .await["result"]
                .clone(),
        );
        answers.push(answer);
    }
    assert_eq!(answers[0], answers[1]);

    // An edit of a resting document.
    let state = client
        .request("dockfix/documentText", json!({"uri": uri(2)}))
        .await;
    assert!(resting(&state), "{state}");
    let range = json!({"start": {"line": 2, "character": 46}, "end": {"line": 2, "character": 46}});
    client
        .notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri(2), "version": 2},
                   "contentChanges": [{"range": range, "text": " wget"}]}),
        )
        .await;
    let edited = client.diagnostics(&uri(2), 2).await;
    let current = applies_in(
        &text(2),
        &[json!({"range": range, "newText": " wget"})],
        "utf-16",
    );
    assert!(current.contains("curl2 wget"), "{current}");
    client.open("file:///fresh/2/Dockerfile", 1, &current).await;
    let fresh = client.diagnostics("file:///fresh/2/Dockerfile", 1).await;
    let strip = |diagnostics: Vec<Value>| -> Vec<Value> {
        diagnostics
            .into_iter()
            .map(|mut d| {
                d["data"]["version"] = Value::Null;
                d
            })
            .collect()
    };
    assert!(!edited.is_empty());
    assert_eq!(strip(edited), strip(fresh));
}

async fn write_raw(writer: &tokio::sync::Mutex<WriteHalf<DuplexStream>>, bytes: &[u8]) {
    let mut writer = writer.lock().await;
    writer.write_all(bytes).await.unwrap();
    writer.flush().await.unwrap();
}

/// Found by fuzzing (fuzz/fuzz_targets/lsp.rs): tower-lsp-server stopped
/// reading after the first frame it could not decode, so one broken message
/// left every later request unanswered. Broken frames now get the JSON-RPC
/// error (id null) and the server keeps reading.
#[tokio::test]
async fn broken_frames_get_errors_and_the_server_keeps_reading() {
    let mut client = Client::start();
    client.initialize(rich_capabilities(), Value::Null).await;
    let frame = |body: &[u8]| {
        let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        out.extend_from_slice(body);
        out
    };
    let mut bytes = Vec::new();
    for body in [
        b"{".as_slice(),
        b"xyz",
        b"\xff\xfe{}",
        b"[]",
        b"{}",
        br#"{"jsonrpc":"1.0","id":5,"method":"shutdown"}"#,
    ] {
        bytes.extend(frame(body));
    }
    // An empty body, garbage between frames, headers tower-lsp-server refuses
    // (a charset, a third header), a lower-case Content-Length.
    bytes.extend(frame(b""));
    bytes.extend_from_slice(b"garbage\r\n\r\n\r\n");
    let ok = br#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;
    bytes.extend_from_slice(
        format!(
            "Content-Type: application/vscode-jsonrpc; charset=latin1\r\nX-A: 1\r\nX-B: 2\r\ncontent-length: {}\r\n\r\n",
            ok.len()
        )
        .as_bytes(),
    );
    bytes.extend_from_slice(ok);
    write_raw(&client.writer, &bytes).await;
    // One error each, id null: a parse error (-32700) or an invalid request
    // (-32600; also what tower-lsp-server answers while another request with
    // id null is in flight).
    for _ in 0..6 {
        let error = client
            .wait_for(|m| m["id"].is_null() && m.get("error").is_some())
            .await;
        let code = error["error"]["code"].as_i64().unwrap();
        assert!(code == -32700 || code == -32600, "{error}");
    }
    write_raw(&client.writer, &frame(b"{")).await;
    let error = client
        .wait_for(|m| m["id"].is_null() && m.get("error").is_some())
        .await;
    assert_eq!(error["error"]["code"], -32700, "{error}");
    // Still serving.
    let response = client
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": "file:///nowhere"}, "position": {"line": 0, "character": 0}}),
        )
        .await;
    assert!(response.get("result").is_some(), "{response}");

    // The inputs the fuzzer found, one frame per line, then a request.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fuzz/lsp");
    for entry in std::fs::read_dir(dir).unwrap() {
        let data = std::fs::read(entry.unwrap().path()).unwrap();
        for line in data.split(|&b| b == b'\n') {
            write_raw(&client.writer, &frame(line)).await;
        }
        let response = client
            .request(
                "textDocument/documentSymbol",
                json!({"textDocument": {"uri": "file:///nowhere"}}),
            )
            .await;
        assert!(response.get("result").is_some(), "{response}");
    }
}

/// Messages that read as JSON but that tower-lsp-server refuses once it
/// decodes their parameters (a lone surrogate, nesting deeper than 128) get
/// an error, and the server keeps reading.
#[tokio::test]
async fn messages_with_undecodable_parameters_do_not_stop_the_server() {
    let mut client = Client::start();
    client.initialize(rich_capabilities(), Value::Null).await;
    let uri = "file:///w/Dockerfile";
    client.open(uri, 1, "FROM alpine:3.20\n").await;
    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    let frame = |body: &str| format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes();
    for body in [
        r#"{"jsonrpc":"2.0","id":70,"method":"textDocument/hover","params":{"x":"\udc00"}}"#
            .to_owned(),
        format!(r#"{{"jsonrpc":"2.0","id":71,"method":"textDocument/hover","params":{deep}}}"#),
        format!(
            r#"{{"jsonrpc":"2.0","method":"textDocument/didChange","params":{{"textDocument":{{"uri":"{uri}","version":2}},"contentChanges":[{{"text":"FROM \ud800\n"}}]}}}}"#
        ),
    ] {
        write_raw(&client.writer, &frame(&body)).await;
        let error = client
            .wait_for(|m| m["id"].is_null() && m.get("error").is_some())
            .await;
        assert_eq!(error["error"]["code"], -32700, "{error}");
    }
    let text = client
        .request("dockfix/documentText", json!({"uri": uri}))
        .await;
    assert_eq!(text["result"]["text"], "FROM alpine:3.20\n", "{text}");
}

/// The methods that stand for documents decoded while framing are not the
/// client's to send: a request gets "method not found", a notification is
/// ignored, and no parked document is taken out of turn.
#[tokio::test]
async fn clients_cannot_send_the_hand_over_methods() {
    let mut client = Client::start();
    client.initialize(rich_capabilities(), Value::Null).await;
    let uri = "file:///w/Dockerfile";
    client.open(uri, 1, "FROM alpine:3.20\n").await;
    let response = client
        .request("dockfix/didChange", json!({"ticket": 0}))
        .await;
    assert_eq!(response["error"]["code"], -32601, "{response}");
    for ticket in 0..4 {
        client
            .notify("dockfix/didOpen", json!({"ticket": ticket}))
            .await;
    }
    client
        .notify(
            "textDocument/didChange",
            json!({
                "textDocument": {"uri": uri, "version": 2},
                "contentChanges": [{"text": "FROM alpine:3.21\n"}],
            }),
        )
        .await;
    let text = client
        .request("dockfix/documentText", json!({"uri": uri}))
        .await;
    assert_eq!(text["result"]["text"], "FROM alpine:3.21\n", "{text}");
    assert_eq!(text["result"]["version"], 2, "{text}");
}
