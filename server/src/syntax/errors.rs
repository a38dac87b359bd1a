//! Syntax errors (DF001): what BuildKit rejects, each with a precise range.
//!
//! Three sources, in the order BuildKit meets them: the parser (directives,
//! unterminated heredocs, ENV/LABEL pairs, JSON arrays of non-strings, overlong
//! lines), the tree (anything our grammar could not place, confined to its
//! instruction), and the instruction parser (unknown instructions, argument
//! counts, unknown flags).

use std::ops::Range;

use tree_sitter::{Node, Tree};

use super::buildkit::{self, Command, InstructionText, ParseError};
use super::model::{CommandForm, Dockerfile, Instruction, InstructionKind};

/// One syntax error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub range: Range<usize>,
    pub message: String,
}

/// BuildKit's scanner refuses lines longer than `bufio.MaxScanTokenSize`.
const MAX_LINE: usize = 64 * 1024;

/// All syntax errors of a document, in source order. Each instruction gets
/// BuildKit's parser error if it has one; otherwise the tree's error (what our
/// grammar could not place); then the instruction parser's errors.
pub fn syntax_errors(tree: &Tree, model: &Dockerfile, source: &str) -> Vec<SyntaxError> {
    let mut errors = Vec::new();
    directive_errors(model, source, &mut errors);
    long_lines(source, &mut errors);
    let mut tree_errors_by_start = Vec::new();
    tree_errors(tree.root_node(), source, &mut tree_errors_by_start);
    // A template that generates Dockerfiles is only a Dockerfile after expansion:
    // check what BuildKit's parser checks, not what the expansion will decide.
    let is_template = is_template(source);
    let first_from = model
        .instructions
        .iter()
        .position(|i| i.kind == InstructionKind::From);
    let mut placed = vec![false; tree_errors_by_start.len()];
    for (index, instruction) in model.instructions.iter().enumerate() {
        // An error right at the end belongs to the instruction (a missing
        // token at the end of the input), unless the instruction ended with
        // its newline: then the error starts the next line (found by
        // fuzzing: a broken line after `FROM a b` hid FROM's own error,
        // which a fix inserting a line between them then revealed).
        let ends_line = source
            .get(..instruction.range.end)
            .is_some_and(|s| s.ends_with('\n'));
        let inside = |e: &SyntaxError| {
            instruction.range.contains(&e.range.start)
                || (e.range.start == instruction.range.end && !ends_line)
        };
        // Instructions that cannot fail BuildKit's line parsers are not lowered.
        let lowered = can_fail_lowering(instruction, model.escape, source)
            .then(|| lower(instruction, model, source));
        let mut has_parse_error = false;
        if let Some(heredoc) = instruction.heredocs.iter().find(|h| h.end.is_none()) {
            let marker = source.get(heredoc.marker.clone()).unwrap_or_default();
            let name = buildkit::parse_heredoc_marker(marker)
                .ok()
                .flatten()
                .map(|(name, _)| name)
                .unwrap_or_default();
            errors.push(SyntaxError {
                range: heredoc.marker.clone(),
                message: format!("unterminated heredoc: no line `{name}` ends it"),
            });
            has_parse_error = true;
        } else if let Some(Err(error)) = &lowered {
            errors.push(SyntaxError {
                range: precise_range(instruction, error, source),
                message: error.message.clone(),
            });
            has_parse_error = true;
        } else if let Some(Ok(command)) = &lowered {
            // `RUN\` + newline + `echo` is one word for BuildKit: `RUNecho`.
            let keyword = source.get(instruction.keyword.clone()).unwrap_or_default();
            if instruction.kind != InstructionKind::Unknown
                && command.cmd != keyword
                && !is_template
            {
                errors.push(SyntaxError {
                    range: instruction.keyword.clone(),
                    message: format!("unknown instruction: {}", command.cmd),
                });
                has_parse_error = true;
            }
        }
        // BuildKit's parser takes an unterminated `${` as text, but expanding the
        // words fails the build before any step runs. Our grammar cannot place
        // it, so this error stands in for the tree's.
        if !has_parse_error && !is_template && expands_words(instruction.kind) {
            if let Some((at, error)) = source
                .get(instruction.range.clone())
                .and_then(|text| expansion_error(text, model.escape))
            {
                let start = instruction.range.start + at;
                let line_end = source
                    .get(start..instruction.range.end)
                    .and_then(|rest| rest.find(['\r', '\n']))
                    .map_or(instruction.range.end, |end| start + end);
                errors.push(SyntaxError {
                    range: start..line_end,
                    message: error.message().into(),
                });
                has_parse_error = true;
            }
        }
        for (i, error) in tree_errors_by_start.iter().enumerate() {
            if !placed[i] && inside(error) {
                placed[i] = true;
                if !has_parse_error {
                    errors.push(error.clone());
                    has_parse_error = true;
                }
            }
        }
        if is_template || has_parse_error {
            continue;
        }
        if instruction.kind != InstructionKind::Arg && first_from.is_none_or(|from| index < from) {
            errors.push(SyntaxError {
                range: instruction.keyword.clone(),
                message:
                    "no build stage in current context: only ARG may come before the first FROM"
                        .into(),
            });
        }
        instruction_errors(instruction, source, &mut errors);
    }
    // Errors outside every instruction (a stray line the grammar could not read).
    for (i, error) in tree_errors_by_start.into_iter().enumerate() {
        if !placed[i] {
            errors.push(error);
        }
    }
    if model.instructions.is_empty() {
        errors.push(SyntaxError {
            range: 0..0,
            message: "file with no instructions".into(),
        });
    }
    errors.sort_by_key(|e| (e.range.start, e.range.end));
    errors.dedup_by(|a, b| a.range.start == b.range.start && a.message == b.message);
    errors
}

