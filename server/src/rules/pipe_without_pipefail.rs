//! ## What it does
//! Finds RUN instructions with a pipeline (`a | b`) while `pipefail` is not
//! in effect, in a stage whose shell supports it.
//!
//! ## Why is this bad?
//! A pipeline's exit status is that of its last command: in
//! `curl -fsSL https://example.com/key | gpg --dearmor > key.gpg` a failed
//! download still lets the build go on with an empty key, and
//! `wget -O- … | tar x` succeeds with nothing extracted. With `pipefail`,
//! any failing command fails the step.
//!
//! ## Example
//! ```dockerfile
//! FROM debian:bookworm-slim
//! RUN curl -fsSL https://example.com/setup.sh | tee /tmp/setup.sh
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM debian:bookworm-slim
//! SHELL ["/bin/bash", "-o", "pipefail", "-c"]
//! RUN curl -fsSL https://example.com/setup.sh | tee /tmp/setup.sh
//! ```
//!
//! ## Fix safety
//! Unsafe. On Debian/Ubuntu, RHEL-family and SUSE images (which ship bash),
//! and on Alpine/BusyBox images that install bash, the fix inserts
//! `SHELL ["/bin/bash", "-o", "pipefail", "-c"]` before the stage's first
//! such RUN: every later RUN, CMD and ENTRYPOINT in shell form of the stage
//! then runs with bash instead of `/bin/sh`. When the stage already uses bash
//! through `SHELL` without pipefail, the fix prefixes the RUN with
//! `set -o pipefail &&` instead. A step that relied on a failing first
//! command being ignored now fails.
//!
//! Not reported on Alpine/BusyBox images without bash (their `/bin/sh` is
//! kept as is), on images without a shell, after a `SHELL` that is not a
//! POSIX shell, or when the pipeline sits in a heredoc or a `sh -c` script.
//! No fix when the distribution is unknown.
//!
//! ## References
//! - [hadolint DL4006](https://github.com/hadolint/hadolint/wiki/DL4006)
//! - [Docker: SHELL](https://docs.docker.com/reference/dockerfile/#shell)

use super::{Context, FixAvailability, Peers, Report, Rule, FAMILY_RUNTIME};
use crate::fix::{Applicability, Edit, Fix};
use crate::knowledge::Family;
use crate::semantics::Base;
use crate::syntax::{CommandForm, InstructionKind};
use crate::Severity;

pub static RULE: Rule = Rule {
    code: "DF706",
    name: "pipe-without-pipefail",
    family: FAMILY_RUNTIME,
    summary: "RUN with a pipe, in a shell that supports pipefail, without it",
    severity: Severity::Warning,
    enabled_by_default: true,
    fix: FixAvailability::Sometimes(Applicability::Unsafe),
    peers: Peers {
        hadolint: &["DL4006"],
        trivy: &[],
        checkov: &[],
        buildkit: &[],
    },
    module: module_path!(),
    check,
};

/// The shell a stage's RUN uses at an instruction.
enum ShellState {
    /// The default `/bin/sh`.
    Default,
    /// A `SHELL` naming a POSIX shell; `pipefail` already set by it.
    Posix { bash: bool, pipefail: bool },
    /// Something else (PowerShell, cmd…).
    Other,
}

fn shell_at(context: &Context<'_>, stage: usize, before: usize) -> ShellState {
    let model = context.model;
    // The SHELL in effect: this stage first, then the stages it is built on.
    let mut current = Some(stage);
    let mut limit = before;
    for _ in 0..=model.stages.len() {
        let Some(index) = current else { break };
        let Some(s) = model.stages.get(index) else {
            break;
        };
        let last_shell = (s.instructions.start..limit.min(s.instructions.end))
            .rev()
            .filter_map(|i| model.instructions.get(i))
            .find(|i| i.kind == InstructionKind::Shell);
        if let Some(shell) = last_shell {
            let Some(CommandForm::Exec { items, .. }) = &shell.command else {
                return ShellState::Other;
            };
            let words: Vec<String> = items
                .iter()
                .map(|r| context.text(r).trim_matches('"').to_owned())
                .collect();
            let program = words
                .first()
                .map(|w| crate::semantics::shell::program_name(w).to_owned())
                .unwrap_or_default();
            if !matches!(
                program.as_str(),
                "sh" | "bash" | "ash" | "dash" | "zsh" | "ksh"
            ) {
                return ShellState::Other;
            }
            let pipefail = words
                .windows(2)
                .any(|w| w[0].starts_with('-') && w[1] == "pipefail");
            return ShellState::Posix {
                bash: program == "bash",
                pipefail,
            };
        }
        current = match context.semantics.stages.get(index).map(|f| &f.base) {
            Some(Base::Stage(parent)) => Some(*parent),
            _ => None,
        };
        limit = usize::MAX;
    }
    ShellState::Default
}

