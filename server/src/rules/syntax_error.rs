//! ## What it does
//! Reports what BuildKit would reject: an unknown instruction, an unterminated
//! heredoc, a malformed flag, missing arguments, an invalid parser directive,
//! a `${` that is never closed or a `${NAME/pattern}` without the `/` before
//! its replacement in a line BuildKit expands (its parser accepts both, but
//! expanding the words fails the build before any step runs), with the exact
//! range of the broken part.
//!
//! ## Why is this bad?
//! The build fails at this line. Every other rule reads the file as BuildKit
//! does, so they can only be trusted once the syntax is right.
//!
//! ## Example
//! ```dockerfile
//! FROM alpine:3.20
//! COPY
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM alpine:3.20
//! COPY app /app
//! ```
//!
//! ## Fix safety
//! No fix: only the author knows what was meant.
//!
//! ## References
//! - [Dockerfile reference](https://docs.docker.com/reference/dockerfile/)

use super::{Context, FixAvailability, Peers, Report, Rule, FAMILY_SYNTAX};
use crate::Severity;

pub static RULE: Rule = Rule {
    code: "DF001",
    name: "syntax-error",
    family: FAMILY_SYNTAX,
    summary: "What BuildKit would reject, with the exact range",
    severity: Severity::Error,
    enabled_by_default: true,
    fix: FixAvailability::None,
    peers: Peers::NONE,
    module: module_path!(),
    check,
};

fn check(context: &Context<'_>, report: &mut Report<'_>) {
    for error in context.syntax_errors() {
        report.push(error.range.clone(), error.message.clone(), None);
    }
}