/// Whether BuildKit's line parsers can reject this instruction or read its
/// keyword differently: ENV/LABEL pairs, JSON arrays, heredoc words, ONBUILD
/// triggers, and a keyword glued to a continuation. Skipping the others keeps
/// analysis fast without changing any result.
fn can_fail_lowering(instruction: &Instruction, escape: char, source: &str) -> bool {
    matches!(
        instruction.kind,
        InstructionKind::Env | InstructionKind::Label | InstructionKind::Onbuild
    ) || matches!(instruction.command, Some(CommandForm::Exec { .. }))
        || instruction.json_arguments.is_some()
        || !instruction.heredocs.is_empty()
        || source
            .get(instruction.keyword.end..)
            .is_some_and(|rest| rest.starts_with(escape))
}

/// Narrows a BuildKit parser error from the whole instruction to its cause.
fn precise_range(instruction: &Instruction, error: &ParseError, source: &str) -> Range<usize> {
    let line = instruction.line_range.clone();
    let arguments_start = instruction
        .flags
        .last()
        .map_or(instruction.keyword.end, |f| f.range.end)
        .max(instruction.keyword.end);
    let text = source.get(arguments_start..line.end).unwrap_or_default();
    let skipped = text.len() - text.trim_start().len();
    let arguments = arguments_start + skipped..line.end;
    if error.message == buildkit::NOT_STRING_ARRAY {
        let json = instruction
            .command
            .as_ref()
            .map(CommandForm::range)
            .or(instruction.json_arguments.clone());
        if let Some(json) = json {
            return json;
        }
        if let Some(CommandForm::Exec { range, .. }) = instruction
            .trigger
            .as_ref()
            .and_then(|t| t.command.as_ref())
        {
            return range.clone();
        }
        return arguments;
    }
    if let Some(word) = error
        .message
        .strip_prefix("Syntax error - can't find = in \"")
        .and_then(|m| m.split('"').next())
    {
        if let Some(at) = source.get(arguments.clone()).and_then(|t| t.rfind(word)) {
            return arguments.start + at..arguments.start + at + word.len();
        }
    }
    if arguments.is_empty() {
        error.range.start..line.end
    } else {
        arguments
    }
}

