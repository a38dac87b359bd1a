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

use crate::syntax::Document;
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
    // Comments, directives and instructions, across stage boundaries.
    let mut children = Vec::new();
    crate::syntax::for_each_item(root, |item| children.push(item));
    // Directives are read up to the first instruction: stay after its start.
    let first_instruction = children
        .iter()
        .position(|c| !matches!(c.kind(), "comment" | "parser_directive"))?;
    if line_start <= children[first_instruction].start_byte() {
        return None;
    }
    // The gap: the top-level comments between the instructions around the span.
    let gap_start = children
        .iter()
        .rposition(|c| c.kind() != "comment" && c.start_byte() < line_start)
        .map_or(0, |i| i + 1);
    if gap_start > 0 && children[gap_start - 1].end_byte() > line_start {
        return None; // inside an instruction (a continuation line, a heredoc)
    }
    for child in &children[gap_start..] {
        if child.kind() != "comment" {
            if child.start_byte() < line_end {
                return None;
            }
            break;
        }
        if comment_matters(text.get(child.byte_range()).unwrap_or_default()) {
            return None;
        }
    }
    Some(line_start..line_end)
}

/// A comment some rule or the suppression parser reads.
fn comment_matters(comment: &str) -> bool {
    let lower = comment.to_ascii_lowercase();
    lower.contains("dockfix")
        || lower.contains("hadolint")
        || !crate::semantics::secrets::find_secrets(comment).is_empty()
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

fn floor_char_boundary(text: &str, mut index: usize) -> usize {
    while index > 0 && !text.is_char_boundary(index) {
        index -= 1;
    }
    index
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
