//! `textDocument/semanticTokens/full` and `/range`, from the grammar's own
//! highlights query (`grammar/queries/highlights.scm`), so editors without a
//! Dockerfile grammar still get exact colouring.

use std::sync::OnceLock;

use tower_lsp_server::ls_types::*;
use tree_sitter::{Query, QueryCursor, StreamingIterator};

use crate::lsp::convert;
use crate::lsp::state::State;

/// Capture name → token type, in legend order.
const TOKEN_TYPES: [(&str, SemanticTokenType); 12] = [
    ("keyword", SemanticTokenType::KEYWORD),
    ("comment", SemanticTokenType::COMMENT),
    ("string", SemanticTokenType::STRING),
    ("number", SemanticTokenType::NUMBER),
    ("variable", SemanticTokenType::VARIABLE),
    ("variable.parameter", SemanticTokenType::PARAMETER),
    ("property", SemanticTokenType::PROPERTY),
    ("operator", SemanticTokenType::OPERATOR),
    ("type", SemanticTokenType::TYPE),
    ("label", SemanticTokenType::NAMESPACE),
    ("attribute", SemanticTokenType::DECORATOR),
    ("keyword.directive", SemanticTokenType::MACRO),
];

pub fn legend() -> SemanticTokensLegend {
    SemanticTokensLegend {
        token_types: TOKEN_TYPES.iter().map(|(_, t)| t.clone()).collect(),
        token_modifiers: Vec::new(),
    }
}

/// The highlights query and, per capture, its token type index.
fn query() -> Option<&'static (Query, Vec<Option<u32>>)> {
    static QUERY: OnceLock<Option<(Query, Vec<Option<u32>>)>> = OnceLock::new();
    QUERY
        .get_or_init(|| {
            let query = Query::new(
                &crate::syntax::dockerfile_language(),
                tree_sitter_dockerfile_dockfix::HIGHLIGHTS_QUERY,
            )
            .ok()?;
            let types = query
                .capture_names()
                .iter()
                .map(|name| {
                    // `string.escape` falls back to `string`, and so on.
                    let mut name: &str = name;
                    loop {
                        if let Some(i) = TOKEN_TYPES.iter().position(|(n, _)| *n == name) {
                            return u32::try_from(i).ok();
                        }
                        name = name.rsplit_once('.')?.0;
                    }
                })
                .collect();
            Some((query, types))
        })
        .as_ref()
}

/// Tokens of `range` (bytes) of a document, delta-encoded.
fn tokens(state: &State, uri: &Uri, range: Option<Range>) -> Option<Vec<SemanticToken>> {
    let snapshot = super::diagnostics::snapshot(state, uri)?;
    let encoding = state.encoding();
    let (query, types) = query()?;
    let bytes = match range {
        Some(r) => {
            convert::offset(&snapshot.rope, r.start, encoding)
                ..convert::offset(&snapshot.rope, r.end, encoding)
        }
        None => 0..snapshot.text.len(),
    };
    let mut cursor = QueryCursor::new();
    cursor.set_byte_range(bytes);
    let mut spans: Vec<(usize, usize, u32)> = Vec::new();
    let mut captures = cursor.captures(query, snapshot.tree.root_node(), snapshot.text.as_bytes());
    while let Some((found, index)) = captures.next() {
        let Some(capture) = found.captures.get(*index) else {
            continue;
        };
        let Some(Some(kind)) = types.get(capture.index as usize) else {
            continue;
        };
        let node = capture.node;
        spans.push((node.start_byte(), node.end_byte(), *kind));
    }
    spans.sort_by_key(|(start, end, _)| (*start, std::cmp::Reverse(*end)));
    // Tokens may not overlap: keep the first (outermost) of overlapping captures
    // unless a later one starts after it ends.
    let mut out = Vec::new();
    let (mut last_line, mut last_start) = (0u32, 0u32);
    let mut covered = 0usize;
    for (start, end, kind) in spans {
        if start < covered || start >= end {
            continue;
        }
        covered = end;
        // Multi-line tokens are split per line (not every client supports them).
        let mut piece_start = start;
        while piece_start < end {
            let line_end = snapshot
                .text
                .get(piece_start..end)
                .and_then(|t| t.find('\n'))
                .map_or(end, |i| piece_start + i);
            if line_end > piece_start {
                let from = convert::position(&snapshot.rope, piece_start, encoding);
                let to = convert::position(&snapshot.rope, line_end, encoding);
                let length = to.character.saturating_sub(from.character);
                if length > 0 {
                    let delta_line = from.line - last_line;
                    let delta_start = if delta_line == 0 {
                        from.character - last_start
                    } else {
                        from.character
                    };
                    out.push(SemanticToken {
                        delta_line,
                        delta_start,
                        length,
                        token_type: kind,
                        token_modifiers_bitset: 0,
                    });
                    last_line = from.line;
                    last_start = from.character;
                }
            }
            piece_start = line_end + 1;
        }
    }
    Some(out)
}

pub fn full(state: &State, params: &SemanticTokensParams) -> Option<SemanticTokensResult> {
    tokens(state, &params.text_document.uri, None).map(|data| {
        SemanticTokensResult::Tokens(SemanticTokens {
            result_id: None,
            data,
        })
    })
}

pub fn range(
    state: &State,
    params: &SemanticTokensRangeParams,
) -> Option<SemanticTokensRangeResult> {
    tokens(state, &params.text_document.uri, Some(params.range)).map(|data| {
        SemanticTokensRangeResult::Tokens(SemanticTokens {
            result_id: None,
            data,
        })
    })
}
