//! Suppression comments: `# dockfix ignore=DF201,DF302` on the lines right
//! before an instruction, `# dockfix global ignore=…` anywhere for the whole
//! file, hadolint's `# hadolint [global] ignore=DL3007` mapped to our codes, and
//! BuildKit's `# check=skip=…` directive mapped for rules with a BuildKit peer.

use std::ops::Range;

use crate::rules::{self, Context};
use crate::Diagnostic;

/// Which tool's syntax a suppression was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Dockfix,
    Hadolint,
    BuildKit,
}

/// One code in a suppression list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The code as written (`DF201`, `DL3007`, `JSONArgsRecommended`, `all`).
    pub text: String,
    pub range: Range<usize>,
    /// Our rule codes it stands for.
    pub rules: Vec<&'static str>,
    pub used: bool,
}

/// One suppression comment or directive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    pub origin: Origin,
    /// The comment line (without its newline).
    pub range: Range<usize>,
    /// `None` for the whole file; otherwise the start of the instruction it precedes.
    pub instruction: Option<usize>,
    pub entries: Vec<Entry>,
}

#[derive(Debug, Clone, Default)]
pub struct Suppressions {
    pub items: Vec<Suppression>,
}

impl Suppressions {
    pub fn parse(context: &Context<'_>) -> Self {
        let mut items = Vec::new();
        for comment in &context.model.comments {
            let text = context.text(comment);
            if let Some(item) = parse_comment(context, comment.clone(), text) {
                items.push(item);
            }
        }
        for directive in &context.model.directives {
            if !context.text(&directive.name).eq_ignore_ascii_case("check") {
                continue;
            }
            let value = context.text(&directive.value);
            for part in value.split(';') {
                let part_start = directive.value.start + offset_in(value, part);
                let Some(list) = part.trim_start().strip_prefix("skip=") else {
                    continue;
                };
                let list_start = part_start + offset_in(part, list);
                let entries = entries(list, list_start, |name| {
                    if name.eq_ignore_ascii_case("all") {
                        rules::RULES
                            .iter()
                            .filter(|r| !r.peers.buildkit.is_empty())
                            .map(|r| r.code)
                            .collect()
                    } else {
                        rules::from_buildkit(name).map(|r| r.code).collect()
                    }
                });
                items.push(Suppression {
                    origin: Origin::BuildKit,
                    range: directive.range.clone(),
                    instruction: None,
                    entries,
                });
            }
        }
        Suppressions { items }
    }

    /// Drops suppressed diagnostics and marks the entries that suppressed them.
    /// Syntax errors are never suppressed.
    pub fn filter(
        &mut self,
        context: &Context<'_>,
        diagnostics: Vec<Diagnostic>,
    ) -> Vec<Diagnostic> {
        if self.items.is_empty() {
            return diagnostics;
        }
        let instructions = &context.model.instructions;
        diagnostics
            .into_iter()
            .filter(|d| {
                if d.code == rules::syntax_error::RULE.code {
                    return true;
                }
                let index = instructions.partition_point(|i| i.range.start <= d.range.start);
                let owner = index
                    .checked_sub(1)
                    .and_then(|i| instructions.get(i))
                    .filter(|i| d.range.start < i.range.end.max(i.range.start + 1))
                    .map(|i| i.range.start);
                let mut suppressed = false;
                for item in &mut self.items {
                    if item.instruction.is_some() && item.instruction != owner {
                        continue;
                    }
                    for entry in &mut item.entries {
                        if entry.rules.contains(&d.code) {
                            entry.used = true;
                            suppressed = true;
                        }
                    }
                }
                !suppressed
            })
            .collect()
    }
}

fn offset_in(outer: &str, inner: &str) -> usize {
    (inner.as_ptr() as usize).saturating_sub(outer.as_ptr() as usize)
}

fn parse_comment(context: &Context<'_>, range: Range<usize>, text: &str) -> Option<Suppression> {
    let body = text.trim_start().strip_prefix('#')?.trim_start();
    let (origin, rest) = if let Some(rest) = body.strip_prefix("dockfix") {
        (Origin::Dockfix, rest)
    } else if let Some(rest) = body.strip_prefix("hadolint") {
        (Origin::Hadolint, rest)
    } else {
        return None;
    };
    let rest = rest.trim_start();
    let (global, rest) = match rest.strip_prefix("global") {
        Some(r) => (true, r.trim_start()),
        None => (false, rest),
    };
    let list = rest
        .strip_prefix("ignore")?
        .trim_start()
        .strip_prefix('=')?
        .trim_start();
    let list = list.split_whitespace().next().unwrap_or_default();
    let list_start = range.start + offset_in(text, list);
    let entries = entries(list, list_start, |code| match origin {
        Origin::Hadolint => rules::from_hadolint(code).map(|r| r.code).collect(),
        _ => rules::find(code).map(|r| vec![r.code]).unwrap_or_default(),
    });
    let instruction = if global {
        None
    } else {
        Some(next_instruction(context, range.end)?)
    };
    Some(Suppression {
        origin,
        range,
        instruction,
        entries,
    })
}

