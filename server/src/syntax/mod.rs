//! The syntax layer: our Dockerfile grammar, the document with incremental
//! re-parsing, typed views, bash trees for shell text, BuildKit's view of each
//! instruction, and syntax errors (DF001). Parsing never fails: every input
//! yields a tree, a model and a list of syntax errors.

pub mod buildkit;
pub mod commands;
mod document;
mod errors;
mod model;
mod shell;

pub(crate) use document::floor_char_boundary;
pub use document::{new_parser, Document};
pub(crate) use errors::{is_template, is_template_line};
pub use errors::{syntax_errors, SyntaxError};
pub use model::{
    CommandForm, Directive, Dockerfile, Flag, Heredoc, ImageRef, Instruction, InstructionKind,
    KeyValue, Stage,
};
pub use shell::{new_bash_parser, parse_bash, ByteEdit, ShellTree, ShellTrees};

/// The length in bytes of the variable name at the start of `text`, read as
/// BuildKit's lexer reads one after `$` or `${` (`processName`): a run of
/// decimal digits (a positional parameter), one special parameter character,
/// or Unicode letters (Go's `unicode.IsLetter`), decimal digits
/// (`unicode.IsDigit`) and `_` not starting with a digit. 0 when no name
/// starts there.
pub fn variable_name_len(text: &str) -> usize {
    let mut chars = text.char_indices();
    let run = |chars: std::str::CharIndices<'_>, keep: &dyn Fn(char) -> bool| {
        chars
            .clone()
            .find(|&(_, c)| !keep(c))
            .map_or(text.len(), |(i, _)| i)
    };
    match chars.next() {
        Some((_, c)) if is_decimal_digit(c) => run(chars, &is_decimal_digit),
        Some((_, '@' | '*' | '#' | '?' | '$' | '!' | '-')) => 1,
        Some((_, c)) if is_name_letter(c) => {
            run(chars, &|c| is_name_letter(c) || is_decimal_digit(c))
        }
        _ => 0,
    }
}

/// A name a Dockerfile can define (ARG, ENV): not a positional or special
/// parameter. The grammar's `variable` token for it is
/// `/[\p{L}_][\p{L}\p{Nd}_]*/`.
pub fn is_ordinary_variable_name(name: &str) -> bool {
    name.starts_with(is_name_letter) && variable_name_len(name) == name.len()
}

fn is_name_letter(c: char) -> bool {
    use unicode_general_category::{get_general_category, GeneralCategory as G};
    c == '_'
        || c.is_ascii_alphabetic()
        || (!c.is_ascii()
            && matches!(
                get_general_category(c),
                G::UppercaseLetter
                    | G::LowercaseLetter
                    | G::TitlecaseLetter
                    | G::ModifierLetter
                    | G::OtherLetter
            ))
}

fn is_decimal_digit(c: char) -> bool {
    use unicode_general_category::{get_general_category, GeneralCategory};
    c.is_ascii_digit()
        || (!c.is_ascii() && get_general_category(c) == GeneralCategory::DecimalNumber)
}

/// A parser for one of the two grammars compiled into this binary.
fn parser_for(language: &tree_sitter::Language) -> tree_sitter::Parser {
    let mut parser = tree_sitter::Parser::new();
    // Both grammars are built with an ABI this tree-sitter loads (tree-sitter-bash
    // 0.25 needs ABI 15); the `languages_load` test guards this.
    #[allow(clippy::expect_used)]
    parser
        .set_language(language)
        .expect("the grammar matches the tree-sitter ABI");
    parser
}

/// Our Dockerfile grammar.
pub fn dockerfile_language() -> tree_sitter::Language {
    tree_sitter_dockerfile_dockfix::LANGUAGE.into()
}

/// BuildKit's instruction list for a document, or the first error BuildKit's
/// parser would raise.
pub fn buildkit_commands(
    model: &Dockerfile,
    source: &str,
) -> Result<Vec<buildkit::Command>, buildkit::ParseError> {
    errors::buildkit_parse(model, source)
}

