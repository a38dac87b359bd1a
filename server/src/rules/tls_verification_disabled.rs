//! ## What it does
//! Finds TLS certificate verification turned off: `curl -k`/`--insecure`,
//! `wget --no-check-certificate`, `pip --trusted-host`, `npm`/`yarn`/`pnpm
//! config set strict-ssl false`, `git -c http.sslVerify=false` and
//! `git config http.sslVerify false`, and the variables
//! `PYTHONHTTPSVERIFY=0`, `NODE_TLS_REJECT_UNAUTHORIZED=0`,
//! `GIT_SSL_NO_VERIFY`, `PIP_TRUSTED_HOST` and `NPM_CONFIG_STRICT_SSL=false`
//! (in ENV, or as a command's `VAR=value` prefix).
//!
//! ## Why is this bad?
//! Without certificate checks, anyone on the network path (a proxy, a
//! compromised mirror, a hostile Wi-Fi in a CI runner) can serve different
//! packages or scripts, and they end up in the image. Variables set with ENV
//! also stay in the image and turn verification off for the running
//! application.
//!
//! ## Example
//! ```dockerfile
//! FROM debian:bookworm-slim
//! ENV NODE_TLS_REJECT_UNAUTHORIZED=0
//! RUN curl -fsSLk https://example.com/install.sh -o /tmp/install.sh
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM debian:bookworm-slim
//! ENV NODE_TLS_REJECT_UNAUTHORIZED=1
//! RUN curl -fsSL https://example.com/install.sh -o /tmp/install.sh
//! ```
//!
//! ## Fix safety
//! Unsafe: the fix removes the flag (`-k` out of a `-fsSLk` cluster, a
//! `--trusted-host` with its host, `-c http.sslVerify=false`), removes a
//! `config set` command together with its `&&`, or sets the variable back to
//! the verifying value (`NODE_TLS_REJECT_UNAUTHORIZED=1`,
//! `PYTHONHTTPSVERIFY=1`, `NPM_CONFIG_STRICT_SSL=true`). `GIT_SSL_NO_VERIFY`
//! and `PIP_TRUSTED_HOST` turn checks off whatever their value, so the fix
//! removes them (the whole ENV when it sets nothing else). A build that only
//! worked because of the bypass (a self-signed or intercepting proxy) then
//! fails: install that CA certificate instead. No fix when a `config set`
//! command is alone in its RUN or part of a pipeline.
//!
//! ## References
//! - [CWE-295: Improper Certificate Validation](https://cwe.mitre.org/data/definitions/295.html)
//! - [Checkov CKV2_DOCKER_2…](https://www.checkov.io/5.Policy%20Index/dockerfile.html)

use std::ops::Range;

use super::{Context, FixAvailability, Peers, Report, Rule, FAMILY_DOWNLOADS};
use crate::fix::{Applicability, Edit, Fix};
use crate::syntax::commands::{Command, Word};
use crate::syntax::{Instruction, InstructionKind, KeyValue};
use crate::Severity;

pub static RULE: Rule = Rule {
    code: "DF504",
    name: "tls-verification-disabled",
    family: FAMILY_DOWNLOADS,
    summary: "TLS certificate verification turned off (`curl -k`, `--no-check-certificate`, `strict-ssl false`…)",
    severity: Severity::Error,
    enabled_by_default: true,
    fix: FixAvailability::Sometimes(Applicability::Unsafe),
    peers: Peers {
        hadolint: &[],
        trivy: &[],
        checkov: &[
            "CKV2_DOCKER_2",
            "CKV2_DOCKER_3",
            "CKV2_DOCKER_4",
            "CKV2_DOCKER_5",
            "CKV2_DOCKER_6",
            "CKV2_DOCKER_12",
            "CKV2_DOCKER_13",
            "CKV2_DOCKER_14",
            "CKV2_DOCKER_16",
        ],
        buildkit: &[],
    },
    module: module_path!(),
    check,
};

