//! ## What it does
//! Finds RUN instructions that install packages with `apt-get` (or `apt`)
//! and do not remove `/var/lib/apt/lists/*` afterwards in the same RUN, in
//! every stage.
//!
//! ## Why is this bad?
//! `apt-get update` downloads package lists (tens of megabytes) into
//! `/var/lib/apt/lists`. Removed in a later RUN, they still sit in the
//! earlier layer; they also go stale, so no later step should rely on them.
//! In a build stage they cost build time and cache space rather than image
//! size.
//!
//! `apt-get dist-clean` (APT 2.7 and later) removes the lists too. A RUN
//! with a cache mount for APT (`--mount=type=cache,target=/var/lib/apt/lists`
//! or `/var/cache/apt`) keeps them out of the layer and needs no cleanup.
//!
//! ## Example
//! ```dockerfile
//! FROM debian:bookworm-slim
//! RUN apt-get update && apt-get install --no-install-recommends -y curl
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM debian:bookworm-slim
//! RUN apt-get update && apt-get install --no-install-recommends -y curl && rm -rf /var/lib/apt/lists/*
//! ```
//!
//! ## Fix safety
//! Safe: the fix chains `&& rm -rf /var/lib/apt/lists/*` to the end of the
//! statement that installs (on a new continued line in the RUN's own style
//! when the statement spans lines). The image keeps the same packages.
//! When the statement ends with a heredoc the step goes on the line that
//! starts it (`<<EOF && …`); there is no fix when bash cannot parse the
//! statement or a comment may end that line.
//!
//! ## References
//! - [hadolint DL3009](https://github.com/hadolint/hadolint/wiki/DL3009)
//! - [Docker best practices: apt-get](https://docs.docker.com/build/building/best-practices/#apt-get)

use super::{Context, FixAvailability, Peers, Report, Rule, FAMILY_PACKAGES};
use crate::fix::{Applicability, Fix};
use crate::semantics::packages::{
    append_step, commands_after, has_cache_mount, invocations, removes, stage_note, sudo_prefix,
};
use crate::Severity;

pub static RULE: Rule = Rule {
    code: "DF302",
    name: "apt-lists-kept",
    family: FAMILY_PACKAGES,
    summary: "`apt-get install` in a RUN that keeps `/var/lib/apt/lists`",
    severity: Severity::Info,
    enabled_by_default: true,
    fix: FixAvailability::Sometimes(Applicability::Safe),
    peers: Peers {
        hadolint: &["DL3009"],
        trivy: &[],
        checkov: &[],
        buildkit: &[],
    },
    module: module_path!(),
    check,
};

const LISTS: &str = "/var/lib/apt/lists";

fn check(context: &Context<'_>, report: &mut Report<'_>) {
    for index in 0..context.model.instructions.len() {
        let all = invocations(context, index);
        let Some(last) = all
            .iter()
            .rfind(|i| matches!(i.manager, "apt-get" | "apt") && i.installs())
        else {
            continue;
        };
        if has_cache_mount(context, index, &[LISTS, "/var/cache/apt", "/var/lib/apt"]) {
            continue;
        }
        // `apt-get dist-clean` (APT 2.7+) removes the lists too.
        let dist_clean = all.iter().any(|i| {
            matches!(i.manager, "apt-get" | "apt")
                && matches!(i.sub(), "dist-clean" | "distclean")
                && i.command.range.start >= last.command.range.end
        });
        if dist_clean
            || commands_after(context, index, last.command.range.end).any(|c| removes(c, &[LISTS]))
        {
            continue;
        }
        let step = format!("{}rm -rf {LISTS}/*", sudo_prefix(last));
        report.push(
            last.name.range.start..last.subcommand.map_or(last.name.range.end, |s| s.range.end),
            format!(
                "`{} install` leaves the package lists in the layer: remove `{LISTS}/*` in the same RUN{}",
                last.manager,
                stage_note(context, index)
            ),
            append_step(context, index, last.command, &step)
                .map(|edit| Fix::safe(format!("Append `&& {step}`"), vec![edit])),
        );
    }
}
