//! Diagnostics: pushed after every change (tagged with the document version,
//! stale results dropped). Pulling (`textDocument/diagnostic`) is answered
//! but not announced (see `initialize.rs`).

use std::sync::Arc;

use ropey::Rope;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;
use tower_lsp_server::Client;

use crate::diagnostic::Tag;
use crate::lsp::convert::{self, Encoding};
use crate::lsp::state::State;
use crate::{Diagnostic, Severity};

/// Where a rule's documentation lives (parsed once per rule: a document
/// can carry hundreds of diagnostics).
pub fn rule_url(code: &str) -> Option<Uri> {
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
    let rule = crate::rules::find(code)?;
    URLS.get(rule.code).cloned()
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
        code_description: rule_url(diagnostic.code).map(|href| CodeDescription { href }),
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

/// The LSP diagnostics of the snapshot; the engine's are kept with the
/// document (while it is still at that version) for the next edit to reuse.
fn analyze(
    state: &State,
    uri: &Uri,
    snapshot: &Snapshot,
    encoding: Encoding,
) -> Result<Vec<tower_lsp_server::ls_types::Diagnostic>> {
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
            .iter()
            .map(|d| to_lsp(d, &snapshot.rope, encoding, snapshot.version))
            .collect()
    })
}

/// Analyses the document in the background and publishes the result, tagged
/// with the analysed version, unless a newer version arrived meanwhile.
pub fn schedule(state: &Arc<State>, client: &Client, uri: Uri) {
    let state = Arc::clone(state);
    let client = client.clone();
    // The version this analysis is for: when typing outruns the analyses, the
    // tasks of the versions already replaced return at once instead of all
    // analysing the newest one.
    let scheduled = state.documents().get(&uri).map(|open| open.version);
    tokio::spawn(async move {
        let Some(snapshot) = snapshot(&state, &uri).filter(|s| Some(s.version) == scheduled) else {
            return;
        };
        let Ok(diagnostics) = analyze(&state, &uri, &snapshot, state.encoding()) else {
            return;
        };
        let current = state.documents().get(&uri).map(|open| open.version);
        // Before the editor's settings arrive, the refresh that follows publishes.
        if current != Some(snapshot.version) || !state.settings_ready() {
            return; // stale: the newer version has its own analysis
        }
        client
            .publish_diagnostics(uri, diagnostics, Some(snapshot.version))
            .await;
        state.trimmer.after_analysis();
    });
}

/// `textDocument/diagnostic`: a full report for the current version.
pub fn pull(
    state: &State,
    params: &DocumentDiagnosticParams,
) -> Result<DocumentDiagnosticReportResult> {
    let items = match snapshot(state, &params.text_document.uri) {
        Some(snapshot) => analyze(
            state,
            &params.text_document.uri,
            &snapshot,
            state.encoding(),
        )?,
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
