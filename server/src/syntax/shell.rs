//! One tree-sitter-bash tree per shell-form instruction (RUN, CMD, ENTRYPOINT,
//! HEALTHCHECK CMD, and their ONBUILD triggers).
//!
//! Each tree is parsed over the instruction's own bytes with included ranges
//! that skip what bash must not see (Dockerfile comment lines and blank lines
//! inside a continuation), so node offsets map back to the document by adding
//! the instruction's start. A tree is re-parsed only when the text of its
//! instruction changed; an unclosed quote therefore never leaks into the next
//! instruction.

use std::ops::Range;

use tree_sitter::{Node, Parser, Point, Tree};

/// The bash tree of one instruction.
#[derive(Debug, Clone)]
pub struct ShellTree {
    /// The instruction's byte range in the document.
    pub instruction: Range<usize>,
    /// Ranges of the document given to bash, in document offsets.
    pub ranges: Vec<Range<usize>>,
    /// The bash tree; its offsets are relative to `instruction.start`. The
    /// language server drops it once the commands are extracted (rules read
    /// the extracted facts, and a touched instruction is parsed afresh anyway).
    pub tree: Option<Tree>,
    /// The tree's simple commands (document offsets), extracted on first use,
    /// kept while the instruction is unchanged and shifted with it (shared by
    /// snapshots; copied on write while one is alive).
    commands: std::sync::Arc<std::sync::OnceLock<Vec<super::commands::Command>>>,
}

impl ShellTree {
    /// The simple commands of the instruction, with document ranges.
    pub fn commands(&self, source: &str) -> super::commands::Commands {
        self.commands.get_or_init(|| {
            let text = source.get(self.instruction.clone()).unwrap_or_default();
            let Some(tree) = &self.tree else {
                return Vec::new();
            };
            super::commands::commands(tree, text)
                .iter()
                .map(|c| c.shifted(self.instruction.start as isize))
                .collect()
        });
        super::commands::Commands::new(std::sync::Arc::clone(&self.commands))
    }

    /// The document range of a node of this tree.
    pub fn document_range(&self, node: Node<'_>) -> Range<usize> {
        let start = self.instruction.start;
        start + node.start_byte()..start + node.end_byte()
    }

    fn shift(&mut self, delta: isize) {
        if delta == 0 {
            return;
        }
        let shift = |r: &mut Range<usize>| {
            *r = r.start.saturating_add_signed(delta)..r.end.saturating_add_signed(delta)
        };
        shift(&mut self.instruction);
        self.ranges.iter_mut().for_each(shift);
        match std::sync::Arc::get_mut(&mut self.commands) {
            Some(cache) => {
                if let Some(commands) = cache.get_mut() {
                    commands.iter_mut().for_each(|c| c.shift(delta));
                }
            }
            None => {
                let shifted = self.commands.get().map(|commands| {
                    commands
                        .iter()
                        .map(|c| c.shifted(delta))
                        .collect::<Vec<_>>()
                });
                let cache = std::sync::OnceLock::new();
                if let Some(shifted) = shifted {
                    let _ = cache.set(shifted);
                }
                self.commands = std::sync::Arc::new(cache);
            }
        }
    }
}

/// A text edit in bytes: `start..old_end` became `start..new_end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteEdit {
    pub start: usize,
    pub old_end: usize,
    pub new_end: usize,
}

/// The bash trees of a document, in document order.
#[derive(Default)]
pub struct ShellTrees {
    parser: Option<Parser>,
    trees: Vec<ShellTree>,
    /// Trees parsed by the last update (the others were reused unchanged).
    pub last_reparsed: usize,
    /// False: extract the commands right away and drop the bash trees (the
    /// language server keeps many documents open; see [`ShellTree::tree`]).
    drop_trees: bool,
}

impl std::fmt::Debug for ShellTrees {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShellTrees")
            .field("trees", &self.trees.len())
            .finish_non_exhaustive()
    }
}

/// A tree-sitter parser for bash.
pub fn new_bash_parser() -> Parser {
    super::parser_for(&tree_sitter_bash::LANGUAGE.into())
}

impl ShellTrees {
    /// Trees that keep only the extracted commands.
    pub fn compact() -> Self {
        ShellTrees {
            drop_trees: true,
            ..Default::default()
        }
    }

    pub fn trees(&self) -> &[ShellTree] {
        &self.trees
    }

    /// The bash tree of the instruction starting at `start`.
    pub fn for_instruction(&self, start: usize) -> Option<&ShellTree> {
        self.trees
            .binary_search_by_key(&start, |t| t.instruction.start)
            .ok()
            .and_then(|i| self.trees.get(i))
    }