/// Deletes the words `first..=last` of a command and the blanks after them
/// (or before them, at the end of a line).
pub(super) fn delete_words(context: &Context<'_>, range: Range<usize>) -> Edit {
    let bytes = context.source.as_bytes();
    let mut end = range.end;
    while matches!(bytes.get(end), Some(b' ' | b'\t')) {
        end += 1;
    }
    let at_line_end = matches!(
        bytes.get(end),
        None | Some(b'\n' | b'\r' | b';' | b'&' | b'|' | b')')
    ) || (bytes.get(end).copied() == u8::try_from(context.model.escape).ok()
        && matches!(bytes.get(end + 1), Some(b'\n' | b'\r')));
    if at_line_end || end == range.end {
        let mut start = range.start;
        while start > 0 && matches!(bytes.get(start - 1), Some(b' ' | b'\t')) {
            start -= 1;
        }
        if at_line_end && start < range.start {
            return Edit::delete(start..range.end);
        }
    }
    Edit::delete(range.start..end)
}

/// Skips blanks and line continuations forwards from `at`.
fn skip_blanks(context: &Context<'_>, mut at: usize) -> usize {
    let bytes = context.source.as_bytes();
    let escape = u8::try_from(context.model.escape).unwrap_or(b'\\');
    loop {
        match bytes.get(at) {
            Some(b' ' | b'\t') => at += 1,
            Some(&b) if b == escape && matches!(bytes.get(at + 1), Some(b'\n' | b'\r')) => {
                at += 1;
                while matches!(bytes.get(at), Some(b'\r' | b'\n')) {
                    at += 1;
                }
            }
            _ => return at,
        }
    }
}

/// Deletes a whole simple command with the `&&` or `;` that joins it to the
/// next (or previous) one; `None` when it stands alone or in a pipeline.
pub(super) fn delete_command(context: &Context<'_>, command: &Command) -> Option<Edit> {
    if command.pipeline.is_some() {
        return None;
    }
    let source = context.source;
    let range = &command.range;
    // A command on a line of its own (a heredoc script): drop the line.
    let line_start = context.line_start(range.start);
    let line_end = source[range.end..]
        .find('\n')
        .map_or(source.len(), |i| range.end + i + 1);
    if source[line_start..range.start].trim().is_empty()
        && source[range.end..line_end].trim().is_empty()
        && line_start > 0
        && !source[..line_start]
            .trim_end_matches(['\n', '\r'])
            .ends_with(context.model.escape)
    {
        return Some(Edit::delete(line_start..line_end));
    }
    let after = skip_blanks(context, range.end);
    for op in ["&&", ";"] {
        if source[after..].starts_with(op) {
            let mut end = after + op.len();
            while matches!(source.as_bytes().get(end), Some(b' ' | b'\t')) {
                end += 1;
            }
            return Some(Edit::delete(range.start..end));
        }
    }
    // The last command of a list: remove the operator before it.
    let before = source[..range.start].trim_end_matches([' ', '\t']);
    for op in ["&&", ";"] {
        if let Some(stripped) = before.strip_suffix(op) {
            let start = stripped.trim_end_matches([' ', '\t']).len();
            return Some(Edit::delete(start..range.end));
        }
    }
    let continued = before
        .trim_end_matches(['\n', '\r'])
        .strip_suffix(context.model.escape)
        .map(|b| b.trim_end_matches([' ', '\t']));
    for op in ["&&", ";"] {
        if let Some(stripped) = continued.and_then(|b| b.strip_suffix(op)) {
            let start = stripped.trim_end_matches([' ', '\t']).len();
            return Some(Edit::delete(start..range.end));
        }
    }
    None
}

/// Deletes one pair of an ENV/ARG/LABEL, or the whole instruction when it has
/// no other pair.
pub(super) fn delete_pair(
    context: &Context<'_>,
    instruction: &Instruction,
    pair: &KeyValue,
) -> Edit {
    if instruction.pairs.len() <= 1 {
        let start = context.line_start(instruction.range.start);
        return Edit::delete(start..instruction.range.end);
    }
    let last = instruction
        .pairs
        .last()
        .is_some_and(|p| p.range == pair.range);
    if last {
        // Remove the blanks (and continuation) before it.
        let previous_end = instruction
            .pairs
            .iter()
            .take_while(|p| p.range != pair.range)
            .last()
            .map_or(pair.range.start, |p| p.range.end);
        Edit::delete(previous_end..pair.range.end)
    } else {
        let next_start = instruction
            .pairs
            .iter()
            .skip_while(|p| p.range != pair.range)
            .nth(1)
            .map_or(pair.range.end, |p| p.range.start);
        Edit::delete(pair.range.start..next_start)
    }
}

