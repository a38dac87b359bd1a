//! Simple commands of a RUN (or other shell-form) instruction, read from its
//! tree-sitter-bash tree: every `command` node anywhere in the script (lists,
//! pipelines, subshells, compound statements, `$(…)`), with its words unquoted
//! and where it sits (its statement, its pipeline, whether it is nested).
//! Scripts run by the instruction are read too: a heredoc body fed to a shell
//! (`RUN <<EOF`, `RUN bash <<EOF`) and a `sh -c '…'` argument are parsed as
//! bash. Text inside quotes, comments or data heredocs never becomes a command.

use std::ops::Range;

use tree_sitter::Node;

use std::sync::OnceLock;

use tree_sitter::Tree;

/// Where a step chained with `&&` to a statement goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Append {
    /// At the statement's end.
    AtEnd,
    /// The statement ends with a heredoc: at this offset, the end of the line
    /// that starts the heredoc bodies (after the terminator the step would
    /// make the terminator line no terminator).
    At(usize),
    /// Nowhere known to be right: bash could not parse the statement, or a
    /// comment may end the heredoc's line.
    Nowhere,
}

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
    /// The statement the command belongs to: the outermost `&&`/`||` list,
    /// pipeline or redirection around it, up to the script, a subshell, a
    /// group or a substitution. A cleanup step chained with `&&` goes at its end.
    pub statement: Range<usize>,
    /// Where a step chained with `&&` to the statement may go (see [`Append`]).
    pub append: Append,
    /// `a | b`: the pipeline's range and the command's position in it (0-based).
    pub pipeline: Option<(Range<usize>, usize)>,
    /// Inside `( … )`, `{ …; }`, `$( … )`, a function, a loop, a condition, or
    /// a script given to `sh -c`.
    pub nested: bool,
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
    heredoc_redirect: u16,
    variable_assignment: u16,
    list: u16,
    pipeline: u16,
    redirected_statement: u16,
    negated_command: u16,
    program: u16,
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
            heredoc_redirect: language.id_for_node_kind("heredoc_redirect", true),
            variable_assignment: language.id_for_node_kind("variable_assignment", true),
            list: language.id_for_node_kind("list", true),
            pipeline: language.id_for_node_kind("pipeline", true),
            redirected_statement: language.id_for_node_kind("redirected_statement", true),
            negated_command: language.id_for_node_kind("negated_command", true),
            program: language.id_for_node_kind("program", true),
            name: language.field_id_for_name("name")?,
            argument: language.field_id_for_name("argument")?,
            value: language.field_id_for_name("value")?,
        })
    })
    .as_ref()
}

/// Shells whose heredoc input or `-c` argument is a script.
const SHELLS: [&str; 5] = ["sh", "bash", "ash", "dash", "zsh"];

/// How deep scripts inside scripts are followed (`sh -c "sh -c '…'"`).
const MAX_SCRIPT_DEPTH: usize = 3;

/// Every simple command of a bash tree parsed over `text` (one instruction's
/// text), in order, with ranges relative to `text`.
pub fn commands(tree: &Tree, text: &str) -> Vec<Command> {
    let mut out = Vec::new();
    collect(tree, text, 0, false, 0, &mut out);
    out.sort_by_key(|c| c.range.start);
    out
}

