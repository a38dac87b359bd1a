//! One tree-sitter-bash tree per shell-form instruction (RUN, CMD, ENTRYPOINT,
//! HEALTHCHECK CMD, and their ONBUILD triggers).
//!
//! Each tree is parsed over the instruction's own bytes with included ranges
//! that skip what bash must not see (Dockerfile comment lines and blank lines
//! inside a continuation), so node offsets map back to the document by adding
//! the instruction's start. A tree is re-parsed only when the text of its
//! instruction changed; an unclosed quote therefore never leaks into the next
//! instruction.

use std::collections::HashMap;
use std::ops::Range;

use tree_sitter::{Node, Parser, Point, Tree};

/// The bash tree of one instruction.
#[derive(Debug, Clone)]
pub struct ShellTree {
    /// The instruction's byte range in the document.
    pub instruction: Range<usize>,
    /// Ranges of the document given to bash, in document offsets.
    pub ranges: Vec<Range<usize>>,
    /// The bash tree; its offsets are relative to `instruction.start`.
    pub tree: Tree,
    /// The instruction text and its relative ranges: equal keys mean equal trees.
    key: String,
}

impl ShellTree {
    /// The document range of a node of this tree.
    pub fn document_range(&self, node: Node<'_>) -> Range<usize> {
        let start = self.instruction.start;
        start + node.start_byte()..start + node.end_byte()
    }
}

/// The bash trees of a document, in document order.
#[derive(Default)]
pub struct ShellTrees {
    parser: Option<Parser>,
    trees: Vec<ShellTree>,
    /// Trees parsed by the last update (the others were reused unchanged).
    pub last_reparsed: usize,
}

impl std::fmt::Debug for ShellTrees {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShellTrees").field("trees", &self.trees.len()).finish_non_exhaustive()
    }
}

/// A tree-sitter parser for bash.
pub fn new_bash_parser() -> Parser {
    let mut parser = Parser::new();
    // tree-sitter-bash 0.25 needs ABI 15, which tree-sitter 0.25 loads; the
    // `languages_load` test guards this.
    #[allow(clippy::expect_used)]
    parser.set_language(&tree_sitter_bash::LANGUAGE.into()).expect("tree-sitter-bash matches the tree-sitter ABI");
    parser
}

impl ShellTrees {
    pub fn trees(&self) -> &[ShellTree] {
        &self.trees
    }

    /// The bash tree of the instruction starting at `start`.
    pub fn for_instruction(&self, start: usize) -> Option<&ShellTree> {
        self.trees.binary_search_by_key(&start, |t| t.instruction.start).ok().and_then(|i| self.trees.get(i))
    }

    /// Brings the trees in line with a new Dockerfile tree of `source`,
    /// re-parsing only instructions whose text changed.
    pub fn update(&mut self, tree: &Tree, source: &str) {
        let mut jobs = Vec::new();
        collect_shell_instructions(tree.root_node(), source, &mut jobs);
        let mut old: HashMap<String, Vec<ShellTree>> = HashMap::new();
        for shell in std::mem::take(&mut self.trees) {
            old.entry(shell.key.clone()).or_default().push(shell);
        }
        self.last_reparsed = 0;
        for (instruction, ranges) in jobs {
            let Some(text) = source.get(instruction.clone()) else { continue };
            let relative: Vec<Range<usize>> =
                ranges.iter().map(|r| r.start - instruction.start..r.end - instruction.start).collect();
            let key = make_key(text, &relative);
            let shell = match old.get_mut(&key).and_then(Vec::pop) {
                Some(mut shell) => {
                    shell.instruction = instruction;
                    shell.ranges = ranges;
                    shell
                }
                None => {
                    self.last_reparsed += 1;
                    let parser = self.parser.get_or_insert_with(new_bash_parser);
                    let Some(tree) = parse_bash(parser, text, &relative) else { continue };
                    ShellTree { instruction, ranges, tree, key }
                }
            };
            self.trees.push(shell);
        }
    }
}