/// Variables that turn verification off, and the value that turns it on
/// (`None`: any value turns it off, so the variable must go).
const VARIABLES: [(&str, Option<&str>); 5] = [
    ("PYTHONHTTPSVERIFY", Some("1")),
    ("NODE_TLS_REJECT_UNAUTHORIZED", Some("1")),
    ("NPM_CONFIG_STRICT_SSL", Some("true")),
    ("GIT_SSL_NO_VERIFY", None),
    ("PIP_TRUSTED_HOST", None),
];

/// When `name=value` disables verification: the verifying value, if any.
fn disabling(name: &str, value: &str) -> Option<Option<&'static str>> {
    let (_, fixed) = VARIABLES
        .iter()
        .find(|(v, _)| v.eq_ignore_ascii_case(name))?;
    let value = crate::semantics::unquote(value.trim());
    let off = match fixed {
        Some("true") => value.eq_ignore_ascii_case("false") || value == "0",
        Some(_) => value == "0",
        _ => !value.is_empty(),
    };
    off.then_some(*fixed)
}

/// Short curl options that take an argument (the rest of a cluster is it).
const CURL_ARGUMENT_OPTIONS: &str = "AbcCdDeEFHKmoPQrtTuUwxXyYz";

fn check(context: &Context<'_>, report: &mut Report<'_>) {
    for (index, instruction) in context.model.instructions.iter().enumerate() {
        if instruction.kind == InstructionKind::Env {
            for pair in &instruction.pairs {
                let name = context.text(&pair.name);
                let value = pair.value.as_ref().map_or("", |v| context.text(v));
                let Some(fixed) = disabling(name, value) else {
                    continue;
                };
                let fix = match (fixed, &pair.value) {
                    (Some(on), Some(range)) => Fix::unsafe_(
                        format!("Set `{name}={on}` (verify certificates)"),
                        vec![Edit::replace(range.clone(), on)],
                    ),
                    _ => Fix::unsafe_(
                        format!("Remove `{name}`"),
                        vec![delete_pair(context, instruction, pair)],
                    ),
                };
                report.push(
                    pair.range.clone(),
                    format!("`{name}` turns TLS certificate verification off"),
                    Some(fix),
                );
            }
        }
        if instruction.kind != InstructionKind::Run {
            continue;
        }
        for command in context.semantics.commands.get(index).into_iter().flatten() {
            check_prefixes(context, command, report);
            check_command(context, command, report);
        }
    }
}

/// `NODE_TLS_REJECT_UNAUTHORIZED=0 npm ci`.
fn check_prefixes(context: &Context<'_>, command: &Command, report: &mut Report<'_>) {
    for (name, value) in &command.assignments {
        let Some(fixed) = disabling(name, value) else {
            continue;
        };
        let prefix_text = context.text(&(command.range.start..command.name.range.start));
        let Some(offset) = prefix_text.find(&format!("{name}=")) else {
            continue;
        };
        let start = command.range.start + offset;
        let len = prefix_text[offset..]
            .find([' ', '\t', '\n'])
            .unwrap_or(prefix_text.len() - offset);
        let range = start..start + len;
        let fix = match fixed {
            Some(on) => Fix::unsafe_(
                format!("Set `{name}={on}` (verify certificates)"),
                vec![Edit::replace(range.clone(), format!("{name}={on}"))],
            ),
            None => Fix::unsafe_(
                format!("Remove `{name}`"),
                vec![delete_words(context, range.clone())],
            ),
        };
        report.push(
            range,
            format!("`{name}` turns TLS certificate verification off"),
            Some(fix),
        );
    }
}