/// Collects the commands of `tree`, a parse of `text[offset..]`-relative
/// script (node offsets are relative to `offset` within `text`).
fn collect(
    tree: &Tree,
    text: &str,
    offset: usize,
    nested: bool,
    depth: usize,
    out: &mut Vec<Command>,
) {
    let Some(ids) = ids() else {
        return;
    };
    let script = text.get(offset..).unwrap_or_default();
    let mut cursor = tree.walk();
    // The ancestors of the cursor's node, root first: `place` reads them
    // instead of climbing with `Node::parent`, which walks down from the
    // root each time (cubic in a RUN of thousands of `&&`-joined lines).
    let mut ancestors: Vec<Ancestor<'_>> = Vec::new();
    let mut appends: std::collections::HashMap<usize, Append> = std::collections::HashMap::new();
    'walk: loop {
        let node = cursor.node();
        let kind = node.kind_id();
        // Only `$(…)`, `<(…)`, `>(…)`, `$((…))` and backticks put commands
        // inside a command's words; without `(` or a backtick in its text
        // its nodes (most of the tree) hold none and are not walked.
        let mut descend = kind != ids.heredoc_body;
        if kind == ids.command {
            descend = text_of(node, script).contains(['(', '`']);
            if let Some(mut command) = command(ids, node, script) {
                let statement = place(node, &ancestors, &mut command, nested);
                // Looked up once per statement (commands of a statement and
                // of its substitutions interleave).
                command.append = *appends
                    .entry(statement.id())
                    .or_insert_with(|| append_point(ids, statement, script));
                if depth < MAX_SCRIPT_DEPTH {
                    shell_c_script(&command, text, offset, depth, out);
                }
                command.shift(offset as isize);
                out.push(command);
            }
        }
        if kind == ids.heredoc_body && depth < MAX_SCRIPT_DEPTH && feeds_a_shell(ids, node, script)
        {
            // `RUN <<EOF` / `RUN bash <<EOF`: the body is the script.
            parse_script(
                text,
                offset + node.start_byte(),
                offset + node.end_byte(),
                nested,
                depth,
                out,
            );
        }
        // Heredoc bodies are data (or parsed above), not commands.
        if descend && cursor.goto_first_child() {
            let ancestor = Ancestor::new(ids, node, &ancestors);
            ancestors.push(ancestor);
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                continue 'walk;
            }
            if !cursor.goto_parent() {
                break 'walk;
            }
            ancestors.pop();
        }
    }
}

/// A node above the walk's current node, with what `place` needs to know
/// about the chain of statement nodes (list, pipeline, redirected or negated
/// statement) it belongs to, computed from its own parent's.
struct Ancestor<'t> {
    node: Node<'t>,
    /// A list, pipeline, redirected statement or negated command.
    statement: bool,
    /// Index (in the ancestor stack) of the top of the unbroken chain of
    /// statement nodes this one ends.
    chain_start: usize,
    /// Index of the nearest pipeline at or above this node in that chain.
    pipeline: Option<usize>,
    /// Whether this node or one above is neither a statement node nor the
    /// program (a subshell, a function, `$(…)`…).
    nested: bool,
}

impl<'t> Ancestor<'t> {
    fn new(ids: &Ids, node: Node<'t>, above: &[Ancestor<'t>]) -> Self {
        let kind = node.kind_id();
        let index = above.len();
        let statement = kind == ids.list
            || kind == ids.pipeline
            || kind == ids.redirected_statement
            || kind == ids.negated_command;
        let parent = above.last();
        let continues = statement && parent.is_some_and(|p| p.statement);
        Ancestor {
            node,
            statement,
            chain_start: match parent {
                Some(p) if continues => p.chain_start,
                _ => index,
            },
            pipeline: if kind == ids.pipeline {
                Some(index)
            } else if continues {
                parent.and_then(|p| p.pipeline)
            } else {
                None
            },
            nested: parent.is_some_and(|p| p.nested) || (!statement && kind != ids.program),
        }
    }
}

/// The statement, pipeline and nesting of a command node, from its
/// ancestors (root first): the statement is the top of the unbroken chain of
/// statement nodes right above the command (or the command itself), the
/// pipeline the nearest one in that chain, and the command is nested when
/// any ancestor is neither a statement node nor the program. Returns the
/// statement node.
fn place<'t>(
    node: Node<'t>,
    ancestors: &[Ancestor<'t>],
    command: &mut Command,
    nested: bool,
) -> Node<'t> {
    command.nested = nested || ancestors.last().is_some_and(|a| a.nested);
    let mut statement = node;
    if let Some(parent) = ancestors.last().filter(|a| a.statement) {
        if let Some(top) = ancestors.get(parent.chain_start) {
            statement = top.node;
        }
        if let Some(at) = parent.pipeline {
            if let Some(pipeline) = ancestors.get(at) {
                // The pipeline's child on the way down to the command.
                let child = ancestors.get(at + 1).map_or(node, |a| a.node);
                let mut cursor = pipeline.node.walk();
                let position = pipeline
                    .node
                    .named_children(&mut cursor)
                    .take_while(|c| c.id() != child.id())
                    .count();
                command.pipeline = Some((pipeline.node.byte_range(), position));
            }
        }
    }
    command.statement = statement.byte_range();
    statement
}

