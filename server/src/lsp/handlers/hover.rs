//! `textDocument/hover`: over a diagnostic, the rule's explanation (the same
//! text as `dockfix rule DFxxx`); over a base image, what the knowledge base
//! says about it (distro family, users, end of life).

use tower_lsp_server::ls_types::*;

use crate::lsp::convert;
use crate::lsp::state::State;
use crate::semantics::{Base, Semantics};

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
    let mut markdown = String::new();
    let mut range = None;
    let model = crate::syntax::Dockerfile::from_tree(&snapshot.tree, &snapshot.text);
    if let Some((image_range, text)) = image_hover(&snapshot, &model, offset) {
        markdown.push_str(&text);
        range = Some(image_range);
    }
    let mut explained = Vec::new();
    for d in &here {
        if !markdown.is_empty() {
            markdown.push_str("\n\n---\n\n");
        }
        markdown.push_str(&format!("**{}** `{}`: {}", d.code, d.name, d.message));
        if let Some(fix) = &d.fix {
            markdown.push_str(&format!(
                "\n\nFix ({}): {}",
                fix.applicability.as_str(),
                fix.title
            ));
        }
        range.get_or_insert(d.range.clone());
        if !explained.contains(&d.code) {
            explained.push(d.code);
            if let Some(rule) = crate::rules::find(d.code) {
                markdown.push_str("\n\n");
                markdown.push_str(rule.docs());
            }
        }
    }
    if markdown.is_empty() {
        return None;
    }
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: markdown.trim_end().to_owned(),
        }),
        range: range.map(|r| convert::range(rope, r, encoding)),
    })
}

/// What is known about the base image under the cursor.
fn image_hover(
    snapshot: &super::diagnostics::Snapshot,
    model: &crate::syntax::Dockerfile,
    offset: usize,
) -> Option<(std::ops::Range<usize>, String)> {
    let (stage_index, written) = model.stages.iter().find_map(|stage| {
        let image = model.instructions.get(stage.from)?.image.as_ref()?;
        (image.range.start <= offset && offset <= image.range.end)
            .then(|| (stage.index, image.range.clone()))
    })?;
    let semantics = Semantics::new(model, &snapshot.text, &snapshot.shells);
    let facts = semantics.stages.get(stage_index)?;
    let mut out = String::new();
    match &facts.base {
        Base::Scratch => {
            out.push_str("**scratch**: the empty image: no shell, no users, no libraries.")
        }
        Base::Stage(parent) => {
            let name = semantics
                .stages
                .get(*parent)
                .and_then(|s| s.name.clone())
                .unwrap_or_else(|| parent.to_string());
            out.push_str(&format!("Stage `{name}` of this Dockerfile."));
        }
        Base::Unresolved(text) => out.push_str(&format!(
            "`{text}`: set by a build argument without a default."
        )),
        Base::Image(image) => {
            out.push_str(&format!("**{}**", image.reference));
            match &image.info {
                None => out.push_str("\n\nNot in dockfix's knowledge base."),
                Some(info) => {
                    let name = &info.name;
                    let origin = if info.official {
                        "Docker official image"
                    } else if info.verified_publisher {
                        "verified publisher"
                    } else {
                        name.registry.as_str()
                    };
                    out.push_str(&format!(" ({origin})\n\n"));
                    out.push_str(&format!("- Distribution: {}\n", info.family.name()));
                    match &info.default_user {
                        Some(user) => out.push_str(&format!(
                            "- Runs as: `{}` ({}) by default\n",
                            user.name, user.uid
                        )),
                        None => out.push_str("- Runs as: root by default\n"),
                    }
                    if !info.users.is_empty() {
                        let users: Vec<String> = info
                            .users
                            .iter()
                            .map(|u| format!("`{}` ({}:{})", u.name, u.uid, u.gid))
                            .collect();
                        out.push_str(&format!("- Ships users: {}\n", users.join(", ")));
                    }
                    if let Some(cycle) = &info.cycle {
                        let status = match (
                            crate::knowledge::is_eol(info, snapshot.options.today),
                            cycle.eol,
                        ) {
                            (Some(date), _) => format!("**end of life since {date}**"),
                            (None, Some(date)) => format!("supported until {date}"),
                            (None, None) => "supported".to_owned(),
                        };
                        let lts = if cycle.lts { " (LTS)" } else { "" };
                        out.push_str(&format!("- Release {}{lts}: {status}\n", cycle.name));
                    }
                    if let Some(note) = &info.deprecated {
                        out.push_str(&format!("- Deprecated: {note}\n"));
                    }
                    out.push_str(&format!(
                        "\n_Knowledge base as of {}._",
                        crate::knowledge::as_of()
                    ));
                }
            }
        }
    }
    Some((written, out))
}
