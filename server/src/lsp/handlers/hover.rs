//! `textDocument/hover`: the explanation of the diagnostics under the cursor.

use tower_lsp_server::ls_types::*;

use crate::lsp::convert;
use crate::lsp::state::State;

pub fn hover(state: &State, params: &HoverParams) -> Option<Hover> {
    let encoding = state.encoding();
    // Analyse a snapshot, not under the documents lock: edits keep flowing.
    let snapshot = super::diagnostics::snapshot(
        state,
        &params.text_document_position_params.text_document.uri,
    )?;
    let rope = &snapshot.rope;
    let offset = convert::offset(
        rope,
        params.text_document_position_params.position,
        encoding,
    );
    let diagnostics = snapshot.analyze();
    let here: Vec<_> = diagnostics
        .iter()
        .filter(|d| d.range.start <= offset && offset <= d.range.end.max(d.range.start + 1))
        .collect();
    let first = here.first()?;
    let mut markdown = String::new();
    for d in &here {
        markdown.push_str(&format!("**{}** `{}`: {}\n\n", d.code, d.name, d.message));
        if d.code == "DF001" {
            markdown.push_str(
                "BuildKit rejects this Dockerfile: `docker build` fails before running anything. \
                 dockfix reads Dockerfiles exactly as BuildKit's parser and instruction checks do.\n\n",
            );
        }
    }
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: markdown.trim_end().to_owned(),
        }),
        range: Some(convert::range(rope, first.range.clone(), encoding)),
    })
}