/// Where a step chained with `&&` to `statement` goes: its end, unless it
/// ends with a heredoc (its last redirect's terminator is the statement's
/// end), where it goes at the end of the line that starts the heredoc bodies.
fn append_point(ids: &Ids, statement: Node<'_>, script: &str) -> Append {
    if statement.has_error() {
        return Append::Nowhere;
    }
    let end = statement.end_byte();
    // Down the nodes that end where the statement ends (a pipeline's heredoc
    // ends after the pipeline's last command: `cat <<EOF | sh`).
    let mut node = statement;
    let redirect = loop {
        if node.kind_id() == ids.heredoc_redirect {
            break node;
        }
        let mut cursor = node.walk();
        let next = node
            .children(&mut cursor)
            .filter(|c| c.end_byte() == end)
            .last();
        match next {
            Some(next) => node = next,
            None => return Append::AtEnd,
        }
    };
    // The bodies start after the line break that ends the line of the first
    // redirect (`cmd <<A <<B`). That line break is a hidden token of each
    // heredoc redirect, after its delimiter and what follows it on the line
    // (`| sh`, `> file`) and before its body: the first `\n` after the last
    // of those children, the earliest over the heredoc redirects under the
    // redirect's parent.
    let parent = redirect.parent().unwrap_or(redirect);
    let mut line_break = None::<usize>;
    let mut cursor = parent.walk();
    'walk: loop {
        let node = cursor.node();
        if node.kind_id() == ids.heredoc_redirect {
            let mut children = node.walk();
            let head_end = node
                .children(&mut children)
                .filter(|c| !matches!(c.kind(), "heredoc_body" | "heredoc_end"))
                .map(|c| c.end_byte())
                .max();
            let found = head_end.and_then(|at| Some(at + script.get(at..)?.find('\n')?));
            if let Some(found) = found {
                line_break = Some(line_break.map_or(found, |b| b.min(found)));
            }
        }
        if node.kind_id() != ids.heredoc_body && cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.node().id() != parent.id() && cursor.goto_next_sibling() {
                continue 'walk;
            }
            if cursor.node().id() == parent.id() || !cursor.goto_parent() {
                break 'walk;
            }
        }
    }
    let Some(line_break) = line_break else {
        return Append::Nowhere;
    };
    let Some(line) = script.get(..line_break) else {
        return Append::Nowhere;
    };
    let line = line.strip_suffix('\r').unwrap_or(line);
    let line_start = line.rfind('\n').map_or(0, |i| i + 1);
    // The redirect on that line and nothing but the line's own words after
    // it: a `#` there may start a comment.
    let redirect_start = redirect.start_byte().min(line.len());
    let after = line.get(line_start.max(redirect_start)..);
    if redirect_start < line_start || after.is_none_or(|rest| rest.contains('#')) {
        return Append::Nowhere;
    }
    Append::At(line.len())
}

/// Whether a heredoc body is the input of a shell (or of no command at all,
/// which BuildKit runs as the script).
fn feeds_a_shell(ids: &Ids, body: Node<'_>, script: &str) -> bool {
    let Some(redirect) = body
        .parent()
        .filter(|p| p.kind_id() == ids.heredoc_redirect)
    else {
        return false;
    };
    let Some(statement) = redirect.parent() else {
        return true;
    };
    if statement.kind_id() != ids.redirected_statement {
        return true;
    }
    match statement.child_by_field_name("body") {
        None => true,
        Some(body) if body.kind_id() == ids.command => body
            .child_by_field_id(ids.name.get())
            .map(|n| word(n, script).text)
            .is_some_and(|name| SHELLS.contains(&program_name(&name))),
        Some(_) => false,
    }
}