/// The S-expression of a tree, with field names, written without recursion:
/// the instruction list is left-recursive, so trees are as deep as a file has
/// instructions, deeper than tree-sitter's recursive printer can go.
pub fn sexp(tree: &tree_sitter::Tree) -> String {
    let mut out = String::new();
    let mut cursor = tree.walk();
    let mut depth = 0usize;
    loop {
        let node = cursor.node();
        if node.is_named() || node.is_missing() {
            if !out.is_empty() {
                out.push('\n');
                out.push_str(&"  ".repeat(depth));
            }
            if let Some(field) = cursor.field_name() {
                out.push_str(field);
                out.push_str(": ");
            }
            out.push('(');
            if node.is_missing() {
                out.push_str("MISSING ");
            }
            out.push_str(node.kind());
            let range = node.range();
            out.push_str(&format!(
                " [{}, {}] - [{}, {}]",
                range.start_point.row,
                range.start_point.column,
                range.end_point.row,
                range.end_point.column
            ));
        }
        if cursor.goto_first_child() {
            if node.is_named() {
                depth += 1;
            }
            continue;
        }
        // Close this node and every ancestor that has no next sibling.
        let mut current = node;
        loop {
            if current.is_named() || current.is_missing() {
                out.push(')');
            }
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return out;
            }
            current = cursor.node();
            if current.is_named() {
                depth = depth.saturating_sub(1);
            }
        }
    }
}

/// Node kind ids looked up once: comparing ids avoids string conversions in
/// per-edit walks.
pub(crate) struct Kinds {
    pub stage: u16,
    pub onbuild: u16,
    pub shell_command: u16,
    pub shell_owners: [u16; 4],
}

pub(crate) fn kinds() -> &'static Kinds {
    static KINDS: std::sync::OnceLock<Kinds> = std::sync::OnceLock::new();
    KINDS.get_or_init(|| {
        let language = dockerfile_language();
        let id = |kind: &str| language.id_for_node_kind(kind, true);
        Kinds {
            stage: id("stage"),
            onbuild: id("onbuild_instruction"),
            shell_command: id("shell_command"),
            shell_owners: [
                id("run_instruction"),
                id("cmd_instruction"),
                id("entrypoint_instruction"),
                id("healthcheck_instruction"),
            ],
        }
    })
}

/// Calls `f` for every item of the file (directives, comments, instructions and
/// errors), looking inside `stage` nodes.
pub(crate) fn for_each_item<'t>(
    root: tree_sitter::Node<'t>,
    mut f: impl FnMut(tree_sitter::Node<'t>),
) {
    let stage = kinds().stage;
    let mut cursor = root.walk();
    for child in root.children(&mut cursor) {
        if child.kind_id() == stage {
            let mut inner = child.walk();
            for item in child.children(&mut inner) {
                f(item);
            }
        } else {
            f(child);
        }
    }
}

/// A cursor over the items of the file, across stage boundaries.
pub(crate) struct ItemCursor<'t> {
    cursor: tree_sitter::TreeCursor<'t>,
    in_stage: bool,
}

impl<'t> ItemCursor<'t> {
    /// The first item that ends at or after `byte`.
    pub fn seek(tree: &'t tree_sitter::Tree, byte: usize) -> Option<Self> {
        let mut cursor = tree.walk();
        if !seek_child(&mut cursor, byte) {
            return None;
        }
        let mut items = ItemCursor {
            cursor,
            in_stage: false,
        };
        if items.cursor.node().kind_id() == kinds().stage {
            items.in_stage = true;
            if !seek_child(&mut items.cursor, byte) {
                // Nothing in this stage reaches the byte: continue after it.
                items.in_stage = false;
                return items.advance().then_some(items);
            }
        }
        Some(items)
    }

    pub fn node(&self) -> tree_sitter::Node<'t> {
        self.cursor.node()
    }

    /// Moves to the next item; false at the end of the file.
    pub fn advance(&mut self) -> bool {
        loop {
            if self.cursor.goto_next_sibling() {
                if !self.in_stage && self.cursor.node().kind_id() == kinds().stage {
                    if self.cursor.goto_first_child() {
                        self.in_stage = true;
                        return true;
                    }
                    continue;
                }
                return true;
            }
            if !self.in_stage || !self.cursor.goto_parent() {
                return false;
            }
            self.in_stage = false;
        }
    }
}

