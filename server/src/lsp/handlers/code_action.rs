//! `textDocument/codeAction` and `codeAction/resolve`: one quick fix per
//! fixable diagnostic, a "disable for this line" action,
//! `refactor.rewrite` "Convert to multi-stage build" (on the FROM line of a
//! single-stage build and on DF310 diagnostics), and
//! `source.fixAll.dockfix` (one action applying every safe fix, computed to
//! convergence). Fixes come from the diagnostics' `data` when it is for the
//! current version, so no re-analysis is needed.

use serde::{Deserialize, Serialize};
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;

use super::diagnostics::{snapshot, Snapshot};
use crate::fix::{Applicability, FileChange};
use crate::lsp::convert::{self, Encoding};
use crate::lsp::state::State;

/// The kind of our fix-all action (a sub-kind of `source.fixAll`).
pub const FIX_ALL: &str = "source.fixAll.dockfix";

/// What `codeAction/resolve` needs to compute an edit later.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "camelCase")]
pub enum ResolveData {
    FixAll {
        uri: Uri,
        version: i32,
    },
    PinDigest {
        uri: Uri,
        version: i32,
        reference: String,
        /// Byte offset where `@sha256:…` goes.
        at: usize,
    },
}

/// A fix as carried in a diagnostic's `data`.
#[derive(Debug, Deserialize)]
struct DataFix {
    title: String,
    applicability: String,
    edits: Vec<DataEdit>,
    #[serde(default)]
    files: Vec<FileChange>,
}

/// A fix ready for a code action.
struct QuickFix {
    title: String,
    applicability: Applicability,
    edits: Vec<TextEdit>,
    /// Changes to files beside the document (byte offsets in their text).
    files: Vec<FileChange>,
}

/// Byte offsets in the text of the data's version (converted to LSP
/// positions only when the action is asked for, not for every diagnostic).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct DataEdit {
    range: std::ops::Range<usize>,
    new_text: String,
}

#[derive(Debug, Deserialize)]
struct Data {
    version: i32,
    fix: DataFix,
}

/// Whether the client asked for this kind (`only` is hierarchical: `source`
/// includes `source.fixAll.dockfix`).
fn wanted(only: Option<&[CodeActionKind]>, kind: &str) -> bool {
    only.is_none_or(|only| {
        only.iter().any(|k| {
            let k = k.as_str();
            kind == k
                || kind
                    .strip_prefix(k)
                    .is_some_and(|rest| rest.starts_with('.'))
        })
    })
}

pub fn code_action(state: &State, params: &CodeActionParams) -> Option<CodeActionResponse> {
    let uri = &params.text_document.uri;
    let snapshot = snapshot(state, uri)?;
    let encoding = state.encoding();
    let support = state.support();
    let only = params.context.only.as_deref();
    let mut actions = Vec::new();
    // One analysis at most, shared by the actions that need one.
    let mut analysed = None;
    if wanted(only, CodeActionKind::QUICKFIX.as_str()) {
        quick_fixes(
            state,
            &snapshot,
            uri,
            params,
            encoding,
            &mut analysed,
            &mut actions,
        );
    }
    if wanted(only, CodeActionKind::REFACTOR_REWRITE.as_str()) {
        if let Some(action) =
            multistage_action(state, &snapshot, uri, params, encoding, &mut analysed)
        {
            actions.push(CodeActionOrCommand::CodeAction(action));
        }
    }
    if wanted(only, FIX_ALL) && snapshot.options.settings.fix_all {
        let action = CodeAction {
            title: "Fix all safe dockfix problems".to_owned(),
            kind: Some(CodeActionKind::new(FIX_ALL)),
            data: Some(
                serde_json::to_value(ResolveData::FixAll {
                    uri: uri.clone(),
                    version: snapshot.version,
                })
                .unwrap_or_default(),
            ),
            ..Default::default()
        };
        if support.resolve_edit {
            actions.push(CodeActionOrCommand::CodeAction(action));
        } else if let Some(resolved) = fix_all(state, &snapshot, uri, action) {
            actions.push(CodeActionOrCommand::CodeAction(resolved));
        }
    }
    Some(actions)
}

