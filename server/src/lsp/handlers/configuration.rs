//! Editor settings: `initializationOptions`, `workspace/configuration`
//! (section `dockfix`, globally and per workspace folder), re-read on
//! `workspace/didChangeConfiguration` and when a `.dockfix.toml` changes.

use std::path::PathBuf;
use std::sync::Arc;

use tower_lsp_server::ls_types::*;
use tower_lsp_server::Client;

use crate::config::Config;
use crate::lsp::state::{EditorSettings, State};

/// Settings from `initializationOptions`: either the `dockfix` settings
/// themselves or `{ "settings": { … } }` / `{ "dockfix": { … } }`.
pub fn from_initialization_options(value: &serde_json::Value) -> Result<Config, String> {
    let inner = value
        .get("settings")
        .or_else(|| value.get("dockfix"))
        .unwrap_or(value);
    Config::from_editor_settings(inner)
}

/// Pulls the `dockfix` section (global and per folder) when the client
/// supports it, then re-resolves every open document's options and
/// re-publishes its diagnostics.
pub async fn refresh(state: &Arc<State>, client: &Client) {
    if state.support().configuration {
        let folders = state.folders();
        let mut items = vec![ConfigurationItem {
            scope_uri: None,
            section: Some("dockfix".to_owned()),
        }];
        items.extend(folders.iter().map(|uri| ConfigurationItem {
            scope_uri: Some(uri.clone()),
            section: Some("dockfix".to_owned()),
        }));
        match client.configuration(items).await {
            Ok(values) => {
                // A client without a `dockfix` section answers null: the
                // `initializationOptions` stay in force.
                let mut settings = EditorSettings {
                    global: state.editor().global,
                    folders: Vec::new(),
                };
                let mut values = values.into_iter();
                if let Some(global) = values.next().filter(|v| !v.is_null()) {
                    if let Some(config) = parse(client, &global).await {
                        settings.global = config;
                    }
                }
                for (uri, value) in folders.iter().zip(values).filter(|(_, v)| !v.is_null()) {
                    let Some(path) = uri.to_file_path().map(|p| PathBuf::from(p.as_ref())) else {
                        continue;
                    };
                    if let Some(config) = parse(client, &value).await {
                        settings.folders.push((path, config));
                    }
                }
                settings
                    .folders
                    .sort_by_key(|(p, _)| std::cmp::Reverse(p.as_os_str().len()));
                state.set_editor(settings);
            }
            Err(error) => {
                client
                    .log_message(
                        MessageType::WARNING,
                        format!("dockfix: cannot read the settings: {error}"),
                    )
                    .await;
            }
        }
    }
    state.set_settings_ready();
    reanalyse_all(state, client).await;
}

async fn parse(client: &Client, value: &serde_json::Value) -> Option<Config> {
    match Config::from_editor_settings(value) {
        Ok(config) => Some(config),
        Err(message) => {
            client
                .show_message(MessageType::ERROR, format!("dockfix: {message}"))
                .await;
            None
        }
    }
}

/// `workspace/didChangeConfiguration`: clients that push settings send them
/// here; clients that are pulled from send `null`.
pub async fn did_change(state: &Arc<State>, client: &Client, params: DidChangeConfigurationParams) {
    let pushed = params
        .settings
        .get("dockfix")
        .filter(|v| !v.is_null())
        .cloned();
    if let Some(value) = pushed {
        if let Some(config) = parse(client, &value).await {
            let mut settings = state.editor();
            settings.global = config;
            state.set_editor(settings);
        }
    }
    refresh(state, client).await;
}

/// Re-resolves the options of every open document and re-publishes.
pub async fn reanalyse_all(state: &Arc<State>, client: &Client) {
    let uris: Vec<Uri> = state.documents().keys().cloned().collect();
    for uri in uris {
        let Some((text, tree)) = state.documents().get(&uri).map(|open| {
            (
                open.document.text().to_owned(),
                open.document.tree().clone(),
            )
        }) else {
            continue;
        };
        let (options, error) = state.options_for(&uri, &text, &tree);
        if let Some(open) = state.documents().get_mut(&uri) {
            open.set_options(options);
        }
        report_config_error(state, client, error).await;
        super::diagnostics::schedule(state, uri);
    }
}

/// Shows an invalid `.dockfix.toml` once (with file:line), and logs it.
pub async fn report_config_error(
    state: &State,
    client: &Client,
    error: Option<crate::config::ConfigError>,
) {
    if let Some(error) = error {
        let message = format!("dockfix: invalid configuration: {error}");
        if state.first_time(&message) {
            client.show_message(MessageType::ERROR, &message).await;
        }
        client.log_message(MessageType::ERROR, message).await;
    }
}

/// Registers watchers for `.dockfix.toml` and ignore files when the client can.
pub async fn watch_config_files(state: &State, client: &Client) {
    if !state.support().watch_files {
        return;
    }
    let options = DidChangeWatchedFilesRegistrationOptions {
        // Settings files, and the build context's ignore files (DF404).
        watchers: [
            format!("**/{}", crate::config::CONFIG_FILE_NAME),
            "**/*.dockerignore".to_owned(),
            "**/.dockerignore".to_owned(),
        ]
        .into_iter()
        .map(|glob| FileSystemWatcher {
            glob_pattern: GlobPattern::String(glob),
            kind: None,
        })
        .collect(),
    };
    let registration = Registration {
        id: "dockfix-config-files".to_owned(),
        method: "workspace/didChangeWatchedFiles".to_owned(),
        register_options: serde_json::to_value(options).ok(),
    };
    if let Err(error) = client.register_capability(vec![registration]).await {
        client
            .log_message(
                MessageType::WARNING,
                format!("dockfix: cannot watch configuration files: {error}"),
            )
            .await;
    }
}
