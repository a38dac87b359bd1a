//! Zed extension for dockfix: starts `dockfix server` for Dockerfiles. Zed
//! only runs language servers that an extension registers; this one finds the
//! binary (the `lsp.dockfix.binary` setting, else `dockfix` on the worktree's
//! PATH) and passes the `lsp.dockfix` settings on.

use zed_extension_api::{self as zed, serde_json, settings::LspSettings, LanguageServerId};

/// The server's name in `extension.toml` and under `lsp` in Zed's settings.
const SERVER: &str = "dockfix";

struct DockfixExtension;

impl DockfixExtension {
    fn settings(worktree: &zed::Worktree) -> LspSettings {
        // Unset or unreadable settings leave the defaults in force.
        LspSettings::for_worktree(SERVER, worktree).unwrap_or_default()
    }
}

impl zed::Extension for DockfixExtension {
    fn new() -> Self {
        DockfixExtension
    }

    fn language_server_command(
        &mut self,
        _language_server_id: &LanguageServerId,
        worktree: &zed::Worktree,
    ) -> zed::Result<zed::Command> {
        let binary = Self::settings(worktree).binary;
        let configured = binary.as_ref().and_then(|b| b.path.clone());
        let command = match configured.or_else(|| worktree.which("dockfix")) {
            Some(path) => path,
            None => {
                return Err(
                    "dockfix: no `dockfix` on PATH. Install it (`cargo install --path server \
                            --locked` in the dockfix repository) or set lsp.dockfix.binary.path \
                            in Zed's settings."
                        .to_owned(),
                )
            }
        };
        let args = binary
            .as_ref()
            .and_then(|b| b.arguments.clone())
            .unwrap_or_else(|| vec!["server".to_owned()]);
        let env = binary
            .and_then(|b| b.env)
            .map(|env| env.into_iter().collect())
            .unwrap_or_default();
        Ok(zed::Command { command, args, env })
    }

    fn language_server_initialization_options(
        &mut self,
        _language_server_id: &LanguageServerId,
        worktree: &zed::Worktree,
    ) -> zed::Result<Option<serde_json::Value>> {
        // The server reads `{ "settings": { … } }`; `initialization_options`
        // given explicitly win.
        let settings = Self::settings(worktree);
        Ok(settings.initialization_options.or_else(|| {
            settings
                .settings
                .map(|s| serde_json::json!({ "settings": s }))
        }))
    }

    fn language_server_workspace_configuration(
        &mut self,
        _language_server_id: &LanguageServerId,
        worktree: &zed::Worktree,
    ) -> zed::Result<Option<serde_json::Value>> {
        // Answered to `workspace/configuration`, section `dockfix`.
        Ok(Self::settings(worktree)
            .settings
            .map(|s| serde_json::json!({ "dockfix": s })))
    }
}

zed::register_extension!(DockfixExtension);
