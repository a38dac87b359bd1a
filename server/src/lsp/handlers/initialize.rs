//! `initialize`: negotiate the position encoding, read what the client
//! supports and its initial settings, and announce capabilities.

use tower_lsp_server::ls_types::*;

use crate::lsp::convert::Encoding;
use crate::lsp::state::{ClientSupport, EditorSettings, State};

/// Returns the result and an error message about the initial settings, if any.
pub fn initialize(state: &State, params: InitializeParams) -> (InitializeResult, Option<String>) {
    let capabilities = &params.capabilities;
    let offered = capabilities
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_deref());
    let encoding = Encoding::negotiate(offered);
    state.set_encoding(encoding);
    let workspace = capabilities.workspace.as_ref();
    let code_action = capabilities
        .text_document
        .as_ref()
        .and_then(|t| t.code_action.as_ref());
    let support = ClientSupport {
        document_changes: workspace
            .and_then(|w| w.workspace_edit.as_ref())
            .and_then(|e| e.document_changes)
            .unwrap_or(false),
        create_files: workspace
            .and_then(|w| w.workspace_edit.as_ref())
            .and_then(|e| e.resource_operations.as_ref())
            .is_some_and(|ops| ops.contains(&ResourceOperationKind::Create)),
        resolve_edit: code_action
            .and_then(|c| c.resolve_support.as_ref())
            .is_some_and(|r| r.properties.iter().any(|p| p == "edit")),
        configuration: workspace.and_then(|w| w.configuration).unwrap_or(false),
        watch_files: workspace
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|d| d.dynamic_registration)
            .unwrap_or(false),
    };
    state.set_support(support);
    if !support.configuration {
        state.set_settings_ready();
    }
    #[allow(deprecated)] // root_uri: clients without workspace folders still send it.
    let folders: Vec<Uri> = match &params.workspace_folders {
        Some(folders) => folders.iter().map(|f| f.uri.clone()).collect(),
        None => params.root_uri.iter().cloned().collect(),
    };
    state.set_folders(folders);
    let mut error = None;
    if let Some(options) = &params.initialization_options {
        match super::configuration::from_initialization_options(options) {
            Ok(config) => state.set_editor(EditorSettings {
                global: config,
                folders: Vec::new(),
            }),
            Err(message) => error = Some(message),
        }
    }
    let result = InitializeResult {
        server_info: Some(ServerInfo {
            name: "dockfix".to_owned(),
            version: Some(env!("CARGO_PKG_VERSION").to_owned()),
        }),
        capabilities: ServerCapabilities {
            position_encoding: Some(encoding.kind()),
            text_document_sync: Some(TextDocumentSyncCapability::Options(
                TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(TextDocumentSyncKind::INCREMENTAL),
                    ..Default::default()
                },
            )),
            // Diagnostics are pushed. Pull (`diagnosticProvider`) is not
            // announced: Neovim 0.11 and vscode-languageclient 9 keep pulled
            // and pushed diagnostics apart and would show every problem twice.
            // `textDocument/diagnostic` is still answered when a client asks.
            diagnostic_provider: None,
            execute_command_provider: Some(ExecuteCommandOptions {
                commands: vec![super::command::APPLY_ALL_FIXES.to_owned()],
                work_done_progress_options: WorkDoneProgressOptions::default(),
            }),
            code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
                code_action_kinds: Some(vec![
                    CodeActionKind::QUICKFIX,
                    CodeActionKind::REFACTOR_REWRITE,
                    CodeActionKind::new(super::code_action::FIX_ALL),
                ]),
                resolve_provider: Some(true),
                work_done_progress_options: WorkDoneProgressOptions::default(),
            })),
            semantic_tokens_provider: Some(
                SemanticTokensServerCapabilities::SemanticTokensOptions(SemanticTokensOptions {
                    legend: super::semantic_tokens::legend(),
                    range: Some(true),
                    full: Some(SemanticTokensFullOptions::Bool(true)),
                    work_done_progress_options: WorkDoneProgressOptions::default(),
                }),
            ),
            document_symbol_provider: Some(OneOf::Left(true)),
            folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
            hover_provider: Some(HoverProviderCapability::Simple(true)),
            ..Default::default()
        },
        offset_encoding: None,
    };
    (result, error)
}

/// A Dockerfile analysed once when the server starts (`initialized`), so that
/// the first document does not pay for one-time setup: base images of several
/// families, package managers, downloads, secrets, users, ports.
pub const WARM_UP: &str = r#"# syntax=docker/dockerfile:1
FROM python:3.12-slim AS build
ARG API_TOKEN
ENV DB_PASSWORD=secret
WORKDIR app
RUN apt-get update && apt-get install -y curl gcc && cd /tmp && curl -fsSL https://example.com/i.sh | sh
RUN pip install flask && npm install && apk add git && yum install -y make && useradd app
ADD https://example.com/x.tar.gz /tmp/
COPY . .
FROM ubuntu:latest
COPY --from=build /app /app
RUN sudo chmod 777 /app && wget --no-check-certificate https://example.com/y
EXPOSE 22 8080
ENTRYPOINT python /app/main.py
"#;
