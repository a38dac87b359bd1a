//! dockfix: a Dockerfile security language server and autofixer.
//!
//! The engine is pure: [`analyze`] takes the text of a Dockerfile and returns
//! diagnostics. Only `cli` and `lsp` do IO; only `lsp` knows the LSP types.

pub mod cli;
pub mod diagnostic;
pub mod knowledge;
pub mod lsp;
pub mod syntax;

pub use diagnostic::{Diagnostic, Severity};

/// Analyses one Dockerfile. Never fails: broken input yields DF001 diagnostics.
pub fn analyze(source: &str) -> Vec<Diagnostic> {
    let document = syntax::Document::new(source);
    analyze_document(&document)
}

/// Analyses an already parsed document.
pub fn analyze_document(document: &syntax::Document) -> Vec<Diagnostic> {
    analyze_tree(document.tree(), document.text())
}

/// Analyses a tree of `source` (a snapshot of a document).
pub fn analyze_tree(tree: &tree_sitter::Tree, source: &str) -> Vec<Diagnostic> {
    let model = syntax::Dockerfile::from_tree(tree, source);
    syntax::syntax_errors(tree, &model, source)
        .into_iter()
        .map(|error| Diagnostic {
            code: "DF001",
            name: "syntax-error",
            severity: Severity::Error,
            range: error.range,
            message: error.message,
        })
        .collect()
}
