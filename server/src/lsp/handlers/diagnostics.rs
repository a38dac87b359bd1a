//! Diagnostics: pushed after every change (tagged with the document version,
//! stale results dropped). Pulling (`textDocument/diagnostic`) is answered
//! but not announced (see `initialize.rs`).

use std::sync::Arc;

use ropey::Rope;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use crate::diagnostic::Tag;
use crate::lsp::convert::{self, Encoding};
use crate::lsp::state::State;
use crate::{Diagnostic, Severity};

/// Where a rule's documentation lives (parsed once per rule: a document
/// can carry hundreds of diagnostics).
pub fn rule_url(code: &str) -> Option<&'static Uri> {
    static URLS: std::sync::LazyLock<std::collections::HashMap<&'static str, Uri>> =
        std::sync::LazyLock::new(|| {
            crate::rules::RULES
                .iter()
                .filter_map(|rule| {
                    let url = format!(
                        "https://github.com/dockfix/dockfix/blob/main/docs/rules/{}.md",
                        rule.code
                    );
                    Some((rule.code, url.parse().ok()?))
                })
                .collect()
        });
    // The engine's codes are exact; a code from elsewhere may differ in case
    // or be a rule's name.
    URLS.get(code)
        .or_else(|| URLS.get(crate::rules::find(code)?.code))
}

pub fn to_lsp(
    diagnostic: &Diagnostic,
    rope: &Rope,
    encoding: Encoding,
    version: i32,
) -> tower_lsp_server::ls_types::Diagnostic {
    // The fix travels with the diagnostic (byte ranges of this version, turned
    // into positions when the action is asked for), so a code action needs no
    // re-analysis.
    let data = diagnostic.fix.as_ref().map(|fix| {
        let mut data = serde_json::json!({
            "version": version,
            "fix": {
                "title": fix.title,
                "applicability": fix.applicability.as_str(),
                "edits": fix.edits.iter().map(|e| serde_json::json!({
                    "range": { "start": e.range.start, "end": e.range.end },
                    "newText": e.content,
                })).collect::<Vec<_>>(),
            }
        });
        if !fix.files.is_empty() {
            data["fix"]["files"] = serde_json::json!(fix.files);
        }
        data
    });
    tower_lsp_server::ls_types::Diagnostic {
        range: convert::range(rope, diagnostic.range.clone(), encoding),
        severity: Some(match diagnostic.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
            Severity::Info => DiagnosticSeverity::INFORMATION,
            Severity::Hint => DiagnosticSeverity::HINT,
        }),
        code: Some(NumberOrString::String(diagnostic.code.to_owned())),
        code_description: rule_url(diagnostic.code)
            .map(|href| CodeDescription { href: href.clone() }),
        source: Some("dockfix".to_owned()),
        message: diagnostic.message.clone(),
        tags: diagnostic.tag.map(|tag| {
            vec![match tag {
                Tag::Unnecessary => DiagnosticTag::UNNECESSARY,
                Tag::Deprecated => DiagnosticTag::DEPRECATED,
            }]
        }),
        data,
        ..Default::default()
    }
}

/// What analysis needs of a document, taken under the lock in microseconds
/// (the rope and the tree are shared, the text is copied).
pub struct Snapshot {
    pub version: i32,
    /// The diagnostics of this version, when known without analysis.
    pub known: Option<Arc<Vec<Diagnostic>>>,
    pub text: String,
    pub tree: tree_sitter::Tree,
    pub shells: Vec<crate::syntax::ShellTree>,
    pub rope: Rope,
    pub options: Arc<crate::Options>,
}

impl Snapshot {
    pub fn analyze(&self) -> Arc<Vec<Diagnostic>> {
        match &self.known {
            Some(known) => Arc::clone(known),
            None => Arc::new(crate::analyze_parts(
                &self.tree,
                &self.shells,
                &self.text,
                &self.options,
            )),
        }
    }
}

pub fn snapshot(state: &State, uri: &Uri) -> Option<Snapshot> {
    let documents = state.documents();
    documents.get(uri).map(|open| Snapshot {
        version: open.version,
        known: open.diagnostics.clone(),
        text: open.document.text().to_owned(),
        tree: open.document.tree().clone(),
        shells: open.document.shells().trees().to_vec(),
        rope: open.document.rope().clone(),
        options: Arc::clone(open.options()),
    })
}

/// The diagnostics of the snapshot, kept with the document (while it is
/// still at that version) for the next edit to reuse.
fn analyze(state: &State, uri: &Uri, snapshot: &Snapshot) -> Result<Arc<Vec<Diagnostic>>> {
    crate::lsp::guarded(|| {
        let found = snapshot.analyze();
        if snapshot.known.is_none() {
            if let Some(open) = state.documents().get_mut(uri) {
                // Not when the settings changed meanwhile: the next analysis
                // would reuse a result of the old ones.
                if open.version == snapshot.version
                    && open.diagnostics.is_none()
                    && Arc::ptr_eq(open.options(), &snapshot.options)
                {
                    open.diagnostics = Some(Arc::clone(&found));
                }
            }
        }
        found
    })
}