fn entries(list: &str, start: usize, map: impl Fn(&str) -> Vec<&'static str>) -> Vec<Entry> {
    let mut out = Vec::new();
    let mut offset = 0;
    for part in list.split(',') {
        let trimmed = part.trim();
        if !trimmed.is_empty() {
            let at = start + offset + offset_in(part, trimmed);
            out.push(Entry {
                text: trimmed.to_owned(),
                range: at..at + trimmed.len(),
                rules: map(trimmed),
                used: false,
            });
        }
        offset += part.len() + 1;
    }
    out
}

/// The instruction right below a comment: only comment lines may sit between.
fn next_instruction(context: &Context<'_>, after: usize) -> Option<usize> {
    let instructions = &context.model.instructions;
    let index = instructions.partition_point(|i| i.range.start < after);
    let next = instructions.get(index)?;
    let between = context.source.get(after..next.range.start)?;
    let pieces: Vec<&str> = between.split('\n').collect();
    // pieces: the rest of the comment's line, the lines in between, and the
    // indentation before the instruction.
    let (first, rest) = pieces.split_first()?;
    let (last, middle) = rest.split_last()?;
    let blank = |s: &str| {
        s.trim_matches(|c: char| c == ' ' || c == '\t' || c == '\r')
            .is_empty()
    };
    let adjacent =
        blank(first) && blank(last) && middle.iter().all(|line| line.trim_start().starts_with('#'));
    adjacent.then_some(next.range.start)
}

/// The edit that suppresses `code` on the instruction holding `offset`: it
/// extends a `# dockfix ignore=` comment right above the instruction, or
/// inserts one with the instruction's indentation.
pub fn ignore_edit(
    source: &str,
    model: &crate::syntax::Dockerfile,
    offset: usize,
    code: &str,
) -> Option<crate::fix::Edit> {
    let instructions = &model.instructions;
    let index = instructions
        .partition_point(|i| i.range.start <= offset)
        .checked_sub(1)?;
    let instruction = instructions.get(index)?;
    if offset >= instruction.range.end.max(instruction.range.start + 1) {
        return None;
    }
    let line_start = source
        .get(..instruction.range.start)?
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let indent = source.get(line_start..instruction.range.start)?;
    if !indent.chars().all(|c| c == ' ' || c == '\t') {
        return None;
    }
    if line_start > 0 {
        let previous_start = source
            .get(..line_start - 1)?
            .rfind('\n')
            .map_or(0, |i| i + 1);
        let previous = source
            .get(previous_start..line_start - 1)?
            .trim_end_matches('\r');
        let body = previous.trim_start();
        if let Some(list) = body
            .strip_prefix('#')
            .map(str::trim_start)
            .and_then(|b| b.strip_prefix("dockfix"))
            .map(str::trim_start)
            .and_then(|b| b.strip_prefix("ignore"))
            .map(str::trim_start)
            .and_then(|b| b.strip_prefix('='))
        {
            let list = list.trim_start();
            let codes = list.split_whitespace().next().unwrap_or_default();
            if codes
                .split(',')
                .any(|c| c.trim().eq_ignore_ascii_case(code))
            {
                return None;
            }
            let list_offset = previous_start + (previous.len() - list.len());
            return Some(crate::fix::Edit::insert(
                list_offset + codes.len(),
                format!(",{code}"),
            ));
        }
    }
    // The line ending of the instruction's line (searching the whole file
    // for a CRLF on every call made a code-action request over a file with
    // thousands of diagnostics quadratic).
    let crlf = source
        .get(instruction.range.start..)
        .and_then(|rest| rest.find('\n').map(|nl| rest.get(..nl)))
        .flatten()
        .is_some_and(|line| line.ends_with('\r'));
    let eol = if crlf { "\r\n" } else { "\n" };
    Some(crate::fix::Edit::insert(
        line_start,
        format!("{indent}# dockfix ignore={code}{eol}"),
    ))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn apply(source: &str, offset: usize, code: &str) -> String {
        let document = crate::syntax::Document::new(source);
        let edit = ignore_edit(source, &document.model(), offset, code).unwrap();
        crate::fix::apply(source, [&crate::fix::Fix::safe("x", vec![edit])]).0
    }

    #[test]
    fn inserts_or_extends_the_comment_above() {
        assert_eq!(
            apply("FROM a\n  RUN sudo x\n", 12, "DF102"),
            "FROM a\n  # dockfix ignore=DF102\n  RUN sudo x\n"
        );
        assert_eq!(
            apply(
                "FROM a\n# dockfix ignore=DF201 reason\nRUN sudo x\n",
                40,
                "DF102"
            ),
            "FROM a\n# dockfix ignore=DF201,DF102 reason\nRUN sudo x\n"
        );
    }
}