/// The instruction list as BuildKit's parser returns it, or its first error.
pub(crate) fn buildkit_parse(model: &Dockerfile, source: &str) -> Result<Vec<Command>, ParseError> {
    let mut errors = Vec::new();
    directive_errors(model, source, &mut errors);
    long_lines(source, &mut errors);
    if let Some(first) = errors.into_iter().next() {
        return Err(ParseError {
            message: first.message,
            range: first.range,
        });
    }
    let mut commands = Vec::with_capacity(model.instructions.len());
    for instruction in &model.instructions {
        if let Some(missing) = instruction.heredocs.iter().find(|h| h.end.is_none()) {
            return Err(ParseError {
                message: "unterminated heredoc".into(),
                range: missing.marker.clone(),
            });
        }
        commands.push(lower(instruction, model, source)?);
    }
    if commands.is_empty() {
        return Err(ParseError {
            message: "file with no instructions".into(),
            range: 0..0,
        });
    }
    Ok(commands)
}

fn lower(
    instruction: &Instruction,
    model: &Dockerfile,
    source: &str,
) -> Result<Command, ParseError> {
    let lines = source
        .get(instruction.range.start..instruction.line_range.end)
        .unwrap_or_default();
    let heredocs = instruction
        .heredocs
        .iter()
        .map(|h| {
            let marker = source.get(h.marker.clone()).unwrap_or_default().to_owned();
            let body = source.get(h.body.clone()).unwrap_or_default().to_owned();
            (marker, body)
        })
        .collect();
    let end_line = instruction.end_row + 1;
    buildkit::lower(&InstructionText {
        lines,
        offset: instruction.range.start,
        start_line: instruction.start_row + 1,
        end_line,
        heredocs,
        escape: model.escape,
    })
}

/// Go, jq and gawk templates that generate Dockerfiles (docker-library's
/// `Dockerfile.template` files) have template blocks on lines of their own.
pub(crate) fn is_template(source: &str) -> bool {
    source.lines().any(is_template_line)
}

/// A line holding a template block (`{{ … }}`, not a `{{{` literal).
pub(crate) fn is_template_line(line: &str) -> bool {
    let line = line.trim_start();
    line.starts_with("{{") && !line.starts_with("{{{")
}

fn directive_errors(model: &Dockerfile, source: &str, errors: &mut Vec<SyntaxError>) {
    let mut seen: Vec<String> = Vec::new();
    for directive in &model.directives {
        let name = source
            .get(directive.name.clone())
            .unwrap_or_default()
            .to_ascii_lowercase();
        if seen.contains(&name) {
            errors.push(SyntaxError {
                range: directive.range.start..directive.value.end,
                message: format!("only one {name} parser directive can be used"),
            });
            continue;
        }
        if name == "escape" {
            let value = source.get(directive.value.clone()).unwrap_or_default();
            if value != "`" && value != "\\" {
                errors.push(SyntaxError {
                    range: directive.value.clone(),
                    message: format!("invalid escape token '{value}' does not match ` or \\"),
                });
            }
        }
        seen.push(name);
    }
}

fn long_lines(source: &str, errors: &mut Vec<SyntaxError>) {
    let mut start = 0;
    for line in source.split_inclusive('\n') {
        if line.len() > MAX_LINE {
            errors.push(SyntaxError {
                range: start..start + line.trim_end_matches('\n').len(),
                message: format!(
                    "dockerfile line greater than max allowed size of {}",
                    MAX_LINE - 1
                ),
            });
        }
        start += line.len();
    }
}

/// ERROR and MISSING nodes, reported once per instruction.
fn tree_errors(root: Node<'_>, source: &str, errors: &mut Vec<SyntaxError>) {
    if !root.has_error() {
        return;
    }
    let found = errors.len();
    let mut stray = None;
    super::for_each_item(root, |child| {
        if stray.is_none() && !is_item(child) {
            stray = Some(child);
        }
        if !child.has_error() {
            return;
        }
        if let Some(error) = first_error(child) {
            if error.is_missing() && error.kind() == "heredoc_end" {
                return;
            }
            errors.push(describe(child, error, source));
        }
    });
    // When the whole file is one ERROR, its children may all be well-formed
    // pieces: the error is the first piece that is not an item of the file.
    if root.is_error() && errors.len() == found {
        if let Some(stray) = stray {
            errors.push(describe(root, stray, source));
        }
    }
}

