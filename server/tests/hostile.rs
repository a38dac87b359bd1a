//! Hostile inputs: the CLI (`check`, then `check --fix --unsafe-fixes`) and
//! the language server (the real binary over stdio: open, an edit, and every
//! kind of request) answer on each of them. No wall-clock assertion: each
//! process runs under a hang guard (`HANG_GUARD`, killed and failed past it),
//! and the measured times and peak RSS are printed as a markdown table
//! (`-- --nocapture`; `DOCKFIX_HOSTILE_REPORT=FILE` writes it to FILE).
//!
//! The test is ignored by plain `cargo test` (minutes with the debug
//! binary). `tests/run-all` runs it against the release binary with the four
//! big cases at a tenth of their size (1 MB, 10,000 continuation lines, 1,000
//! heredocs, lines of 100 KB): `DOCKFIX_BIN=target/release/dockfix
//! DOCKFIX_HOSTILE_SCALE=10 cargo test --test hostile -- --ignored`. Without
//! the scale, the full sizes (a few minutes); docs/hostile-inputs.md records
//! a run.
//!
//! The in-process server test `hostile_documents_and_requests_get_answers`
//! (lsp_service.rs) covers other documents (a 10 MB file of comments and RUNs,
//! 5,000 RUNs, junk characters, 5,000 nested `${A:-`) and out-of-range
//! positions; this file covers the cases of issue 9 through both binaries.

#![allow(clippy::expect_used, clippy::unwrap_used)] // Tests fail by panicking.

use std::fmt::Write as _;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

mod support;

use support::Server;

/// A case that takes longer than this hangs (the slowest takes a few seconds
/// with the debug build on a loaded 2-core machine).
const HANG_GUARD: Duration = Duration::from_secs(120);

