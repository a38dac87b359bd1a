//! ## What it does
//! Finds `apt` in RUN instructions.
//!
//! ## Why is this bad?
//! `apt` is the interactive front end: its output and behaviour may change
//! between releases, and it warns that it "does not have a stable CLI
//! interface" when used in scripts. `apt-get` and `apt-cache` are the stable
//! tools for scripts.
//!
//! ## Example
//! ```dockerfile
//! FROM debian:bookworm-slim
//! RUN apt update && apt install --no-install-recommends -y curl && rm -rf /var/lib/apt/lists/*
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM debian:bookworm-slim
//! RUN apt-get update && apt-get install --no-install-recommends -y curl && rm -rf /var/lib/apt/lists/*
//! ```
//!
//! ## Fix safety
//! Safe: `apt` becomes `apt-get` (`full-upgrade` becomes `dist-upgrade`) or,
//! for the query commands (`search`, `show`, `policy`, `depends`…),
//! `apt-cache`; both accept the same options. No fix for `apt list` and
//! `apt edit-sources`, which have no stable equivalent.
//!
//! ## References
//! - [hadolint DL3027](https://github.com/hadolint/hadolint/wiki/DL3027)
//! - [apt(8)](https://manpages.debian.org/bookworm/apt/apt.8.en.html)

use super::{Context, FixAvailability, Peers, Report, Rule, FAMILY_PACKAGES};
use crate::fix::{Applicability, Edit, Fix};
use crate::semantics::packages::all_invocations;
use crate::Severity;

pub static RULE: Rule = Rule {
    code: "DF308",
    name: "apt-instead-of-apt-get",
    family: FAMILY_PACKAGES,
    summary: "`apt` in scripts",
    severity: Severity::Warning,
    enabled_by_default: true,
    fix: FixAvailability::Sometimes(Applicability::Safe),
    peers: Peers {
        hadolint: &["DL3027"],
        trivy: &[],
        checkov: &["CKV_DOCKER_9"],
        buildkit: &[],
    },
    module: module_path!(),
    check,
};

fn check(context: &Context<'_>, report: &mut Report<'_>) {
    for invocation in all_invocations(context) {
        if invocation.manager != "apt" {
            continue;
        }
        let sub = invocation.sub();
        let (tool, new_sub) = match sub {
            "install" | "remove" | "purge" | "update" | "upgrade" | "autoremove" | "autopurge"
            | "autoclean" | "clean" | "source" | "build-dep" | "download" | "changelog"
            | "satisfy" | "reinstall" => ("apt-get", None),
            "full-upgrade" => ("apt-get", Some("dist-upgrade")),
            "search" | "show" | "showsrc" | "policy" | "depends" | "rdepends" | "madison"
            | "pkgnames" | "showpkg" => ("apt-cache", None),
            _ => ("", None),
        };
        let written = context.text(&invocation.name.range);
        let fix = (!tool.is_empty() && written.ends_with("apt")).then(|| {
            let end = invocation.name.range.end;
            let mut edits = vec![Edit::replace(end - 3..end, tool)];
            if let (Some(new), Some(word)) = (new_sub, invocation.subcommand) {
                edits.push(Edit::replace(word.range.clone(), new));
            }
            Fix::safe(format!("Use `{tool}`"), edits)
        });
        let shown = if sub.is_empty() {
            String::new()
        } else {
            format!(" {sub}")
        };
        report.push(
            invocation.name.range.start..invocation.subcommand.map_or(invocation.name.range.end, |s| s.range.end),
            format!("`apt{shown}` in a script: `apt` has no stable command-line interface, use `apt-get` or `apt-cache`"),
            fix,
        );
    }
}
