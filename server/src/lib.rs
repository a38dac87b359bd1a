//! dockfix: a Dockerfile security language server and autofixer.
//!
//! The engine is pure: [`analyze`] takes the text of a Dockerfile and returns
//! diagnostics. Only `cli` does IO (and, later, `lsp`).

pub mod cli;
pub mod diagnostic;
pub mod syntax;

pub use diagnostic::{Diagnostic, Severity};

/// Analyses one Dockerfile. Never fails: broken input yields DF001 diagnostics.
pub fn analyze(source: &str) -> Vec<Diagnostic> {
    let document = syntax::Document::new(source);
    analyze_document(&document)
}

/// Analyses an already parsed document.
pub fn analyze_document(document: &syntax::Document) -> Vec<Diagnostic> {
    let model = document.model();
    syntax::syntax_errors(document.tree(), &model, document.text())
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
