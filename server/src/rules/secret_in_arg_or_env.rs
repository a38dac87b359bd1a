//! ## What it does
//! Finds ARG and ENV instructions whose name looks like a secret: a token, a
//! password, a secret, an API or private key, credentials (`NPM_TOKEN`,
//! `DB_PASSWORD`, `AWS_SECRET_ACCESS_KEY`, `apiKey`…). Names about a secret
//! rather than the secret itself are not reported: `*_FILE`, `*_PATH`,
//! `*_URL`, `*_VERSION`, `*_ENABLED`, `*_TYPE`, `*_ID`, and `PUBLIC_*`.
//!
//! ## Why is this bad?
//! Build arguments and environment variables are recorded in the image: ENV
//! values in its configuration, ARG values in the history of every RUN that
//! sees them (`docker history`, provenance attestations). Anyone who can
//! pull the image can read them. Build secrets (`RUN --mount=type=secret`)
//! are exposed to one step only and never stored.
//!
//! ## Example
//! ```dockerfile
//! FROM node:22-slim
//! ARG NPM_TOKEN
//! RUN echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > .npmrc && npm ci && rm .npmrc
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! # syntax=docker/dockerfile:1.10
//! FROM node:22-slim
//! RUN --mount=type=secret,id=npm-token,env=NPM_TOKEN echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > .npmrc && npm ci && rm .npmrc
//! ```
//!
//! ## Fix safety
//! Unsafe: the fix removes the declaration (only that variable when the
//! instruction declares several) and adds
//! `--mount=type=secret,id=<id>,env=<NAME>` to every RUN of the stage that
//! reads the variable (`$NAME`, `${NAME}`); when no RUN names it, to every
//! RUN after it, since a tool may read it from the environment (npm reads
//! `NPM_TOKEN` through `.npmrc`). The `env=` option needs
//! `# syntax=docker/dockerfile:1.10` or later, so the fix adds that
//! directive at the top (after a byte order mark, with the other directives)
//! or raises an older `docker/dockerfile:1.x` one. The build must then pass
//! the value with `docker build --secret id=<id>,env=<NAME>` (named in the fix
//! title) instead of `--build-arg`.
//!
//! The fix is display only when the variable is used elsewhere than in RUN:
//! in CMD, ENTRYPOINT, LABEL, ENV, WORKDIR, COPY… or in FROM (a global ARG),
//! and for ENV in the final stage (or a stage another one builds on), since
//! the running container may read its environment: pass such values when
//! the container starts (a secrets manager, `docker run --env-file`) instead.
//!
//! A literal value (`ENV API_TOKEN=3kF…`) is also reported by DF402
//! (hardcoded-secret) on the value: rotate it. This rule reports the name and
//! fixes the declaration; the two ranges and fixes do not overlap.
//!
//! ## References
//! - [Docker: build secrets](https://docs.docker.com/build/building/secrets/)
//! - [BuildKit check SecretsUsedInArgOrEnv](https://docs.docker.com/reference/build-checks/secrets-used-in-arg-or-env/)
//! - [hadolint DL3064](https://github.com/hadolint/hadolint/wiki/DL3064)

use super::tls_verification_disabled::delete_pair;
use super::{Context, FixAvailability, Peers, Report, Rule, FAMILY_SECRETS};
use crate::fix::{Applicability, Edit, Fix};
use crate::semantics::secrets::{is_secret_name, secret_id};
use crate::syntax::{Instruction, InstructionKind};
use crate::Severity;

pub static RULE: Rule = Rule {
    code: "DF401",
    name: "secret-in-arg-or-env",
    family: FAMILY_SECRETS,
    summary: "ARG/ENV whose name looks like a secret (token, password, API key…)",
    severity: Severity::Warning,
    enabled_by_default: true,
    fix: FixAvailability::Sometimes(Applicability::Unsafe),
    peers: Peers {
        hadolint: &["DL3064"],
        trivy: &["DS-0031"],
        checkov: &[],
        buildkit: &["SecretsUsedInArgOrEnv"],
    },
    module: module_path!(),
    check,
};

/// The minor version of `docker/dockerfile:1.x` that `env=` needs.
const NEEDED_MINOR: u32 = 10;

/// True when `text` expands the variable `name` (`$name`, `${name…}`).
pub fn references(text: &str, name: &str) -> bool {
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    text.match_indices('$').any(|(i, _)| {
        let rest = &text[i + 1..];
        if let Some(braced) = rest.strip_prefix('{') {
            braced
                .strip_prefix(name)
                .is_some_and(|after| after.starts_with(|c: char| !is_word(c)))
        } else {
            rest.strip_prefix(name)
                .is_some_and(|after| !after.starts_with(is_word))
        }
    })
}

/// True when a RUN already mounts the secret into `name`.
fn mounts(context: &Context<'_>, run: &Instruction, name: &str) -> bool {
    run.flags.iter().any(|f| {
        context.text(&f.name) == "mount"
            && f.value.as_ref().is_some_and(|v| {
                let value = context.text(v);
                value.contains("type=secret")
                    && value.split(',').any(|o| o == format!("env={name}"))
            })
    })
}