fn push_flag(context: &Context<'_>, report: &mut Report<'_>, words: &[&Word], what: &str) {
    let (Some(first), Some(last)) = (words.first(), words.last()) else {
        return;
    };
    let range = first.range.start..last.range.end;
    let shown: Vec<&str> = words.iter().map(|w| w.text.as_str()).collect();
    report.push(
        range.clone(),
        format!(
            "`{}` turns TLS certificate verification off{what}",
            shown.join(" ")
        ),
        Some(Fix::unsafe_(
            format!("Remove `{}`", shown.join(" ")),
            vec![delete_words(context, range)],
        )),
    );
}

fn check_command(context: &Context<'_>, command: &Command, report: &mut Report<'_>) {
    let (name, args) = command.effective();
    let program = crate::semantics::shell::program_name(&name.text);
    let options_end = args
        .iter()
        .position(|w| w.text == "--")
        .unwrap_or(args.len());
    let options = args.get(..options_end).unwrap_or_default();
    match program {
        "curl" => {
            for word in options {
                if word.text == "-k" || word.text == "--insecure" || word.text == "--proxy-insecure"
                {
                    push_flag(context, report, &[word], "");
                } else if word.literal
                    && word.text.starts_with('-')
                    && !word.text.starts_with("--")
                    && word.range.len() == word.text.len()
                {
                    let cluster = &word.text[1..];
                    let before_argument = cluster
                        .find(|c| CURL_ARGUMENT_OPTIONS.contains(c))
                        .unwrap_or(cluster.len());
                    if let Some(k) = cluster[..before_argument].find('k') {
                        let at = word.range.start + 1 + k;
                        report.push(
                            word.range.clone(),
                            format!(
                                "`-k` in `{}` turns TLS certificate verification off",
                                word.text
                            ),
                            Some(Fix::unsafe_("Remove `-k`", vec![Edit::delete(at..at + 1)])),
                        );
                    }
                }
            }
        }
        "wget" => {
            for word in options {
                if word.text == "--no-check-certificate" {
                    push_flag(context, report, &[word], "");
                }
            }
        }
        "npm" | "yarn" | "pnpm" | "git" => {
            let texts: Vec<String> = args.iter().map(|w| w.text.to_ascii_lowercase()).collect();
            let setting = if program == "git" {
                "http.sslverify"
            } else {
                "strict-ssl"
            };
            let sets_config = texts.iter().any(|t| t == "config" || t == "set");
            let turned_off = texts.iter().enumerate().any(|(i, t)| {
                (t == setting && texts.get(i + 1).is_some_and(|v| v == "false" || v == "0"))
                    || t == &format!("{setting}=false")
            });
            let is_config = if program == "git" {
                texts.first().is_some_and(|t| t == "config")
            } else {
                sets_config
            };
            if is_config && turned_off {
                report.push(
                    command.range.clone(),
                    format!("`{program} config` turns TLS certificate verification off for every later step"),
                    delete_command(context, command).map(|edit| {
                        Fix::unsafe_(format!("Remove the `{program} config` command"), vec![edit])
                    }),
                );
                return;
            }
            if program == "git" {
                for (i, word) in options.iter().enumerate() {
                    let Some(value) = options.get(i + 1) else {
                        continue;
                    };
                    let lower = value.text.to_ascii_lowercase();
                    if word.text == "-c"
                        && (lower == "http.sslverify=false" || lower == "http.sslverify=0")
                    {
                        push_flag(context, report, &[word, value], "");
                    }
                }
            }
        }
        _ if program.starts_with("pip") || program.starts_with("python") || program == "uv" => {
            for (i, word) in options.iter().enumerate() {
                if word.text == "--trusted-host" {
                    let words: Vec<&Word> =
                        options.get(i..i + 2).unwrap_or_default().iter().collect();
                    if words.len() == 2 {
                        push_flag(context, report, &words, " for that host");
                    }
                } else if word.text.starts_with("--trusted-host=") {
                    push_flag(context, report, &[word], " for that host");
                }
            }
        }
        _ => {}
    }
}
