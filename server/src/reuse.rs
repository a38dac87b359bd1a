//! Reusing an analysis across an edit that touched only comments or blank
//! lines between instructions (typing a comment in a 5,000-line file should
//! not re-run every rule).
//!
//! Such an edit leaves every instruction byte-identical, so every diagnostic
//! is the same, only moved. Three things could still see it, and each one
//! makes the edit ineligible: parser directives (so the edit must come after
//! the first instruction), suppression comments (`# dockfix …`,
//! `# hadolint …`: no comment of the gap around the edit may name either),
//! and DF402, which reads comments (no comment of the gap may hold a
//! credential). A diagnostic or fix edit that touches the edited lines, even
//! only at their first or last byte, could have been placed relative to them
//! (the multi-stage conversion rewrites up to the end of the file), so it
//! makes the edit ineligible too, and so does a fix edit that encloses them
//! (its text may carry them); a diagnostic that encloses them moves its end.
//! `server/tests/reuse.rs` checks the result against a fresh analysis over
//! the corpus.

use std::ops::Range;

use crate::syntax::{floor_char_boundary, Document};
use crate::Diagnostic;

/// The whole lines around `range` in `document` if they hold only blank
/// lines and plain comments between instructions. An empty range at the
/// start of a line stands for the empty span there (an insertion before
/// that line).
pub fn trivia_lines(document: &Document, range: Range<usize>) -> Option<Range<usize>> {
    let text = document.text();
    let start = floor_char_boundary(text, range.start.min(text.len()));
    let end = floor_char_boundary(text, range.end.clamp(start, text.len()));
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = if end == line_start || (end > line_start && text.as_bytes()[end - 1] == b'\n') {
        end
    } else {
        text[end..].find('\n').map_or(text.len(), |i| end + i + 1)
    };
    let root = document.tree().root_node();
    if root.has_error() {
        return None;
    }
    // Directives are read up to the first instruction: stay after its start.
    let mut cursor = root.walk();
    let mut first_instruction = None;
    if cursor.goto_first_child() {
        loop {
            let node = cursor.node();
            if !matches!(node.kind(), "comment" | "parser_directive") {
                first_instruction = Some(node.start_byte());
                break;
            }
            if !cursor.goto_next_sibling() {
                break;
            }
        }
    }
    if line_start <= first_instruction? {
        return None;
    }
    // Every line of the span is blank or a comment of its own, not a line of
    // an instruction (a continuation, a heredoc body). Walking to a position
    // costs the depth of the tree there, not a walk over every item.
    let lines = text[line_start..line_end].split_inclusive('\n');
    let mut at = line_start;
    for line in lines.clone().take(MAX_LINES + 1) {
        let blank = line.trim_start_matches([' ', '\t', '\r', '\x0b', '\x0c']);
        let first = at + (line.len() - blank.len());
        match item_at(root, first) {
            None => {}
            Some(item) if item.kind() == "comment" && item.start_byte() >= at => {}
            Some(_) => return None,
        }
        at += line.len();
    }
    if lines.count() > MAX_LINES {
        return None;
    }
    // An empty span must not sit inside an instruction either.
    if line_start == line_end
        && item_at(root, line_start).is_some_and(|i| i.start_byte() < line_start)
    {
        return None;
    }
    // The gap around the span: no comment of it may matter to a rule.
    let before = text[..line_start].split_inclusive('\n').rev();
    let after = text[line_end..].split_inclusive('\n');
    let is_trivia = |line: &&str| {
        let line = line.trim_start();
        line.is_empty() || line.starts_with('#')
    };
    let gap = before
        .take_while(is_trivia)
        .take(MAX_LINES)
        .chain(text[line_start..line_end].split_inclusive('\n'))
        .chain(after.take_while(is_trivia).take(MAX_LINES));
    for line in gap {
        if comment_matters(line) {
            return None;
        }
    }
    Some(line_start..line_end)
}

/// Spans and gaps longer than this are not worth checking line by line.
const MAX_LINES: usize = 200;