/// The edit that makes the file's syntax `docker/dockerfile:1.10` or later;
/// `None` when it already is, or when the frontend is one we do not know.
fn syntax_edit(context: &Context<'_>) -> Option<Edit> {
    let directive = context
        .model
        .directives
        .iter()
        .find(|d| context.text(&d.name).eq_ignore_ascii_case("syntax"));
    let Some(directive) = directive else {
        let bom = if context.source.starts_with('\u{feff}') {
            3
        } else {
            0
        };
        return Some(Edit::insert(
            bom,
            format!(
                "# syntax=docker/dockerfile:1.{NEEDED_MINOR}{}",
                context.line_ending()
            ),
        ));
    };
    let value = context.text(&directive.value);
    let image = value.strip_prefix("docker.io/").unwrap_or(value);
    let tag = image.strip_prefix("docker/dockerfile:")?;
    if tag.contains('@') {
        return None;
    }
    let (version, suffix) = tag.split_once('-').map_or((tag, ""), |(v, s)| (v, s));
    let mut parts = version.split('.');
    let major: u32 = parts.next()?.parse().ok()?;
    let Some(minor) = parts.next() else {
        return None; // `1`: the newest 1.x
    };
    let minor: u32 = minor.parse().ok()?;
    if major != 1 || minor >= NEEDED_MINOR {
        return None;
    }
    let new_tag = if suffix.is_empty() {
        format!("1.{NEEDED_MINOR}")
    } else {
        format!("1.{NEEDED_MINOR}-{suffix}")
    };
    let start = directive.value.end - tag.len();
    Some(Edit::replace(start..directive.value.end, new_tag))
}

/// True when stage `index` is the final one or another stage builds on it.
fn reaches_runtime(context: &Context<'_>, index: usize) -> bool {
    if context.semantics.is_final(index) {
        return true;
    }
    let Some(name) = context
        .model
        .stages
        .get(index)
        .and_then(|s| context.model.instructions.get(s.from))
        .and_then(|f| f.stage_name.as_ref())
        .map(|r| context.text(r).to_ascii_lowercase())
    else {
        return false;
    };
    context.model.instructions.iter().any(|i| {
        i.kind == InstructionKind::From
            && i.image
                .as_ref()
                .is_some_and(|image| context.text(&image.range).eq_ignore_ascii_case(&name))
    })
}

fn check(context: &Context<'_>, report: &mut Report<'_>) {
    let instructions = &context.model.instructions;
    for (index, instruction) in instructions.iter().enumerate() {
        let is_env = instruction.kind == InstructionKind::Env;
        if !is_env && instruction.kind != InstructionKind::Arg {
            continue;
        }
        let stage = context.model.stage_of(index);
        // Instructions that see the variable: the rest of the stage, or every
        // FROM for a global ARG.
        let scope: Vec<usize> = match stage {
            Some(stage) => (index + 1..stage.instructions.end).collect(),
            None => (index + 1..instructions.len())
                .filter(|&i| instructions[i].kind == InstructionKind::From)
                .collect(),
        };
        for pair in &instruction.pairs {
            let name = context.text(&pair.name).to_owned();
            if !is_secret_name(&name) {
                continue;
            }
            let mut readers = Vec::new();
            let mut elsewhere: Vec<&str> = Vec::new();
            let mut runs = Vec::new();
            for &i in &scope {
                let other = &instructions[i];
                let text = context.text(&other.range);
                let reads = references(text, &name);
                match other.kind {
                    InstructionKind::Run => {
                        runs.push(i);
                        if reads {
                            readers.push(i);
                        }
                    }
                    _ if reads => elsewhere.push(other.kind.keyword()),
                    _ => {}
                }
            }
            if readers.is_empty() && stage.is_some() {
                readers = runs;
            }
            let runtime_env = is_env && stage.is_some_and(|s| reaches_runtime(context, s.index));
            let id = secret_id(&name);
            let mut edits = vec![delete_pair(context, instruction, pair)];
            for &i in &readers {
                let run = &instructions[i];
                if !mounts(context, run, &name) {
                    // A replacement, not an insertion: the edit touches the RUN.
                    edits.push(Edit::replace(
                        run.keyword.clone(),
                        format!(
                            "{} --mount=type=secret,id={id},env={name}",
                            context.text(&run.keyword)
                        ),
                    ));
                }
            }
            if edits.len() > 1 {
                edits.extend(syntax_edit(context));
            }
            let flag = format!("docker build --secret id={id},env={name}");
            let keyword = instruction.kind.keyword();
            let fix = if !elsewhere.is_empty() {
                elsewhere.dedup();
                Fix::display_only(
                    format!(
                        "Use a build secret for the RUN steps (`{flag}`); `{name}` is also used by {}, which must get it another way",
                        elsewhere.join(", ")
                    ),
                    edits,
                )
            } else if runtime_env {
                Fix::display_only(
                    format!("Use a build secret (`{flag}`); the running container may read `{name}` from its environment: pass it when it starts instead"),
                    edits,
                )
            } else {
                Fix::unsafe_(
                    format!("Replace `{keyword} {name}` with a build secret (`{flag}`)"),
                    edits,
                )
            };
            // A name no shell can read (`${TOKEN"` in a broken line) makes
            // no `env=` mount: no fix then (found by fuzzing).
            let readable = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            report.push(
                pair.name.clone(),
                format!("`{keyword} {name}` looks like a secret: {keyword} values are kept in the image and its history"),
                readable.then_some(fix),
            );
        }
    }
}