/// `sh -c 'script'`: the script's commands, when its text maps back to the
/// document byte for byte (single quotes, or double quotes without escapes
/// or expansions). `command` has ranges relative to `offset` in `text`.
fn shell_c_script(
    command: &Command,
    text: &str,
    offset: usize,
    depth: usize,
    out: &mut Vec<Command>,
) {
    let (name, arguments) = command.effective();
    if !SHELLS.contains(&program_name(&name.text)) {
        return;
    }
    let is_c =
        |w: &Word| w.text.starts_with('-') && !w.text.starts_with("--") && w.text.contains('c');
    let Some(flag) = arguments.iter().position(is_c) else {
        return;
    };
    let Some(body) = arguments.get(flag + 1) else {
        return;
    };
    let (start, end) = (offset + body.range.start, offset + body.range.end);
    let raw = text.get(start..end).unwrap_or_default();
    let quoted = raw.len() >= 2
        && ((raw.starts_with('\'') && raw.ends_with('\''))
            || (raw.starts_with('"')
                && raw.ends_with('"')
                && !raw[1..raw.len() - 1].contains(['\\', '$', '`', '"'])));
    if body.literal && quoted {
        parse_script(text, start + 1, end - 1, true, depth, out);
    }
}

/// Parses `text[start..end]` as a script and collects its commands.
fn parse_script(
    text: &str,
    start: usize,
    end: usize,
    nested: bool,
    depth: usize,
    out: &mut Vec<Command>,
) {
    let Some(body) = text.get(start..end) else {
        return;
    };
    let mut parser = super::new_bash_parser();
    if let Some(tree) = parser.parse(body, None) {
        collect(&tree, text, start, nested, depth + 1, out);
    }
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
        statement: node.byte_range(),
        append: Append::AtEnd,
        pipeline: None,
        nested: false,
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
        shift_range(&mut self.statement, delta);
        if let Append::At(at) = &mut self.append {
            *at = at.saturating_add_signed(delta);
        }
        if let Some((range, _)) = &mut self.pipeline {
            shift_range(range, delta);
        }
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn commands_of(dockerfile: &str) -> (String, Vec<Command>) {
        let document = crate::syntax::Document::new(dockerfile);
        let text = document.text().to_owned();
        let all = document
            .shells()
            .trees()
            .iter()
            .flat_map(|t| t.commands(&text).to_vec())
            .collect();
        (text, all)
    }

    #[test]
    fn statements_pipelines_and_nesting() {
        let (text, commands) = commands_of(
            "FROM a\nRUN apt-get update && apt-get install -y x \\\n    | tee log; (cd /x && make) && echo $(date)\n",
        );
        let names: Vec<&str> = commands.iter().map(|c| c.name.text.as_str()).collect();
        assert_eq!(
            names,
            vec!["apt-get", "apt-get", "tee", "cd", "make", "echo", "date"]
        );
        let statement = |i: usize| &text[commands[i].statement.clone()];
        assert_eq!(
            statement(0),
            "apt-get update && apt-get install -y x \\\n    | tee log"
        );
        assert_eq!(commands[1].pipeline.as_ref().map(|p| p.1), Some(0));
        assert_eq!(commands[2].pipeline.as_ref().map(|p| p.1), Some(1));
        assert!(!commands[0].nested && !commands[2].nested);
        assert!(commands[3].nested && commands[4].nested, "in a subshell");
        assert_eq!(statement(5), "(cd /x && make) && echo $(date)");
        assert!(commands[6].nested, "in a command substitution");
    }

    #[test]
    fn scripts_in_heredocs_and_sh_c() {
        let (text, commands) = commands_of(
            "FROM a\nRUN <<EOF\napt-get install -y curl\nEOF\nRUN python3 <<EOF\nprint('apt-get install x')\nEOF\nRUN sh -c 'apk add git && rm -rf /x'\nRUN bash -c \"echo \\\"apk add y\\\"\"\n",
        );
        let found: Vec<(&str, &str)> = commands
            .iter()
            .map(|c| (c.name.text.as_str(), &text[c.name.range.clone()]))
            .collect();
        assert_eq!(
            found,
            vec![
                ("apt-get", "apt-get"),
                ("python3", "python3"),
                ("sh", "sh"),
                ("apk", "apk"),
                ("rm", "rm"),
                ("bash", "bash"),
            ]
        );
        let apk = commands.iter().find(|c| c.name.text == "apk").unwrap();
        assert!(apk.nested);
        assert_eq!(&text[apk.statement.clone()], "apk add git && rm -rf /x");
    }
}
