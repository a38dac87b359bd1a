//! ## What it does
//! Reports a `# dockfix ignore=…` code that suppresses nothing: the rule does
//! not fire on the instruction below (any more), or the code names no rule.
//!
//! ## Why is this bad?
//! A stale suppression hides the next real finding of that rule on the same
//! instruction, and tells readers about a problem that is no longer there.
//!
//! ## Example
//! With `sudo-in-run` selected:
//! ```toml
//! select = ["DF102"]
//! ```
//! ```dockerfile
//! FROM alpine:3.22
//! # dockfix ignore=DF102
//! RUN echo hello
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM alpine:3.22
//! RUN echo hello
//! ```
//!
//! ## Fix safety
//! Safe: removes the unused code, or the whole comment when no code is left.
//! Only `# dockfix` comments are checked; `# hadolint` comments and
//! `# check=skip` may name checks we do not implement.
//!
//! ## References
//! - [ruff: unused-noqa (RUF100)](https://docs.astral.sh/ruff/rules/unused-noqa/)

use super::{Context, FixAvailability, Peers, Report, Rule, FAMILY_SYNTAX};
use crate::diagnostic::Tag;
use crate::fix::{Applicability, Edit, Fix};
use crate::suppression::{Origin, Suppressions};
use crate::Severity;

pub static RULE: Rule = Rule {
    code: "DF002",
    name: "unused-suppression",
    family: FAMILY_SYNTAX,
    summary: "A `# dockfix ignore=` code that suppresses nothing",
    severity: Severity::Hint,
    enabled_by_default: true,
    fix: FixAvailability::Always(Applicability::Safe),
    peers: Peers::NONE,
    module: module_path!(),
    check: |_, _| {},
};

/// Runs after the suppressions were applied (it needs to know which were used).
pub fn report(context: &Context<'_>, suppressions: &Suppressions, report: &mut Report<'_>) {
    for item in &suppressions.items {
        if item.origin != Origin::Dockfix {
            continue;
        }
        let unused: Vec<usize> = item
            .entries
            .iter()
            .enumerate()
            .filter(|(_, e)| {
                !e.used
                    && match super::find(&e.text) {
                        Some(rule) => super::is_enabled(rule, &context.settings.selection),
                        None => true,
                    }
            })
            .map(|(i, _)| i)
            .collect();
        if unused.is_empty() {
            continue;
        }
        let whole = unused.len() == item.entries.len();
        for &index in &unused {
            let Some(entry) = item.entries.get(index) else {
                continue;
            };
            let message = match super::find(&entry.text) {
                Some(rule) => format!("Unused suppression of {} ({})", rule.code, rule.name),
                None => format!("Unknown rule code `{}` in suppression", entry.text),
            };
            let fix = if whole {
                let end = line_end_with_newline(context.source, item.range.end);
                let start = context.line_start(item.range.start);
                Fix::safe(
                    "Remove the unused suppression comment",
                    vec![Edit::delete(start..end)],
                )
            } else {
                Fix::safe(
                    format!("Remove `{}` from the suppression", entry.text),
                    vec![Edit::delete(entry_with_separator(
                        context.source,
                        item,
                        index,
                    ))],
                )
            };
            report.push_tagged(entry.range.clone(), message, Some(fix), Tag::Unnecessary);
        }
    }
}

fn line_end_with_newline(source: &str, offset: usize) -> usize {
    source
        .get(offset..)
        .and_then(|rest| rest.find('\n'))
        .map_or(source.len(), |i| offset + i + 1)
}

/// The entry and the comma that joins it to its neighbour.
fn entry_with_separator(
    source: &str,
    item: &crate::suppression::Suppression,
    index: usize,
) -> std::ops::Range<usize> {
    let entries = &item.entries;
    let Some(entry) = entries.get(index) else {
        return 0..0;
    };
    match (
        entries.get(index + 1),
        index.checked_sub(1).and_then(|i| entries.get(i)),
    ) {
        (Some(next), _) => entry.range.start..next.range.start,
        (None, Some(previous)) => previous.range.end..entry.range.end,
        (None, None) => {
            let _ = source;
            entry.range.clone()
        }
    }
}
