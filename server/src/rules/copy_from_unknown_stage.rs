//! ## What it does
//! Finds `COPY --from=x` (and `RUN --mount=from=x`) where `x` is neither an
//! earlier stage (by name or index) nor an image reference.
//!
//! ## Why is this bad?
//! BuildKit treats an unknown `--from` value as an image name and pulls it
//! from Docker Hub. A typo in a stage name (or a stage defined later in the
//! file) therefore silently copies files from whatever image of that name
//! someone published, which is both a build error waiting to happen and a
//! supply-chain risk.
//!
//! ## Example
//! ```dockerfile
//! FROM golang:1.23 AS build
//! RUN go build -o /app .
//! FROM debian:bookworm-slim
//! COPY --from=biuld /app /app
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM golang:1.23 AS build
//! RUN go build -o /app .
//! FROM debian:bookworm-slim
//! COPY --from=build /app /app
//! ```
//!
//! ## Fix safety
//! No fix: the intended stage or image needs a human.
//!
//! ## References
//! - [hadolint DL3022](https://github.com/hadolint/hadolint/wiki/DL3022)
//! - [Docker: COPY --from](https://docs.docker.com/reference/dockerfile/#copy---from)

use super::{Context, FixAvailability, Peers, Report, Rule, FAMILY_STRUCTURE};
use crate::semantics::stage_index;
use crate::syntax::InstructionKind;
use crate::Severity;

pub static RULE: Rule = Rule {
    code: "DF603",
    name: "copy-from-unknown-stage",
    family: FAMILY_STRUCTURE,
    summary: "`COPY --from=x` where x is no earlier stage and no image reference",
    severity: Severity::Warning,
    enabled_by_default: true,
    fix: FixAvailability::None,
    peers: Peers {
        hadolint: &["DL3022"],
        trivy: &[],
        checkov: &[],
        buildkit: &[],
    },
    module: module_path!(),
    check,
};

fn check(context: &Context<'_>, report: &mut Report<'_>) {
    for stage in &context.model.stages {
        for index in stage.instructions.clone() {
            let Some(instruction) = context.model.instructions.get(index) else {
                continue;
            };
            if !matches!(
                instruction.kind,
                InstructionKind::Copy | InstructionKind::Add | InstructionKind::Run
            ) {
                continue;
            }
            for flag in &instruction.flags {
                let name = context.text(&flag.name);
                let Some(value_range) = &flag.value else {
                    continue;
                };
                let value = context.text(value_range);
                let (target, range) = match (name, instruction.kind) {
                    ("from", InstructionKind::Copy | InstructionKind::Add) => {
                        (value, value_range.clone())
                    }
                    ("mount", InstructionKind::Run) => {
                        let mut offset = value_range.start;
                        let mut found = None;
                        for part in value.split(',') {
                            if let Some(from) = part.strip_prefix("from=") {
                                let start = offset + "from=".len();
                                found = Some((from, start..start + from.len()));
                            }
                            offset += part.len() + 1;
                        }
                        match found {
                            Some(found) => found,
                            None => continue,
                        }
                    }
                    _ => continue,
                };
                let target = target.trim_matches(['"', '\'']);
                if target.is_empty() || is_image_reference(target) {
                    continue;
                }
                if let Ok(number) = target.parse::<usize>() {
                    if number < stage.index {
                        continue;
                    }
                    report.push(
                        range,
                        format!("`--from={target}`: stage index {target} is not an earlier stage"),
                        None,
                    );
                    continue;
                }
                if stage_index(context.model, context.source, target, stage.index).is_some() {
                    continue;
                }
                let later = stage_index(context.model, context.source, target, usize::MAX)
                    .is_some_and(|i| i >= stage.index);
                let message = if later {
                    format!("`--from={target}`: the stage `{target}` is defined later, so BuildKit pulls an image named `{target}`")
                } else {
                    format!("`--from={target}`: no stage is named `{target}`, so BuildKit pulls an image of that name")
                };
                report.push(range, message, None);
            }
        }
    }
}

/// An image reference rather than a stage name: a registry, namespace, tag or
/// digest, a variable, or an image the knowledge base knows.
fn is_image_reference(target: &str) -> bool {
    target.contains(['/', ':', '.', '@', '$'])
        || target.eq_ignore_ascii_case("scratch")
        || crate::knowledge::lookup(target, None).is_some()
}
