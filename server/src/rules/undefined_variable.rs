//! ## What it does
//! Finds `$VAR` references that BuildKit expands but that no ARG or ENV
//! before them defines: in FROM (global ARGs only) and in ADD, COPY, ENV,
//! EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME and WORKDIR arguments and in
//! instruction flags. `$VAR` in RUN, CMD and ENTRYPOINT shell text is left
//! to the shell at run time and is not checked.
//!
//! ## Why is this bad?
//! An undefined variable expands to an empty string without any error:
//! `COPY app $APP_HOME/` copies to `/`, `FROM node:$VERSION` becomes
//! `node:` and fails, `USER $APP_USER` becomes an empty user (root).
//! It is usually a typo or an ARG declared in another stage or after
//! the first FROM.
//!
//! ## Example
//! ```dockerfile
//! FROM debian:bookworm
//! ARG APP_HOME=/srv/app
//! COPY . $APP_HOM/
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM debian:bookworm
//! ARG APP_HOME=/srv/app
//! COPY . $APP_HOME/
//! ```
//!
//! ## Fix safety
//! No fix: the intended name needs a human.
//!
//! References with a fallback (`${VAR:-default}`, `${VAR-default}`,
//! `${VAR:+alt}`, `${VAR:?message}`) are never reported, nor are BuildKit's
//! predefined build arguments (`TARGETPLATFORM`, `BUILDPLATFORM`, the proxy
//! variables, `BUILDKIT_*`…). Variables the base image may set are assumed
//! to come from it: for an official image, the names base
//! images commonly define (`PATH`, `HOME`, `*_VERSION`, `*_HOME`…); for an
//! unknown or unresolved image (`FROM $BASE`, a private image), any name, so
//! such stages are only checked in FROM lines. ONBUILD triggers are not checked:
//! they expand in the child build.
//!
//! ## References
//! - [BuildKit UndefinedVar](https://docs.docker.com/reference/build-checks/undefined-var/)
//! - [BuildKit UndefinedArgInFrom](https://docs.docker.com/reference/build-checks/undefined-arg-in-from/)

use std::collections::BTreeSet;
use std::ops::Range;

use super::{Context, FixAvailability, Peers, Report, Rule, FAMILY_STRUCTURE};
use crate::semantics::Base;
use crate::syntax::{Instruction, InstructionKind};
use crate::Severity;

pub static RULE: Rule = Rule {
    code: "DF605",
    name: "undefined-variable",
    family: FAMILY_STRUCTURE,
    summary: "`$VAR` that no ARG/ENV defines, where BuildKit expands it",
    severity: Severity::Warning,
    enabled_by_default: true,
    fix: FixAvailability::None,
    peers: Peers {
        hadolint: &[],
        trivy: &[],
        checkov: &[],
        buildkit: &["UndefinedVar", "UndefinedArgInFrom"],
    },
    module: module_path!(),
    check,
};

/// Build arguments BuildKit defines without an ARG.
const PREDEFINED: [&str; 20] = [
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETARCH",
    "TARGETVARIANT",
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDARCH",
    "BUILDVARIANT",
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "FTP_PROXY",
    "ftp_proxy",
    "NO_PROXY",
    "no_proxy",
    "ALL_PROXY",
    "all_proxy",
    "TARGETSTAGE",
    "SOURCE_DATE_EPOCH",
];

/// Variables base images commonly set.
const BASE_ENV: [&str; 16] = [
    "PATH",
    "HOME",
    "HOSTNAME",
    "LANG",
    "LANGUAGE",
    "LC_ALL",
    "TERM",
    "USER",
    "SHELL",
    "PWD",
    "GOPATH",
    "GOROOT",
    "GPG_KEY",
    "DEBIAN_FRONTEND",
    "NGINX_VERSION",
    "CARGO_HOME",
];

const BASE_ENV_SUFFIXES: [&str; 8] = [
    "_VERSION", "_HOME", "_PATH", "PATH", "_ROOT", "_DIR", "_MAJOR", "_SHA256",
];

fn predefined(name: &str) -> bool {
    PREDEFINED.contains(&name) || name.starts_with("BUILDKIT_")
}

fn base_like(name: &str) -> bool {
    BASE_ENV.contains(&name) || BASE_ENV_SUFFIXES.iter().any(|s| name.ends_with(s))
}

fn check(context: &Context<'_>, report: &mut Report<'_>) {
    let model = context.model;
    for (index, instruction) in model.instructions.iter().enumerate() {
        let expands = matches!(
            instruction.kind,
            InstructionKind::Add
                | InstructionKind::Copy
                | InstructionKind::Env
                | InstructionKind::Expose
                | InstructionKind::From
                | InstructionKind::Label
                | InstructionKind::Stopsignal
                | InstructionKind::User
                | InstructionKind::Volume
                | InstructionKind::Workdir
                | InstructionKind::Run
                | InstructionKind::Healthcheck
                | InstructionKind::Cmd
                | InstructionKind::Entrypoint
        );
        if !expands {
            continue;
        }
        let ranges = expanded_ranges(instruction);
        if ranges.is_empty() {
            continue;
        }
        let (defined, from_base) = defined_at(context, index, instruction);
        for range in ranges {
            let same_instruction: BTreeSet<String> = instruction
                .pairs
                .iter()
                .filter(|p| p.range.end <= range.start)
                .map(|p| context.text(&p.name).to_owned())
                .collect();
            for (name, reference) in references(context, range) {
                if defined.contains(&name)
                    || same_instruction.contains(&name)
                    || predefined(&name)
                    || from_base == BaseEnv::Unknown
                    || (from_base == BaseEnv::Common && base_like(&name))
                {
                    continue;
                }
                let message = if instruction.kind == InstructionKind::From {
                    format!("`{name}` is not a global ARG (declared before the first FROM): it expands to an empty string")
                } else {
                    format!("`{name}` is not defined by any ARG or ENV before it: it expands to an empty string")
                };
                report.push(reference, message, None);
            }
        }
    }
}

