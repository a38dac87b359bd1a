//! `didOpen`, `didChange`, `didClose`: keep the documents in step with the
//! client. Everything here is synchronous and runs under the documents lock.

use tower_lsp_server::ls_types::*;

use crate::lsp::convert;
use crate::lsp::state::{OpenDocument, State};
use crate::syntax::Document;

/// Returns the document and the error of its `.dockfix.toml`, if any.
pub fn did_open(
    state: &State,
    params: DidOpenTextDocumentParams,
) -> (Uri, Option<crate::config::ConfigError>) {
    let item = params.text_document;
    let document = Document::new_compact(&item.text);
    // Settings are read before taking the documents lock (they may read files).
    let (options, error) = state.options_for(&item.uri, &item.text);
    state.documents().insert(
        item.uri.clone(),
        OpenDocument {
            document,
            version: item.version,
            options,
        },
    );
    (item.uri, error)
}

/// Applies the changes in order. A change without a range replaces the text.
/// Changes for a document that is not open are ignored.
pub fn did_change(state: &State, params: DidChangeTextDocumentParams) -> Option<Uri> {
    let encoding = state.encoding();
    let mut documents = state.documents();
    let open = documents.get_mut(&params.text_document.uri)?;
    for change in params.content_changes {
        match change.range {
            Some(range) => {
                let rope = open.document.rope();
                let start = convert::offset(rope, range.start, encoding);
                let end = convert::offset(rope, range.end, encoding).max(start);
                open.document.edit(start..end, &change.text);
            }
            None => replace_all(&mut open.document, &change.text),
        }
    }
    open.version = params.text_document.version;
    Some(params.text_document.uri)
}

pub fn did_close(state: &State, params: &DidCloseTextDocumentParams) {
    state.documents().remove(&params.text_document.uri);
}

/// A full-text change, applied as the smallest edit that turns the old text
/// into the new one (clients that send whole documents still get incremental
/// re-parsing).
fn replace_all(document: &mut Document, new_text: &str) {
    let edit = crate::fix::minimal_edit(document.text(), new_text);
    document.edit(edit.range, &edit.content);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_text_changes_become_minimal_edits() {
        for (old, new) in [
            ("FROM a\nRUN b\n", "FROM a\nRUN bc\n"),
            ("FROM a\n", ""),
            ("", "FROM a\n"),
            ("FROM é\n", "FROM è\n"),
            ("RUN 🐳🐳\n", "RUN 🐳\n"),
            ("aaaa", "aa"),
        ] {
            let mut document = Document::new(old);
            replace_all(&mut document, new);
            assert_eq!(document.text(), new);
            assert_eq!(
                document.tree().root_node().to_sexp(),
                Document::new(new).tree().root_node().to_sexp()
            );
        }
    }
}
