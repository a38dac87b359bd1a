//! ## What it does
//! Finds ADD instructions that copy local files or directories which are not
//! archives: COPY does exactly the same, without ADD's extra behaviours.
//!
//! ## Why is this bad?
//! ADD also downloads URLs, clones git repositories and unpacks local tar
//! archives. Using it for plain files hides which of these the author meant,
//! and a file that later becomes (or is replaced by) a tar archive is silently
//! unpacked into the image. COPY states the intent and does nothing else.
//!
//! ## Example
//! ```dockerfile
//! FROM alpine:3.22
//! ADD app.py /app/
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM alpine:3.22
//! COPY app.py /app/
//! ```
//!
//! ## Fix safety
//! Safe: for a local source that is not a tar archive, ADD and COPY copy the
//! same files with the same ownership and permissions. The rule leaves alone
//! URLs and git references, sources that may be archives (`.tar`, `.tgz`,
//! `.gz`, `.bz2`, `.xz`, `.zst`… or a name ending in a wildcard or variable),
//! and ADD-only flags (`--checksum`, `--keep-git-dir`, `--unpack`). A `.zip`
//! is not unpacked by ADD, so `ADD x.zip` is reported. `--chown`, `--chmod`,
//! `--link` and `--exclude` are valid for COPY too and are kept.
//!
//! ## References
//! - [hadolint DL3020](https://github.com/hadolint/hadolint/wiki/DL3020)
//! - [Docker: ADD or COPY](https://docs.docker.com/build/building/best-practices/#add-or-copy)

use super::{Context, FixAvailability, Peers, Report, Rule, FAMILY_DOWNLOADS};
use crate::fix::{Applicability, Edit, Fix};
use crate::syntax::{Instruction, InstructionKind};
use crate::Severity;

pub static RULE: Rule = Rule {
    code: "DF502",
    name: "add-instead-of-copy",
    family: FAMILY_DOWNLOADS,
    summary: "ADD of local, non-archive sources",
    severity: Severity::Warning,
    enabled_by_default: true,
    fix: FixAvailability::Always(Applicability::Safe),
    peers: Peers {
        hadolint: &["DL3020"],
        trivy: &["DS-0005"],
        checkov: &["CKV_DOCKER_4"],
        buildkit: &[],
    },
    module: module_path!(),
    check,
};

/// Extensions of files ADD may unpack (tar, possibly compressed).
const ARCHIVE_EXTENSIONS: [&str; 14] = [
    ".tar", ".tgz", ".tbz", ".tbz2", ".tb2", ".txz", ".tlz", ".tzst", ".gz", ".bz2", ".xz", ".zst",
    ".lz", ".lzma",
];

/// The sources of a COPY/ADD (its arguments but the destination), unquoted.
pub fn sources(context: &Context<'_>, instruction: &Instruction) -> Vec<String> {
    let mut texts: Vec<String> = if let Some(json) = &instruction.json_arguments {
        serde_json::from_str::<Vec<String>>(context.text(json)).unwrap_or_default()
    } else {
        instruction
            .arguments
            .iter()
            .map(|r| crate::semantics::unquote(context.text(r)))
            .collect()
    };
    texts.pop();
    texts
}

/// An `http(s)://` or `ftp://` download that is not a git repository.
pub fn is_url(source: &str) -> bool {
    let lower = source.to_ascii_lowercase();
    (lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("ftp://"))
        && !is_git(source)
}

/// A git reference ADD clones.
pub fn is_git(source: &str) -> bool {
    let lower = source.to_ascii_lowercase();
    // BuildKit's git URLs: `repo.git#ref` and `repo.git?ref=…&keep-git-dir=1`.
    let path = lower.split(['#', '?']).next().unwrap_or_default();
    lower.starts_with("git@")
        || lower.starts_with("git://")
        || lower.starts_with("ssh://")
        || path.ends_with(".git")
        || (lower.contains("://") && (lower.contains(".git#") || lower.contains(".git?")))
}

fn may_be_archive(source: &str) -> bool {
    let lower = source.to_ascii_lowercase();
    let lower = lower.trim_end_matches('/');
    lower.contains('$')
        || lower.ends_with(['*', '?', ']'])
        || ARCHIVE_EXTENSIONS.iter().any(|e| lower.ends_with(e))
}

/// Flags COPY accepts as ADD does.
const SHARED_FLAGS: [&str; 4] = ["chown", "chmod", "link", "exclude"];

fn check(context: &Context<'_>, report: &mut Report<'_>) {
    for instruction in &context.model.instructions {
        if instruction.kind != InstructionKind::Add {
            continue;
        }
        let only_shared_flags = instruction
            .flags
            .iter()
            .all(|f| SHARED_FLAGS.contains(&context.text(&f.name)));
        if !only_shared_flags {
            continue;
        }
        let sources = sources(context, instruction);
        let heredoc = !instruction.heredocs.is_empty();
        if (sources.is_empty() && !heredoc)
            || sources
                .iter()
                .any(|s| s.contains("://") || is_git(s) || may_be_archive(s))
        {
            continue;
        }
        let keyword = context.text(&instruction.keyword);
        let copy = if keyword.chars().all(|c| c.is_ascii_lowercase()) {
            "copy"
        } else {
            "COPY"
        };
        report.push(
            instruction.keyword.clone(),
            "ADD of local files that are not archives: COPY does the same without ADD's download and unpack behaviours",
            Some(Fix::safe(
                "Use `COPY`",
                vec![Edit::replace(instruction.keyword.clone(), copy)],
            )),
        );
    }
}
