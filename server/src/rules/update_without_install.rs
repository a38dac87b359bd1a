//! ## What it does
//! Finds a package index update (`apt-get update`, `apk update`,
//! `dnf`/`yum makecache`, `zypper refresh`) in a RUN that installs nothing
//! with the same package manager.
//!
//! ## Why is this bad?
//! The build cache keeps the layer of `RUN apt-get update` as long as its
//! text is unchanged: weeks later, an install in a later RUN still reads the
//! old index and fails on packages that are gone, or installs outdated
//! versions. Update and install belong in one RUN, and the index in a layer
//! of its own only adds size.
//!
//! ## Example
//! ```dockerfile
//! FROM debian:bookworm-slim
//! RUN apt-get update
//! RUN apt-get install --no-install-recommends -y curl && rm -rf /var/lib/apt/lists/*
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM debian:bookworm-slim
//! RUN apt-get update && apt-get install --no-install-recommends -y curl && rm -rf /var/lib/apt/lists/*
//! ```
//!
//! ## Fix safety
//! Safe: when the RUN holds only the update and a later RUN of the same
//! stage installs with that manager (and no USER switch lies between), the
//! fix removes the update RUN and puts `apt-get update && ` in front of the
//! install's statement (or just removes it when that RUN already updates).
//! No fix when there is no later install in the stage or the RUN does more.
//!
//! ## References
//! - [Trivy DS-0017](https://avd.aquasec.com/misconfig/ds017)
//! - [Docker best practices: apt-get](https://docs.docker.com/build/building/best-practices/#apt-get)

use super::{Context, FixAvailability, Peers, Report, Rule, FAMILY_PACKAGES};
use crate::fix::{Applicability, Edit, Fix};
use crate::semantics::packages::{invocations, Invocation};
use crate::syntax::InstructionKind;
use crate::Severity;

pub static RULE: Rule = Rule {
    code: "DF307",
    name: "update-without-install",
    family: FAMILY_PACKAGES,
    summary: "package index update alone in a RUN",
    severity: Severity::Warning,
    enabled_by_default: true,
    fix: FixAvailability::Sometimes(Applicability::Safe),
    peers: Peers {
        hadolint: &[],
        trivy: &["DS-0017"],
        checkov: &["CKV_DOCKER_5"],
        buildkit: &[],
    },
    module: module_path!(),
    check,
};

/// Managers that share one package database.
fn family(manager: &str) -> &'static str {
    match manager {
        "apt-get" | "apt" => "apt",
        "apk" => "apk",
        "yum" | "dnf" | "microdnf" => "rpm",
        "zypper" => "zypper",
        _ => "",
    }
}

fn is_update(invocation: &Invocation<'_>) -> bool {
    match family(invocation.manager) {
        "apt" | "apk" => invocation.sub() == "update" && invocation.operands.is_empty(),
        "rpm" => invocation.sub() == "makecache",
        "zypper" => matches!(invocation.sub(), "refresh" | "ref"),
        _ => false,
    }
}

/// Anything else the manager does that reads the index (install, upgrade…).
fn uses_index(invocation: &Invocation<'_>) -> bool {
    !family(invocation.manager).is_empty()
        && !is_update(invocation)
        && !matches!(invocation.sub(), "clean" | "autoclean" | "cc" | "")
}

fn check(context: &Context<'_>, report: &mut Report<'_>) {
    for index in 0..context.model.instructions.len() {
        let all = invocations(context, index);
        let Some(update) = all.iter().find(|i| is_update(i)) else {
            continue;
        };
        let fam = family(update.manager);
        if all
            .iter()
            .any(|i| family(i.manager) == fam && uses_index(i))
        {
            continue;
        }
        let fix = merge_fix(context, index, update);
        report.push(
            update.name.range.start..update.subcommand.map_or(update.name.range.end, |s| s.range.end),
            format!(
                "`{} {}` in a RUN of its own: the cached layer keeps a stale index for later installs",
                update.manager,
                update.sub()
            ),
            fix,
        );
    }
}

fn merge_fix(context: &Context<'_>, index: usize, update: &Invocation<'_>) -> Option<Fix> {
    let instruction = context.model.instructions.get(index)?;
    let commands = context.semantics.commands.get(index)?;
    let text = context.text(&instruction.range);
    let alone = commands.iter().count() == 1
        && instruction.flags.is_empty()
        && instruction.heredocs.is_empty()
        && !text.contains('#')
        && update.command.statement == update.command.range
        && !update.command.nested;
    if !alone {
        return None;
    }
    let stage = context.model.stage_of(index)?;
    let fam = family(update.manager);
    for next in index + 1..stage.instructions.end {
        let following = context.model.instructions.get(next)?;
        if matches!(
            following.kind,
            InstructionKind::User | InstructionKind::Shell | InstructionKind::Onbuild
        ) {
            return None;
        }
        let found = invocations(context, next);
        let Some(install) = found
            .iter()
            .find(|i| family(i.manager) == fam && uses_index(i))
        else {
            continue;
        };
        let line = context.line_start(instruction.range.start);
        let removal = if context
            .source
            .get(line..instruction.range.start)
            .is_some_and(|s| s.chars().all(|c| c == ' ' || c == '\t'))
        {
            line..instruction.range.end
        } else {
            instruction.range.clone()
        };
        let already = found.iter().any(|i| {
            is_update(i)
                && family(i.manager) == fam
                && i.command.range.start < install.command.range.start
        });
        let mut edits = vec![Edit::delete(removal)];
        let title = if already {
            "Remove the RUN (the install's RUN already updates)".to_owned()
        } else {
            let words = context.text(&update.command.range);
            edits.push(Edit::insert(
                install.command.statement.start,
                format!("{words} && "),
            ));
            format!("Move `{words}` into the RUN that installs")
        };
        return Some(Fix::safe(title, edits));
    }
    None
}
