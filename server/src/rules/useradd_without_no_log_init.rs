//! ## What it does
//! Finds `useradd` with a large UID (five digits or more) and without
//! `-l`/`--no-log-init`.
//!
//! ## Why is this bad?
//! `useradd` records the new user in `/var/log/lastlog` and `faillog`, files
//! indexed by UID. They are sparse on disk, but image layers are tar archives
//! that store them in full: a UID of 100000 adds about 30 MB of zeros to the
//! image, and some builds run out of disk.
//!
//! ## Example
//! ```dockerfile
//! FROM debian:bookworm-slim
//! RUN useradd --uid 100000 app
//! USER app
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM debian:bookworm-slim
//! RUN useradd --no-log-init --uid 100000 app
//! USER app
//! ```
//!
//! ## Fix safety
//! Safe: the login records of a container user are never read.
//!
//! ## References
//! - [hadolint DL3046](https://github.com/hadolint/hadolint/wiki/DL3046)
//! - [Docker best practices: USER](https://docs.docker.com/build/building/best-practices/#user)

use super::{Context, FixAvailability, Peers, Report, Rule, FAMILY_PRIVILEGE};
use crate::fix::{Applicability, Edit, Fix};
use crate::semantics::Word;
use crate::Severity;

pub static RULE: Rule = Rule {
    code: "DF104",
    name: "useradd-without-no-log-init",
    family: FAMILY_PRIVILEGE,
    summary: "`useradd` with a large UID and no `--no-log-init`",
    severity: Severity::Warning,
    enabled_by_default: true,
    fix: FixAvailability::Always(Applicability::Safe),
    peers: Peers {
        hadolint: &["DL3046"],
        trivy: &[],
        checkov: &[],
        buildkit: &[],
    },
    module: module_path!(),
    check,
};

/// Five digits: from here the lastlog file reaches megabytes. hadolint uses
/// more than five; the fix is harmless, so we warn a little earlier.
const LARGE_UID: u64 = 10_000;

fn check(context: &Context<'_>, report: &mut Report<'_>) {
    for (index, commands) in context.semantics.commands.iter().enumerate() {
        for command in commands {
            let (name, args) = command.effective();
            if crate::semantics::shell::program_name(&name.text) != "useradd" {
                continue;
            }
            if has_no_log_init(args) {
                continue;
            }
            let Some(written) = uid_of(args) else {
                continue;
            };
            // `-u ${UID}`: the ARG/ENV value in scope, when it has one.
            let value = if written.contains('$') {
                let variables =
                    context
                        .semantics
                        .variables_at(context.model, context.source, index);
                crate::semantics::expand(&written, &variables)
            } else {
                Some(written)
            };
            let Some(uid) = value.and_then(|v| v.parse::<u64>().ok()) else {
                continue;
            };
            if uid < LARGE_UID {
                continue;
            }
            report.push(
                name.range.start..args.last().map_or(name.range.end, |w| w.range.end),
                format!("`useradd` with UID {uid} and no `--no-log-init` bloats the image with a sparse lastlog file"),
                Some(Fix::safe(
                    "Add `--no-log-init`",
                    vec![Edit::insert(name.range.end, " --no-log-init")],
                )),
            );
        }
    }
}

fn has_no_log_init(args: &[Word]) -> bool {
    args.iter().any(|w| {
        w.text == "--no-log-init"
            || (w.text.starts_with('-')
                && !w.text.starts_with("--")
                && short_flags(&w.text).contains('l'))
    })
}

/// The flags of a short-option cluster up to the first one that takes a value.
fn short_flags(word: &str) -> String {
    let mut out = String::new();
    for c in word.chars().skip(1) {
        out.push(c);
        // These take a value; the rest of the word is that value.
        if "bcdefgGkKpuRPZ".contains(c) {
            break;
        }
    }
    out
}

/// The UID as written (`10001`, `${UID}`).
fn uid_of(args: &[Word]) -> Option<String> {
    let mut iter = args.iter().peekable();
    while let Some(word) = iter.next() {
        let text = word.text.as_str();
        if text == "--" {
            break;
        }
        let value = if text == "--uid" {
            iter.peek().map(|w| w.text.clone())
        } else if let Some(v) = text.strip_prefix("--uid=") {
            Some(v.to_owned())
        } else if text.starts_with('-') && !text.starts_with("--") {
            let flags = short_flags(text);
            if flags.ends_with('u') {
                let rest = &text[1 + flags.len()..];
                if rest.is_empty() {
                    iter.peek().map(|w| w.text.clone())
                } else {
                    Some(rest.to_owned())
                }
            } else {
                None
            }
        } else {
            None
        };
        if value.is_some() {
            return value;
        }
    }
    None
}
