//! The server's state: open documents and what was negotiated with the client.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use tower_lsp_server::ls_types::Uri;

use super::convert::Encoding;
use crate::syntax::Document;

/// An open document and the version the client gave it.
pub struct OpenDocument {
    pub document: Document,
    pub version: i32,
    /// The settings for this document (editor settings under `.dockfix.toml`).
    pub options: std::sync::Arc<crate::Options>,
}

/// Shared by every handler. Locks are plain `std` mutexes held only for short,
/// synchronous work, never across an `.await`.
#[derive(Default)]
pub struct State {
    documents: Mutex<HashMap<Uri, OpenDocument>>,
    encoding: Mutex<Encoding>,
}

/// Locks a mutex; a handler that panicked while holding it leaves the data
/// usable (every update is applied whole or not at all).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl State {
    pub fn documents(&self) -> MutexGuard<'_, HashMap<Uri, OpenDocument>> {
        lock(&self.documents)
    }

    pub fn encoding(&self) -> Encoding {
        *lock(&self.encoding)
    }

    pub fn set_encoding(&self, encoding: Encoding) {
        *lock(&self.encoding) = encoding;
    }

    /// The analysis options for a document.
    pub fn options_for(&self, _uri: &Uri) -> std::sync::Arc<crate::Options> {
        std::sync::Arc::new(crate::Options::default())
    }
}
