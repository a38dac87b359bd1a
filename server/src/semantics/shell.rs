//! Simple commands of a RUN (or other shell-form) instruction, read from its
//! tree-sitter-bash tree: every `command` node anywhere in the script (lists,
//! pipelines, subshells, compound statements, `$(…)`), with its words unquoted.
//! Text inside quotes, comments or heredoc bodies never becomes a command.

use std::ops::Range;

use tree_sitter::Node;

use crate::syntax::ShellTree;

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

/// Every simple command in a bash tree, in document order.
pub fn commands(shell: &ShellTree, source: &str) -> Vec<Command> {
    let mut out = Vec::new();
    let mut stack = vec![shell.tree.root_node()];
    while let Some(node) = stack.pop() {
        if node.kind() == "command" {
            if let Some(command) = command(shell, node, source) {
                out.push(command);
            }
        }
        // Heredoc bodies are data, not commands.
        if node.kind() == "heredoc_body" {
            continue;
        }
        let mut cursor = node.walk();
        stack.extend(node.children(&mut cursor));
    }
    out.sort_by_key(|c| c.range.start);
    out
}

fn command(shell: &ShellTree, node: Node<'_>, source: &str) -> Option<Command> {
    let name_node = node.child_by_field_name("name")?;
    let name = word(shell, name_node, source);
    let mut cursor = node.walk();
    let arguments = node
        .children_by_field_name("argument", &mut cursor)
        .map(|n| word(shell, n, source))
        .collect();
    let mut cursor = node.walk();
    let assignments = node
        .children(&mut cursor)
        .filter(|c| c.kind() == "variable_assignment")
        .filter_map(|c| {
            let name = c.child_by_field_name("name")?;
            let value = c
                .child_by_field_name("value")
                .map(|v| word(shell, v, source).text)
                .unwrap_or_default();
            Some((text_of(shell, name, source).to_owned(), value))
        })
        .collect();
    Some(Command {
        range: shell.document_range(node),
        name,
        arguments,
        assignments,
    })
}

fn text_of<'s>(shell: &ShellTree, node: Node<'_>, source: &'s str) -> &'s str {
    source.get(shell.document_range(node)).unwrap_or_default()
}

fn word(shell: &ShellTree, node: Node<'_>, source: &str) -> Word {
    let mut text = String::new();
    let literal = unquote(shell, node, source, &mut text);
    Word {
        range: shell.document_range(node),
        text,
        literal,
    }
}

/// Appends the unquoted value of `node` to `out`; false when it has expansions.
fn unquote(shell: &ShellTree, node: Node<'_>, source: &str, out: &mut String) -> bool {
    let raw = text_of(shell, node, source);
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
                    let gap =
                        shell.instruction.start + end..shell.instruction.start + child.start_byte();
                    out.push_str(source.get(gap).unwrap_or_default());
                }
                literal &= unquote(shell, child, source, out);
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
                literal &= unquote(shell, child, source, out);
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