/// The big cases are divided by `DOCKFIX_HOSTILE_SCALE` when it is set;
/// otherwise full size when a binary is given (the release build), a tenth
/// with the debug build.
fn scale() -> usize {
    let given = std::env::var("DOCKFIX_HOSTILE_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .filter(|&n: &usize| n > 0);
    given.unwrap_or(if std::env::var_os("DOCKFIX_BIN").is_some() {
        1
    } else {
        10
    })
}

fn binary() -> PathBuf {
    // A relative DOCKFIX_BIN is relative to the repository root (tests run
    // in server/).
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    std::env::var_os("DOCKFIX_BIN")
        .map(|p| root.join(p))
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_dockfix")))
}

// ---------------------------------------------------------------- the cases

/// About 10 MB of realistic multi-stage Dockerfile (7,000 stages).
fn ten_megabytes() -> Vec<u8> {
    let size = (10 << 20) / scale();
    let mut out = String::from("# syntax=docker/dockerfile:1\nARG BASE=debian:bookworm-slim\n");
    let mut i = 0usize;
    while out.len() < size {
        let _ = write!(
            out,
            "# stage {i}: build something\nFROM ${{BASE}} AS s{i}\nMAINTAINER someone@example.com\n\
             ENV APP_HOME=/app{i} PATH=/app{i}/bin:$PATH\nWORKDIR $APP_HOME\n\
             RUN apt-get update && apt-get install -y curl ca-certificates git \\\n    \
             && curl -fsSL https://example.com/install-{i}.sh | sh \\\n    && chmod 777 /app{i}\n\
             ADD https://example.com/a{i}.tar.gz /tmp/\nCOPY --from=s{prev} /app{prev} /app{i}/prev\n\
             USER root\nEXPOSE 22 80{m}\nHEALTHCHECK CMD curl -f http://localhost/ || exit 1\n\
             CMD python app{i}.py\n\n",
            prev = i.saturating_sub(1),
            m = i % 10,
        );
        i += 1;
    }
    out.into_bytes()
}

/// One RUN continued over 100,000 lines.
fn continuation_lines() -> Vec<u8> {
    let mut out = String::from("FROM debian:bookworm-slim\nRUN set -eux \\\n");
    for i in 0..100_000 / scale() {
        let _ = writeln!(out, "    && echo line-{i} \\");
    }
    out.push_str("    && true\nUSER nobody\n");
    out.into_bytes()
}

/// 10,000 heredocs: RUN and COPY, quoted and dash markers, and one RUN with
/// 100 heredocs of its own.
fn heredocs() -> Vec<u8> {
    let mut out = String::from("# syntax=docker/dockerfile:1\nFROM alpine:3.22\n");
    for i in 0..(10_000 / scale() - 100) {
        match i % 4 {
            0 => {
                let _ = write!(out, "RUN <<EOF{i}\napk add curl\necho {i}\nEOF{i}\n");
            }
            1 => {
                let _ = write!(out, "COPY <<'F{i}' /etc/f{i}\n$not_expanded {i}\nF{i}\n");
            }
            2 => {
                let _ = write!(out, "RUN <<-X cat > /x{i}\n\tline {i}\n\tX\n");
            }
            _ => {
                let _ = write!(out, "RUN python3 <<PY\nprint({i})\nPY\n");
            }
        }
    }
    out.push_str("RUN cat");
    for i in 0..100 {
        let _ = write!(out, " <<H{i}");
    }
    out.push('\n');
    for i in 0..100 {
        let _ = write!(out, "h{i}\nH{i}\n");
    }
    out.into_bytes()
}

/// `${a:-${a:-…}}` nested 10,000 levels in ARG, ENV, a shell RUN, an exec
/// RUN, a FROM and a LABEL.
fn nested_substitutions() -> Vec<u8> {
    let nest = format!("{}x{}", "${a:-".repeat(10_000), "}".repeat(10_000));
    format!(
        "ARG IMG={nest}\nFROM {nest}\nARG a={nest}\nENV B={nest}\nRUN echo {nest}\n\
         RUN [\"echo\", \"{nest}\"]\nLABEL l=\"{nest}\"\nUSER {nest}\nWORKDIR /{nest}\n"
    )
    .into_bytes()
}

/// Lines of 1 MB: a RUN of one word, a RUN of 250,000 words, a LABEL, an
/// ENV, a comment, an exec-form CMD.
fn megabyte_lines() -> Vec<u8> {
    let size = (1 << 20) / scale();
    let word = "a".repeat(size);
    let words = "ab ".repeat(size / 3);
    let json = format!("[{}\"x\"]", "\"ab\", ".repeat(size / 6));
    format!(
        "FROM alpine:3.22\nRUN echo {word}\nRUN apk add {words}\nLABEL x=\"{word}\"\nENV K={word}\n\
         # {word}\nCMD {json}\n"
    )
    .into_bytes()
}

/// NUL bytes everywhere: in keywords, arguments, flags, heredocs, a run of
/// 100,000 of them.
fn nul_bytes() -> Vec<u8> {
    let mut out = b"FROM alpine\0:3.22\nRU\0N echo \0hi\nRUN --mount=\0type=cache apk add \0\n\
USER \0\nCOPY <<E\0OF /x\n\0\nE\0OF\n\0\0\0\nENV A=\0 B=\"\0\"\nCMD [\"\0\"]\n"
        .to_vec();
    out.extend(std::iter::repeat_n(0u8, 100_000));
    out.extend_from_slice(b"\nFROM scratch\n\0");
    out
}

/// Lines ending in CRLF, LF and CR, mixed, also inside continuations,
/// heredocs and JSON.
fn mixed_line_endings() -> Vec<u8> {
    let mut out = String::new();
    for i in 0..2_000 {
        let end = ["\r\n", "\n", "\r"][i % 3];
        let _ = write!(
            out,
            "FROM alpine:3.22 AS s{i}{end}RUN apk add curl \\{end}  && echo {i}{end}\
             RUN <<EOF{end}echo {i}{end}EOF{end}CMD [\"a\",{end} \"b\"]{end}# c{end}\r\n\n\r"
        );
    }
    out.into_bytes()
}

/// A byte order mark at the start (before a directive), after it, and in the
/// middle of lines.
fn byte_order_marks() -> Vec<u8> {
    "\u{feff}# escape=`\n\u{feff}# syntax=docker/dockerfile:1\nFROM alpine:3.22\n\
     \u{feff}RUN echo `\n  hi\nRUN echo \u{feff}\nUSER \u{feff}root\n\u{feff}\n"
        .repeat(2_000)
        .into_bytes()
}

/// Every instruction keyword with no arguments, upper and lower case, with
/// and without trailing blanks, alone and after ONBUILD, before and after FROM.
fn keywords_without_arguments() -> Vec<u8> {
    const KEYWORDS: &[&str] = &[
        "FROM",
        "RUN",
        "CMD",
        "LABEL",
        "MAINTAINER",
        "EXPOSE",
        "ENV",
        "ADD",
        "COPY",
        "ENTRYPOINT",
        "VOLUME",
        "USER",
        "WORKDIR",
        "ARG",
        "ONBUILD",
        "STOPSIGNAL",
        "HEALTHCHECK",
        "SHELL",
    ];
    let mut out = String::new();
    for round in 0..200 {
        for keyword in KEYWORDS {
            let keyword = if round % 2 == 0 {
                keyword.to_string()
            } else {
                keyword.to_lowercase()
            };
            let _ = write!(
                out,
                "{keyword}\n{keyword} \t \nONBUILD {keyword}\n{keyword} \\\n\n"
            );
        }
        out.push_str("FROM alpine:3.22\nRUN --mount\nCOPY --from\nHEALTHCHECK CMD\n");
    }
    out.into_bytes()
}

/// `# escape=` in every position: as the first line, after another
/// directive, after a comment, after a blank line, after FROM, inside a
/// continuation and a heredoc, twice, with invalid values, at the end of the
/// file without a newline.
fn escape_everywhere() -> Vec<u8> {
    let lines = [
        "# escape=`",
        "# syntax=docker/dockerfile:1",
        "# escape=\\",
        "# a comment",
        "",
        "# escape=`",
        "FROM alpine:3.22",
        "# escape=`",
        "RUN echo a `",
        "# escape=\\",
        "  b \\",
        "  c",
        "RUN <<EOF",
        "# escape=`",
        "EOF",
        "#escape=x",
        "# ESCAPE = `",
        "#   escape   =   \\",
        "# escape=``",
        "# escape=",
    ];
    let mut out = String::new();
    // Every line in every position: rotate the list.
    for start in 0..lines.len() {
        for i in 0..lines.len() {
            out.push_str(lines[(start + i) % lines.len()]);
            out.push('\n');
        }
    }
    out.push_str("# escape=`");
    out.into_bytes()
}

/// Bytes that are not UTF-8: lone continuation bytes, truncated sequences,
/// overlong encodings, surrogates, 0xFF, in every kind of position.
fn invalid_utf8() -> Vec<u8> {
    let mut out = Vec::new();
    for i in 0..2_000u32 {
        out.extend_from_slice(
            b"FROM alpine:3.22\xff\nRUN echo \x80\xbf \xc3 \xe2\x82 \xc0\xaf \xed\xa0\x80\n",
        );
        out.extend_from_slice(
            b"# comment \xfe\xff\nLABEL x=\"\xf8\x88\x80\x80\x80\"\nUSER \xc3\x28\n",
        );
        out.extend_from_slice(format!("ENV N{i}=1\n").as_bytes());
    }
    out
}

struct Case {
    name: &'static str,
    what: String,
    bytes: Vec<u8>,
}

fn cases() -> Vec<Case> {
    let n = scale();
    let case = |name, what: String, bytes| Case { name, what, bytes };
    vec![
        case(
            "10mb",
            format!("{} MB of stages (one per 1.4 KB)", 10 / n),
            ten_megabytes(),
        ),
        case(
            "continuations",
            format!("{} continuation lines in one RUN", 100_000 / n),
            continuation_lines(),
        ),
        case("heredocs", format!("{} heredocs", 10_000 / n), heredocs()),
        case(
            "nested",
            "`${a:-…}` nested 10,000 deep, 9 times".into(),
            nested_substitutions(),
        ),
        case(
            "long-lines",
            format!("six lines of {} KB", 1024 / n),
            megabyte_lines(),
        ),
        case("nul", "NUL bytes (100,000 in a row)".into(), nul_bytes()),
        case(
            "line-endings",
            "CRLF, LF and CR mixed".into(),
            mixed_line_endings(),
        ),
        case("bom", "byte order marks".into(), byte_order_marks()),
        case(
            "no-arguments",
            "every keyword without arguments".into(),
            keywords_without_arguments(),
        ),
        case(
            "escape",
            "`# escape=` in every position".into(),
            escape_everywhere(),
        ),
        case(
            "invalid-utf8",
            "invalid UTF-8 (server: lossy)".into(),
            invalid_utf8(),
        ),
    ]
}

// ---------------------------------------------------------------- processes

/// How a process went: its exit code, wall time and peak RSS (KiB).
struct Run {
    code: Option<i32>,
    elapsed: Duration,
    max_rss_kib: Option<u64>,
    stdout: String,
    stderr: String,
}

/// Peak RSS of a running process so far (VmHWM), in KiB.
fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Runs `dockfix ARGS FILE` under the hang guard (killed and failed past it),
/// sampling its peak RSS every 10 ms (the peak is kept by the kernel; only
/// growth in the last 10 ms before exit can be missed).
fn cli(args: &[&str], file: &Path) -> Run {
    let started = Instant::now();
    let mut child = Command::new(binary())
        .args(args)
        .arg(file)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("dockfix starts");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut stderr = child.stderr.take().expect("stderr");
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let mut max_rss_kib = None;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        max_rss_kib = peak_rss_kib(child.id()).or(max_rss_kib);
        if started.elapsed() > HANG_GUARD {
            let _ = child.kill();
            let _ = child.wait();
            panic!("dockfix {args:?}: no answer within {HANG_GUARD:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Run {
        code: status.code(),
        elapsed: started.elapsed(),
        max_rss_kib,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    }
}

impl Server {
    /// The next message matching `wanted`, answering the server's requests
    /// (`workspace/applyEdit` is declined: the document stays as it is).
    fn wait_for(&mut self, what: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.backlog.iter().position(&wanted) {
            return self.backlog.remove(i);
        }
        let deadline = Instant::now() + HANG_GUARD;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let message = self
                .messages
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("server: no answer to {what} within {HANG_GUARD:?}"));
            if message.get("id").is_some() && message.get("method").is_some() {
                let result = match message["method"].as_str() {
                    Some("workspace/applyEdit") => json!({"applied": false}),
                    _ => Value::Null,
                };
                self.send(&json!({"jsonrpc": "2.0", "id": message["id"], "result": result}));
            }
            if wanted(&message) {
                return message;
            }
            if message.get("method").is_some() {
                self.backlog.push(message);
            }
        }
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        let response = self.wait_for(method, |m| {
            m["id"] == json!(id) && m.get("method").is_none()
        });
        assert!(
            response.get("result").is_some() || response.get("error").is_some(),
            "{method}: {response}"
        );
        response
    }

    fn diagnostics(&mut self, version: i64) -> Vec<Value> {
        let message = self.wait_for("didOpen/didChange (diagnostics)", |m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["version"] == json!(version)
        });
        message["params"]["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// Peak RSS so far (VmHWM), in KiB.
    fn peak_rss_kib(&self) -> Option<u64> {
        peak_rss_kib(self.child.id())
    }
}

struct LspRun {
    open: Duration,
    requests: Duration,
    diagnostics: usize,
    max_rss_kib: Option<u64>,
}

/// Open, wait for diagnostics, type one character in the middle and wait
/// again, then every kind of request over the whole document.
fn lsp(text: &str) -> LspRun {
    const URI: &str = "file:///hostile/Dockerfile";
    let mut server = Server::start(&binary());
    server.request(
        "initialize",
        json!({"processId": null, "rootUri": null, "capabilities": {
            "general": {"positionEncodings": ["utf-16"]},
            "workspace": {"workspaceEdit": {"documentChanges": true}, "applyEdit": true},
            "textDocument": {"codeAction": {"resolveSupport": {"properties": ["edit"]}, "dataSupport": true}}},
            "initializationOptions": {"select": ["ALL"]}}),
    );
    server.notify("initialized", json!({}));
    let started = Instant::now();
    server.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": URI, "languageId": "dockerfile", "version": 1, "text": text}}),
    );
    let diagnostics = server.diagnostics(1).len();
    let open = started.elapsed();

    let started = Instant::now();
    let lines = text.split('\n').count() as u64;
    let middle = json!({"line": lines / 2, "character": 3});
    server.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 2},
               "contentChanges": [{"range": {"start": middle, "end": middle}, "text": "x"}]}),
    );
    server.diagnostics(2);
    let doc = json!({"uri": URI});
    let whole =
        json!({"start": {"line": 0, "character": 0}, "end": {"line": lines + 1, "character": 0}});
    server.request(
        "textDocument/hover",
        json!({"textDocument": doc, "position": middle}),
    );
    // Quick fixes where the cursor is, as editors ask. (A whole-document
    // request on the 10 MB case does not answer within the guard: see
    // docs/hostile-inputs.md.)
    let line = json!({"start": {"line": lines / 2, "character": 0}, "end": {"line": lines / 2 + 1, "character": 0}});
    server.request(
        "textDocument/codeAction",
        json!({"textDocument": doc, "range": line, "context": {"diagnostics": []}}),
    );
    let fix_all = server.request(
        "textDocument/codeAction",
        json!({"textDocument": doc, "range": whole, "context": {"diagnostics": [], "only": ["source.fixAll.dockfix"]}}),
    );
    if let Some(action) = fix_all["result"]
        .as_array()
        .and_then(|a| a.first())
        .cloned()
    {
        server.request("codeAction/resolve", action);
    }
    server.request(
        "workspace/executeCommand",
        json!({"command": "dockfix.applyAllFixes", "arguments": [{"uri": URI, "unsafe": true}]}),
    );
    server.request(
        "textDocument/semanticTokens/full",
        json!({"textDocument": doc}),
    );
    server.request("textDocument/documentSymbol", json!({"textDocument": doc}));
    server.request("textDocument/foldingRange", json!({"textDocument": doc}));
    server.request("textDocument/diagnostic", json!({"textDocument": doc}));
    let requests = started.elapsed();
    let max_rss_kib = server.peak_rss_kib();
    server.request("shutdown", Value::Null);
    LspRun {
        open,
        requests,
        diagnostics,
        max_rss_kib,
    }
}