/// The parts of an instruction BuildKit expands variables in.
fn expanded_ranges(instruction: &Instruction) -> Vec<Range<usize>> {
    let mut ranges: Vec<Range<usize>> = instruction
        .flags
        .iter()
        .filter_map(|f| f.value.clone())
        .collect();
    match instruction.kind {
        InstructionKind::From => ranges.extend(instruction.image.as_ref().map(|i| i.range.clone())),
        InstructionKind::Env | InstructionKind::Label => {
            ranges.extend(instruction.pairs.iter().filter_map(|p| p.value.clone()));
        }
        InstructionKind::Run
        | InstructionKind::Cmd
        | InstructionKind::Entrypoint
        | InstructionKind::Healthcheck => {}
        InstructionKind::Copy | InstructionKind::Add | InstructionKind::Volume => {
            if let Some(json) = &instruction.json_arguments {
                ranges.push(json.clone());
            } else {
                ranges.extend(
                    instruction
                        .arguments
                        .iter()
                        .filter(|a| {
                            !instruction
                                .heredocs
                                .iter()
                                .any(|h| h.marker.start <= a.start && a.end <= h.marker.end)
                        })
                        .cloned(),
                );
            }
        }
        _ => ranges.extend(instruction.arguments.iter().cloned()),
    }
    ranges
}

/// The names in scope at an instruction, and whether the base image may
/// define more.
fn defined_at(
    context: &Context<'_>,
    index: usize,
    instruction: &Instruction,
) -> (BTreeSet<String>, BaseEnv) {
    let semantics = context.semantics;
    if instruction.kind == InstructionKind::From {
        let globals = semantics.global_args.keys().cloned().collect();
        return (globals, BaseEnv::None);
    }
    let mut names: BTreeSet<String> = semantics
        .variables_at(context.model, context.source, index)
        .into_keys()
        .collect();
    names.insert("PATH".to_owned());
    let Some(stage) = context.model.stage_of(index) else {
        return (names, BaseEnv::None);
    };
    // ENV of the stages this one is built on.
    let mut current = semantics.stages.get(stage.index).map(|s| s.base.clone());
    for _ in 0..=context.model.stages.len() {
        match current {
            Some(Base::Stage(parent)) => {
                if let Some(parent_stage) = context.model.stages.get(parent) {
                    for i in parent_stage.instructions.clone() {
                        if let Some(env) = context
                            .model
                            .instructions
                            .get(i)
                            .filter(|i| i.kind == InstructionKind::Env)
                        {
                            names
                                .extend(env.pairs.iter().map(|p| context.text(&p.name).to_owned()));
                        }
                    }
                }
                current = semantics.stages.get(parent).map(|s| s.base.clone());
            }
            Some(Base::Scratch) => return (names, BaseEnv::None),
            // An official image: the variables base images usually set.
            Some(Base::Image(image)) if image.info.as_ref().is_some_and(|i| i.official) => {
                return (names, BaseEnv::Common)
            }
            // An unknown or unresolved image may define anything.
            _ => return (names, BaseEnv::Unknown),
        }
    }
    (names, BaseEnv::Unknown)
}

/// What the base image's own ENV may define.
#[derive(Clone, Copy, PartialEq, Eq)]
enum BaseEnv {
    /// Nothing (`scratch`, or FROM's global scope).
    None,
    /// An official image: the variables base images commonly set.
    Common,
    /// An image we know nothing about: anything.
    Unknown,
}

/// `$NAME` and `${NAME}` references without a fallback, outside single
/// quotes and not escaped: (name, range of the reference).
fn references(context: &Context<'_>, range: Range<usize>) -> Vec<(String, Range<usize>)> {
    let text = context.text(&range);
    let escape = context.model.escape;
    let mut out = Vec::new();
    let mut single = false;
    let mut double = false;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == escape && !single {
            chars.next();
            continue;
        }
        match c {
            '\'' if !double => single = !single,
            '"' if !single => double = !double,
            '$' if !single => {
                let rest = &text[i + 1..];
                if let Some(body) = rest.strip_prefix('{') {
                    let end = crate::syntax::variable_name_len(body);
                    let name = &body[..end];
                    if body[end..].starts_with('}') {
                        if is_name(name) {
                            let start = range.start + i;
                            out.push((name.to_owned(), start..start + 3 + name.len()));
                        }
                    } else {
                        // A fallback form: nothing inside is expanded unconditionally.
                        let close = i + 2 + body.find('}').unwrap_or(body.len());
                        while chars.peek().is_some_and(|(j, _)| *j <= close) {
                            chars.next();
                        }
                    }
                } else {
                    let end = crate::syntax::variable_name_len(rest);
                    let name = &rest[..end];
                    if is_name(name) {
                        let start = range.start + i;
                        out.push((name.to_owned(), start..start + 1 + name.len()));
                    }
                    // The name is read: in `$$FOO` the `$` after the first
                    // is the special parameter `$$`, and FOO plain text.
                    while chars.peek().is_some_and(|(j, _)| *j < i + 1 + end) {
                        chars.next();
                    }
                }
            }
            _ => {}
        }
    }
    out
}

fn is_name(name: &str) -> bool {
    crate::syntax::is_ordinary_variable_name(name)
}
