//! ## What it does
//! Finds `pip install` (`pip3`, `python -m pip`) without `--no-cache-dir`,
//! in every stage.
//!
//! ## Why is this bad?
//! pip keeps every wheel it downloads or builds in `~/.cache/pip`, which ends
//! up in the layer: often as large as the installed packages. In a build
//! stage it costs build time and cache space.
//!
//! Not reported when `PIP_NO_CACHE_DIR` is set (ENV, ARG or a prefix
//! assignment) or the RUN has a cache mount on the pip cache
//! (`--mount=type=cache,target=/root/.cache/pip`).
//!
//! ## Example
//! ```dockerfile
//! FROM python:3.12-slim
//! RUN pip install -r requirements.txt
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM python:3.12-slim
//! RUN pip install --no-cache-dir -r requirements.txt
//! ```
//!
//! ## Fix safety
//! Safe: the fix inserts `--no-cache-dir` right after `install`; the same
//! packages are installed.
//!
//! ## References
//! - [hadolint DL3042](https://github.com/hadolint/hadolint/wiki/DL3042)
//! - [pip: caching](https://pip.pypa.io/en/stable/topics/caching/)

use super::{Context, FixAvailability, Peers, Report, Rule, FAMILY_PACKAGES};
use crate::fix::{Applicability, Edit, Fix};
use crate::semantics::packages::{all_invocations, cache_mounts, stage_note};
use crate::Severity;

pub static RULE: Rule = Rule {
    code: "DF305",
    name: "pip-cache-kept",
    family: FAMILY_PACKAGES,
    summary: "`pip install` without `--no-cache-dir`",
    severity: Severity::Info,
    enabled_by_default: true,
    fix: FixAvailability::Always(Applicability::Safe),
    peers: Peers {
        hadolint: &["DL3042"],
        trivy: &[],
        checkov: &[],
        buildkit: &[],
    },
    module: module_path!(),
    check,
};

fn check(context: &Context<'_>, report: &mut Report<'_>) {
    for invocation in all_invocations(context) {
        if invocation.manager != "pip"
            || !invocation.installs()
            || invocation.has_long("--no-cache-dir")
        {
            continue;
        }
        let Some(subcommand) = invocation.subcommand else {
            continue;
        };
        let index = invocation.instruction;
        let prefixed = invocation
            .command
            .assignments
            .iter()
            .any(|(name, _)| name.eq_ignore_ascii_case("PIP_NO_CACHE_DIR"))
            || invocation
                .command
                .arguments
                .iter()
                .any(|w| w.text.starts_with("PIP_NO_CACHE_DIR="));
        let in_scope = context
            .semantics
            .variables_at(context.model, context.source, index)
            .get("PIP_NO_CACHE_DIR")
            .is_some_and(|v| v.as_deref() != Some(""));
        if prefixed || in_scope {
            continue;
        }
        let mounted = cache_mounts(context, index)
            .iter()
            .any(|t| t.ends_with("/.cache/pip") || t.ends_with("/.cache") || t.contains("pip"));
        if mounted {
            continue;
        }
        report.push(
            invocation.name.range.start..subcommand.range.end,
            format!(
                "`pip install` without `--no-cache-dir` keeps downloaded wheels in the layer{}",
                stage_note(context, index)
            ),
            Some(Fix::safe(
                "Add `--no-cache-dir`",
                vec![Edit::insert(subcommand.range.end, " --no-cache-dir")],
            )),
        );
    }
}