/// Instructions whose words BuildKit expands itself (the shell expands the rest).
fn expands_words(kind: InstructionKind) -> bool {
    use InstructionKind as K;
    matches!(
        kind,
        K::From
            | K::Env
            | K::Arg
            | K::Label
            | K::Copy
            | K::Add
            | K::Workdir
            | K::User
            | K::Expose
            | K::Volume
            | K::Stopsignal
    )
}

/// An expansion that BuildKit's word lexer cannot read, so expanding the
/// words fails the build (the parser itself accepts them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ExpansionError {
    /// `${` that its logical line never closes.
    Unterminated,
    /// `${NAME/pattern}` or `${NAME//pattern}` with no `/` after the pattern:
    /// BuildKit reads the pattern up to the next `/` and fails at the end of
    /// the word ("missing '/' in ${}").
    MissingSlash,
}

impl ExpansionError {
    fn message(self) -> &'static str {
        match self {
            ExpansionError::Unterminated => "`${` is never closed: expanding it fails the build",
            ExpansionError::MissingSlash => {
                "`${NAME/pattern}` has no `/` before a replacement (`${NAME/pattern/replacement}`): expanding it fails the build"
            }
        }
    }
}

/// The first expansion error of an instruction's text (see [`read_expansions`]).
fn expansion_error(text: &str, escape: char) -> Option<(usize, ExpansionError)> {
    let expansions = read_expansions(text, escape);
    let unterminated = expansions
        .unterminated
        .map(|at| (at, ExpansionError::Unterminated));
    let missing_slash = expansions
        .starts
        .into_iter()
        .find(|&at| lacks_second_slash(text, at))
        .map(|at| (at, ExpansionError::MissingSlash));
    // The earlier one; on a tie, the unterminated `${` (listed first).
    [unterminated, missing_slash]
        .into_iter()
        .flatten()
        .min_by_key(|&(at, _)| at)
}

/// Whether the `${` at `at` is `${NAME/` or `${NAME//` and the rest of the
/// instruction holds no `/` at all. Whatever BuildKit takes as the word, its
/// lexer then finds no separator in it. A `/` anywhere later (even quoted or
/// escaped, which BuildKit does not take as the separator) means no report:
/// this errs on the side of silence.
fn lacks_second_slash(text: &str, at: usize) -> bool {
    let name_start = at + "${".len();
    let Some(rest) = text.get(name_start..) else {
        return false;
    };
    let name_len = super::variable_name_len(rest);
    let after_name = &rest[name_len..];
    name_len > 0
        && after_name
            .strip_prefix("//")
            .or_else(|| after_name.strip_prefix('/'))
            .is_some_and(|pattern| !pattern.contains('/'))
}

/// The `${` of an instruction's text as BuildKit's word lexer reads them.
#[derive(Debug, Default, PartialEq, Eq)]
struct Expansions {
    /// Where each `${` starts.
    starts: Vec<usize>,
    /// The outermost `${` that its logical line never closes.
    unterminated: Option<usize>,
}

#[cfg(test)]
fn unterminated_expansion(text: &str, escape: char) -> Option<usize> {
    read_expansions(text, escape).unterminated
}

