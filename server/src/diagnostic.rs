//! Diagnostics: what the engine reports, as byte ranges.

use std::ops::Range;

use serde::Serialize;

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Hint,
    Info,
    Warning,
    Error,
}

/// One finding in a Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// The rule code, e.g. `DF001`.
    pub code: &'static str,
    /// The rule's kebab-case name, e.g. `syntax-error`.
    pub name: &'static str,
    pub severity: Severity,
    /// Byte range in the source.
    pub range: Range<usize>,
    pub message: String,
}