fn make_key(text: &str, ranges: &[Range<usize>]) -> String {
    let mut key = String::with_capacity(text.len() + ranges.len() * 8);
    for r in ranges {
        key.push_str(&format!("{}-{},", r.start, r.end));
    }
    key.push('\n');
    key.push_str(text);
    key
}

/// Parses `text` as bash over `ranges` (relative to `text`).
pub fn parse_bash(parser: &mut Parser, text: &str, ranges: &[Range<usize>]) -> Option<Tree> {
    let included: Vec<tree_sitter::Range> = ranges
        .iter()
        .filter(|r| r.start < r.end)
        .map(|r| tree_sitter::Range {
            start_byte: r.start,
            end_byte: r.end,
            start_point: point_in(text, r.start),
            end_point: point_in(text, r.end),
        })
        .collect();
    if included.is_empty() || parser.set_included_ranges(&included).is_err() {
        return None;
    }
    let tree = parser.parse(text, None);
    let _ = parser.set_included_ranges(&[]);
    tree
}

fn point_in(text: &str, byte: usize) -> Point {
    let before = text.get(..byte).unwrap_or(text);
    let row = before.bytes().filter(|&b| b == b'\n').count();
    let column = before.rfind('\n').map_or(before.len(), |nl| before.len() - nl - 1);
    Point { row, column }
}

/// Finds shell-form commands: `(instruction range, document ranges for bash)`.
fn collect_shell_instructions(root: Node<'_>, source: &str, out: &mut Vec<(Range<usize>, Vec<Range<usize>>)>) {
    let mut cursor = root.walk();
    for node in root.children(&mut cursor) {
        collect_instruction(node, node.byte_range(), source, out);
    }
}

fn collect_instruction(
    node: Node<'_>,
    instruction: Range<usize>,
    source: &str,
    out: &mut Vec<(Range<usize>, Vec<Range<usize>>)>,
) {
    match node.kind() {
        "onbuild_instruction" => {
            if let Some(inner) = node.child_by_field_name("instruction") {
                collect_instruction(inner, instruction, source, out);
            }
        }
        "run_instruction" | "cmd_instruction" | "entrypoint_instruction" | "healthcheck_instruction" => {
            let Some(command) = node.child_by_field_name("command").filter(|c| c.kind() == "shell_command") else {
                return;
            };
            let mut ranges = shell_ranges(command, source);
            // Heredoc bodies follow the command line; bash reads them the same way.
            let mut cursor = node.walk();
            let heredocs: Vec<Node<'_>> = node.children_by_field_name("heredoc", &mut cursor).collect();
            if let (Some(first), Some(last)) = (heredocs.first(), heredocs.last()) {
                let newline = source.get(command.end_byte()..first.start_byte()).map_or(0, |gap| gap.rfind('\n').map_or(0, |i| i));
                ranges.push(command.end_byte() + newline..last.end_byte());
            }
            out.push((instruction, ranges));
        }
        _ => {}
    }
}

/// The command's bytes without the comment and blank lines of continuations.
fn shell_ranges(command: Node<'_>, source: &str) -> Vec<Range<usize>> {
    let mut ranges: Vec<Range<usize>> = Vec::new();
    let mut cursor = command.walk();
    let mut open = false;
    for child in command.children(&mut cursor) {
        let mut range = child.byte_range();
        let mut keep_open = true;
        // A continuation carries the lines BuildKit skips; bash sees only its
        // escape and newline, and the next child starts a new range.
        if child.kind() == "line_continuation" {
            if let Some(newline) = source.get(range.clone()).and_then(|t| t.find('\n')) {
                let end = range.start + newline + 1;
                keep_open = end == range.end;
                range.end = end;
            }
        }
        match ranges.last_mut() {
            Some(last) if open && !source.get(last.end..range.start).unwrap_or_default().contains('\n') => {
                last.end = range.end;
            }
            _ => ranges.push(range),
        }
        open = keep_open;
    }
    ranges
}