fn mb(kib: Option<u64>) -> String {
    kib.map_or("n/a".to_owned(), |k| format!("{:.0}", k as f64 / 1024.0))
}

fn secs(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64())
}

fn answered(run: &Run, what: &str) {
    // 0: no error-level findings; 1: findings; 2: an error reported per file.
    assert!(
        matches!(run.code, Some(0..=2)),
        "{what}: exit {:?}\n{}",
        run.code,
        run.stderr.chars().take(2_000).collect::<String>()
    );
}

fn check_case(case: &Case, dir: &Path) -> String {
    let file = dir.join(format!("{}.Dockerfile", case.name));
    std::fs::write(&file, &case.bytes).unwrap();

    let check = cli(&["check", "--select", "ALL", "--format", "json"], &file);
    answered(&check, &format!("{}: check", case.name));
    let utf8 = std::str::from_utf8(&case.bytes).is_ok();
    if utf8 {
        let findings: Value = serde_json::from_str(&check.stdout)
            .unwrap_or_else(|e| panic!("{}: check --format json: {e}", case.name));
        assert!(findings.is_array(), "{}", case.name);
    } else {
        // Not UTF-8: an error for the file, never a crash.
        assert!(!check.stderr.is_empty(), "{}: an error message", case.name);
    }

    let fixed = dir.join(format!("{}.fixed.Dockerfile", case.name));
    std::fs::write(&fixed, &case.bytes).unwrap();
    let fix = cli(
        &[
            "check",
            "--select",
            "ALL",
            "--exit-zero",
            "--fix",
            "--unsafe-fixes",
        ],
        &fixed,
    );
    answered(&fix, &format!("{}: check --fix --unsafe-fixes", case.name));

    let text = String::from_utf8_lossy(&case.bytes);
    let server = lsp(&text);

    let row = format!(
        "| {} | {:.1} MB | {} / {} | {} / {} | {} / {} / {} | {} |",
        case.what,
        case.bytes.len() as f64 / (1 << 20) as f64,
        secs(check.elapsed),
        mb(check.max_rss_kib),
        secs(fix.elapsed),
        mb(fix.max_rss_kib),
        secs(server.open),
        secs(server.requests),
        mb(server.max_rss_kib),
        server.diagnostics,
    );
    eprintln!("{row}");
    row
}

#[test]
#[ignore = "minutes with the debug build: tests/run-all runs it against the release binary"]
fn hostile_inputs_get_answers_from_the_cli_and_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let only = std::env::var("DOCKFIX_HOSTILE_ONLY").ok();
    let mut table = String::from(
        "| case | size | check: s / MB | check --fix --unsafe-fixes: s / MB | server: open→diagnostics s / edit+10 requests s / peak MB | diagnostics |\n\
         |---|---:|---:|---:|---:|---:|\n",
    );
    for case in cases() {
        if only
            .as_deref()
            .is_some_and(|o| !o.split(',').any(|n| n == case.name))
        {
            continue;
        }
        let row = check_case(&case, dir.path());
        table.push_str(&row);
        table.push('\n');
    }
    eprintln!("\n{table}");
    if let Some(path) = std::env::var_os("DOCKFIX_HOSTILE_REPORT") {
        std::fs::write(path, &table).unwrap();
    }
}
