//! ## What it does
//! Finds `sudo` inside RUN instructions.
//!
//! ## Why is this bad?
//! A build step runs as the current `USER`; `sudo` only works if the image
//! ships sudo and a sudoers entry, which lets any process in the container
//! become root again. As root, `sudo` is useless; as another user, switch with
//! `USER root` for the step instead.
//!
//! ## Example
//! ```dockerfile
//! FROM debian:bookworm
//! RUN sudo apt-get update
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM debian:bookworm
//! RUN apt-get update
//! ```
//!
//! ## Fix safety
//! Safe when the step runs as root: removing `sudo` and its options changes
//! nothing. No fix when sudo switches to another user (`-u`, `-g`), opens a
//! login shell (`-i`, `-s`) or the step runs as a non-root user.
//!
//! ## References
//! - [hadolint DL3004](https://github.com/hadolint/hadolint/wiki/DL3004)
//! - [Docker: USER](https://docs.docker.com/reference/dockerfile/#user)

use super::{Context, FixAvailability, Peers, Report, Rule, FAMILY_PRIVILEGE};
use crate::fix::{Applicability, Edit, Fix};
use crate::semantics::shell::program_name;
use crate::Severity;

pub static RULE: Rule = Rule {
    code: "DF102",
    name: "sudo-in-run",
    family: FAMILY_PRIVILEGE,
    summary: "`sudo` inside RUN",
    severity: Severity::Warning,
    enabled_by_default: true,
    fix: FixAvailability::Sometimes(Applicability::Safe),
    peers: Peers {
        hadolint: &["DL3004"],
        trivy: &["DS-0010"],
        checkov: &["CKV2_DOCKER_1"],
        buildkit: &[],
    },
    module: module_path!(),
    check,
};

/// Options that change who runs the command or how.
const CHANGES_IDENTITY: [&str; 10] = [
    "-u",
    "--user",
    "-g",
    "--group",
    "-i",
    "--login",
    "-s",
    "--shell",
    "-U",
    "--other-user",
];

fn check(context: &Context<'_>, report: &mut Report<'_>) {
    for (index, commands) in context.semantics.commands.iter().enumerate() {
        // CMD/ENTRYPOINT run at container start: sudo there is a runtime choice.
        let is_run = context
            .model
            .instructions
            .get(index)
            .is_some_and(|i| i.kind == crate::syntax::InstructionKind::Run);
        if !is_run {
            continue;
        }
        for command in commands {
            if program_name(&command.name.text) != "sudo" {
                continue;
            }
            let as_root = context
                .semantics
                .user_at(context.model, context.source, index)
                .is_none();
            let next_word = command
                .arguments
                .iter()
                .position(|w| !w.text.starts_with('-'));
            let identity = command
                .arguments
                .iter()
                .take(next_word.unwrap_or(usize::MAX))
                .any(|w| {
                    CHANGES_IDENTITY.iter().any(|o| {
                        w.text == *o
                            || w.text.starts_with(&format!("{o}="))
                            || (o.len() == 2
                                && !w.text.starts_with("--")
                                && w.text.len() > 2
                                && w.text.contains(&o[1..]))
                    })
                });
            let fix = match (
                as_root,
                identity,
                next_word.and_then(|i| command.arguments.get(i)),
            ) {
                (true, false, Some(next)) => Some(Fix::safe(
                    "Remove `sudo`",
                    vec![Edit::delete(command.name.range.start..next.range.start)],
                )),
                _ => None,
            };
            let message = if as_root {
                "`sudo` in RUN: the step already runs as root"
            } else {
                "`sudo` in RUN: switch to `USER root` for this step instead of shipping sudo"
            };
            report.push(command.name.range.clone(), message, fix);
        }
    }
}
