//! Simple commands of a RUN (or other shell-form) instruction, read from its
//! tree-sitter-bash tree: every `command` node anywhere in the script (lists,
//! pipelines, subshells, compound statements, `$(…)`), with its words unquoted.
//! Text inside quotes, comments or heredoc bodies never becomes a command.

use std::ops::Range;

use tree_sitter::Node;

use std::sync::OnceLock;

use tree_sitter::Tree;

/// One shell word: its document range and its value once quotes are removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub range: Range<usize>,
    /// The unquoted text (expansions kept verbatim).
    pub text: String,
    /// False when the word contains an expansion (`$x`, `$(…)`), so its value
    /// is not known before the build.
    pub literal: bool,
}

/// A simple command: `[VAR=value]… name [argument]…`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    /// The whole command in the document (prefix assignments included).
    pub range: Range<usize>,
    pub name: Word,
    pub arguments: Vec<Word>,
    /// `VAR=value` prefixes.
    pub assignments: Vec<(String, String)>,
}

impl Command {
    /// The program name without its directory (`/usr/bin/apt-get` → `apt-get`).
    pub fn program(&self) -> &str {
        program_name(&self.name.text)
    }

    /// The command that actually runs, looking through `sudo`, `env`,
    /// `nohup`, `exec`, `command`, `time`, `nice` and `xargs` with their
    /// options: its name and arguments.
    pub fn effective(&self) -> (&Word, &[Word]) {
        let mut name = &self.name;
        let mut rest: &[Word] = &self.arguments;
        loop {
            let skip = match program_name(&name.text) {
                "sudo" => options_end(
                    rest,
                    &["-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U", "-T"],
                ),
                "env" => {
                    let mut i = options_end(rest, &["-u", "-C", "-S"]);
                    while rest
                        .get(i)
                        .is_some_and(|w| w.text.contains('=') && !w.text.starts_with('='))
                    {
                        i += 1;
                    }
                    i
                }
                "xargs" => options_end(rest, &["-a", "-d", "-E", "-I", "-L", "-n", "-P", "-s"]),
                "nice" => options_end(rest, &["-n"]),
                "nohup" | "exec" | "command" | "time" => options_end(rest, &[]),
                _ => return (name, rest),
            };
            match rest.get(skip) {
                Some(next) => {
                    name = next;
                    rest = rest.get(skip + 1..).unwrap_or_default();
                }
                None => return (name, rest),
            }
        }
    }
}

/// The index of the first non-option argument; `with_value` options take the next word.
fn options_end(words: &[Word], with_value: &[&str]) -> usize {
    let mut i = 0;
    while let Some(word) = words.get(i) {
        if word.text == "--" {
            return i + 1;
        }
        if !word.text.starts_with('-') || word.text == "-" {
            return i;
        }
        i += if with_value.contains(&word.text.as_str()) {
            2
        } else {
            1
        };
    }
    i
}

pub fn program_name(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

/// Bash node kinds and fields this module reads, looked up once.
struct Ids {
    command: u16,
    heredoc_body: u16,
    variable_assignment: u16,
    name: std::num::NonZeroU16,
    argument: std::num::NonZeroU16,
    value: std::num::NonZeroU16,
}

fn ids() -> Option<&'static Ids> {
    static IDS: OnceLock<Option<Ids>> = OnceLock::new();
    IDS.get_or_init(|| {
        let language: tree_sitter::Language = tree_sitter_bash::LANGUAGE.into();
        Some(Ids {
            command: language.id_for_node_kind("command", true),
            heredoc_body: language.id_for_node_kind("heredoc_body", true),
            variable_assignment: language.id_for_node_kind("variable_assignment", true),
            name: language.field_id_for_name("name")?,
            argument: language.field_id_for_name("argument")?,
            value: language.field_id_for_name("value")?,
        })
    })
    .as_ref()
}

/// Every simple command of a bash tree parsed over `text` (one instruction's
/// text), in order, with ranges relative to `text`.
pub fn commands(tree: &Tree, text: &str) -> Vec<Command> {
    let Some(ids) = ids() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut cursor = tree.walk();
    'walk: loop {
        let node = cursor.node();
        let kind = node.kind_id();
        if kind == ids.command {
            if let Some(command) = command(ids, node, text) {
                out.push(command);
            }
        }
        // Heredoc bodies are data, not commands.
        if kind != ids.heredoc_body && cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                continue 'walk;
            }
            if !cursor.goto_parent() {
                break 'walk;
            }
        }
    }
    out.sort_by_key(|c| c.range.start);
    out
}

