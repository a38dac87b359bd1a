//! ## What it does
//! Finds `COPY . …` and `ADD . …` (the whole build context: `.`, `./`, `*`)
//! when the Dockerfile's folder has no `.dockerignore` (nor a
//! `<Dockerfile>.dockerignore`), or has one that lets the Git metadata,
//! `.env` files or private keys (`id_rsa`, `id_ed25519`, `*.key`, `*.pem`)
//! through. The build context is taken to be the Dockerfile's folder, as in
//! `docker build -f dir/Dockerfile dir`; without a workspace (standard input,
//! the pure engine) the rule stays silent.
//!
//! ## Why is this bad?
//! `COPY .` copies everything the context holds into a layer: the `.git`
//! folder with the whole history (including secrets committed and later
//! removed), local `.env` files and keys lying in the checkout. Anyone who can
//! pull the image can read them. A `.dockerignore` keeps them out of the
//! context and also makes builds faster and their cache more stable.
//!
//! ## Example
//! ```dockerfile
//! FROM node:22-slim
//! WORKDIR /app
//! COPY . .
//! RUN npm ci --omit=dev
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM node:22-slim
//! WORKDIR /app
//! COPY . .
//! RUN npm ci --omit=dev
//! ```
//! with this `.dockerignore` beside it:
//! ```dockerignore
//! .git
//! **/.env
//! **/*.pem
//! **/*.key
//! **/id_rsa
//! **/id_ecdsa
//! **/id_ed25519
//! node_modules
//! ```
//!
//! ## Fix safety
//! Unsafe: the fix creates `.dockerignore` (or extends the ignore file in
//! use) with the missing patterns, which removes those files from the build
//! context of every instruction. A pattern that would exclude a file the
//! Dockerfile copies by name is left out, and a file the ignore file already
//! re-includes with `!` is taken as deliberate. In the editor the fix is a
//! workspace edit that creates or edits the file; `dockfix check
//! --unsafe-fixes` writes it.
//!
//! ## References
//! - [Docker: .dockerignore files](https://docs.docker.com/build/concepts/context/#dockerignore-files)
//! - [OWASP Docker Security Cheat Sheet, rule 13](https://cheatsheetseries.owasp.org/cheatsheets/Docker_Security_Cheat_Sheet.html)

use super::{Context, FixAvailability, Peers, Report, Rule, FAMILY_SECRETS};
use crate::fix::{Applicability, Edit, FileChange, Fix};
use crate::semantics::dockerignore::{pattern_matches, Patterns};
use crate::syntax::{Instruction, InstructionKind};
use crate::Severity;

pub static RULE: Rule = Rule {
    code: "DF404",
    name: "context-without-dockerignore",
    family: FAMILY_SECRETS,
    summary: "`COPY .` with no `.dockerignore`, or one that lets `.git`, `.env` or keys through",
    severity: Severity::Warning,
    enabled_by_default: true,
    fix: FixAvailability::Sometimes(Applicability::Unsafe),
    peers: Peers::NONE,
    module: module_path!(),
    check,
};

/// What must stay out of the context: a path that stands for it and the
/// pattern that excludes it.
struct Guard {
    /// The kind of file, shared by guards of one kind.
    what: &'static str,
    /// The file names it stands for, as the message lists them.
    shown: &'static str,
    probe: &'static str,
    pattern: &'static str,
}

const GUARDS: [Guard; 7] = [
    Guard {
        what: "the Git metadata",
        shown: ".git",
        probe: ".git/HEAD",
        pattern: ".git",
    },
    Guard {
        what: "environment files",
        shown: ".env",
        probe: ".env",
        pattern: "**/.env",
    },
    Guard {
        what: "private keys",
        shown: "*.pem",
        probe: "private.pem",
        pattern: "**/*.pem",
    },
    Guard {
        what: "private keys",
        shown: "*.key",
        probe: "server.key",
        pattern: "**/*.key",
    },
    Guard {
        what: "private keys",
        shown: "id_rsa",
        probe: "id_rsa",
        pattern: "**/id_rsa",
    },
    Guard {
        what: "private keys",
        shown: "id_ecdsa",
        probe: "id_ecdsa",
        pattern: "**/id_ecdsa",
    },
    Guard {
        what: "private keys",
        shown: "id_ed25519",
        probe: "id_ed25519",
        pattern: "**/id_ed25519",
    },
];

const COMMENT: &str =
    "# Keep VCS metadata, local environment files and keys out of the image (dockfix DF404)";

/// The sources of a COPY/ADD (its last argument is the destination).
fn sources(
    context: &Context<'_>,
    instruction: &Instruction,
) -> Vec<(std::ops::Range<usize>, String)> {
    if let Some(json) = &instruction.json_arguments {
        let items: Vec<String> = serde_json::from_str(context.text(json)).unwrap_or_default();
        let count = items.len().saturating_sub(1);
        return items
            .into_iter()
            .take(count)
            .map(|item| (json.clone(), item))
            .collect();
    }
    let count = instruction.arguments.len().saturating_sub(1);
    instruction
        .arguments
        .iter()
        .take(count)
        .map(|range| {
            (
                range.clone(),
                crate::semantics::unquote(context.text(range)),
            )
        })
        .collect()
}