fn quick_fixes(
    state: &State,
    snapshot: &Snapshot,
    uri: &Uri,
    params: &CodeActionParams,
    encoding: Encoding,
    analysed: &mut Option<std::sync::Arc<Vec<crate::Diagnostic>>>,
    actions: &mut Vec<CodeActionOrCommand>,
) {
    let requested = convert::offset(&snapshot.rope, params.range.start, encoding)
        ..convert::offset(&snapshot.rope, params.range.end, encoding);
    // The client's diagnostics, or ours under the range when it sent none.
    let client_diagnostics: Vec<&Diagnostic> = params
        .context
        .diagnostics
        .iter()
        .filter(|d| d.source.as_deref() == Some("dockfix"))
        .collect();
    let ours: Vec<Diagnostic> = if client_diagnostics.is_empty() {
        let found = analysed.get_or_insert_with(|| snapshot.analyze());
        found
            .iter()
            .filter(|d| d.range.start <= requested.end && requested.start <= d.range.end)
            .map(|d| super::diagnostics::to_lsp(d, &snapshot.rope, encoding, snapshot.version))
            .collect()
    } else {
        client_diagnostics.into_iter().cloned().collect()
    };
    let model = snapshot_model(snapshot);
    for diagnostic in &ours {
        let code = match &diagnostic.code {
            Some(NumberOrString::String(code)) => code.clone(),
            _ => continue,
        };
        let fix = fix_of(snapshot, diagnostic, encoding, analysed);
        if let Some(QuickFix {
            title,
            applicability,
            edits,
            files,
        }) = fix
        {
            let edit = if files.is_empty() {
                Some(workspace_edit(state, uri, snapshot.version, edits))
            } else {
                file_workspace_edit(state, snapshot, uri, edits, &files, encoding)
            };
            let suffix = match applicability {
                Applicability::Safe => "",
                Applicability::Unsafe => " (unsafe)",
                Applicability::DisplayOnly => " (suggestion)",
            };
            // A client that cannot create the file gets no edit to apply.
            if let Some(edit) = edit {
                actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: format!("{title}{suffix}"),
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![diagnostic.clone()]),
                    edit: Some(edit),
                    is_preferred: Some(applicability == Applicability::Safe),
                    ..Default::default()
                }));
            }
        }
        if code == "DF203" && snapshot.options.settings.online {
            if let Some(action) = pin_digest_action(snapshot, uri, diagnostic, encoding, &model) {
                actions.push(CodeActionOrCommand::CodeAction(action));
            }
        }
        if code != "DF001" && code != "DF002" {
            let start = convert::offset(&snapshot.rope, diagnostic.range.start, encoding);
            if let Some(edit) =
                crate::suppression::ignore_edit(&snapshot.text, &model, start, &code)
            {
                let text_edit = TextEdit {
                    range: convert::range(&snapshot.rope, edit.range, encoding),
                    new_text: edit.content,
                };
                actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: format!("Disable {code} for this line"),
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![diagnostic.clone()]),
                    edit: Some(workspace_edit(
                        state,
                        uri,
                        snapshot.version,
                        vec![text_edit],
                    )),
                    ..Default::default()
                }));
            }
        }
    }
}

/// "Convert to multi-stage build", when the range touches the FROM line of
/// a single-stage build or a DF310 diagnostic, and the conversion finds the
/// build's artifact.
fn multistage_action(
    state: &State,
    snapshot: &Snapshot,
    uri: &Uri,
    params: &CodeActionParams,
    encoding: Encoding,
    analysed: &mut Option<std::sync::Arc<Vec<crate::Diagnostic>>>,
) -> Option<CodeAction> {
    let requested = convert::offset(&snapshot.rope, params.range.start, encoding)
        ..convert::offset(&snapshot.rope, params.range.end, encoding);
    let touches = |range: &std::ops::Range<usize>| {
        range.start <= requested.end && requested.start <= range.end
    };
    let model = snapshot_model(snapshot);
    let on_from = model
        .instructions
        .iter()
        .filter(|i| i.kind == crate::syntax::InstructionKind::From)
        .any(|from| touches(&from.line_range));
    let is_df310 = |d: &&Diagnostic| {
        matches!(&d.code, Some(NumberOrString::String(code)) if code == "DF310")
            && d.source.as_deref() == Some("dockfix")
    };
    let on_diagnostic = on_from
        || params.context.diagnostics.iter().any(|d| is_df310(&d))
        || (params.context.diagnostics.is_empty()
            && analysed
                .get_or_insert_with(|| snapshot.analyze())
                .iter()
                .any(|d| d.code == "DF310" && touches(&d.range)));
    if !on_diagnostic {
        return None;
    }
    let conversion = crate::convert_to_multistage(
        &snapshot.tree,
        &snapshot.shells,
        &snapshot.text,
        &snapshot.options,
    )
    .ok()?;
    let edits = text_edits(&snapshot.rope, &conversion.fix.edits, encoding);
    Some(CodeAction {
        title: crate::convert::ACTION_TITLE.to_owned(),
        kind: Some(CodeActionKind::REFACTOR_REWRITE),
        edit: Some(workspace_edit(state, uri, snapshot.version, edits)),
        is_preferred: Some(false),
        ..Default::default()
    })
}

