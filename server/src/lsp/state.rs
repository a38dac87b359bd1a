//! The server's state: open documents, what was negotiated with the client,
//! and the editor's settings.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use tower_lsp_server::ls_types::Uri;

use super::convert::Encoding;
use crate::config::{Config, ConfigError};
use crate::syntax::Document;

/// An open document and the version the client gave it.
pub struct OpenDocument {
    pub document: Document,
    pub version: i32,
    /// The settings for this document (editor settings under `.dockfix.toml`).
    options: Arc<crate::Options>,
    /// The diagnostics of this version when they are known without analysing
    /// it: the last analysis, moved across edits of comments and blank lines
    /// (`crate::reuse`).
    pub diagnostics: Option<Arc<Vec<crate::Diagnostic>>>,
    /// When the client last opened or changed it.
    last_edit: Instant,
}

impl OpenDocument {
    pub fn new(document: Document, version: i32, options: Arc<crate::Options>) -> Self {
        OpenDocument {
            document,
            version,
            options,
            diagnostics: None,
            last_edit: Instant::now(),
        }
    }

    /// Marks the document as being edited now.
    pub fn touch(&mut self) {
        self.last_edit = Instant::now();
    }

    pub fn options(&self) -> &Arc<crate::Options> {
        &self.options
    }

    /// New settings invalidate the known diagnostics.
    pub fn set_options(&mut self, options: Arc<crate::Options>) {
        self.options = options;
        self.diagnostics = None;
    }
}

/// How many of the most recently edited documents keep their trees.
const AWAKE: usize = 8;

/// Lets the documents that were not edited lately rest (drop their trees,
/// [`crate::syntax::Document::rest`]) once their diagnostics are known. The
/// trees take about ten times the memory of the text, and a workspace may
/// keep a hundred Dockerfiles open of which a few are edited; a resting
/// document is parsed again when it is next edited or asked about.
pub fn rest_idle(documents: &mut HashMap<Uri, OpenDocument>) {
    let mut awake: Vec<&mut OpenDocument> = documents
        .values_mut()
        .filter(|open| !open.document.is_resting())
        .collect();
    if awake.len() <= AWAKE {
        return;
    }
    awake.sort_unstable_by_key(|open| std::cmp::Reverse(open.last_edit));
    for open in awake.into_iter().skip(AWAKE) {
        // An analysis still to come would only parse it again.
        if open.diagnostics.is_some() {
            open.document.rest();
        }
    }
}

/// What the client can do, from its `initialize` capabilities.
#[derive(Debug, Clone, Copy, Default)]
pub struct ClientSupport {
    /// `WorkspaceEdit.documentChanges` (versioned edits).
    pub document_changes: bool,
    /// `CreateFile` operations in `documentChanges` (DF404 creates `.dockerignore`).
    pub create_files: bool,
    /// `codeAction/resolve` may fill in `edit`.
    pub resolve_edit: bool,
    /// `workspace/configuration` requests.
    pub configuration: bool,
    /// Dynamic registration of `workspace/didChangeWatchedFiles`.
    pub watch_files: bool,
}

/// The editor's settings: global, and per workspace folder.
#[derive(Debug, Clone, Default)]
pub struct EditorSettings {
    pub global: Config,
    /// Folder path → its settings, longest path first.
    pub folders: Vec<(PathBuf, Config)>,
}

impl EditorSettings {
    /// The editor layer for a file: its folder's settings, else the global ones.
    pub fn for_path(&self, path: Option<&Path>) -> &Config {
        path.and_then(|p| {
            self.folders
                .iter()
                .find(|(folder, _)| p.starts_with(folder))
                .map(|(_, config)| config)
        })
        .unwrap_or(&self.global)
    }
}

/// Shared by every handler. Locks are plain `std` mutexes held only for short,
/// synchronous work, never across an `.await`.
pub struct State {
    documents: Mutex<HashMap<Uri, OpenDocument>>,
    encoding: Mutex<Encoding>,
    support: Mutex<ClientSupport>,
    editor: Mutex<EditorSettings>,
    /// Workspace folders the client announced.
    folders: Mutex<Vec<Uri>>,
    /// Configuration errors already shown, so each is shown once.
    shown_errors: Mutex<Vec<String>>,
    /// False until the editor's settings were pulled (when the client offers
    /// them), so no diagnostics under the wrong settings flash by at startup.
    settings_ready: std::sync::atomic::AtomicBool,
    /// Trims the heap when analyses pause.
    pub trimmer: Arc<super::memory::Trimmer>,
    /// Writes diagnostics to the client without tower-lsp-server's `Client`
    /// (`output`).
    pub publisher: super::output::Publisher,
}

