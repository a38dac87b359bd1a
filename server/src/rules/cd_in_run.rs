//! ## What it does
//! Finds `cd` in RUN instructions, and offers to turn a leading `cd /dir &&`
//! into a `WORKDIR /dir` instruction.
//!
//! ## Why is this bad?
//! A `cd` lasts for one RUN only, so later steps silently run somewhere else,
//! and chains of `cd` make it hard to know where files land (and where an
//! attacker-controlled archive is unpacked). `WORKDIR` states the directory
//! once, creates it if needed and is visible in the image's metadata.
//!
//! ## Example
//! ```dockerfile
//! FROM debian:bookworm
//! RUN cd /usr/src/app && make
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM debian:bookworm
//! WORKDIR /usr/src/app
//! RUN make
//! ```
//!
//! ## Fix safety
//! Unsafe: `WORKDIR` persists to every later instruction of the stage (and to
//! the container's working directory when nothing else sets it), and it
//! creates the directory where `cd` would have failed. The fix is offered only
//! when `cd` to an absolute literal path is the first command of the RUN and is
//! followed by `&&`; the RUN keeps its flags.
//!
//! ## References
//! - [hadolint DL3003](https://github.com/hadolint/hadolint/wiki/DL3003)
//! - [Docker: WORKDIR](https://docs.docker.com/reference/dockerfile/#workdir)

use super::{Context, FixAvailability, Peers, Report, Rule, FAMILY_STRUCTURE};
use crate::fix::{Applicability, Edit, Fix};
use crate::syntax::{CommandForm, InstructionKind};
use crate::Severity;

pub static RULE: Rule = Rule {
    code: "DF601",
    name: "cd-in-run",
    family: FAMILY_STRUCTURE,
    summary: "`RUN cd /x && …` instead of `WORKDIR /x`",
    severity: Severity::Hint,
    enabled_by_default: true,
    fix: FixAvailability::Sometimes(Applicability::Unsafe),
    peers: Peers {
        hadolint: &["DL3003"],
        trivy: &["DS-0013"],
        checkov: &[],
        buildkit: &[],
    },
    module: module_path!(),
    check,
};

fn check(context: &Context<'_>, report: &mut Report<'_>) {
    for (index, instruction) in context.model.instructions.iter().enumerate() {
        if instruction.kind != InstructionKind::Run {
            continue;
        }
        let Some(CommandForm::Shell { range: shell }) = &instruction.command else {
            continue;
        };
        let Some(commands) = context.semantics.commands.get(index) else {
            continue;
        };
        let mut first = true;
        for command in commands {
            if command.name.text != "cd" || command.nested {
                first = false;
                continue;
            }
            let is_first = first
                && command.range.start == shell.start
                && command.statement.start == command.range.start
                && instruction.heredocs.is_empty()
                && command.pipeline.is_none();
            first = false;
            // Before the first FROM a new WORKDIR would be one more
            // instruction outside any stage, another syntax error (found by
            // fuzzing): only the RUNs of a stage get the fix.
            let fix = if is_first && context.model.stage_of(index).is_some() {
                fix(context, instruction, command)
            } else {
                None
            };
            report.push(
                command.name.range.start..command.range.end,
                "`cd` in RUN: use WORKDIR to change the working directory",
                fix,
            );
        }
    }
}

fn fix(
    context: &Context<'_>,
    instruction: &crate::syntax::Instruction,
    command: &crate::semantics::Command,
) -> Option<Fix> {
    let [path] = command.arguments.as_slice() else {
        return None;
    };
    let dir = &path.text;
    if !path.literal
        || !dir.starts_with('/')
        || dir.contains(['$', '\\', '`', '\n', '\r', '"', '\''])
        || !command.assignments.is_empty()
    {
        return None;
    }
    // `cd /x && rest`: find `&&` after the path, then the start of the rest.
    let escape = context.model.escape;
    let after = skip_blanks(context.source, path.range.end, escape);
    if !context.source.get(after..)?.starts_with("&&") {
        return None;
    }
    let rest = skip_blanks(context.source, after + 2, escape);
    let next = context.source.get(rest..)?.chars().next()?;
    if rest >= command.statement.end || matches!(next, '#' | '\r' | '\n') {
        return None;
    }
    let eol = context.line_ending();
    let indent = context.indentation(instruction);
    Some(Fix::unsafe_(
        format!("Replace `cd {dir}` with `WORKDIR {dir}`"),
        vec![
            Edit::insert(
                instruction.keyword.start,
                format!("WORKDIR {dir}{eol}{indent}"),
            ),
            Edit::delete(command.range.start..rest),
        ],
    ))
}

/// The offset of the next character that is no blank and no line continuation.
fn skip_blanks(source: &str, mut at: usize, escape: char) -> usize {
    loop {
        let rest = source.get(at..).unwrap_or_default();
        let mut chars = rest.chars();
        match chars.next() {
            Some(' ' | '\t') => at += 1,
            Some(c) if c == escape => {
                let tail = &rest[c.len_utf8()..];
                let blanks = tail.len() - tail.trim_start_matches([' ', '\t']).len();
                let tail = &tail[blanks..];
                if let Some(t) = tail.strip_prefix("\r\n") {
                    at += c.len_utf8() + blanks + (tail.len() - t.len());
                } else if tail.starts_with('\n') {
                    at += c.len_utf8() + blanks + 1;
                } else {
                    return at;
                }
            }
            _ => return at,
        }
    }
}
