//! ## What it does
//! Finds two stages with the same name (compared case-insensitively, as
//! BuildKit does).
//!
//! ## Why is this bad?
//! `COPY --from=name`, `FROM name` and `--target name` then refer to the
//! last stage of that name before them, which is rarely what the author
//! meant; BuildKit reports it as an error in its build checks.
//!
//! ## Example
//! ```dockerfile
//! FROM golang:1.23 AS build
//! RUN go build -o /app .
//! FROM node:22 AS build
//! RUN npm ci
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM golang:1.23 AS build-go
//! RUN go build -o /app .
//! FROM node:22 AS build-js
//! RUN npm ci
//! ```
//!
//! ## Fix safety
//! No fix: renaming a stage means choosing which references follow it.
//!
//! ## References
//! - [hadolint DL3024](https://github.com/hadolint/hadolint/wiki/DL3024)
//! - [BuildKit DuplicateStageName](https://docs.docker.com/reference/build-checks/duplicate-stage-name/)

use super::{Context, FixAvailability, Peers, Report, Rule, FAMILY_STRUCTURE};
use crate::Severity;

pub static RULE: Rule = Rule {
    code: "DF604",
    name: "duplicate-stage-name",
    family: FAMILY_STRUCTURE,
    summary: "two stages with one name",
    severity: Severity::Error,
    enabled_by_default: true,
    fix: FixAvailability::None,
    peers: Peers {
        hadolint: &["DL3024"],
        trivy: &["DS-0012"],
        checkov: &["CKV_DOCKER_11"],
        buildkit: &["DuplicateStageName"],
    },
    module: module_path!(),
    check,
};

fn check(context: &Context<'_>, report: &mut Report<'_>) {
    let mut seen: Vec<(String, usize)> = Vec::new();
    for (index, stage) in context.model.stages.iter().enumerate() {
        let Some(range) = context
            .model
            .instructions
            .get(stage.from)
            .and_then(|f| f.stage_name.clone())
        else {
            continue;
        };
        let name = context.text(&range).to_ascii_lowercase();
        if let Some((_, line)) = seen.iter().find(|(n, _)| *n == name) {
            report.push(
                range.clone(),
                format!(
                    "Duplicate stage name `{}`: stage {line} has the same name (stage names ignore case)",
                    context.text(&range)
                ),
                None,
            );
        } else {
            // The stage's number, not its line: messages stay true when
            // comments above move the lines (see `reuse`).
            seen.push((name, index + 1));
        }
    }
}