fn copies_from_context(context: &Context<'_>, instruction: &Instruction) -> bool {
    matches!(
        instruction.kind,
        InstructionKind::Copy | InstructionKind::Add
    ) && !instruction
        .flags
        .iter()
        .any(|f| context.text(&f.name).eq_ignore_ascii_case("from"))
}

/// `.`, `./`, `*`: the whole context.
fn is_whole_context(source: &str) -> bool {
    matches!(
        source.trim_end_matches('/'),
        "" | "." | "./." | "*" | "./*" | "/*"
    )
}

/// Context paths the Dockerfile copies by name (relative, without `./`).
fn named_sources(context: &Context<'_>) -> Vec<String> {
    let mut named = Vec::new();
    for instruction in &context.model.instructions {
        if !copies_from_context(context, instruction) {
            continue;
        }
        for (_, source) in sources(context, instruction) {
            if source.contains("://") || is_whole_context(&source) || source.contains('$') {
                continue;
            }
            let relative = source.trim_start_matches("./").trim_start_matches('/');
            named.push(relative.trim_end_matches('/').to_owned());
        }
    }
    named
}

fn check(context: &Context<'_>, report: &mut Report<'_>) {
    let Some(build) = context.build_context else {
        return;
    };
    let Some((keyword, range, source)) = context
        .model
        .instructions
        .iter()
        .filter(|i| copies_from_context(context, i))
        .flat_map(|i| {
            let keyword = context.text(&i.keyword).to_ascii_uppercase();
            sources(context, i)
                .into_iter()
                .map(move |(range, source)| (keyword.clone(), range, source))
        })
        .find(|(_, _, source)| is_whole_context(source))
    else {
        return;
    };
    let patterns = build
        .ignore_file
        .as_ref()
        .map(|f| Patterns::parse(&f.contents))
        .unwrap_or_default();
    let named = named_sources(context);
    // A pattern that would exclude a file copied by name would break that COPY.
    let wanted = |guard: &&Guard| !named.iter().any(|n| pattern_matches(guard.pattern, n));
    let leaking: Vec<&Guard> = GUARDS
        .iter()
        .filter(|g| !patterns.excludes(g.probe) && !patterns.explicitly_includes(g.probe))
        .filter(wanted)
        .collect();
    match &build.ignore_file {
        None => {
            let fix = fix_for(context, &build.default_ignore_name, None, &leaking);
            report.push(
                range,
                format!(
                    "`{keyword} {source}` copies the whole build context and there is no `.dockerignore`: {} would end up in the image",
                    describe(&leaking, "everything in the folder")
                ),
                fix,
            );
        }
        Some(file) => {
            if leaking.is_empty() {
                return;
            }
            let fix = fix_for(context, &file.name, Some(&file.contents), &leaking);
            report.push(
                range,
                format!(
                    "`{keyword} {source}` copies the whole build context and `{}` lets {} through",
                    file.name,
                    describe(&leaking, "")
                ),
                fix,
            );
        }
    }
}

/// "the Git metadata (`.git`), environment files (`.env`) and private keys (`*.pem`, `id_rsa`)".
fn describe(guards: &[&Guard], fallback: &str) -> String {
    let mut kinds: Vec<(&str, Vec<String>)> = Vec::new();
    for guard in guards {
        let shown = format!("`{}`", guard.shown);
        match kinds.iter_mut().find(|(what, _)| *what == guard.what) {
            Some((_, names)) => names.push(shown),
            None => kinds.push((guard.what, vec![shown])),
        }
    }
    let whats: Vec<String> = kinds
        .iter()
        .map(|(what, names)| format!("{what} ({})", names.join(", ")))
        .collect();
    match whats.as_slice() {
        [] => fallback.to_owned(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn fix_for(
    context: &Context<'_>,
    name: &str,
    existing: Option<&str>,
    guards: &[&Guard],
) -> Option<Fix> {
    if guards.is_empty() {
        return None;
    }
    let newline = match existing {
        Some(text) if text.contains("\r\n") => "\r\n",
        Some(_) => "\n",
        None => context.line_ending(),
    };
    let mut added = String::new();
    if existing.is_some_and(|t| !t.is_empty() && !t.ends_with('\n')) {
        added.push_str(newline);
    }
    if existing.is_some_and(|t| !t.trim().is_empty()) {
        added.push_str(newline);
    }
    added.push_str(COMMENT);
    added.push_str(newline);
    for guard in guards {
        added.push_str(guard.pattern);
        added.push_str(newline);
    }
    let patterns: Vec<String> = guards.iter().map(|g| format!("`{}`", g.pattern)).collect();
    let (title, change) = match existing {
        None => (
            format!("Create `{name}` excluding {}", patterns.join(", ")),
            FileChange {
                path: name.to_owned(),
                create: true,
                edits: vec![Edit::insert(0, added)],
            },
        ),
        Some(text) => (
            format!("Add {} to `{name}`", patterns.join(", ")),
            FileChange {
                path: name.to_owned(),
                create: false,
                edits: vec![Edit::insert(text.len(), added)],
            },
        ),
    };
    Some(Fix::unsafe_(title, Vec::new()).with_files(vec![change]))
}
