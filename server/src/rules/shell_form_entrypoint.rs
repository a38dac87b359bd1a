//! ## What it does
//! Finds `CMD` and `ENTRYPOINT` in shell form.
//!
//! ## Why is this bad?
//! In shell form the container's PID 1 is `/bin/sh -c`, not your program:
//! `docker stop` sends SIGTERM to the shell, which does not forward it, so
//! the program is killed with SIGKILL after the grace period without a chance
//! to shut down cleanly (connections dropped, data not flushed). A shell-form
//! `ENTRYPOINT` also ignores `CMD` and `docker run` arguments.
//!
//! ## Example
//! ```dockerfile
//! FROM node:22-slim
//! CMD node server.js
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM node:22-slim
//! CMD ["node", "server.js"]
//! ```
//!
//! ## Fix safety
//! Unsafe: when the command is plain words (no `$`, quotes, operators,
//! redirections or globs) it becomes exec form, so no shell runs; otherwise
//! it is wrapped as `["/bin/sh", "-c", "exec …"]` (`exec` only for a single
//! command, so the shell still expands variables but hands PID 1 over).
//! Either way a shell-form `ENTRYPOINT` starts accepting `CMD` arguments.
//! No fix after a `SHELL` instruction, on Windows images, or when the
//! command spans comment lines.
//!
//! ## References
//! - [hadolint DL3025](https://github.com/hadolint/hadolint/wiki/DL3025)
//! - [BuildKit JSONArgsRecommended](https://docs.docker.com/reference/build-checks/json-args-recommended/)

use super::{Context, FixAvailability, Peers, Report, Rule, FAMILY_RUNTIME};
use crate::fix::{Applicability, Edit, Fix};
use crate::knowledge::Family;
use crate::syntax::{CommandForm, InstructionKind};
use crate::Severity;

pub static RULE: Rule = Rule {
    code: "DF703",
    name: "shell-form-entrypoint",
    family: FAMILY_RUNTIME,
    summary: "CMD/ENTRYPOINT in shell form (PID 1 is a shell; signals are lost)",
    severity: Severity::Warning,
    enabled_by_default: true,
    fix: FixAvailability::Sometimes(Applicability::Unsafe),
    peers: Peers {
        hadolint: &["DL3025"],
        trivy: &[],
        checkov: &[],
        buildkit: &["JSONArgsRecommended"],
    },
    module: module_path!(),
    check,
};

/// Characters that make the shell do something to a word.
const SHELL_SYNTAX: &[char] = &[
    '$', '`', '&', '|', ';', '<', '>', '(', ')', '*', '?', '[', ']', '{', '}', '~', '#', '\'', '"',
    '\\', '!',
];

/// Shell builtins: no program of that name exists for exec form.
const BUILTINS: [&str; 16] = [
    "cd", "set", "export", "source", ".", "eval", "trap", "ulimit", "umask", "wait", "unset",
    "readonly", "shift", "read", "exit", ":",
];

fn check(context: &Context<'_>, report: &mut Report<'_>) {
    for (index, instruction) in context.model.instructions.iter().enumerate() {
        if !matches!(
            instruction.kind,
            InstructionKind::Cmd | InstructionKind::Entrypoint
        ) {
            continue;
        }
        let Some(CommandForm::Shell { range }) = &instruction.command else {
            continue;
        };
        let fix = fix(context, index, instruction, range);
        report.push(
            instruction.line_range.clone(),
            format!(
                "{} in shell form: PID 1 is `/bin/sh -c`, which does not forward signals",
                instruction.kind.keyword()
            ),
            fix,
        );
    }
}

fn fix(
    context: &Context<'_>,
    index: usize,
    instruction: &crate::syntax::Instruction,
    range: &std::ops::Range<usize>,
) -> Option<Fix> {
    let stage = context.model.stage_of(index)?;
    let facts = context.semantics.stages.get(stage.index)?;
    if facts.family == Family::Windows || !instruction.heredocs.is_empty() {
        return None;
    }
    let custom_shell = (stage.instructions.start..index)
        .filter_map(|i| context.model.instructions.get(i))
        .any(|i| i.kind == InstructionKind::Shell);
    let has_comment = context
        .model
        .comments
        .iter()
        .any(|c| range.start <= c.start && c.end <= range.end);
    if custom_shell || has_comment {
        return None;
    }
    let text = context.logical_text(range);
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let commands = context.semantics.commands.get(index)?;
    let simple = match commands.iter().collect::<Vec<_>>().as_slice() {
        [only] => {
            only.pipeline.is_none()
                && !only.nested
                && only.statement == only.range
                && only.assignments.is_empty()
        }
        _ => false,
    };
    let mut words: Vec<&str> = text.split_whitespace().collect();
    let starts_with_exec = words.first() == Some(&"exec");
    if starts_with_exec {
        words.remove(0);
    }
    let builtin = words.first().is_none_or(|w| BUILTINS.contains(w));
    let plain = simple && !builtin && !text.contains(SHELL_SYNTAX);
    let items: Vec<String> = if plain {
        words.iter().map(|w| (*w).to_owned()).collect()
    } else if simple && !builtin && !starts_with_exec {
        vec![
            "/bin/sh".to_owned(),
            "-c".to_owned(),
            format!("exec {text}"),
        ]
    } else {
        vec!["/bin/sh".to_owned(), "-c".to_owned(), text.to_owned()]
    };
    let json: Vec<String> = items
        .iter()
        .map(|s| serde_json::to_string(s).unwrap_or_default())
        .collect();
    let title = if plain {
        "Use exec form"
    } else {
        "Use exec form with an explicit `/bin/sh -c`"
    };
    Some(Fix::unsafe_(
        title,
        vec![Edit::replace(
            range.clone(),
            format!("[{}]", json.join(", ")),
        )],
    ))
}
