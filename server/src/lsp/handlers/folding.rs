//! `textDocument/foldingRange`: stages, multi-line instructions, heredocs and
//! comment blocks.

use tower_lsp_server::ls_types::*;

use crate::lsp::convert;
use crate::lsp::state::State;

pub fn folding_range(state: &State, params: &FoldingRangeParams) -> Option<Vec<FoldingRange>> {
    let encoding = state.encoding();
    let documents = state.documents();
    let open = documents.get(&params.text_document.uri)?;
    let rope = open.document.rope();
    let model = open.document.model();
    let mut ranges = Vec::new();
    let mut fold = |start: usize, end: usize, kind: Option<FoldingRangeKind>| {
        let start = convert::position(rope, start, encoding).line;
        let end = convert::position(rope, end, encoding).line;
        if end > start {
            ranges.push(FoldingRange {
                start_line: start,
                end_line: end,
                kind,
                ..Default::default()
            });
        }
    };
    for stage in &model.stages {
        let first = model.instructions.get(stage.from);
        let last = model
            .instructions
            .get(stage.instructions.end.saturating_sub(1));
        if let (Some(first), Some(last)) = (first, last) {
            fold(
                first.range.start,
                last.line_range.end.max(last.range.end.saturating_sub(1)),
                Some(FoldingRangeKind::Region),
            );
        }
    }
    for instruction in &model.instructions {
        fold(
            instruction.range.start,
            instruction.range.end.saturating_sub(1),
            None,
        );
        for heredoc in &instruction.heredocs {
            if let Some(end) = &heredoc.end {
                fold(heredoc.marker.start, end.start, None);
            }
        }
    }
    // Runs of comment lines.
    let mut run: Option<(usize, usize)> = None;
    let text = open.document.text();
    for comment in &model.comments {
        match run {
            Some((start, end))
                if text
                    .get(end..comment.start)
                    .is_some_and(|gap| gap.trim().is_empty() && gap.matches('\n').count() <= 1) =>
            {
                run = Some((start, comment.end));
            }
            _ => {
                if let Some((start, end)) = run {
                    fold(start, end, Some(FoldingRangeKind::Comment));
                }
                run = Some((comment.start, comment.end));
            }
        }
    }
    if let Some((start, end)) = run {
        fold(start, end, Some(FoldingRangeKind::Comment));
    }
    Some(ranges)
}
