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

/// Where a rule's documentation lives.
pub fn rule_url(code: &str) -> Option<Uri> {
    let rule = crate::rules::find(code)?;
    let stem = rule.module.rsplit("::").next().unwrap_or_default();
    let _ = stem;
    format!(
        "https://github.com/dockfix/dockfix/blob/main/docs/rules/{}.md",
        rule.code
    )
    .parse()
    .ok()
}

pub fn to_lsp(
    diagnostic: &Diagnostic,
    rope: &Rope,
    encoding: Encoding,
    version: i32,
) -> tower_lsp_server::ls_types::Diagnostic {
    // The fix travels with the diagnostic (in LSP ranges of this version), so
    // a code action needs no re-analysis.
    let data = diagnostic.fix.as_ref().map(|fix| {
        let mut data = serde_json::json!({
            "version": version,
            "fix": {
                "title": fix.title,
                "applicability": fix.applicability.as_str(),
                "edits": fix.edits.iter().map(|e| serde_json::json!({
                    "range": convert::range(rope, e.range.clone(), encoding),
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
    pub text: String,
    pub tree: tree_sitter::Tree,
    pub shells: Vec<crate::syntax::ShellTree>,
    pub rope: Rope,
    pub options: Arc<crate::Options>,
}

impl Snapshot {
    pub fn analyze(&self) -> Vec<Diagnostic> {
        crate::analyze_parts(&self.tree, &self.shells, &self.text, &self.options)
    }
}

pub fn snapshot(state: &State, uri: &Uri) -> Option<Snapshot> {
    let documents = state.documents();
    documents.get(uri).map(|open| Snapshot {
        version: open.version,
        text: open.document.text().to_owned(),
        tree: open.document.tree().clone(),
        shells: open.document.shells().trees().to_vec(),
        rope: open.document.rope().clone(),
        options: Arc::clone(&open.options),
    })
}

fn analyze(
    snapshot: &Snapshot,
    encoding: Encoding,
) -> Result<Vec<tower_lsp_server::ls_types::Diagnostic>> {
    crate::lsp::guarded(|| {
        let found = snapshot.analyze();
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
    tokio::spawn(async move {
        let Some(snapshot) = snapshot(&state, &uri) else {
            return;
        };
        let Ok(diagnostics) = analyze(&snapshot, state.encoding()) else {
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
    });
}

/// `textDocument/diagnostic`: a full report for the current version.
pub fn pull(
    state: &State,
    params: &DocumentDiagnosticParams,
) -> Result<DocumentDiagnosticReportResult> {
    let items = match snapshot(state, &params.text_document.uri) {
        Some(snapshot) => analyze(&snapshot, state.encoding())?,
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