/// Reads the expansions as BuildKit's word lexer does (shell/lex.go). Single
/// quotes keep everything literal up to the next one, except inside double
/// quotes; double quotes keep `}` literal, but an expansion opened inside
/// them reads its own word, quotes included; the escape character skips the
/// next one; `$$` is the special parameter `$`, so a `{` after it is text;
/// comment or blank lines inside a continuation are not part of the line.
fn read_expansions(text: &str, escape: char) -> Expansions {
    /// What the lexer is inside of, innermost last.
    enum Open {
        /// A `${` at this offset.
        Expansion(usize),
        DoubleQuote,
    }
    let mut starts = Vec::new();
    let mut open: Vec<Open> = Vec::new();
    let mut single = false;
    let mut offset = 0;
    for (number, line) in text.split_inclusive('\n').enumerate() {
        let start = offset;
        offset += line.len();
        let trimmed = line.trim_start();
        if number > 0 && (trimmed.starts_with('#') || trimmed.trim_end().is_empty()) {
            continue;
        }
        // BuildKit continues a line whose last non-blank character is an
        // unescaped escape character.
        let body = line.trim_end();
        let trailing = body.chars().rev().take_while(|&c| c == escape).count();
        let continued = trailing % 2 == 1;
        let body = if continued {
            &body[..body.len() - escape.len_utf8()]
        } else {
            body
        };
        let mut chars = body.char_indices().peekable();
        while let Some((at, c)) = chars.next() {
            let in_double = matches!(open.last(), Some(Open::DoubleQuote));
            if single {
                single = c != '\'';
            } else if c == escape {
                chars.next();
            } else if c == '$' {
                match chars.peek() {
                    Some((_, '{')) => {
                        chars.next();
                        open.push(Open::Expansion(start + at));
                        starts.push(start + at);
                    }
                    Some((_, '$')) => {
                        chars.next();
                    }
                    _ => {}
                }
            } else if c == '}' && matches!(open.last(), Some(Open::Expansion(_))) {
                open.pop();
            } else if c == '"' {
                if in_double {
                    open.pop();
                } else {
                    open.push(Open::DoubleQuote);
                }
            } else if c == '\'' && !in_double {
                single = true;
            }
        }
        if !continued {
            break;
        }
    }
    Expansions {
        starts,
        unterminated: open.iter().find_map(|o| match o {
            Open::Expansion(at) => Some(*at),
            Open::DoubleQuote => None,
        }),
    }
}

/// Whether a child of the file (or of a stage) is something a file consists of.
fn is_item(node: Node<'_>) -> bool {
    let kind = node.kind();
    !node.is_error()
        && (kind.ends_with("_instruction")
            || matches!(kind, "comment" | "parser_directive" | "stage"))
}

