//! BuildKit's view of each instruction, computed from our tree.
//!
//! The tree decides where every instruction and heredoc starts and ends; this
//! module then applies BuildKit's own line rules (moby/buildkit v0.12,
//! `frontend/dockerfile/parser`) to that text: joining continuation lines,
//! splitting the command from its flags, and the per-instruction argument
//! parsers. The result has exactly the fields of the official parser's Python
//! binding (PyPI `dockerfile`), so the two can be compared field by field, and
//! the errors BuildKit's parser raises become DF001 diagnostics.

use std::ops::Range;

use serde::Serialize;

/// One instruction as BuildKit's parser reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Command {
    pub cmd: String,
    pub sub_cmd: Option<String>,
    pub json: bool,
    pub original: String,
    pub start_line: usize,
    pub end_line: usize,
    pub flags: Vec<String>,
    pub value: Vec<String>,
    pub heredocs: Vec<Heredoc>,
}

/// A heredoc attached to an instruction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Heredoc {
    pub name: String,
    pub file_descriptor: u32,
    pub content: String,
}

/// An error BuildKit's parser would raise, with the byte range it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub message: String,
    pub range: Range<usize>,
}

/// The input for one instruction: its line part and its heredoc parts.
pub(crate) struct InstructionText<'a> {
    /// The source from the instruction's first character to the end of its last
    /// line (before any heredoc body).
    pub lines: &'a str,
    /// Byte offset of `lines` in the document.
    pub offset: usize,
    pub start_line: usize,
    pub end_line: usize,
    /// Heredoc marker words in order (e.g. `<<-"EOF"`) with their bodies.
    pub heredocs: Vec<(String, String)>,
    pub escape: char,
}

/// Go's `unicode.IsSpace`.
pub(crate) fn is_go_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n'
            | '\u{0B}'
            | '\u{0C}'
            | '\r'
            | ' '
            | '\u{85}'
            | '\u{A0}'
            | '\u{1680}'
            | '\u{2000}'
            ..='\u{200A}' | '\u{2028}' | '\u{2029}' | '\u{202F}' | '\u{205F}' | '\u{3000}'
    )
}

/// BuildKit's `reWhitespace` / `tokenWhitespace`: `[\t\v\f\r ]+`.
fn is_token_space(c: char) -> bool {
    matches!(c, '\t' | '\u{0B}' | '\u{0C}' | '\r' | ' ')
}

fn trim_newline(line: &str) -> &str {
    line.trim_end_matches(['\r', '\n'])
}

fn trim_leading_whitespace(line: &str) -> &str {
    line.trim_start_matches(is_go_space)
}

fn is_comment(line: &str) -> bool {
    trim_leading_whitespace(line).starts_with('#')
}

/// `([^E])E[ \t]*$|^E[ \t]*$` replaced by `$1`: returns the line without its
/// continuation and whether the logical line ends here.
pub(crate) fn trim_continuation(line: &str, escape: char) -> (&str, bool) {
    let body = line.trim_end_matches([' ', '\t']);
    if let Some(before) = body.strip_suffix(escape) {
        if before.is_empty() || !before.ends_with(escape) {
            return (before, false);
        }
    }
    (line, true)
}

/// Splits text into lines that keep their `\n` (BuildKit's `scanLines`).
pub(crate) fn scan_lines(text: &str) -> impl Iterator<Item = &str> {
    text.split_inclusive('\n')
}

/// Joins the physical lines of one instruction into BuildKit's logical line.
pub(crate) fn join_lines(text: &str, escape: char) -> String {
    let mut lines = scan_lines(text);
    let Some(first) = lines.next() else {
        return String::new();
    };
    let first = trim_leading_whitespace(trim_newline(first));
    let (first, mut ended) = trim_continuation(first, escape);
    let mut joined = first.to_owned();
    for raw in lines {
        if ended {
            break;
        }
        if is_comment(raw) {
            continue;
        }
        let line = trim_newline(raw);
        if trim_leading_whitespace(line).is_empty() {
            continue;
        }
        let (line, end) = trim_continuation(line, escape);
        joined.push_str(line);
        ended = end;
    }
    joined
}

