//! ## What it does
//! Finds `apt-get install`, `yum`/`dnf install` and `zypper install` without
//! a flag that answers their confirmation prompt (`-y`, `--yes`,
//! `--assumeyes`, `-qq` for apt-get, `zypper -n`/`--non-interactive`), in
//! every stage.
//!
//! ## Why is this bad?
//! A build has no terminal: when the manager asks "Do you want to
//! continue?", it reads end of input and aborts, so the build fails as soon
//! as an install pulls in one more dependency than requested. Options in any
//! order and combined short flags (`-yq`) are understood, and so is
//! `yes | apt-get install …`.
//!
//! ## Example
//! ```dockerfile
//! FROM debian:bookworm-slim
//! RUN apt-get update && apt-get install --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM debian:bookworm-slim
//! RUN apt-get update && apt-get install --no-install-recommends -y curl && rm -rf /var/lib/apt/lists/*
//! ```
//!
//! ## Fix safety
//! Safe: the fix inserts `-y` right after the sub-command; without it the
//! step could only fail or install nothing.
//!
//! ## References
//! - [hadolint DL3014](https://github.com/hadolint/hadolint/wiki/DL3014)
//! - [hadolint DL3030](https://github.com/hadolint/hadolint/wiki/DL3030)
//! - [hadolint DL3038](https://github.com/hadolint/hadolint/wiki/DL3038)
//! - [hadolint DL3034](https://github.com/hadolint/hadolint/wiki/DL3034)

use super::{Context, FixAvailability, Peers, Report, Rule, FAMILY_PACKAGES};
use crate::fix::{Applicability, Edit, Fix};
use crate::semantics::packages::{all_invocations, Invocation};
use crate::semantics::shell::program_name;
use crate::Severity;

pub static RULE: Rule = Rule {
    code: "DF309",
    name: "install-without-yes",
    family: FAMILY_PACKAGES,
    summary: "package install without a non-interactive flag",
    severity: Severity::Warning,
    enabled_by_default: true,
    fix: FixAvailability::Always(Applicability::Safe),
    peers: Peers {
        hadolint: &["DL3014", "DL3030", "DL3038", "DL3034"],
        trivy: &["DS-0021"],
        checkov: &[],
        buildkit: &[],
    },
    module: module_path!(),
    check,
};

fn answers_yes(invocation: &Invocation<'_>) -> bool {
    match invocation.manager {
        "apt-get" | "apt" => {
            invocation.has_short('y')
                || invocation.has_long("--yes")
                || invocation.has_long("--assume-yes")
                || invocation.has_long("--force-yes")
                || invocation.has_long("--quiet=2")
                || invocation.options.iter().any(|w| {
                    w.text == "-q=2"
                        || (w.text.starts_with('-')
                            && !w.text.starts_with("--")
                            && w.text.matches('q').count() >= 2)
                })
                || invocation
                    .option_values("--option", Some('o'))
                    .iter()
                    .any(|v| {
                        v.to_ascii_lowercase()
                            .starts_with("apt::get::assume-yes=true")
                    })
        }
        "yum" | "dnf" => invocation.has_short('y') || invocation.has_long("--assumeyes"),
        "zypper" => {
            invocation.has_short('n')
                || invocation.has_long("--non-interactive")
                || invocation.has_short('y')
                || invocation.has_long("--no-confirm")
        }
        _ => true,
    }
}

fn check(context: &Context<'_>, report: &mut Report<'_>) {
    for invocation in all_invocations(context) {
        let relevant = matches!(
            invocation.manager,
            "apt-get" | "apt" | "yum" | "dnf" | "zypper"
        ) && invocation.installs();
        if !relevant || answers_yes(invocation) {
            continue;
        }
        // `yes | apt-get install …`
        if let Some((pipeline, position)) = &invocation.command.pipeline {
            let fed_by_yes = *position > 0
                && context
                    .semantics
                    .commands
                    .get(invocation.instruction)
                    .into_iter()
                    .flatten()
                    .any(|c| {
                        c.pipeline.as_ref() == Some(&(pipeline.clone(), 0))
                            && program_name(&c.name.text) == "yes"
                    });
            if fed_by_yes {
                continue;
            }
        }
        let Some(subcommand) = invocation.subcommand else {
            continue;
        };
        report.push(
            invocation.name.range.start..subcommand.range.end,
            format!(
                "`{} {}` without `-y` aborts at its confirmation prompt",
                invocation.manager, subcommand.text
            ),
            Some(Fix::safe(
                "Add `-y`",
                vec![Edit::insert(subcommand.range.end, " -y")],
            )),
        );
    }
}
