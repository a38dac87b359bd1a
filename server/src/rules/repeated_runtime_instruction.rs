//! ## What it does
//! Finds more than one `CMD`, `ENTRYPOINT` or `HEALTHCHECK` in a stage.
//!
//! ## Why is this bad?
//! Only the last one of each takes effect; the earlier ones are dead code
//! that misleads readers (and reviewers) about what the container runs.
//!
//! ## Example
//! ```dockerfile
//! FROM nginx:1.27
//! CMD ["nginx", "-g", "daemon off;"]
//! CMD ["nginx-debug", "-g", "daemon off;"]
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM nginx:1.27
//! CMD ["nginx-debug", "-g", "daemon off;"]
//! ```
//!
//! ## Fix safety
//! Safe: the image config only keeps the last instruction of each kind, so
//! removing the earlier ones (whole lines; comments are kept) changes
//! nothing. No fix when the instruction has comment lines inside it.
//!
//! ## References
//! - [hadolint DL4003](https://github.com/hadolint/hadolint/wiki/DL4003)
//! - [hadolint DL4004](https://github.com/hadolint/hadolint/wiki/DL4004)
//! - [BuildKit MultipleInstructionsDisallowed](https://docs.docker.com/reference/build-checks/multiple-instructions-disallowed/)

use super::{Context, FixAvailability, Peers, Report, Rule, FAMILY_RUNTIME};
use crate::fix::{Applicability, Edit, Fix};
use crate::syntax::InstructionKind;
use crate::Severity;

pub static RULE: Rule = Rule {
    code: "DF704",
    name: "repeated-runtime-instruction",
    family: FAMILY_RUNTIME,
    summary: "more than one CMD, ENTRYPOINT or HEALTHCHECK in a stage",
    severity: Severity::Warning,
    enabled_by_default: true,
    fix: FixAvailability::Sometimes(Applicability::Safe),
    peers: Peers {
        hadolint: &["DL4003", "DL4004", "DL3012"],
        trivy: &[],
        checkov: &[],
        buildkit: &["MultipleInstructionsDisallowed"],
    },
    module: module_path!(),
    check,
};

fn check(context: &Context<'_>, report: &mut Report<'_>) {
    for stage in &context.model.stages {
        for kind in [
            InstructionKind::Cmd,
            InstructionKind::Entrypoint,
            InstructionKind::Healthcheck,
        ] {
            let all: Vec<usize> = stage
                .instructions
                .clone()
                .filter(|&i| {
                    context
                        .model
                        .instructions
                        .get(i)
                        .is_some_and(|x| x.kind == kind)
                })
                .collect();
            let Some((_, earlier)) = all.split_last() else {
                continue;
            };
            for &index in earlier {
                let Some(instruction) = context.model.instructions.get(index) else {
                    continue;
                };
                let has_comment =
                    context.model.comments.iter().any(|c| {
                        instruction.range.start <= c.start && c.end <= instruction.range.end
                    });
                let fix = (!has_comment).then(|| {
                    Fix::safe(
                        format!("Remove this {}", kind.keyword()),
                        vec![Edit::delete(
                            context.line_start(instruction.range.start)..instruction.range.end,
                        )],
                    )
                });
                report.push(
                    instruction.line_range.clone(),
                    format!(
                        "Only the last {0} of a stage takes effect: a later {0} in this stage overrides this one",
                        kind.keyword()
                    ),
                    fix,
                );
            }
        }
    }
}