/// Lowers one instruction. Errors are those BuildKit's parser raises.
pub(crate) fn lower(input: &InstructionText<'_>) -> Result<Command, ParseError> {
    let whole = input.offset..input.offset + input.lines.len();
    let error = |message: String| ParseError {
        message,
        range: whole.clone(),
    };
    let line = join_lines(input.lines, input.escape);
    let node = node_from_line(&line, input.escape).map_err(error)?;

    let mut command = Command {
        cmd: node.cmd,
        sub_cmd: None,
        json: node.json,
        original: line.clone(),
        start_line: input.start_line,
        end_line: input.end_line,
        flags: node.flags,
        value: node.value,
        heredocs: Vec::new(),
    };
    let mut heredocs = Vec::new();
    for (marker, content) in &input.heredocs {
        let parsed = parse_heredoc_marker(marker).map_err(error)?;
        if let Some((name, file_descriptor)) = parsed {
            heredocs.push(Heredoc {
                name,
                file_descriptor,
                content: content.clone(),
            });
        }
    }
    if let Some(sub) = node.sub {
        // The Python binding reports the ONBUILD's inner instruction; BuildKit
        // attaches heredocs to the outer node, where the binding does not look.
        command.sub_cmd = Some(sub.cmd);
        command.json = sub.json;
        command.value = sub.value;
    } else if !heredocs.is_empty() {
        command.original.push('\n');
        for heredoc in &heredocs {
            command.original.push_str(&heredoc.content);
            command.original.push_str(&heredoc.name);
            command.original.push('\n');
        }
        command.heredocs = heredocs;
    }
    Ok(command)
}

struct Node {
    cmd: String,
    flags: Vec<String>,
    value: Vec<String>,
    json: bool,
    sub: Option<Box<Node>>,
}

fn node_from_line(line: &str, escape: char) -> Result<Node, String> {
    let (cmd, flags, args) = split_command(line);
    let lower = cmd.to_ascii_lowercase();
    let mut sub = None;
    let (value, json) = match lower.as_str() {
        "add" | "copy" | "volume" => parse_maybe_json_to_list(&args)?,
        "arg" => (parse_words(&args, escape), false),
        "cmd" | "entrypoint" | "run" | "shell" => parse_maybe_json(&args)?,
        "env" => (parse_name_val(&args, "ENV", escape)?, false),
        "label" => (parse_name_val(&args, "LABEL", escape)?, false),
        "expose" | "from" => (parse_strings_whitespace_delimited(&args), false),
        "healthcheck" => parse_health_config(&args)?,
        "maintainer" | "stopsignal" | "user" | "workdir" => (parse_string(&args), false),
        "onbuild" => {
            if args.is_empty() {
                (Vec::new(), false)
            } else {
                let inner = node_from_line(&args, escape)?;
                sub = Some(Box::new(inner));
                (vec![String::new()], false)
            }
        }
        _ => (vec![String::new()], false),
    };
    Ok(Node {
        cmd: cmd.to_owned(),
        flags,
        value,
        json,
        sub,
    })
}

/// BuildKit's `splitCommand`: the command word, its `--flags` and the rest.
fn split_command(line: &str) -> (&str, Vec<String>, String) {
    let trimmed = line.trim_matches(is_go_space);
    match trimmed.find(is_token_space) {
        None => (trimmed, Vec::new(), String::new()),
        Some(at) => {
            let cmd = &trimmed[..at];
            let rest = trimmed[at..].trim_start_matches(is_token_space);
            let (args, flags) = extract_builder_flags(rest);
            (cmd, flags, args.trim_matches(is_go_space).to_owned())
        }
    }
}

