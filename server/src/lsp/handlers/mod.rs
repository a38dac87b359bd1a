//! One file per LSP feature; `lsp/mod.rs` dispatches to these.

pub mod code_action;
pub mod command;
pub mod configuration;
pub mod diagnostics;
pub mod folding;
pub mod hover;
pub mod initialize;
pub mod semantic_tokens;
pub mod symbols;
pub mod sync;