fn snapshot_model(snapshot: &Snapshot) -> crate::syntax::Dockerfile {
    crate::syntax::Dockerfile::from_tree(&snapshot.tree, &snapshot.text)
}

/// The fix of a client diagnostic: from its data when it is for this version,
/// else from a fresh analysis (matched by code and range).
fn fix_of(
    snapshot: &Snapshot,
    diagnostic: &Diagnostic,
    encoding: Encoding,
    analysed: &mut Option<std::sync::Arc<Vec<crate::Diagnostic>>>,
) -> Option<QuickFix> {
    if let Some(data) = diagnostic
        .data
        .as_ref()
        .and_then(|d| serde_json::from_value::<Data>(d.clone()).ok())
        .filter(|d| d.version == snapshot.version)
    {
        let applicability = match data.fix.applicability.as_str() {
            "safe" => Applicability::Safe,
            "unsafe" => Applicability::Unsafe,
            _ => Applicability::DisplayOnly,
        };
        let edits: Vec<crate::fix::Edit> = data
            .fix
            .edits
            .into_iter()
            .map(|e| crate::fix::Edit {
                range: e.range,
                content: e.new_text,
            })
            .collect();
        let edits = text_edits(&snapshot.rope, &edits, encoding);
        return Some(QuickFix {
            title: data.fix.title,
            applicability,
            edits,
            files: data.fix.files,
        });
    }
    let code = match &diagnostic.code {
        Some(NumberOrString::String(code)) => code.as_str(),
        _ => return None,
    };
    let found = analysed.get_or_insert_with(|| snapshot.analyze());
    let start = convert::offset(&snapshot.rope, diagnostic.range.start, encoding);
    let end = convert::offset(&snapshot.rope, diagnostic.range.end, encoding);
    let ours = found
        .iter()
        .find(|d| d.code == code && d.range == (start..end))?;
    let fix = ours.fix.as_ref()?;
    let edits = text_edits(&snapshot.rope, &fix.edits, encoding);
    Some(QuickFix {
        title: fix.title.clone(),
        applicability: fix.applicability,
        edits,
        files: fix.files.clone(),
    })
}

/// Our byte-range edits as LSP edits in the negotiated encoding.
fn text_edits(rope: &ropey::Rope, edits: &[crate::fix::Edit], encoding: Encoding) -> Vec<TextEdit> {
    edits
        .iter()
        .map(|e| TextEdit {
            range: convert::range(rope, e.range.clone(), encoding),
            new_text: e.content.clone(),
        })
        .collect()
}

/// A fix that also changes files beside the document (DF404's ignore file):
/// `documentChanges` with a `CreateFile` where the file is new. `None` when
/// the client cannot take such an edit or the file is not where it was.
fn file_workspace_edit(
    state: &State,
    snapshot: &Snapshot,
    uri: &Uri,
    edits: Vec<TextEdit>,
    files: &[FileChange],
    encoding: Encoding,
) -> Option<WorkspaceEdit> {
    let support = state.support();
    if !support.document_changes {
        return None;
    }
    let folder = uri.to_file_path()?.parent()?.to_path_buf();
    let mut operations = Vec::new();
    if !edits.is_empty() {
        operations.push(DocumentChangeOperation::Edit(TextDocumentEdit {
            text_document: OptionalVersionedTextDocumentIdentifier {
                uri: uri.clone(),
                version: Some(snapshot.version),
            },
            edits: edits.into_iter().map(OneOf::Left).collect(),
        }));
    }
    for change in files {
        let target = Uri::from_file_path(folder.join(&change.path))?;
        // The offsets are in the text the analysis saw.
        let text = if change.create {
            if !support.create_files {
                return None;
            }
            operations.push(DocumentChangeOperation::Op(ResourceOp::Create(
                CreateFile {
                    uri: target.clone(),
                    options: Some(CreateFileOptions {
                        overwrite: Some(false),
                        ignore_if_exists: Some(true),
                    }),
                    annotation_id: None,
                },
            )));
            String::new()
        } else {
            let file = snapshot
                .options
                .build_context
                .as_ref()?
                .ignore_file
                .as_ref()
                .filter(|f| f.name == change.path)?;
            file.contents.clone()
        };
        let rope = ropey::Rope::from_str(&text);
        let placeable: Vec<crate::fix::Edit> = change
            .edits
            .iter()
            .filter(|e| e.range.end <= text.len())
            .cloned()
            .collect();
        operations.push(DocumentChangeOperation::Edit(TextDocumentEdit {
            text_document: OptionalVersionedTextDocumentIdentifier {
                uri: target,
                version: None,
            },
            edits: text_edits(&rope, &placeable, encoding)
                .into_iter()
                .map(OneOf::Left)
                .collect(),
        }));
    }
    Some(WorkspaceEdit {
        document_changes: Some(DocumentChanges::Operations(operations)),
        ..Default::default()
    })
}