/// BuildKit v0.12's `extractBuilderFlags`. It walks bytes, not characters, so
/// a non-ASCII byte becomes the Latin-1 character of the same value.
fn extract_builder_flags(line: &str) -> (String, Vec<String>) {
    #[derive(PartialEq)]
    enum Phase {
        Spaces,
        Word,
        Quote,
    }
    let bytes = line.as_bytes();
    let mut words = Vec::new();
    let mut phase = Phase::Spaces;
    let mut word = String::new();
    let mut quote = 0u8;
    let mut blank_ok = false;
    let mut pos = 0;
    while pos <= bytes.len() {
        let ch = if pos < bytes.len() { bytes[pos] } else { 0 };
        if phase == Phase::Spaces {
            if pos == bytes.len() {
                break;
            }
            if is_go_space(ch as char) {
                pos += 1;
                continue;
            }
            if ch != b'-' || pos + 1 == bytes.len() || bytes[pos + 1] != b'-' {
                return (line[pos..].to_owned(), words);
            }
            phase = Phase::Word;
        }
        if pos == bytes.len() {
            if word != "--" && (blank_ok || !word.is_empty()) {
                words.push(word);
            }
            break;
        }
        if phase == Phase::Word {
            if is_go_space(ch as char) {
                phase = Phase::Spaces;
                if word == "--" {
                    return (line[pos..].to_owned(), words);
                }
                if blank_ok || !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
                word.clear();
                blank_ok = false;
                pos += 1;
                continue;
            }
            if ch == b'\'' || ch == b'"' {
                quote = ch;
                blank_ok = true;
                phase = Phase::Quote;
                pos += 1;
                continue;
            }
        } else if ch == quote {
            phase = Phase::Word;
            pos += 1;
            continue;
        }
        // In a word or in quotes, a backslash takes the next byte literally; a
        // final one is dropped.
        let mut c = ch;
        if c == b'\\' {
            if pos + 1 == bytes.len() {
                pos += 1;
                continue;
            }
            pos += 1;
            c = bytes[pos];
        }
        word.push(c as char);
        pos += 1;
    }
    (String::new(), words)
}

/// BuildKit's `parseWords`: whitespace-separated words, quotes kept.
pub(crate) fn parse_words(rest: &str, escape: char) -> Vec<String> {
    #[derive(PartialEq)]
    enum Phase {
        Spaces,
        Word,
        Quote,
    }
    let mut words = Vec::new();
    let mut phase = Phase::Spaces;
    let mut quote = '\0';
    let mut blank_ok = false;
    let mut word = String::new();
    let chars: Vec<char> = rest.chars().collect();
    let mut pos = 0;
    while pos <= chars.len() {
        let at_end = pos == chars.len();
        let mut ch = if at_end { '\0' } else { chars[pos] };
        if phase == Phase::Spaces {
            if at_end {
                break;
            }
            if is_go_space(ch) {
                pos += 1;
                continue;
            }
            phase = Phase::Word;
        }
        if at_end {
            if blank_ok || !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            break;
        }
        if phase == Phase::Word {
            if is_go_space(ch) {
                phase = Phase::Spaces;
                if blank_ok || !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
                blank_ok = false;
                pos += 1;
                continue;
            }
            if ch == '\'' || ch == '"' {
                quote = ch;
                blank_ok = true;
                phase = Phase::Quote;
            }
            if ch == escape {
                if pos + 1 == chars.len() {
                    pos += 1;
                    continue;
                }
                word.push(ch);
                pos += 1;
                ch = chars[pos];
            }
            word.push(ch);
            pos += 1;
            continue;
        }
        if ch == quote {
            phase = Phase::Word;
        }
        if ch == escape && quote != '\'' {
            if pos + 1 == chars.len() {
                phase = Phase::Word;
                pos += 1;
                continue;
            }
            pos += 1;
            word.push(ch);
            ch = chars[pos];
        }
        word.push(ch);
        pos += 1;
    }
    words
}