/// A `textDocument/publishDiagnostics` notification, serialized directly from
/// the engine's diagnostics; the same JSON as [`to_lsp`] gives (tested).
pub fn publish_message(
    uri: &Uri,
    version: Option<i32>,
    diagnostics: &[Diagnostic],
    rope: &Rope,
    encoding: Encoding,
) -> Vec<u8> {
    let lines = convert::Lines::new(rope);
    let message = wire::Notification {
        jsonrpc: "2.0",
        method: "textDocument/publishDiagnostics",
        params: wire::Params {
            uri,
            version,
            diagnostics: diagnostics
                .iter()
                .map(|d| wire::Diagnostic::new(d, &lines, encoding, version.unwrap_or_default()))
                .collect(),
        },
    };
    // Sized for the usual diagnostic (about 300 to 600 bytes with its fix),
    // so the buffer is not grown and copied a dozen times.
    let mut body = Vec::with_capacity(256 + 512 * diagnostics.len());
    // Serializing borrowed strings, numbers and URIs cannot fail.
    match serde_json::to_writer(&mut body, &message) {
        Ok(()) => body,
        Err(_) => Vec::new(),
    }
}

/// The wire form of diagnostics: borrowed, serialized without a
/// `serde_json::Value` in between.
mod wire {
    use serde::Serialize;
    use tower_lsp_server::ls_types::Uri;

    use crate::lsp::convert::Lines;

    #[derive(Serialize)]
    pub struct Notification<'a> {
        pub jsonrpc: &'static str,
        pub method: &'static str,
        pub params: Params<'a>,
    }

    #[derive(Serialize)]
    pub struct Params<'a> {
        pub uri: &'a Uri,
        pub diagnostics: Vec<Diagnostic<'a>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub version: Option<i32>,
    }

    #[derive(Serialize)]
    pub struct Position {
        line: u32,
        character: u32,
    }

    #[derive(Serialize)]
    pub struct Range {
        start: Position,
        end: Position,
    }

    #[derive(Serialize)]
    pub struct CodeDescription {
        href: &'static Uri,
    }

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Diagnostic<'a> {
        range: Range,
        severity: u8,
        code: &'static str,
        #[serde(skip_serializing_if = "Option::is_none")]
        code_description: Option<CodeDescription>,
        source: &'static str,
        message: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        tags: Option<[u8; 1]>,
        #[serde(skip_serializing_if = "Option::is_none")]
        data: Option<Data<'a>>,
    }

    #[derive(Serialize)]
    struct Data<'a> {
        version: i32,
        fix: Fix<'a>,
    }

    #[derive(Serialize)]
    struct Fix<'a> {
        title: &'a str,
        applicability: &'static str,
        edits: Vec<Edit<'a>>,
        #[serde(skip_serializing_if = "<[_]>::is_empty")]
        files: &'a [crate::fix::FileChange],
    }

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Edit<'a> {
        range: ByteRange,
        new_text: &'a str,
    }

    #[derive(Serialize)]
    struct ByteRange {
        start: usize,
        end: usize,
    }

    fn position(lines: &Lines, offset: usize, encoding: super::Encoding) -> Position {
        let p = lines.position(offset, encoding);
        Position {
            line: p.line,
            character: p.character,
        }
    }

    impl<'a> Diagnostic<'a> {
        pub fn new(
            diagnostic: &'a crate::Diagnostic,
            lines: &Lines,
            encoding: super::Encoding,
            version: i32,
        ) -> Self {
            use crate::diagnostic::Tag;
            use crate::Severity;
            Diagnostic {
                range: Range {
                    start: position(lines, diagnostic.range.start, encoding),
                    end: position(lines, diagnostic.range.end, encoding),
                },
                // The LSP's DiagnosticSeverity and DiagnosticTag numbers.
                severity: match diagnostic.severity {
                    Severity::Error => 1,
                    Severity::Warning => 2,
                    Severity::Info => 3,
                    Severity::Hint => 4,
                },
                code: diagnostic.code,
                code_description: super::rule_url(diagnostic.code)
                    .map(|href| CodeDescription { href }),
                source: "dockfix",
                message: &diagnostic.message,
                tags: diagnostic.tag.map(|tag| match tag {
                    Tag::Unnecessary => [1],
                    Tag::Deprecated => [2],
                }),
                data: diagnostic.fix.as_ref().map(|fix| Data {
                    version,
                    fix: Fix {
                        title: &fix.title,
                        applicability: fix.applicability.as_str(),
                        edits: fix
                            .edits
                            .iter()
                            .map(|e| Edit {
                                range: ByteRange {
                                    start: e.range.start,
                                    end: e.range.end,
                                },
                                new_text: &e.content,
                            })
                            .collect(),
                        files: &fix.files,
                    },
                }),
            }
        }
    }
}

