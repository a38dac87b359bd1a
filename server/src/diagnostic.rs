//! Diagnostics: what the engine reports, as byte ranges, each carrying its fix.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::fix::Fix;

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Hint,
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Hint => "hint",
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text.to_ascii_lowercase().as_str() {
            "hint" => Some(Severity::Hint),
            "info" | "information" => Some(Severity::Info),
            "warning" | "warn" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

/// Extra meaning editors render specially (faded or struck through).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Tag {
    Unnecessary,
    Deprecated,
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
    pub fix: Option<Fix>,
    pub tag: Option<Tag>,
}