fn check(context: &Context<'_>, report: &mut Report<'_>) {
    let model = context.model;
    for stage in &model.stages {
        let Some(facts) = context.semantics.stages.get(stage.index) else {
            continue;
        };
        if matches!(facts.base, Base::Scratch)
            || matches!(
                facts.family,
                Family::Scratch | Family::Distroless | Family::Windows
            )
        {
            continue;
        }
        // The first RUN of the stage that the SHELL fix goes before.
        let mut shell_anchor: Option<usize> = None;
        for index in stage.instructions.clone() {
            let Some(instruction) = model.instructions.get(index) else {
                continue;
            };
            if instruction.kind != InstructionKind::Run || !instruction.heredocs.is_empty() {
                continue;
            }
            let Some(CommandForm::Shell { range: shell }) = &instruction.command else {
                continue;
            };
            let Some(commands) = context.semantics.commands.get(index) else {
                continue;
            };
            let state = shell_at(context, stage.index, index);
            let bash_shell = match state {
                ShellState::Other | ShellState::Posix { pipefail: true, .. } => continue,
                ShellState::Posix { bash, .. } => bash,
                ShellState::Default => false,
            };
            // Pipelines at the top level of the RUN text, not in `sh -c` scripts.
            let words: Vec<std::ops::Range<usize>> = commands
                .iter()
                .flat_map(|c| c.arguments.iter().map(|w| w.range.clone()))
                .collect();
            let pipelines: Vec<std::ops::Range<usize>> = commands
                .iter()
                .filter_map(|c| c.pipeline.clone())
                .filter(|(_, position)| *position == 0)
                .map(|(range, _)| range)
                .filter(|r| shell.start <= r.start && r.end <= shell.end)
                .filter(|r| !words.iter().any(|w| w.start <= r.start && r.end <= w.end))
                .collect();
            let Some(first_pipe) = pipelines.first() else {
                continue;
            };
            let set_before = commands.iter().any(|c| {
                c.name.text == "set"
                    && c.range.end <= first_pipe.start
                    && c.arguments.iter().any(|w| w.text == "pipefail")
                    && c.arguments.iter().any(|w| {
                        w.text.starts_with('-')
                            && !w.text.starts_with("--")
                            && w.text.ends_with('o')
                    })
            });
            if set_before {
                continue;
            }
            let has_bash = bash_shell
                || matches!(facts.family, Family::Debian | Family::Rhel | Family::Suse)
                || installs_bash(context, stage.index, index);
            let alpine_like = matches!(
                facts.family,
                Family::Alpine | Family::Busybox | Family::Wolfi
            );
            if alpine_like && !has_bash {
                continue;
            }
            let fix = if bash_shell {
                Some(Fix::unsafe_(
                    "Prefix the RUN with `set -o pipefail &&`",
                    vec![Edit::insert(shell.start, "set -o pipefail && ")],
                ))
            } else if has_bash && matches!(state, ShellState::Default) {
                let anchor = *shell_anchor.get_or_insert(index);
                anchor
                    .checked_sub(1)
                    .and_then(|prev| model.instructions.get(prev))
                    .map(|prev| {
                        let indent = model
                            .instructions
                            .get(anchor)
                            .map(|a| context.indentation(a).to_owned())
                            .unwrap_or_default();
                        let eol = context.line_ending();
                        Fix::unsafe_(
                            "Insert `SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]` before the stage's first RUN with a pipe",
                            context.insert_lines_after(
                                prev,
                                &format!("{indent}SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]{eol}"),
                            ),
                        )
                    })
            } else {
                None
            };
            report.push(
                first_pipe.clone(),
                "Pipeline without `pipefail`: a failing command before the last `|` does not fail the build",
                fix,
            );
        }
    }
}

/// True when an earlier RUN of the stage installs bash.
fn installs_bash(context: &Context<'_>, stage: usize, before: usize) -> bool {
    context.semantics.stages.get(stage).is_some_and(|f| {
        f.installs
            .iter()
            .any(|i| i.instruction < before && i.packages.iter().any(|p| p == "bash"))
    })
}
