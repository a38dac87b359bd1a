//! The language server's message layer, in process: each line of the input
//! (lossy UTF-8) is one JSON-RPC message body sent to `dockfix::lsp::serve`
//! in a well-formed frame. Lines that are JSON objects with a `method` are
//! sent as requests (with an `id`, renumbered so the harness can match the
//! answer) or notifications; any other line is sent as it is (broken JSON,
//! arrays, responses to nothing). The harness answers the server's own
//! requests as an editor would. Nothing may panic (libFuzzer's panic hook
//! aborts even inside the server's `catch_unwind`), and every request must be
//! answered, with a result or an error, within a few seconds.
//!
//! `initialize` is sent first unless the input starts with its own; `exit` is
//! held back until the end (after it nothing is answered, by design); the
//! `online` setting is removed (no network in a fuzzer).

#![no_main]

use std::sync::OnceLock;
use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use serde_json::{json, Value};
use tokio::io::{
    AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, DuplexStream, ReadHalf, WriteHalf,
};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

/// How long one request may take. Inputs are at most a few tens of KB, which
/// the server analyses in milliseconds; this only catches hangs.
const ANSWER_WITHIN: Duration = Duration::from_secs(20);
const MAX_MESSAGES: usize = 64;

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime")
    })
}

async fn write_frame(writer: &tokio::sync::Mutex<WriteHalf<DuplexStream>>, body: &[u8]) {
    let mut writer = writer.lock().await;
    let header = format!("Content-Length: {}\r\n\r\n", body.len());
    // A closed pipe means the server stopped; the missing answer is reported.
    let _ = writer.write_all(header.as_bytes()).await;
    let _ = writer.write_all(body).await;
    let _ = writer.flush().await;
}

/// Reads the server's frames, answers its requests, forwards everything.
async fn read_frames(
    read: ReadHalf<DuplexStream>,
    writer: std::sync::Arc<tokio::sync::Mutex<WriteHalf<DuplexStream>>>,
    tx: UnboundedSender<Value>,
) {
    let mut reader = BufReader::new(read);
    loop {
        let mut length = None;
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
                length = value.parse::<usize>().ok();
            }
        }
        let length = length.expect("the server writes a Content-Length header");
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).await.is_err() {
            return;
        }
        let message: Value = serde_json::from_slice(&body).expect("the server writes JSON bodies");
        if message.get("id").is_some() && message.get("method").is_some() {
            let result = match message["method"].as_str() {
                Some("workspace/configuration") => Value::Array(
                    message["params"]["items"]
                        .as_array()
                        .map(|items| items.iter().map(|_| Value::Null).collect())
                        .unwrap_or_default(),
                ),
                Some("workspace/applyEdit") => json!({"applied": true}),
                _ => Value::Null,
            };
            let reply = json!({"jsonrpc": "2.0", "id": message["id"], "result": result});
            write_frame(&writer, reply.to_string().as_bytes()).await;
        }
        if tx.send(message).is_err() {
            return;
        }
    }
}

/// Removes every `online` key (registry lookups are network IO).
fn scrub(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.remove("online");
            map.values_mut().for_each(scrub);
        }
        Value::Array(items) => items.iter_mut().for_each(scrub),
        _ => {}
    }
}

async fn answer(messages: &mut UnboundedReceiver<Value>, id: i64, what: &str) {
    let deadline = tokio::time::Instant::now() + ANSWER_WITHIN;
    loop {
        match tokio::time::timeout_at(deadline, messages.recv()).await {
            Ok(Some(message)) => {
                if message.get("method").is_none() && message["id"] == json!(id) {
                    assert!(
                        message.get("result").is_some() || message.get("error").is_some(),
                        "{what}: an answer without result or error: {message}"
                    );
                    return;
                }
            }
            Ok(None) => panic!("the server stopped before answering {what}"),
            Err(_) => panic!("{what} unanswered within {ANSWER_WITHIN:?}"),
        }
    }
}

async fn session(lines: Vec<String>) {
    let (client_side, server_side) = tokio::io::duplex(1 << 16);
    let (server_read, server_write) = tokio::io::split(server_side);
    let server = tokio::spawn(dockfix::lsp::serve(server_read, server_write));
    let (read, write) = tokio::io::split(client_side);
    let writer = std::sync::Arc::new(tokio::sync::Mutex::new(write));
    let (tx, mut messages) = unbounded_channel();
    let reader = tokio::spawn(read_frames(read, std::sync::Arc::clone(&writer), tx));

    let mut next_id = 1i64;
    let starts_with_initialize = lines
        .first()
        .and_then(|l| serde_json::from_str::<Value>(l).ok())
        .is_some_and(|v| v["method"] == "initialize");
    if !starts_with_initialize {
        let init = json!({"jsonrpc": "2.0", "id": next_id, "method": "initialize", "params": {
        "processId": null, "rootUri": null,
        "capabilities": {
            "general": {"positionEncodings": ["utf-8", "utf-16"]},
            "workspace": {"workspaceEdit": {"documentChanges": true}, "configuration": true, "applyEdit": true},
            "textDocument": {"codeAction": {"resolveSupport": {"properties": ["edit"]}, "dataSupport": true}}
        }}});
        write_frame(&writer, init.to_string().as_bytes()).await;
        answer(&mut messages, next_id, "initialize").await;
        next_id += 1;
        write_frame(
            &writer,
            br#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#,
        )
        .await;
    }

    for line in lines.iter().take(MAX_MESSAGES) {
        match serde_json::from_str::<Value>(line) {
            Ok(mut message) if message.get("method").is_some_and(Value::is_string) => {
                scrub(&mut message);
                let method = message["method"].as_str().unwrap_or_default().to_owned();
                if method == "exit" {
                    continue;
                }
                message["jsonrpc"] = json!("2.0");
                // With a `result` or an `error` it is a response to the
                // server (tower-lsp-server reads it so, `method` or not):
                // nothing answers it.
                let response = message.get("result").is_some() || message.get("error").is_some();
                if message.get("id").is_some() && !response {
                    message["id"] = json!(next_id);
                    write_frame(&writer, message.to_string().as_bytes()).await;
                    answer(&mut messages, next_id, &method).await;
                    next_id += 1;
                } else {
                    write_frame(&writer, message.to_string().as_bytes()).await;
                }
            }
            _ => write_frame(&writer, line.as_bytes()).await,
        }
    }

    // A last request proves the server is still serving, then a clean exit.
    let probe = json!({"jsonrpc": "2.0", "id": next_id, "method": "shutdown"});
    write_frame(&writer, probe.to_string().as_bytes()).await;
    answer(&mut messages, next_id, "shutdown").await;
    write_frame(&writer, br#"{"jsonrpc":"2.0","method":"exit"}"#).await;
    let stopped = tokio::time::timeout(ANSWER_WITHIN, server).await;
    assert!(stopped.is_ok(), "the server did not stop after exit");
    drop(writer);
    reader.abort();
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let lines: Vec<String> = text.split('\n').map(str::to_owned).collect();
    runtime().block_on(session(lines));
});
