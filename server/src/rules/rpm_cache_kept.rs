//! ## What it does
//! Finds RUN instructions that install packages with `yum`, `dnf`,
//! `microdnf` or `zypper` and do not clean the package cache afterwards in
//! the same RUN (`dnf clean all`, `zypper clean --all`, or removing
//! `/var/cache/dnf`, `/var/cache/yum`, `/var/cache/zypp`), in every stage.
//!
//! ## Why is this bad?
//! These managers keep repository metadata (and sometimes the downloaded
//! packages) under `/var/cache`: often a hundred megabytes or more left in
//! the layer. Cleaned in a later RUN, they still sit in the earlier layer.
//! In a build stage they cost build time and cache space.
//!
//! A RUN with a cache mount on the manager's cache folder needs no cleanup.
//!
//! ## Example
//! ```dockerfile
//! FROM rockylinux:9
//! RUN dnf install -y httpd
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM rockylinux:9
//! RUN dnf install -y httpd && dnf clean all
//! ```
//!
//! ## Fix safety
//! Safe: the fix chains `&& dnf clean all` (`yum clean all`,
//! `microdnf clean all`, `zypper clean --all`) to the end of the statement
//! that installs, in the RUN's continuation style. Installed packages stay.
//! When the statement ends with a heredoc the step goes on the line that
//! starts it (`<<EOF && …`); there is no fix when bash cannot parse the
//! statement or a comment may end that line.
//!
//! ## References
//! - [hadolint DL3032](https://github.com/hadolint/hadolint/wiki/DL3032)
//! - [hadolint DL3040](https://github.com/hadolint/hadolint/wiki/DL3040)
//! - [hadolint DL3036](https://github.com/hadolint/hadolint/wiki/DL3036)

use super::{Context, FixAvailability, Peers, Report, Rule, FAMILY_PACKAGES};
use crate::fix::{Applicability, Fix};
use crate::semantics::packages::{
    append_step, commands_after, has_cache_mount, invocations, removes, stage_note, sudo_prefix,
    Invocation,
};
use crate::Severity;

pub static RULE: Rule = Rule {
    code: "DF304",
    name: "rpm-cache-kept",
    family: FAMILY_PACKAGES,
    summary: "yum/dnf/microdnf/zypper install without `clean all`",
    severity: Severity::Info,
    enabled_by_default: true,
    fix: FixAvailability::Sometimes(Applicability::Safe),
    peers: Peers {
        hadolint: &["DL3032", "DL3040", "DL3036"],
        trivy: &["DS-0015", "DS-0019", "DS-0020", "DS-0027"],
        checkov: &[],
        buildkit: &[],
    },
    module: module_path!(),
    check,
};

const CACHES: [&str; 5] = [
    "/var/cache/yum",
    "/var/cache/dnf",
    "/var/cache/libdnf5",
    "/var/cache/zypp",
    "/var/cache/microdnf",
];

fn cleans(invocation: &Invocation<'_>) -> bool {
    match invocation.manager {
        "yum" | "dnf" | "microdnf" => invocation.sub() == "clean",
        "zypper" => matches!(invocation.sub(), "clean" | "cc"),
        _ => false,
    }
}

fn check(context: &Context<'_>, report: &mut Report<'_>) {
    for index in 0..context.model.instructions.len() {
        let all = invocations(context, index);
        let Some(last) = all
            .iter()
            .rfind(|i| matches!(i.manager, "yum" | "dnf" | "microdnf" | "zypper") && i.installs())
        else {
            continue;
        };
        if has_cache_mount(context, index, &CACHES) {
            continue;
        }
        let after = last.command.range.end;
        if all
            .iter()
            .any(|i| i.command.range.start >= after && cleans(i))
            || commands_after(context, index, after).any(|c| removes(c, &CACHES))
        {
            continue;
        }
        let program = context.text(&last.name.range);
        let step = if last.manager == "zypper" {
            format!("{}{program} clean --all", sudo_prefix(last))
        } else {
            format!("{}{program} clean all", sudo_prefix(last))
        };
        report.push(
            last.name.range.start..last.subcommand.map_or(last.name.range.end, |s| s.range.end),
            format!(
                "`{} {}` leaves its cache in the layer: run `{}` in the same RUN{}",
                last.manager,
                last.sub(),
                step,
                stage_note(context, index)
            ),
            append_step(context, index, last.command, &step)
                .map(|edit| Fix::safe(format!("Append `&& {step}`"), vec![edit])),
        );
    }
}