fn first_error(node: Node<'_>) -> Option<Node<'_>> {
    if node.is_error() || node.is_missing() {
        return Some(node);
    }
    let mut cursor = node.walk();
    let children: Vec<Node<'_>> = node.children(&mut cursor).collect();
    children
        .into_iter()
        .filter(|c| c.has_error() || c.is_missing())
        .find_map(first_error)
}

fn describe(instruction: Node<'_>, error: Node<'_>, source: &str) -> SyntaxError {
    let keyword = instruction
        .child(0)
        .filter(|k| !k.is_error())
        .and_then(|k| source.get(k.byte_range()))
        .map(str::to_ascii_uppercase);
    if error.is_missing() {
        let what = error.kind();
        let message = match (what, keyword.as_deref()) {
            ("heredoc_end", _) => "unterminated heredoc".to_owned(),
            ("}", Some(k)) => format!("{k}: missing `}}` to close `${{`"),
            (_, Some(k)) => format!("{k}: expected {}", what.replace('_', " ")),
            (_, None) => format!("expected {}", what.replace('_', " ")),
        };
        let at = error.start_byte();
        return SyntaxError {
            range: at..at,
            message,
        };
    }
    let mut range = error.byte_range();
    // Keep the range on the error's first line: the rest is usually fine.
    if let Some(text) = source.get(range.clone()) {
        let trimmed = text.trim_end_matches(['\n', '\r']);
        range.end = range.start + trimmed.len();
    }
    let text = source.get(range.clone()).unwrap_or_default();
    let shown: String = text.chars().take(40).collect();
    let message = match keyword {
        Some(k) if instruction.kind().ends_with("_instruction") => {
            format!("{k}: unexpected `{shown}`")
        }
        _ => format!("invalid instruction: `{shown}`"),
    };
    SyntaxError { range, message }
}

/// What BuildKit's instruction parser rejects after parsing.
fn instruction_errors(instruction: &Instruction, source: &str, errors: &mut Vec<SyntaxError>) {
    let text = |r: &Range<usize>| source.get(r.clone()).unwrap_or_default();
    let keyword = text(&instruction.keyword).to_ascii_uppercase();
    let whole = instruction.line_range.clone();
    let mut error =
        |range: Range<usize>, message: String| errors.push(SyntaxError { range, message });
    let args = &instruction.arguments;

    let allowed: &[&str] = match instruction.kind {
        InstructionKind::From => &["platform"],
        InstructionKind::Run => &["mount", "network", "security", "device"],
        InstructionKind::Copy => &["from", "chown", "chmod", "link", "parents", "exclude"],
        InstructionKind::Add => &[
            "chown",
            "chmod",
            "link",
            "checksum",
            "keep-git-dir",
            "exclude",
            "unpack",
        ],
        InstructionKind::Healthcheck => &[
            "interval",
            "timeout",
            "start-period",
            "start-interval",
            "retries",
        ],
        _ => &[],
    };
    if !matches!(
        instruction.kind,
        InstructionKind::Onbuild | InstructionKind::Unknown
    ) {
        for flag in &instruction.flags {
            let name = text(&flag.name);
            if !allowed.contains(&name) {
                error(flag.range.clone(), format!("unknown flag: {name}"));
            }
        }
    }

    match instruction.kind {
        InstructionKind::Unknown => {
            let name = text(&instruction.keyword);
            error(
                instruction.keyword.clone(),
                format!("unknown instruction: {name}"),
            );
        }
        InstructionKind::From => match (&instruction.image, args.first(), args.last()) {
            (None, _, _) => error(whole, "FROM requires either one or three arguments".into()),
            (Some(_), Some(first), Some(last)) => error(
                first.start..last.end,
                "FROM requires either one or three arguments".into(),
            ),
            _ => {}
        },
        InstructionKind::Env | InstructionKind::Label | InstructionKind::Arg => {
            if instruction.pairs.is_empty() {
                error(whole, format!("{keyword} requires at least one argument"));
            }
        }
        InstructionKind::Copy | InstructionKind::Add => {
            if instruction.json_arguments.is_none() && args.len() < 2 {
                error(
                    whole,
                    format!("{keyword} requires at least two arguments, but only one was provided. Destination could not be determined."),
                );
            }
        }
        InstructionKind::Maintainer => {
            if args.is_empty() {
                error(whole, "MAINTAINER requires exactly one argument".into());
            }
        }
        InstructionKind::Workdir | InstructionKind::User | InstructionKind::Stopsignal => {
            if args.is_empty() {
                error(whole, format!("{keyword} requires exactly one argument"));
            }
        }
        InstructionKind::Expose => {
            if args.is_empty() {
                error(whole, "EXPOSE requires at least one argument".into());
            }
        }
        InstructionKind::Volume => {
            if args.is_empty() && instruction.json_arguments.is_none() {
                error(whole, "VOLUME requires at least one argument".into());
            }
        }
        InstructionKind::Shell => match &instruction.command {
            Some(CommandForm::Exec { items, .. }) if !items.is_empty() => {}
            Some(CommandForm::Exec { range, .. }) => {
                error(range.clone(), "SHELL requires at least one argument".into())
            }
            Some(CommandForm::Shell { range, .. }) => {
                error(
                    range.clone(),
                    "SHELL requires the arguments to be in JSON form".into(),
                );
            }
            None => error(whole, "SHELL requires at least one argument".into()),
        },
        InstructionKind::Healthcheck => {
            let line = text(&instruction.line_range);
            let has_type = instruction.command.is_some()
                || line
                    .split_whitespace()
                    .any(|w| w.eq_ignore_ascii_case("NONE") || w.eq_ignore_ascii_case("CMD"));
            if !has_type {
                error(whole, "HEALTHCHECK requires at least one argument".into());
            } else if instruction.command.is_none()
                && !line
                    .split_whitespace()
                    .any(|w| w.eq_ignore_ascii_case("NONE"))
            {
                error(whole, "Missing command after HEALTHCHECK CMD".into());
            }
        }
        InstructionKind::Onbuild => match &instruction.trigger {
            None => error(whole, "ONBUILD requires at least one argument".into()),
            Some(trigger) => {
                match trigger.kind {
                    InstructionKind::Onbuild => error(
                        trigger.keyword.clone(),
                        "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed".into(),
                    ),
                    InstructionKind::From | InstructionKind::Maintainer => error(
                        trigger.keyword.clone(),
                        format!(
                            "{} isn't allowed as an ONBUILD trigger",
                            trigger.kind.keyword()
                        ),
                    ),
                    _ => {}
                }
                if trigger.kind != InstructionKind::Onbuild {
                    instruction_errors(trigger, source, errors);
                }
            }
        },
        InstructionKind::Run | InstructionKind::Cmd | InstructionKind::Entrypoint => {}
    }
}

#[cfg(test)]
mod tests {
    use super::{expansion_error, unterminated_expansion, ExpansionError};

    #[test]
    fn unterminated_expansions_are_read_as_buildkit_reads_words() {
        let cases: &[(&str, Option<usize>)] = &[
            ("ENV A=${B}", None),
            ("ENV A=${B", Some(6)),
            ("ENV A=${B:-${C}", Some(6)),
            ("ENV A=${B:-${C}}", None),
            ("ENV A='${B'", None),
            ("ENV A=\"${B\"", Some(7)),
            ("ENV A=\"it's\" B=${C", Some(15)),
            ("ENV A=\\${B", None),
            ("ENV A=${B:-x \\\n  y}\n", None),
            ("ENV A=${B:-x \\  \n# comment }\n  y}\n", None),
            ("ENV A=${B\nRUN echo }\n", Some(6)),
            // `$$` is a parameter of its own: the `{` after it is text.
            ("ENV A=$${B", None),
            ("ENV A=$$${B", Some(8)),
            // Quotes inside an expansion's word are read as quotes.
            ("ENV A=${A:-'${B'}", None),
            ("ENV A=${A:-'}'", Some(6)),
            ("ENV A=\"${B:-\"}\"}\"", None),
            ("ENV A=\"}${B\"", Some(8)),
        ];
        for (text, expected) in cases {
            assert_eq!(unterminated_expansion(text, '\\'), *expected, "{text:?}");
        }
        assert_eq!(unterminated_expansion("ENV A=`${B", '`'), None);
        assert_eq!(unterminated_expansion("ENV A=C:\\${B", '`'), Some(9));
    }

    #[test]
    fn a_pattern_substitution_needs_its_second_slash() {
        use ExpansionError::*;
        let cases: &[(&str, Option<(usize, ExpansionError)>)] = &[
            ("ENV A=${B/x/y}", None),
            ("ENV A=${B//x/y}", None),
            ("ENV A=${B/x/}", None),
            ("ENV A=${B/x}", Some((6, MissingSlash))),
            ("ENV A=${B//x}", Some((6, MissingSlash))),
            ("ENV A=${B/}", Some((6, MissingSlash))),
            ("ENV A=${été/x}", Some((6, MissingSlash))),
            ("COPY a ${B/x} /dst/", None),
            // The `/` of the second pair keeps the first silent.
            ("ENV A=${B/x} C=${D/y}", Some((15, MissingSlash))),
            ("ENV A=${B:-x/y} C=${D}", None),
            ("ENV A=${B/x\\/y}", None),
            ("ENV A='${B/x}'", None),
            ("ENV A=\\${B/x}", None),
            ("ENV A=${B/x} C=${D", Some((6, MissingSlash))),
            ("ENV A=${D C=${B/x}", Some((6, Unterminated))),
            ("ENV A=$${B/x}", None),
            ("ENV A=${A:-'${B/x}'}", None),
        ];
        for (text, expected) in cases {
            assert_eq!(expansion_error(text, '\\'), *expected, "{text:?}");
        }
    }
}
