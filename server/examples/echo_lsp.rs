//! The transport floor of the LSP latency benchmark (tests/bench/lsp-latency):
//! a server that does nothing but answer. It reads each frame, parses its
//! JSON, answers requests with `null` (`initialize` with full sync) and
//! answers `didOpen`/`didChange` with a `publishDiagnostics` whose diagnostics
//! are the JSON array in the file named by `ECHO_DIAGNOSTICS` (dockfix's own
//! diagnostics of the benchmark file, so the floor carries the same payload),
//! or `[]`. lsp-probe's latency against it is what any server pays for the
//! pipe, the JSON and the client's parsing.

use std::io::{BufRead, BufReader, Read, Write};

fn main() -> std::io::Result<()> {
    let diagnostics = match std::env::var_os("ECHO_DIAGNOSTICS") {
        Some(path) => std::fs::read_to_string(path)?,
        None => "[]".to_owned(),
    };
    let mut input = BufReader::new(std::io::stdin().lock());
    let mut output = std::io::stdout().lock();
    loop {
        let mut length = 0;
        loop {
            let mut line = String::new();
            if input.read_line(&mut line)? == 0 {
                return Ok(());
            }
            let line = line.trim();
            if line.is_empty() {
                break;
            }
            if let Some(value) = line.strip_prefix("Content-Length:") {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        input.read_exact(&mut body)?;
        let message: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        let method = message["method"].as_str().unwrap_or_default();
        let reply = match method {
            "exit" => return Ok(()),
            "textDocument/didOpen" | "textDocument/didChange" => {
                let document = &message["params"]["textDocument"];
                // The payload is spliced in as text: serializing it is not
                // part of the floor (dockfix writes its diagnostics directly).
                let head = serde_json::json!({
                    "jsonrpc": "2.0",
                    "method": "textDocument/publishDiagnostics",
                    "params": {"uri": document["uri"], "version": document["version"], "diagnostics": null},
                })
                .to_string();
                Some(head.replace(
                    "\"diagnostics\":null",
                    &format!("\"diagnostics\":{diagnostics}"),
                ))
            }
            _ if message.get("id").is_some() && !method.is_empty() => {
                let result = if method == "initialize" {
                    serde_json::json!({"capabilities": {"textDocumentSync": 1}})
                } else {
                    serde_json::Value::Null
                };
                Some(
                    serde_json::json!({"jsonrpc": "2.0", "id": message["id"], "result": result})
                        .to_string(),
                )
            }
            _ => None,
        };
        if let Some(reply) = reply {
            write!(output, "Content-Length: {}\r\n\r\n{reply}", reply.len())?;
            output.flush()?;
        }
    }
}