/// Moves a cursor to its first child that ends at or after `byte`; on failure
/// the cursor stays where it was.
fn seek_child(cursor: &mut tree_sitter::TreeCursor<'_>, byte: usize) -> bool {
    if cursor
        .goto_first_child_for_byte(byte.saturating_sub(1))
        .is_some()
    {
        return true;
    }
    // tree-sitter's seek gives up, leaving the cursor in place, when a hidden
    // token (a blank line) holds the byte; walk instead. (Not `reset`: it would
    // make this node the cursor's root and hide everything after it.)
    if !cursor.goto_first_child() {
        return false;
    }
    while cursor.node().end_byte() < byte {
        if !cursor.goto_next_sibling() {
            cursor.goto_parent();
            return false;
        }
    }
    true
}

/// Field ids by name, looked up once: `child_by_field_name` compares the name
/// against every field of the grammar on each call.
fn field_ids() -> &'static std::collections::HashMap<&'static str, std::num::NonZeroU16> {
    static IDS: std::sync::OnceLock<std::collections::HashMap<&'static str, std::num::NonZeroU16>> =
        std::sync::OnceLock::new();
    IDS.get_or_init(|| {
        let language = dockerfile_language();
        (1..=language.field_count() as u16)
            .filter_map(|id| {
                Some((
                    language.field_name_for_id(id)?,
                    std::num::NonZeroU16::new(id)?,
                ))
            })
            .collect()
    })
}

/// The id of a field of our grammar (`u16::MAX`, which matches nothing, for an unknown name).
pub(crate) fn field_id(name: &str) -> std::num::NonZeroU16 {
    field_ids()
        .get(name)
        .copied()
        .unwrap_or(std::num::NonZeroU16::MAX)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn variable_names_are_read_as_buildkit_reads_them() {
        let cases = [
            ("NAME}", "NAME"),
            ("_a1-b", "_a1"),
            ("été:-x}", "été"),
            ("名前 rest", "名前"),
            ("x٣}", "x٣"),
            // U+093E (a spacing mark, not a letter) ends Go's name.
            ("नाम}", "न"),
            ("12a}", "12"),
            ("٣٤}", "٣٤"),
            ("@x", "@"),
            ("-}", "-"),
            ("$$", "$"),
            ("%x", ""),
            ("", ""),
        ];
        for (text, name) in cases {
            assert_eq!(&text[..variable_name_len(text)], name, "{text:?}");
        }
        assert!(is_ordinary_variable_name("été"));
        assert!(!is_ordinary_variable_name("1"));
        assert!(!is_ordinary_variable_name("@"));
        assert!(!is_ordinary_variable_name("a-b"));
    }

    /// The grammar's `variable` token and `variable_name_len` agree, in USER
    /// too (where `$UID:$GID` once split at the second `$`).
    #[test]
    fn the_grammar_reads_the_same_names() {
        for name in ["NAME", "_a1", "été", "名前", "x٣", "Ab_9", "ǅx", "ʰa"] {
            let text = format!("FROM alpine\nENV A=${{{name}}}\nUSER ${name}:x\n");
            let document = Document::new(&text);
            let mut found = Vec::new();
            let mut cursor = document.tree().walk();
            loop {
                let node = cursor.node();
                if node.kind() == "variable" {
                    found.push(text[node.byte_range()].to_owned());
                }
                if cursor.goto_first_child() || cursor.goto_next_sibling() {
                    continue;
                }
                while cursor.goto_parent() && !cursor.goto_next_sibling() {}
                if cursor.node() == document.tree().root_node() {
                    break;
                }
            }
            // Without braces the `variable` token includes the `$`.
            assert_eq!(found, [name.to_owned(), format!("${name}")], "{text:?}");
            let model = document.model();
            assert!(
                syntax_errors(document.tree(), &model, &text).is_empty(),
                "{text:?}"
            );
            assert_eq!(variable_name_len(name), name.len());
        }
    }
}