/// Locks a mutex; a handler that panicked while holding it leaves the data
/// usable (every update is applied whole or not at all).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl State {
    pub fn with_publisher(publisher: super::output::Publisher) -> Self {
        State {
            publisher,
            documents: Mutex::default(),
            encoding: Mutex::default(),
            support: Mutex::default(),
            editor: Mutex::default(),
            folders: Mutex::default(),
            shown_errors: Mutex::default(),
            settings_ready: std::sync::atomic::AtomicBool::default(),
            trimmer: Arc::default(),
        }
    }

    pub fn documents(&self) -> MutexGuard<'_, HashMap<Uri, OpenDocument>> {
        lock(&self.documents)
    }

    pub fn encoding(&self) -> Encoding {
        *lock(&self.encoding)
    }

    pub fn set_encoding(&self, encoding: Encoding) {
        *lock(&self.encoding) = encoding;
    }

    pub fn support(&self) -> ClientSupport {
        *lock(&self.support)
    }

    pub fn set_support(&self, support: ClientSupport) {
        *lock(&self.support) = support;
    }

    pub fn editor(&self) -> EditorSettings {
        lock(&self.editor).clone()
    }

    pub fn set_editor(&self, settings: EditorSettings) {
        *lock(&self.editor) = settings;
    }

    pub fn folders(&self) -> Vec<Uri> {
        lock(&self.folders).clone()
    }

    pub fn set_folders(&self, folders: Vec<Uri>) {
        *lock(&self.folders) = folders;
    }

    pub fn settings_ready(&self) -> bool {
        self.settings_ready
            .load(std::sync::atomic::Ordering::SeqCst)
    }

    pub fn set_settings_ready(&self) {
        self.settings_ready
            .store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// True the first time an error message is seen.
    pub fn first_time(&self, message: &str) -> bool {
        let mut shown = lock(&self.shown_errors);
        if shown.iter().any(|m| m == message) {
            false
        } else {
            shown.push(message.to_owned());
            true
        }
    }

    /// The analysis options for a document: the editor's settings for its
    /// folder, under the nearest `.dockfix.toml` above the file. An invalid
    /// `.dockfix.toml` is returned as an error beside the editor-only options.
    /// The manifests beside the file (`text` and its `tree`, the document) are
    /// read for the multi-stage conversion.
    pub fn options_for(
        &self,
        uri: &Uri,
        text: &str,
        tree: &tree_sitter::Tree,
    ) -> (Arc<crate::Options>, Option<ConfigError>) {
        let path = uri.to_file_path().map(|p| p.into_owned());
        let editor = self.editor();
        let layer = editor.for_path(path.as_deref());
        let mut error = None;
        let (config, relative) = match path
            .as_deref()
            .and_then(Path::parent)
            .and_then(crate::cli::discover::find_config)
        {
            Some(file) => match crate::cli::discover::load_config(&file) {
                Ok(found) => {
                    let base = file.parent().map(Path::to_path_buf).unwrap_or_default();
                    let relative = path
                        .as_deref()
                        .map(|p| crate::cli::discover::relative_to(p, &base));
                    (layer.layered(&found), relative)
                }
                Err(e) => {
                    error = Some(e);
                    (layer.clone(), None)
                }
            },
            None => (layer.clone(), None),
        };
        let options = crate::Options {
            settings: config.settings_for(relative.as_deref()),
            today: crate::cli::discover::today(),
            digests: Default::default(),
            tags: Default::default(),
            // The ignore file beside the document (DF404); re-read when
            // the options are (on open, settings and watched-file changes).
            build_context: path.as_deref().and_then(crate::cli::context::build_context),
            context_files: path
                .as_deref()
                .and_then(Path::parent)
                .map(|folder| {
                    let wanted = crate::context_files_wanted_in(tree, text);
                    crate::cli::discover::read_context_files(folder, wanted)
                })
                .unwrap_or_default(),
        };
        (Arc::new(options), error)
    }
}
