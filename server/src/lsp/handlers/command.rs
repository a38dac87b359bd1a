//! `workspace/executeCommand`: `dockfix.applyAllFixes`, the editor commands
//! "fix all" and "fix all including unsafe". Unlike `source.fixAll.dockfix`
//! (safe fixes only, what fix on save runs), the caller chooses the level, and
//! the `fixAll` setting does not turn it off: it is an explicit request.
//!
//! Arguments: one object `{ "uri": string, "unsafe"?: bool, "version"?: int }`.
//! The edit goes to the client as `workspace/applyEdit`; the result is
//! `{ "applied": bool, "fixes": n }` (`fixes`: how many fixes the edit holds).

use std::sync::Arc;

use serde::Deserialize;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::Client;

use super::diagnostics::snapshot;
use crate::fix::Applicability;
use crate::lsp::convert;
use crate::lsp::state::State;

/// The command the server executes.
pub const APPLY_ALL_FIXES: &str = "dockfix.applyAllFixes";

#[derive(Debug, Deserialize)]
struct ApplyAllFixes {
    uri: Uri,
    /// Also apply unsafe fixes.
    #[serde(default, rename = "unsafe")]
    include_unsafe: bool,
    /// The version the caller saw; a document that moved on is refused.
    version: Option<i32>,
}

fn invalid(message: String) -> Error {
    Error::invalid_params(message)
}

pub async fn execute(
    state: &Arc<State>,
    client: &Client,
    params: ExecuteCommandParams,
) -> Result<Option<serde_json::Value>> {
    if params.command != APPLY_ALL_FIXES {
        return Err(invalid(format!("unknown command `{}`", params.command)));
    }
    let argument = params
        .arguments
        .into_iter()
        .next()
        .ok_or_else(|| invalid(format!("{APPLY_ALL_FIXES} needs {{\"uri\": …}}")))?;
    let request: ApplyAllFixes =
        serde_json::from_value(argument).map_err(|e| invalid(format!("{APPLY_ALL_FIXES}: {e}")))?;
    let level = if request.include_unsafe {
        Applicability::Unsafe
    } else {
        Applicability::Safe
    };
    // Computed on a snapshot, before any `.await`.
    let computed = crate::lsp::guarded(|| {
        let snapshot = snapshot(state, &request.uri)?;
        if request.version.is_some_and(|v| v != snapshot.version) {
            return Some(Err(snapshot.version));
        }
        let outcome = crate::fix_all(&snapshot.text, &snapshot.options, level);
        if outcome.text == snapshot.text {
            return Some(Ok(None));
        }
        let edit = crate::fix::minimal_edit(&snapshot.text, &outcome.text);
        let text_edit = TextEdit {
            range: convert::range(&snapshot.rope, edit.range, state.encoding()),
            new_text: edit.content,
        };
        let workspace_edit = super::code_action::workspace_edit(
            state,
            &request.uri,
            snapshot.version,
            vec![text_edit],
        );
        Some(Ok(Some((workspace_edit, outcome.applied.len()))))
    })?;
    let (edit, fixes) = match computed {
        None => {
            return Err(invalid(format!(
                "{} is not open in the server",
                request.uri.as_str()
            )))
        }
        Some(Err(current)) => {
            return Err(invalid(format!(
                "the document changed (now version {current}); try again"
            )))
        }
        Some(Ok(None)) => return Ok(Some(serde_json::json!({"applied": false, "fixes": 0}))),
        Some(Ok(Some(found))) => found,
    };
    // The label names the edit in the editor's undo history.
    let label = if level == Applicability::Unsafe {
        "dockfix: fix all, including unsafe fixes"
    } else {
        "dockfix: fix all safe problems"
    };
    let response = client
        .send_request::<request::ApplyWorkspaceEdit>(ApplyWorkspaceEditParams {
            edit,
            label: Some(label.to_owned()),
        })
        .await
        .map_err(|e| {
            let mut error = Error::internal_error();
            error.message = format!("the editor did not take the fixes: {e}").into();
            error
        })?;
    Ok(Some(
        serde_json::json!({"applied": response.applied, "fixes": fixes}),
    ))
}