fn parse_name_val(rest: &str, key: &str, escape: char) -> Result<Vec<String>, String> {
    let words = parse_words(rest, escape);
    let Some(first) = words.first() else {
        return Ok(Vec::new());
    };
    if !first.contains('=') {
        let mut parts = rest.splitn(2, is_token_space);
        let name = parts.next().unwrap_or_default();
        let Some(value) = parts.next() else {
            return Err(format!("{key} must have two arguments"));
        };
        return Ok(vec![
            name.to_owned(),
            value.trim_start_matches(is_token_space).to_owned(),
        ]);
    }
    let mut out = Vec::with_capacity(words.len() * 2);
    for word in &words {
        let Some((name, value)) = word.split_once('=') else {
            return Err(format!(
                "Syntax error - can't find = in {word:?}. Must be of the form: name=value"
            ));
        };
        out.push(name.to_owned());
        out.push(value.to_owned());
    }
    Ok(out)
}

fn parse_strings_whitespace_delimited(rest: &str) -> Vec<String> {
    if rest.is_empty() {
        return Vec::new();
    }
    rest.split(is_token_space)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn parse_string(rest: &str) -> Vec<String> {
    if rest.is_empty() {
        Vec::new()
    } else {
        vec![rest.to_owned()]
    }
}

enum JsonOutcome {
    Strings(Vec<String>),
    NotStrings,
    NotJson,
}

fn parse_json(rest: &str) -> JsonOutcome {
    let rest = rest.trim_start_matches(is_go_space);
    if !rest.starts_with('[') {
        return JsonOutcome::NotJson;
    }
    // BuildKit v0.12 reads the first JSON value with a json.Decoder: text after
    // the array is ignored.
    let first = serde_json::Deserializer::from_str(rest)
        .into_iter::<Vec<serde_json::Value>>()
        .next();
    match first {
        None | Some(Err(_)) => JsonOutcome::NotJson,
        Some(Ok(values)) => {
            let mut strings = Vec::with_capacity(values.len());
            for value in values {
                match value {
                    serde_json::Value::String(s) => strings.push(s),
                    _ => return JsonOutcome::NotStrings,
                }
            }
            JsonOutcome::Strings(strings)
        }
    }
}

pub(crate) const NOT_STRING_ARRAY: &str =
    "when using JSON array syntax, arrays must be comprised of strings only";

fn parse_maybe_json(rest: &str) -> Result<(Vec<String>, bool), String> {
    if rest.is_empty() {
        return Ok((Vec::new(), false));
    }
    match parse_json(rest) {
        JsonOutcome::Strings(values) => Ok((values, true)),
        JsonOutcome::NotStrings => Err(NOT_STRING_ARRAY.to_owned()),
        JsonOutcome::NotJson => Ok((vec![rest.to_owned()], false)),
    }
}

fn parse_maybe_json_to_list(rest: &str) -> Result<(Vec<String>, bool), String> {
    match parse_json(rest) {
        JsonOutcome::Strings(values) => Ok((values, true)),
        JsonOutcome::NotStrings => Err(NOT_STRING_ARRAY.to_owned()),
        JsonOutcome::NotJson => Ok((parse_strings_whitespace_delimited(rest), false)),
    }
}

fn parse_health_config(rest: &str) -> Result<(Vec<String>, bool), String> {
    let bytes = rest.as_bytes();
    let sep = bytes
        .iter()
        .position(|&b| is_go_space(b as char))
        .unwrap_or(bytes.len());
    if sep == 0 {
        return Ok((Vec::new(), false));
    }
    let next = bytes[sep..]
        .iter()
        .position(|&b| !is_go_space(b as char))
        .map_or(bytes.len(), |p| sep + p);
    let kind = rest.get(..sep).unwrap_or(rest).to_owned();
    let (mut cmd, json) = parse_maybe_json(rest.get(next..).unwrap_or_default())?;
    let mut value = vec![kind];
    value.append(&mut cmd);
    Ok((value, json))
}

/// BuildKit's `ParseHeredoc` on one marker word: `(name, file descriptor)`, or
/// `None` when the word is not a heredoc after all.
pub(crate) fn parse_heredoc_marker(word: &str) -> Result<Option<(String, u32)>, String> {
    let digits = word.bytes().take_while(u8::is_ascii_digit).count();
    let Some(after) = word[digits..].strip_prefix("<<") else {
        return Ok(None);
    };
    let rest = after.strip_prefix('-').unwrap_or(after);
    if rest.is_empty() || rest.contains('<') {
        return Ok(None);
    }
    let fd = word[..digits].parse::<u32>().unwrap_or(0);
    let words = shell_words(rest)?;
    if words.len() != 1 {
        return Ok(None);
    }
    Ok(words.into_iter().next().map(|name| (name, fd)))
}

/// The words of BuildKit's shell lexer with quotes and escapes removed and no
/// variables set (enough for heredoc delimiters).
fn shell_words(text: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            c if is_go_space(c) => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        None => return Err(
                            "unexpected end of statement while looking for matching single-quote"
                                .into(),
                        ),
                        Some('\'') => break,
                        Some(c) => word.push(c),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        None => return Err(
                            "unexpected end of statement while looking for matching double-quote"
                                .into(),
                        ),
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\' | '$')) => word.push(c),
                            Some(c) => {
                                word.push('\\');
                                word.push(c);
                            }
                            None => word.push('\\'),
                        },
                        Some(c) => word.push(c),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(next) = chars.next() {
                    word.push(next);
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuation_regex_matches_buildkit() {
        assert_eq!(trim_continuation("RUN a \\", '\\'), ("RUN a ", false));
        assert_eq!(trim_continuation("RUN a \\  \t", '\\'), ("RUN a ", false));
        assert_eq!(trim_continuation("RUN a \\\\", '\\'), ("RUN a \\\\", true));
        assert_eq!(trim_continuation("\\", '\\'), ("", false));
        assert_eq!(trim_continuation("RUN a `", '`'), ("RUN a ", false));
        assert_eq!(trim_continuation("RUN a \\", '`'), ("RUN a \\", true));
    }

    #[test]
    fn joins_lines_skipping_comments_and_blank_lines() {
        let text = "RUN a \\  \n  # c\n  \n b \\\n";
        assert_eq!(join_lines(text, '\\'), "RUN a  b ");
    }

    #[test]
    fn flags_follow_buildkit_v0_12() {
        assert_eq!(
            extract_builder_flags("--a=\"b c\" --d x"),
            ("x".into(), vec!["--a=b c".into(), "--d".into()])
        );
        assert_eq!(extract_builder_flags("-- a b"), (" a b".into(), vec![]));
        assert_eq!(extract_builder_flags("-x --y"), ("-x --y".into(), vec![]));
    }

    #[test]
    fn env_forms() {
        assert_eq!(
            parse_name_val("a=b c=\"d e\"", "ENV", '\\'),
            Ok(vec!["a".into(), "b".into(), "c".into(), "\"d e\"".into()])
        );
        assert_eq!(
            parse_name_val("x y z", "ENV", '\\'),
            Ok(vec!["x".into(), "y z".into()])
        );
        assert!(parse_name_val("x", "ENV", '\\').is_err());
    }

    #[test]
    fn heredoc_markers() {
        assert_eq!(parse_heredoc_marker("<<EOF"), Ok(Some(("EOF".into(), 0))));
        assert_eq!(
            parse_heredoc_marker("2<<-\"E F\""),
            Ok(Some(("E F".into(), 2)))
        );
        assert_eq!(
            parse_heredoc_marker("<<E\\\"F"),
            Ok(Some(("E\"F".into(), 0)))
        );
        assert_eq!(parse_heredoc_marker("<<<x"), Ok(None));
    }
}
