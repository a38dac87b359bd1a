//! `textDocument/documentSymbol`: stages as parents, instructions as children.

use tower_lsp_server::ls_types::*;

use crate::lsp::convert;
use crate::lsp::state::State;
use crate::syntax::{Instruction, InstructionKind};

/// A short label: the keyword and the start of its arguments.
fn label(instruction: &Instruction, text: &str) -> String {
    let line = text.get(instruction.line_range.clone()).unwrap_or_default();
    let first_line = line
        .lines()
        .next()
        .unwrap_or_default()
        .trim_end_matches(['\\', '`', ' ']);
    let mut label: String = first_line.chars().take(60).collect();
    if first_line.chars().count() > 60 {
        label.push('…');
    }
    if label.trim().is_empty() {
        instruction.kind.keyword().to_owned()
    } else {
        label
    }
}

fn kind_of(instruction: &Instruction) -> SymbolKind {
    match instruction.kind {
        InstructionKind::From => SymbolKind::CLASS,
        InstructionKind::Arg | InstructionKind::Env => SymbolKind::VARIABLE,
        InstructionKind::Label => SymbolKind::PROPERTY,
        InstructionKind::Expose => SymbolKind::NUMBER,
        InstructionKind::Cmd
        | InstructionKind::Entrypoint
        | InstructionKind::Run
        | InstructionKind::Healthcheck => SymbolKind::FUNCTION,
        _ => SymbolKind::FIELD,
    }
}

#[allow(deprecated)] // `DocumentSymbol::deprecated` must be set; it is `None`.
pub fn document_symbol(
    state: &State,
    params: &DocumentSymbolParams,
) -> Option<DocumentSymbolResponse> {
    let encoding = state.encoding();
    let documents = state.documents();
    let open = documents.get(&params.text_document.uri)?;
    let text = open.document.text();
    let rope = open.document.rope();
    let model = open.document.model();
    let symbol = |instruction: &Instruction,
                  children: Option<Vec<DocumentSymbol>>,
                  name: String| DocumentSymbol {
        name,
        detail: None,
        kind: kind_of(instruction),
        tags: None,
        deprecated: None,
        range: convert::range(rope, instruction.range.clone(), encoding),
        selection_range: convert::range(rope, instruction.keyword.clone(), encoding),
        children,
    };
    let mut symbols = Vec::new();
    let first_stage = model
        .stages
        .first()
        .map_or(model.instructions.len(), |s| s.from);
    for instruction in &model.instructions[..first_stage] {
        symbols.push(symbol(instruction, None, label(instruction, text)));
    }
    for stage in &model.stages {
        let Some(from) = model.instructions.get(stage.from) else {
            continue;
        };
        let children: Vec<DocumentSymbol> = model.instructions[stage.instructions.clone()]
            .iter()
            .skip(1)
            .map(|i| symbol(i, None, label(i, text)))
            .collect();
        let mut parent = symbol(
            from,
            Some(children),
            format!("stage {}: {}", stage.index, label(from, text)),
        );
        if let Some(last) = model
            .instructions
            .get(stage.instructions.end.saturating_sub(1))
        {
            parent.range = convert::range(rope, from.range.start..last.range.end, encoding);
        }
        symbols.push(parent);
    }
    Some(DocumentSymbolResponse::Nested(symbols))
}