/// `documentChanges` with the version when the client supports it, else `changes`.
pub fn workspace_edit(
    state: &State,
    uri: &Uri,
    version: i32,
    edits: Vec<TextEdit>,
) -> WorkspaceEdit {
    if state.support().document_changes {
        WorkspaceEdit {
            document_changes: Some(DocumentChanges::Edits(vec![TextDocumentEdit {
                text_document: OptionalVersionedTextDocumentIdentifier {
                    uri: uri.clone(),
                    version: Some(version),
                },
                edits: edits.into_iter().map(OneOf::Left).collect(),
            }])),
            ..Default::default()
        }
    } else {
        WorkspaceEdit {
            changes: Some([(uri.clone(), edits)].into_iter().collect()),
            ..Default::default()
        }
    }
}

/// Fills in the edit of the fix-all action: every safe fix, to convergence,
/// as one minimal edit. `None` when there is nothing to fix.
fn fix_all(
    state: &State,
    snapshot: &Snapshot,
    uri: &Uri,
    mut action: CodeAction,
) -> Option<CodeAction> {
    let outcome = crate::fix_all(&snapshot.text, &snapshot.options, Applicability::Safe);
    if outcome.text == snapshot.text {
        return None;
    }
    let edit = crate::fix::minimal_edit(&snapshot.text, &outcome.text);
    let text_edit = TextEdit {
        range: convert::range(&snapshot.rope, edit.range, state.encoding()),
        new_text: edit.content,
    };
    action.edit = Some(workspace_edit(
        state,
        uri,
        snapshot.version,
        vec![text_edit],
    ));
    Some(action)
}

fn pin_digest_action(
    snapshot: &Snapshot,
    uri: &Uri,
    diagnostic: &Diagnostic,
    encoding: Encoding,
    model: &crate::syntax::Dockerfile,
) -> Option<CodeAction> {
    let start = convert::offset(&snapshot.rope, diagnostic.range.start, encoding);
    let from = model.instructions.iter().find(|i| {
        i.image
            .as_ref()
            .is_some_and(|image| image.range.start == start)
    })?;
    let image = from.image.as_ref()?;
    let tag = image.tag.clone()?;
    let reference = snapshot.text.get(image.name.start..tag.end)?.to_owned();
    if reference.contains('$') {
        return None;
    }
    Some(CodeAction {
        title: format!("Pin `{reference}` to the digest it points to today"),
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![diagnostic.clone()]),
        is_preferred: Some(true),
        data: serde_json::to_value(ResolveData::PinDigest {
            uri: uri.clone(),
            version: snapshot.version,
            reference,
            at: tag.end,
        })
        .ok(),
        ..Default::default()
    })
}

/// `codeAction/resolve`: computes the deferred edit. Registry lookups run on a
/// blocking thread, never on the handler's.
pub async fn resolve(state: &std::sync::Arc<State>, mut action: CodeAction) -> Result<CodeAction> {
    let Some(data) = action
        .data
        .clone()
        .and_then(|d| serde_json::from_value::<ResolveData>(d).ok())
    else {
        return Ok(action);
    };
    match data {
        ResolveData::FixAll { uri, version } => {
            let original = action.clone();
            let computed = crate::lsp::guarded(|| {
                let snapshot = snapshot(state, &uri).filter(|s| s.version == version)?;
                fix_all(state, &snapshot, &uri, action)
            })?;
            // Nothing to fix (or the document moved on): the action stays without an edit.
            Ok(computed.unwrap_or(original))
        }
        ResolveData::PinDigest {
            uri,
            version,
            reference,
            at,
        } => {
            let lookup = reference.clone();
            let digest = tokio::task::spawn_blocking(move || {
                crate::registry::shared_client().resolve_digest(&lookup)
            })
            .await
            .map_err(|e| internal(format!("the digest lookup stopped: {e}")))?
            .map_err(|e| internal(format!("cannot pin `{reference}`: {e}")))?;
            let snapshot = snapshot(state, &uri)
                .filter(|s| s.version == version)
                .ok_or_else(|| internal("the document changed; try again".to_owned()))?;
            let position = convert::range(&snapshot.rope, at..at, state.encoding());
            action.edit = Some(workspace_edit(
                state,
                &uri,
                version,
                vec![TextEdit {
                    range: position,
                    new_text: format!("@{digest}"),
                }],
            ));
            Ok(action)
        }
    }
}

fn internal(message: String) -> Error {
    let mut error = Error::internal_error();
    error.message = message.into();
    error
}
