//! ## What it does
//! Finds a relative `WORKDIR` in a stage that has set no absolute working
//! directory before it.
//!
//! ## Why is this bad?
//! A relative `WORKDIR` is resolved against the working directory the base
//! image happens to set, which can change with any base image update and is
//! invisible in the Dockerfile. Files then land in unexpected places.
//!
//! ## Example
//! ```dockerfile
//! FROM node:22-slim
//! WORKDIR app
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM node:22-slim
//! WORKDIR /app
//! ```
//!
//! ## Fix safety
//! Unsafe: making the path absolute (`/` + path) changes the directory when
//! the base image sets a working directory other than `/`. Only the first
//! relative `WORKDIR` of a stage is reported: later ones are relative to it.
//!
//! ## References
//! - [hadolint DL3000](https://github.com/hadolint/hadolint/wiki/DL3000)
//! - [BuildKit WorkdirRelativePath](https://docs.docker.com/reference/build-checks/workdir-relative-path/)

use super::{Context, FixAvailability, Peers, Report, Rule, FAMILY_STRUCTURE};
use crate::fix::{Applicability, Edit, Fix};
use crate::knowledge::Family;
use crate::semantics::Base;
use crate::syntax::InstructionKind;
use crate::Severity;

pub static RULE: Rule = Rule {
    code: "DF602",
    name: "relative-workdir",
    family: FAMILY_STRUCTURE,
    summary: "relative WORKDIR with no absolute one before it",
    severity: Severity::Warning,
    enabled_by_default: true,
    fix: FixAvailability::Always(Applicability::Unsafe),
    peers: Peers {
        hadolint: &["DL3000"],
        trivy: &["DS-0009"],
        checkov: &["CKV_DOCKER_10"],
        buildkit: &["WorkdirRelativePath"],
    },
    module: module_path!(),
    check,
};

/// True when the stage (or a stage it is built on) sets an absolute WORKDIR
/// before instruction `before`.
fn has_absolute(context: &Context<'_>, stage: usize, before: usize) -> bool {
    let mut current = Some(stage);
    let mut limit = before;
    for _ in 0..=context.model.stages.len() {
        let Some(index) = current else {
            return false;
        };
        let Some(model_stage) = context.model.stages.get(index) else {
            return false;
        };
        let found = (model_stage.instructions.start..limit.min(model_stage.instructions.end))
            .filter_map(|i| context.model.instructions.get(i))
            .filter(|i| i.kind == InstructionKind::Workdir)
            .any(|i| {
                i.arguments
                    .first()
                    .is_some_and(|a| is_absolute(context.text(a)))
            });
        if found {
            return true;
        }
        current = match context.semantics.stages.get(index).map(|s| &s.base) {
            Some(Base::Stage(parent)) => Some(*parent),
            _ => None,
        };
        limit = usize::MAX;
    }
    false
}

fn is_absolute(path: &str) -> bool {
    let path = path.trim_start_matches(['"', '\'']);
    path.starts_with('/')
        || path.starts_with('\\')
        || path.starts_with('$')
        || path.as_bytes().get(1) == Some(&b':')
}

fn check(context: &Context<'_>, report: &mut Report<'_>) {
    for stage in &context.model.stages {
        let facts = context.semantics.stages.get(stage.index);
        if facts.is_some_and(|f| f.family == Family::Windows) {
            continue;
        }
        let first_relative = stage.instructions.clone().find(|&i| {
            context
                .model
                .instructions
                .get(i)
                .is_some_and(|instruction| {
                    instruction.kind == InstructionKind::Workdir
                        && instruction
                            .arguments
                            .first()
                            .is_some_and(|a| !is_absolute(context.text(a)))
                })
        });
        let Some(index) = first_relative else {
            continue;
        };
        if has_absolute(context, stage.index, index) {
            continue;
        }
        let Some(path) = context
            .model
            .instructions
            .get(index)
            .and_then(|i| i.arguments.first())
        else {
            continue;
        };
        let written = context.text(path);
        let target = format!("/{}", written.trim_start_matches("./"));
        let fix = Fix::unsafe_(
            format!("Make the path absolute: `{target}`"),
            vec![Edit::replace(path.clone(), target.clone())],
        );
        report.push(
            path.clone(),
            format!(
                "Relative WORKDIR `{written}`: it depends on the base image's working directory"
            ),
            Some(fix),
        );
    }
}
