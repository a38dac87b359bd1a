//! `didOpen`, `didChange`, `didClose`: keep the documents in step with the
//! client. Everything here is synchronous and runs under the documents lock.

use tower_lsp_server::ls_types::*;

use std::sync::Arc;

use crate::lsp::convert;
use crate::lsp::state::{OpenDocument, State};
use crate::syntax::Document;
use crate::{reuse, Diagnostic};

/// Returns the document and the error of its `.dockfix.toml`, if any.
pub fn did_open(
    state: &State,
    params: DidOpenTextDocumentParams,
) -> (Uri, Option<crate::config::ConfigError>) {
    let item = params.text_document;
    let document = Document::new_compact(&item.text);
    // Settings are read before taking the documents lock (they may read files).
    let (options, error) = state.options_for(&item.uri, &item.text, document.tree());
    state.documents().insert(
        item.uri.clone(),
        OpenDocument::new(document, item.version, options),
    );
    (item.uri, error)
}

/// Applies the changes in order. A change without a range replaces the text.
/// Changes for a document that is not open are ignored.
pub fn did_change(state: &State, params: DidChangeTextDocumentParams) -> Option<Uri> {
    let encoding = state.encoding();
    let mut documents = state.documents();
    let open = documents.get_mut(&params.text_document.uri)?;
    let mut known = open.diagnostics.take();
    for change in params.content_changes {
        let (range, text) = match change.range {
            Some(range) => {
                let rope = open.document.rope();
                let start = convert::offset(rope, range.start, encoding);
                let end = convert::offset(rope, range.end, encoding).max(start);
                (start..end, change.text)
            }
            // A full-text change, applied as the smallest edit that turns the
            // old text into the new one (clients that send whole documents
            // still get incremental re-parsing).
            None => {
                let edit = crate::fix::minimal_edit(open.document.text(), &change.text);
                (edit.range, edit.content)
            }
        };
        known = edit(&mut open.document, range, &text, known);
    }
    open.diagnostics = known;
    open.version = params.text_document.version;
    open.touch();
    Some(params.text_document.uri)
}

pub fn did_close(state: &State, params: &DidCloseTextDocumentParams) {
    state.documents().remove(&params.text_document.uri);
}

/// Applies one edit, and moves the known diagnostics across it when it only
/// touched comments or blank lines between instructions.
fn edit(
    document: &mut Document,
    range: std::ops::Range<usize>,
    text: &str,
    known: Option<Arc<Vec<Diagnostic>>>,
) -> Option<Arc<Vec<Diagnostic>>> {
    let old_span = known
        .as_ref()
        .and_then(|_| reuse::trivia_lines(document, range.clone()));
    document.edit(range.clone(), text);
    let (known, old_span) = (known?, old_span?);
    let new_span = reuse::trivia_lines(document, range.start..range.start + text.len())?;
    if reuse::unmoved(&known, old_span.clone(), new_span.len()) {
        return Some(known);
    }
    reuse::shift_across(&known, old_span, new_span.len()).map(Arc::new)
}

#[cfg(test)]
fn replace_all(document: &mut Document, new_text: &str) {
    let change = crate::fix::minimal_edit(document.text(), new_text);
    edit(document, change.range, &change.content, None);
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