fn command(ids: &Ids, node: Node<'_>, text: &str) -> Option<Command> {
    let name_node = node.child_by_field_id(ids.name.get())?;
    let name = word(name_node, text);
    let mut arguments = Vec::new();
    let mut assignments = Vec::new();
    let mut cursor = node.walk();
    if cursor.goto_first_child() {
        loop {
            let child = cursor.node();
            if cursor.field_id() == Some(ids.argument) {
                arguments.push(word(child, text));
            } else if child.kind_id() == ids.variable_assignment {
                if let Some(name) = child.child_by_field_id(ids.name.get()) {
                    let value = child
                        .child_by_field_id(ids.value.get())
                        .map(|v| word(v, text).text)
                        .unwrap_or_default();
                    assignments.push((text_of(name, text).to_owned(), value));
                }
            }
            if !cursor.goto_next_sibling() {
                break;
            }
        }
    }
    Some(Command {
        range: node.byte_range(),
        name,
        arguments,
        assignments,
    })
}

fn text_of<'s>(node: Node<'_>, text: &'s str) -> &'s str {
    text.get(node.byte_range()).unwrap_or_default()
}

fn word(node: Node<'_>, text: &str) -> Word {
    let mut value = String::new();
    let literal = unquote(node, text, &mut value);
    Word {
        range: node.byte_range(),
        text: value,
        literal,
    }
}

fn shift_range(r: &mut Range<usize>, delta: isize) {
    *r = r.start.saturating_add_signed(delta)..r.end.saturating_add_signed(delta);
}

impl Command {
    /// Moves every range by `delta` bytes.
    pub fn shift(&mut self, delta: isize) {
        shift_range(&mut self.range, delta);
        shift_range(&mut self.name.range, delta);
        for argument in &mut self.arguments {
            shift_range(&mut argument.range, delta);
        }
    }

    /// A copy moved by `delta` bytes.
    pub fn shifted(&self, delta: isize) -> Command {
        let mut copy = self.clone();
        copy.shift(delta);
        copy
    }
}

/// The commands of one instruction, shared with the bash tree's cache.
#[derive(Debug, Clone, Default)]
pub struct Commands(Option<std::sync::Arc<OnceLock<Vec<Command>>>>);

impl Commands {
    pub fn new(cache: std::sync::Arc<OnceLock<Vec<Command>>>) -> Self {
        Commands(Some(cache))
    }
}

impl std::ops::Deref for Commands {
    type Target = [Command];

    fn deref(&self) -> &[Command] {
        self.0
            .as_ref()
            .and_then(|c| c.get())
            .map_or(&[], Vec::as_slice)
    }
}

impl<'a> IntoIterator for &'a Commands {
    type Item = &'a Command;
    type IntoIter = std::slice::Iter<'a, Command>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// Appends the unquoted value of `node` to `out`; false when it has expansions.
fn unquote(node: Node<'_>, text: &str, out: &mut String) -> bool {
    let raw = text_of(node, text);
    match node.kind() {
        "raw_string" => {
            out.push_str(raw.trim_start_matches('\'').trim_end_matches('\''));
            true
        }
        "string" => {
            let mut cursor = node.walk();
            let literal = !node.named_children(&mut cursor).any(|c| {
                matches!(
                    c.kind(),
                    "simple_expansion"
                        | "expansion"
                        | "command_substitution"
                        | "arithmetic_expansion"
                )
            });
            let inner = raw
                .strip_prefix('"')
                .unwrap_or(raw)
                .strip_suffix('"')
                .unwrap_or_else(|| raw.strip_prefix('"').unwrap_or(raw));
            if literal {
                unescape_double_quoted(inner, out);
            } else {
                out.push_str(inner);
            }
            literal
        }
        "concatenation" => {
            let mut literal = true;
            let mut cursor = node.walk();
            let mut end = node.start_byte();
            for child in node.children(&mut cursor) {
                // Text between children (rare) is kept as written.
                if child.start_byte() > end {
                    out.push_str(text.get(end..child.start_byte()).unwrap_or_default());
                }
                literal &= unquote(child, text, out);
                end = child.end_byte();
            }
            literal
        }
        "word" | "number" | "command_name" if node.named_child_count() == 0 => {
            unescape_unquoted(raw, out);
            true
        }
        "command_name" => {
            let mut literal = true;
            let mut cursor = node.walk();
            for child in node.named_children(&mut cursor) {
                literal &= unquote(child, text, out);
            }
            literal
        }
        "ansi_c_string" => {
            out.push_str(raw.trim_start_matches("$'").trim_end_matches('\''));
            true
        }
        _ => {
            out.push_str(raw);
            false
        }
    }
}

fn unescape_unquoted(raw: &str, out: &mut String) {
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                // A continuation inside a word joins the lines.
                Some('\n') | None => {}
                Some(next) => out.push(next),
            }
        } else {
            out.push(c);
        }
    }
}

fn unescape_double_quoted(raw: &str, out: &mut String) {
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.peek() {
                Some('"' | '\\' | '$' | '`') => {
                    if let Some(next) = chars.next() {
                        out.push(next);
                    }
                }
                Some('\n') => {
                    chars.next();
                }
                _ => out.push(c),
            }
        } else {
            out.push(c);
        }
    }
}
