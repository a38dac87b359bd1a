//! One file per LSP feature.

pub mod diagnostics;
pub mod folding;
pub mod hover;
pub mod initialize;
pub mod symbols;
pub mod sync;
