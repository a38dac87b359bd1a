//! ## What it does
//! Finds the deprecated `MAINTAINER` instruction.
//!
//! ## Why is this bad?
//! `MAINTAINER` has been deprecated since Docker 1.13; the author belongs in
//! the standard OCI label `org.opencontainers.image.authors`, which
//! registries and scanners read.
//!
//! ## Example
//! ```dockerfile
//! FROM debian:bookworm-slim
//! MAINTAINER Jane Doe <jane@example.com>
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM debian:bookworm-slim
//! LABEL org.opencontainers.image.authors="Jane Doe <jane@example.com>"
//! ```
//!
//! ## Fix safety
//! Safe: the author text is kept as written (quotes, escape characters and
//! `$` are escaped so LABEL reads the same value); only the metadata key
//! changes. No fix for a MAINTAINER continued over several lines.
//!
//! ## References
//! - [hadolint DL4000](https://github.com/hadolint/hadolint/wiki/DL4000)
//! - [BuildKit MaintainerDeprecated](https://docs.docker.com/reference/build-checks/maintainer-deprecated/)

use super::{Context, FixAvailability, Peers, Report, Rule, FAMILY_RUNTIME};
use crate::fix::{Applicability, Edit, Fix};
use crate::syntax::InstructionKind;
use crate::Severity;

pub static RULE: Rule = Rule {
    code: "DF705",
    name: "maintainer-deprecated",
    family: FAMILY_RUNTIME,
    summary: "deprecated MAINTAINER instead of the OCI authors label",
    severity: Severity::Hint,
    enabled_by_default: true,
    fix: FixAvailability::Sometimes(Applicability::Safe),
    peers: Peers {
        hadolint: &["DL4000"],
        trivy: &["DS-0022"],
        checkov: &["CKV_DOCKER_6"],
        buildkit: &["MaintainerDeprecated"],
    },
    module: module_path!(),
    check,
};

fn check(context: &Context<'_>, report: &mut Report<'_>) {
    for instruction in &context.model.instructions {
        if instruction.kind != InstructionKind::Maintainer {
            continue;
        }
        let fix = match (instruction.arguments.first(), instruction.arguments.last()) {
            (Some(first), Some(last)) => {
                let value = context.text(&(first.start..last.end));
                let single_line = !value.contains(['\n', '\r'])
                    && !context.text(&instruction.line_range).contains(['\n', '\r']);
                single_line.then(|| {
                    let escape = context.model.escape;
                    let mut escaped = String::new();
                    for c in value.chars() {
                        if c == '"' || c == '$' || c == escape {
                            escaped.push(escape);
                        }
                        escaped.push(c);
                    }
                    Fix::safe(
                        "Replace with `LABEL org.opencontainers.image.authors`",
                        vec![Edit::replace(
                            instruction.line_range.clone(),
                            format!("LABEL org.opencontainers.image.authors=\"{escaped}\""),
                        )],
                    )
                })
            }
            _ => None,
        };
        report.push(
            instruction.keyword.clone(),
            "MAINTAINER is deprecated: use `LABEL org.opencontainers.image.authors`",
            fix,
        );
    }
}
