//! A Dockerfile being edited: a rope, the text, the Dockerfile tree and one
//! bash tree per shell-form instruction, all updated incrementally.

use std::ops::Range;
use std::sync::OnceLock;

use ropey::Rope;
use tree_sitter::{InputEdit, Parser, Point, Tree};

use super::shell::{ByteEdit, ShellTrees};
use super::{dockerfile_language, Dockerfile};

/// An open Dockerfile. Edits are byte ranges; `lsp/` converts positions.
pub struct Document {
    rope: Rope,
    text: String,
    /// Whether the bash trees are dropped once their commands are extracted.
    compact: bool,
    /// The trees of the current text; empty while the document rests
    /// ([`Document::rest`]) until something asks for them again.
    parsed: OnceLock<Parsed>,
}

/// What parsing the text gives; re-built from the text on demand.
struct Parsed {
    parser: Parser,
    tree: Tree,
    shells: ShellTrees,
}

impl Parsed {
    fn new(rope: &Rope, text: &str, compact: bool) -> Self {
        let mut parser = new_parser();
        let tree = parse_with(&mut parser, rope, None);
        let mut shells = if compact {
            ShellTrees::compact()
        } else {
            ShellTrees::default()
        };
        shells.rebuild(&tree, text);
        Parsed {
            parser,
            tree,
            shells,
        }
    }
}

impl std::fmt::Debug for Document {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Document")
            .field("len", &self.text.len())
            .finish_non_exhaustive()
    }
}

/// A tree-sitter parser for our grammar.
pub fn new_parser() -> Parser {
    super::parser_for(&dockerfile_language())
}

/// Parses `source` from scratch, reading from `chunk`.
fn parse_with(parser: &mut Parser, rope: &Rope, old: Option<&Tree>) -> Tree {
    let mut read = |byte: usize, _: Point| -> &[u8] {
        if byte >= rope.len_bytes() {
            return &[];
        }
        let (chunk, chunk_start, _, _) = rope.chunk_at_byte(byte);
        chunk
            .as_bytes()
            .get(byte - chunk_start..)
            .unwrap_or_default()
    };
    match parser.parse_with_options(&mut read, old, None) {
        Some(tree) => tree,
        None => {
            // Only a missing language or a cancellation makes tree-sitter give up;
            // neither applies here, but a fresh parser never fails either.
            *parser = new_parser();
            #[allow(clippy::expect_used)]
            parser
                .parse_with_options(&mut read, None, None)
                .expect("a parser with a language always returns a tree")
        }
    }
}

impl Document {
    /// Parses a new document.
    pub fn new(text: &str) -> Self {
        Self::parsed(text, false)
    }

    /// A document that keeps the commands of its shell instructions but not
    /// their bash trees (for editors holding many documents open).
    pub fn new_compact(text: &str) -> Self {
        Self::parsed(text, true)
    }

    fn parsed(text: &str, compact: bool) -> Self {
        let rope = Rope::from_str(text);
        let parsed = OnceLock::from(Parsed::new(&rope, text, compact));
        Document {
            rope,
            text: text.to_owned(),
            compact,
            parsed,
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn rope(&self) -> &Rope {
        &self.rope
    }

    fn trees(&self) -> &Parsed {
        self.parsed
            .get_or_init(|| Parsed::new(&self.rope, &self.text, self.compact))
    }

    /// The Dockerfile tree (parsed again first if the document rests).
    pub fn tree(&self) -> &Tree {
        &self.trees().tree
    }

    pub fn shells(&self) -> &ShellTrees {
        &self.trees().shells
    }

    /// Drops the trees; they are parsed again from the text when next needed.
    /// The trees take about ten times the memory of the text, and an editor
    /// may keep many documents open that nobody edits.
    pub fn rest(&mut self) {
        self.parsed = OnceLock::new();
    }

    /// True while the trees are dropped.
    pub fn is_resting(&self) -> bool {
        self.parsed.get().is_none()
    }

    /// The typed syntax model of the current text.
    pub fn model(&self) -> Dockerfile {
        Dockerfile::from_tree(self.tree(), &self.text)
    }

    /// Replaces `range` (bytes, clamped to the text and to character boundaries)
    /// with `new_text`, then re-parses incrementally.
    pub fn edit(&mut self, range: Range<usize>, new_text: &str) {
        let start = floor_char_boundary(&self.text, range.start.min(self.text.len()));
        let old_end = floor_char_boundary(&self.text, range.end.clamp(start, self.text.len()));
        let start_position = self.point(start);
        let old_end_position = self.point(old_end);

        let old_directives_end = self.parsed.get().map(|p| directives_end(&p.tree));
        let start_char = self.rope.byte_to_char(start);
        let old_end_char = self.rope.byte_to_char(old_end);
        self.rope.remove(start_char..old_end_char);
        self.rope.insert(start_char, new_text);
        self.text.replace_range(start..old_end, new_text);
        // A resting document only keeps its text; the next reader parses it.
        let (Some(parsed), Some(old_directives_end)) = (self.parsed.get_mut(), old_directives_end)
        else {
            return;
        };

        let new_end = start + new_text.len();
        let new_end_position = point(&self.rope, new_end);
        parsed.tree.edit(&InputEdit {
            start_byte: start,
            old_end_byte: old_end,
            new_end_byte: new_end,
            start_position,
            old_end_position,
            new_end_position,
        });
        // Error recovery may reuse tokens lexed in another context, so a tree
        // with errors can differ from a fresh parse: such a tree is parsed
        // again from scratch, so that diagnostics never depend on the edit
        // history. While the old tree has errors the new one most likely has
        // too, so the incremental attempt is skipped.
        let incremental = (!parsed.tree.root_node().has_error())
            .then(|| parse_with(&mut parsed.parser, &self.rope, Some(&parsed.tree)));
        parsed.tree = match incremental {
            Some(tree) if !tree.root_node().has_error() => tree,
            _ => parse_with(&mut parsed.parser, &self.rope, None),
        };
        if start <= old_directives_end.max(directives_end(&parsed.tree)) {
            // The escape directive decides how every later line is read.
            parsed.shells.rebuild(&parsed.tree, &self.text);
        } else {
            parsed.shells.update(
                &parsed.tree,
                &self.text,
                ByteEdit {
                    start,
                    old_end,
                    new_end,
                },
            );
        }
    }

    /// The tree-sitter point (row, byte column) of a byte offset.
    pub fn point(&self, byte: usize) -> Point {
        point(&self.rope, byte)
    }
}

fn point(rope: &Rope, byte: usize) -> Point {
    let byte = byte.min(rope.len_bytes());
    let row = rope.byte_to_line(byte);
    Point {
        row,
        column: byte - rope.line_to_byte(row),
    }
}

pub(crate) fn floor_char_boundary(text: &str, mut index: usize) -> usize {
    while index > 0 && !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

/// The end of the parser directives (and of any comment or blank line before
/// the first instruction): edits there may change how every line is read.
fn directives_end(tree: &Tree) -> usize {
    let root = tree.root_node();
    let mut cursor = root.walk();
    let mut end = 0;
    for child in root.children(&mut cursor) {
        if matches!(child.kind(), "parser_directive" | "comment") {
            end = child.end_byte();
        } else {
            break;
        }
    }
    end
}