    /// Parses the bash trees of a new document. Large documents are split
    /// between threads (one parser each): bash parsing is most of the cost of
    /// opening a file, and every tree is independent.
    pub fn rebuild(&mut self, tree: &Tree, source: &str) {
        self.trees.clear();
        self.last_reparsed = 0;
        // Only the nodes are collected here. The ranges bash reads are found
        // by the thread that parses them: found here, they would be work on
        // one core before the threads start.
        let mut jobs: Vec<(Node<'_>, Node<'_>)> = Vec::new();
        super::for_each_item(tree.root_node(), |node| {
            if let Some(command) = shell_command_of(node) {
                jobs.push((node, command));
            }
        });
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(4)
            .min(jobs.len() / PARALLEL_MIN_TREES)
            .max(1);
        if threads == 1 {
            let parser = self.parser.get_or_insert_with(new_bash_parser);
            let drop_trees = self.drop_trees;
            self.trees = jobs
                .into_iter()
                .filter_map(|(node, command)| parse_one(parser, source, node, command, drop_trees))
                .collect();
        } else {
            let chunk = jobs.len().div_ceil(threads);
            let drop_trees = self.drop_trees;
            let parsed: Vec<Vec<ShellTree>> = std::thread::scope(|scope| {
                let handles: Vec<_> = jobs
                    .chunks(chunk)
                    .map(|part| {
                        scope.spawn(move || {
                            let mut parser = new_bash_parser();
                            part.iter()
                                .filter_map(|&(node, command)| {
                                    let tree =
                                        parse_one(&mut parser, source, node, command, drop_trees)?;
                                    // Extract the commands on this thread too.
                                    let _ = tree.commands(source);
                                    Some(tree)
                                })
                                .collect::<Vec<_>>()
                        })
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.join().unwrap_or_default())
                    .collect()
            });
            self.trees = parsed.into_iter().flatten().collect();
        }
        self.last_reparsed = self.trees.len();
    }

    /// Brings the trees in line with the tree of an edited document.
    ///
    /// Instructions before the edit are untouched. From the edit on, the new
    /// tree is walked until it is back in step with the old one: a top-level
    /// instruction that starts after the edit where an old one started (shifted)
    /// begins in the same parser and scanner state as before, with the same
    /// text after it, so everything from there parses as before and the old
    /// trees are only shifted.
    pub fn update(&mut self, tree: &Tree, source: &str, edit: ByteEdit) {
        let delta = edit.new_end as isize - edit.old_end as isize;
        let mut old = std::mem::take(&mut self.trees);
        // Old trees entirely before the edit stay as they are.
        let kept = old.partition_point(|t| t.instruction.end < edit.start);
        let mut rest: Vec<ShellTree> = old.split_off(kept);
        self.trees = old;
        self.last_reparsed = 0;

        let Some(mut cursor) = super::ItemCursor::seek(tree, edit.start) else {
            return;
        };
        let mut next_old = 0;
        loop {
            let node = cursor.node();
            if let Some(command) = shell_command_of(node) {
                let range = node.byte_range();
                let after_edit = range.start > edit.new_end;
                let old_start = if after_edit {
                    range.start.saturating_add_signed(-delta)
                } else {
                    range.start
                };
                while next_old < rest.len() && rest[next_old].instruction.start < old_start {
                    next_old += 1;
                }
                let candidate = rest
                    .get(next_old)
                    .filter(|t| t.instruction.start == old_start);
                if after_edit && candidate.is_some() {
                    // Back in step: the rest is the old list, shifted.
                    for mut shell in rest.drain(next_old..) {
                        shell.shift(delta);
                        self.trees.push(shell);
                    }
                    return;
                }
                self.push_parsed(node, command, source);
            }
            if !cursor.advance() {
                return;
            }
        }
    }

    /// Appends the bash tree of one instruction, parsed from scratch
    /// ([`parse_one`]).
    fn push_parsed(&mut self, node: Node<'_>, command: Node<'_>, source: &str) {
        let parser = self.parser.get_or_insert_with(new_bash_parser);
        if let Some(tree) = parse_one(parser, source, node, command, self.drop_trees) {
            self.last_reparsed += 1;
            self.trees.push(tree);
        }
    }
}

/// Below this many trees per thread, threads cost more than they save.
const PARALLEL_MIN_TREES: usize = 64;

/// Parses the bash tree of one instruction (`node`, whose shell-form
/// command is `command`) from scratch: a RUN re-parses in microseconds, and
/// an incremental bash parse can keep a comment or an error region that a
/// fresh parse would read differently.
fn parse_one(
    parser: &mut Parser,
    source: &str,
    node: Node<'_>,
    command: Node<'_>,
    drop_tree: bool,
) -> Option<ShellTree> {
    let range = node.byte_range();
    let ranges = command_ranges(node, command, source);
    let text = source.get(range.clone())?;
    let relative: Vec<Range<usize>> = ranges
        .iter()
        .map(|r| r.start - range.start..r.end - range.start)
        .collect();
    let bash = parse_bash(parser, text, &relative)?;
    let mut shell = ShellTree {
        instruction: range,
        ranges,
        tree: Some(bash),
        commands: Default::default(),
    };
    if drop_tree {
        let _ = shell.commands(source);
        shell.tree = None;
    }
    Some(shell)
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
    let column = before
        .rfind('\n')
        .map_or(before.len(), |nl| before.len() - nl - 1);
    Point { row, column }
}

/// The shell-form command of a top-level instruction (RUN, CMD, ENTRYPOINT,
/// HEALTHCHECK, or an ONBUILD of one).
fn shell_command_of(node: Node<'_>) -> Option<Node<'_>> {
    let kinds = super::kinds();
    let inner = if node.kind_id() == kinds.onbuild {
        node.child_by_field_id(super::field_id("instruction").get())?
    } else {
        node
    };
    if !kinds.shell_owners.contains(&inner.kind_id()) {
        return None;
    }
    inner
        .child_by_field_id(super::field_id("command").get())
        .filter(|c| c.kind_id() == kinds.shell_command)
}

/// The document ranges bash reads for one instruction: its shell text, then
/// its heredoc bodies (bash reads them after the command line, as BuildKit does).
fn command_ranges(instruction: Node<'_>, command: Node<'_>, source: &str) -> Vec<Range<usize>> {
    let mut ranges = shell_ranges(command, source);
    let owner = if instruction.kind() == "onbuild_instruction" {
        instruction
            .child_by_field_id(super::field_id("instruction").get())
            .unwrap_or(instruction)
    } else {
        instruction
    };
    let mut cursor = owner.walk();
    let heredocs: Vec<Node<'_>> = owner
        .children_by_field_id(super::field_id("heredoc"), &mut cursor)
        .collect();
    // `RUN <<EOF` (nothing but the marker): BuildKit runs the body as the
    // script, so bash reads the body alone.
    let only_markers = {
        let mut cursor = command.walk();
        let mut children = command.named_children(&mut cursor);
        children.all(|c| c.kind() == "heredoc_marker") && command.named_child_count() > 0
    };
    if only_markers {
        if let Some(body) = heredocs
            .first()
            .and_then(|h| h.child_by_field_id(super::field_id("body").get()))
        {
            return vec![body.byte_range()];
        }
    }
    if let (Some(first), Some(last)) = (heredocs.first(), heredocs.last()) {
        let newline = source
            .get(command.end_byte()..first.start_byte())
            .and_then(|gap| gap.rfind('\n'))
            .unwrap_or(0);
        ranges.push(command.end_byte() + newline..last.end_byte());
    }
    ranges
}

/// The command's bytes without the comment and blank lines of continuations.
fn shell_ranges(command: Node<'_>, source: &str) -> Vec<Range<usize>> {
    let mut ranges: Vec<Range<usize>> = Vec::new();
    let mut cursor = command.walk();
    let mut open = false;
    let mut push = |range: Range<usize>, keep_open: bool, open: &mut bool| {
        match ranges.last_mut() {
            Some(last)
                if *open
                    && !source
                        .get(last.end..range.start)
                        .unwrap_or_default()
                        .contains('\n') =>
            {
                last.end = range.end;
            }
            _ => ranges.push(range),
        }
        *open = keep_open;
    };
    for child in command.children(&mut cursor) {
        let range = child.byte_range();
        // A continuation carries the lines BuildKit skips; bash sees only its
        // escape and line break, and the next child starts a new range.
        // BuildKit also continues a line whose escape is followed by blanks
        // (`\  `), where bash would read an escaped space: bash is given the
        // escape and the line break without the blanks between them.
        if child.kind() == "line_continuation" {
            if let Some(text) = source.get(range.clone()) {
                if let Some(newline) = text.find('\n') {
                    let end = range.start + newline + 1;
                    let keep_open = end == range.end;
                    let escape_end = range.start + text.chars().next().map_or(1, char::len_utf8);
                    let line = &text[..newline];
                    let carriage_returns = line.len() - line.trim_end_matches('\r').len();
                    let blanks_end = range.start + newline - carriage_returns;
                    if blanks_end > escape_end {
                        push(range.start..escape_end, false, &mut open);
                        push(blanks_end..end, keep_open, &mut open);
                    } else {
                        push(range.start..end, keep_open, &mut open);
                    }
                    continue;
                }
            }
        }
        push(range, true, &mut open);
    }
    ranges
}
