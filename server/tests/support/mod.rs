//! What the tests that drive the real `dockfix server` binary share.
#![allow(dead_code, clippy::expect_used)] // Each test file uses a part; tests fail by panicking.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};

use serde_json::{json, Value};

/// The body of the next frame, or `None` at the end of the stream.
pub fn read_frame(reader: &mut impl BufRead) -> Option<Vec<u8>> {
    let mut length = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return None;
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
    reader.read_exact(&mut body).ok()?;
    Some(body)
}

/// Starts `binary server --stdio`; a thread reads its messages into the
/// receiver (a body that is not JSON fails the test).
pub fn spawn_server(binary: &Path) -> (Child, ChildStdin, Receiver<Value>) {
    let mut child = Command::new(binary)
        .args(["server", "--stdio"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the server starts");
    let stdin = child.stdin.take().expect("stdin");
    let stdout = child.stdout.take().expect("stdout");
    let (sender, messages) = channel();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        while let Some(body) = read_frame(&mut reader) {
            let message: Value = serde_json::from_slice(&body).expect("JSON from the server");
            if sender.send(message).is_err() {
                return;
            }
        }
    });
    (child, stdin, messages)
}

/// The real server over stdio. Test files add the ways they wait for
/// messages (each test file is a crate of its own, with this module in it).
pub struct Server {
    pub child: Child,
    pub stdin: ChildStdin,
    pub messages: Receiver<Value>,
    /// Messages received while waiting for something else.
    pub backlog: Vec<Value>,
    pub next_id: i64,
}

impl Server {
    pub fn start(binary: &Path) -> Server {
        let (child, stdin, messages) = spawn_server(binary);
        Server {
            child,
            stdin,
            messages,
            backlog: Vec::new(),
            next_id: 1,
        }
    }

    pub fn send(&mut self, message: &Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{}", body.len(), body).expect("write");
        self.stdin.flush().expect("flush");
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