/// The comment, directive or instruction at `byte` (not a stage), or `None`
/// between them.
fn item_at(root: tree_sitter::Node<'_>, byte: usize) -> Option<tree_sitter::Node<'_>> {
    let mut cursor = root.walk();
    loop {
        cursor.goto_first_child_for_byte(byte)?;
        let node = cursor.node();
        if node.start_byte() > byte {
            return None;
        }
        if node.kind() != "stage" {
            return Some(node);
        }
    }
}

/// A comment some rule or the suppression parser reads.
fn comment_matters(comment: &str) -> bool {
    let lower = comment.to_ascii_lowercase();
    lower.contains("dockfix")
        || lower.contains("hadolint")
        || !crate::semantics::secrets::find_secrets(comment).is_empty()
}

/// Whether [`shift_across`] would return `diagnostics` unchanged: every
/// range (diagnostic or fix edit) ends before the span, or lies after it and
/// the edit kept the length (the common cases of typing at the end of a file
/// or replacing a character), so the same list can be kept without copying it.
pub fn unmoved(diagnostics: &[Diagnostic], old_span: Range<usize>, new_len: usize) -> bool {
    let same_length = new_len == old_span.len();
    let unmoved = |range: &Range<usize>| {
        range.end < old_span.start || (same_length && range.start > old_span.end)
    };
    diagnostics.iter().all(|d| {
        unmoved(&d.range)
            && d.fix
                .as_ref()
                .is_none_or(|fix| fix.edits.iter().all(|e| unmoved(&e.range)))
    })
}

/// The diagnostics of the text before an edit, moved to the text after it:
/// `old_span` (whole trivia lines of the old text) became `new_len` bytes.
/// `None` when a diagnostic or a fix edit touches the span.
pub fn shift_across(
    diagnostics: &[Diagnostic],
    old_span: Range<usize>,
    new_len: usize,
) -> Option<Vec<Diagnostic>> {
    let delta = new_len as isize - old_span.len() as isize;
    let (start, end) = (old_span.start, old_span.end);
    let shift = |offset: usize| offset.checked_add_signed(delta);
    // Before or after the span, never touching it.
    let apart = |range: &Range<usize>| -> Option<Range<usize>> {
        if range.end < start {
            Some(range.clone())
        } else if range.start > end {
            Some(shift(range.start)?..shift(range.end)?)
        } else {
            None
        }
    };
    diagnostics
        .iter()
        .map(|diagnostic| {
            let mut diagnostic = diagnostic.clone();
            // A diagnostic may enclose the span (a whole stage); an edit may
            // not, its text could depend on the comments it rewrites.
            diagnostic.range = match apart(&diagnostic.range) {
                Some(range) => range,
                None if diagnostic.range.start < start && diagnostic.range.end > end => {
                    diagnostic.range.start..shift(diagnostic.range.end)?
                }
                None => return None,
            };
            if let Some(fix) = &mut diagnostic.fix {
                for edit in &mut fix.edits {
                    edit.range = apart(&edit.range)?;
                }
            }
            Some(diagnostic)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(text: &str, range: Range<usize>) -> Option<Range<usize>> {
        trivia_lines(&Document::new(text), range)
    }

    #[test]
    fn comment_lines_between_instructions_are_trivia() {
        let text = "FROM a\n# one\n\n# two\nRUN b\n";
        let at = text.find("one").unwrap_or_default();
        assert_eq!(span(text, at..at + 1), Some(7..13));
        let blank = text.find("\n\n").unwrap_or_default() + 1;
        assert_eq!(span(text, blank..blank), Some(13..13));
        assert_eq!(
            span(text, blank..blank + 1),
            Some(13..14),
            "deleting the blank line"
        );
        // An insertion at the start of the RUN line.
        let run = text.find("RUN").unwrap_or_default();
        assert_eq!(span(text, run..run), Some(run..run));
    }

    #[test]
    fn instructions_directives_and_suppressions_are_not() {
        let text = "# syntax=docker/dockerfile:1\nFROM a\nRUN b \\\n  # inside\n  c\n";
        assert_eq!(span(text, 1..2), None, "the directive");
        let inside = text.find("inside").unwrap_or_default();
        assert_eq!(span(text, inside..inside), None, "a comment inside RUN");
        let run = text.find("RUN").unwrap_or_default();
        assert_eq!(span(text, run + 1..run + 2), None);
        let text = "FROM a\n# note\n# dockfix ignore=DF101\nUSER 0\n";
        let at = text.find("note").unwrap_or_default();
        assert_eq!(span(text, at..at), None, "a suppression in the gap");
        let text = "FROM a\n# ghp_4Gd8kQw2ZrT6yN1pXc7vB3mL9sH5jF0aE2uR\nUSER 0\n";
        assert_eq!(span(text, 9..9), None, "a credential in the gap");
    }

    #[test]
    fn diagnostics_before_and_after_move_and_touching_ones_refuse() {
        let diagnostic = |range: Range<usize>| Diagnostic {
            code: "DF000",
            name: "test",
            severity: crate::Severity::Warning,
            range,
            message: String::new(),
            fix: None,
            tag: None,
        };
        let moved = shift_across(&[diagnostic(0..5), diagnostic(20..30)], 10..12, 5);
        let ranges: Vec<_> = moved
            .unwrap_or_default()
            .into_iter()
            .map(|d| d.range)
            .collect();
        assert_eq!(ranges, vec![0..5, 23..33]);
        assert!(shift_across(&[diagnostic(5..10)], 10..12, 5).is_none());
        assert!(shift_across(&[diagnostic(12..14)], 10..12, 5).is_none());
        assert!(shift_across(&[diagnostic(11..11)], 10..12, 5).is_none());
        assert!(shift_across(&[diagnostic(12..12)], 10..12, 5).is_none());
        assert_eq!(
            shift_across(&[diagnostic(2..20)], 10..12, 0).map(|d| d[0].range.clone()),
            Some(2..18)
        );
    }
}
