//! The syntax layer: our Dockerfile grammar, the document with incremental
//! re-parsing, typed views, bash trees for shell text, BuildKit's view of each
//! instruction, and syntax errors (DF001). Parsing never fails: every input
//! yields a tree, a model and a list of syntax errors.

pub mod buildkit;
mod document;
mod errors;
mod model;
mod shell;

pub use document::{new_parser, Document};
pub use errors::{syntax_errors, SyntaxError};
pub use model::{
    CommandForm, Directive, Dockerfile, Flag, Heredoc, ImageRef, Instruction, InstructionKind, KeyValue, Stage,
};
pub use shell::{new_bash_parser, parse_bash, ShellTree, ShellTrees};

/// Our Dockerfile grammar.
pub fn dockerfile_language() -> tree_sitter::Language {
    tree_sitter_dockerfile_dockfix::LANGUAGE.into()
}

/// BuildKit's instruction list for a document, or the first error BuildKit's
/// parser would raise.
pub fn buildkit_commands(model: &Dockerfile, source: &str) -> Result<Vec<buildkit::Command>, buildkit::ParseError> {
    errors::buildkit_parse(model, source)
}