/// Analyses the document in the background and publishes the result, tagged
/// with the analysed version, unless a newer version arrived meanwhile.
pub fn schedule(state: &Arc<State>, uri: Uri) {
    if publish_known(state, &uri) {
        return;
    }
    let state = Arc::clone(state);
    // The version this analysis is for: when typing outruns the analyses, the
    // tasks of the versions already replaced return at once instead of all
    // analysing the newest one.
    let scheduled = state.documents().get(&uri).map(|open| open.version);
    tokio::spawn(async move {
        let Some(snapshot) = snapshot(&state, &uri).filter(|s| Some(s.version) == scheduled) else {
            return;
        };
        let Ok(found) = analyze(&state, &uri, &snapshot) else {
            return;
        };
        // Before the editor's settings arrive, the refresh that follows publishes.
        if !state.settings_ready() {
            return;
        }
        let message = publish_message(
            &uri,
            Some(snapshot.version),
            &found,
            &snapshot.rope,
            state.encoding(),
        );
        send_if_current(&state, &uri, snapshot.version, &message);
    });
}

/// Sends a publish of `version` unless the document changed or closed since,
/// then lets idle documents rest and schedules the heap trim.
fn send_if_current(state: &State, uri: &Uri, version: i32, message: &[u8]) {
    // Checked and sent under the documents lock: a `didClose` (which clears
    // the diagnostics after removing the document) or a newer version cannot
    // come in between.
    let mut documents = state.documents();
    if documents.get(uri).map(|open| open.version) == Some(version) {
        state.publisher.send(message);
    }
    // Documents rest only here, after a publish: a document may rest once
    // its diagnostics are known, and opens and changes are followed by one,
    // so the keystroke handlers stay free of it.
    crate::lsp::state::rest_idle(&mut documents);
    drop(documents);
    // Analysing, or the edit itself (rope, trees), allocated.
    state.trimmer.after_analysis();
}

/// Publishes the current version's diagnostics at once when they are known
/// without analysis (an edit of comments or blank lines, `reuse`): a task
/// would cost a thread hand-off and a copy of the text for nothing. False
/// when they are not known, or before the editor's settings arrive (the
/// refresh that follows publishes).
fn publish_known(state: &State, uri: &Uri) -> bool {
    if !state.settings_ready() {
        return false;
    }
    let (version, known, rope) = {
        let documents = state.documents();
        let Some(open) = documents.get(uri) else {
            return false;
        };
        let Some(known) = &open.diagnostics else {
            return false;
        };
        (
            open.version,
            Arc::clone(known),
            open.document.rope().clone(),
        )
    };
    let message = publish_message(uri, Some(version), &known, &rope, state.encoding());
    send_if_current(state, uri, version, &message);
    true
}

/// `textDocument/diagnostic`: a full report for the current version.
pub fn pull(
    state: &State,
    params: &DocumentDiagnosticParams,
) -> Result<DocumentDiagnosticReportResult> {
    let encoding = state.encoding();
    let items = match snapshot(state, &params.text_document.uri) {
        Some(snapshot) => analyze(state, &params.text_document.uri, &snapshot)?
            .iter()
            .map(|d| to_lsp(d, &snapshot.rope, encoding, snapshot.version))
            .collect(),
        None => Vec::new(),
    };
    Ok(DocumentDiagnosticReportResult::Report(
        DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport {
            related_documents: None,
            full_document_diagnostic_report: FullDocumentDiagnosticReport {
                result_id: None,
                items,
            },
        }),
    ))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// Every Dockerfile of the rule fixtures, plus non-ASCII and CRLF text.
    fn documents() -> Vec<String> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/rules");
        let mut found = vec![
            "FROM alpine\r\nLABEL a=\"🐳 日本\"\nRUN apt-get install -y é && cd /x\n".to_owned(),
        ];
        let mut folders = vec![root];
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(folder).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    folders.push(path);
                } else if let Ok(text) = std::fs::read_to_string(&path) {
                    found.push(text);
                }
            }
        }
        found
    }

    #[test]
    fn the_direct_message_is_the_json_of_the_lsp_types() {
        let uri: Uri = "file:///w/Dockerfile".parse().unwrap();
        let mut compared = 0;
        for text in documents() {
            let rope = Rope::from_str(&text);
            let options = crate::Options {
                settings: crate::config::Config::from_toml("select = [\"ALL\"]", "test")
                    .unwrap()
                    .settings_for(None),
                ..crate::Options::default()
            };
            let found = crate::analyze_with(&text, &options);
            for encoding in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
                let direct: serde_json::Value = serde_json::from_slice(&publish_message(
                    &uri,
                    Some(7),
                    &found,
                    &rope,
                    encoding,
                ))
                .unwrap();
                let through_types = serde_json::json!({
                    "jsonrpc": "2.0",
                    "method": "textDocument/publishDiagnostics",
                    "params": PublishDiagnosticsParams {
                        uri: uri.clone(),
                        diagnostics: found.iter().map(|d| to_lsp(d, &rope, encoding, 7)).collect(),
                        version: Some(7),
                    },
                });
                assert_eq!(direct, through_types, "{text}");
                compared += found.len();
            }
        }
        assert!(compared > 1000, "only {compared} diagnostics compared");
    }
}
