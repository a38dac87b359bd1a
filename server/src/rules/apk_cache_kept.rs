//! ## What it does
//! Finds `apk add` without `--no-cache`, in every stage.
//!
//! ## Why is this bad?
//! Without `--no-cache`, `apk` keeps the package index it downloads (and,
//! with a configured cache, the packages) in the layer. `apk add --no-cache`
//! fetches the index, installs, and leaves nothing behind, which also makes
//! a separate `apk update` and `rm -rf /var/cache/apk/*` unnecessary. In a
//! build stage the cache costs build time and cache space.
//!
//! `apk add --no-network` fetches nothing and is not reported either. A RUN
//! with a cache mount on `/var/cache/apk` (or `/etc/apk/cache`) keeps
//! the cache out of the layer on purpose and is not reported.
//!
//! ## Example
//! ```dockerfile
//! FROM alpine:3.20
//! RUN apk update && apk add curl
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM alpine:3.20
//! RUN apk add --no-cache curl
//! ```
//!
//! ## Fix safety
//! Safe: the fix inserts `--no-cache` right after `add`. When the RUN has a
//! single `apk add`, it also drops an `apk update &&` chained right before it
//! and an `&& rm -rf /var/cache/apk/*` chained after it in the same statement,
//! both useless with `--no-cache` (only when they are plain `&&` links).
//!
//! ## References
//! - [hadolint DL3019](https://github.com/hadolint/hadolint/wiki/DL3019)
//! - [Alpine: apk --no-cache](https://wiki.alpinelinux.org/wiki/Alpine_Package_Keeper)

use super::{Context, FixAvailability, Peers, Report, Rule, FAMILY_PACKAGES};
use crate::fix::{Applicability, Edit, Fix};
use crate::semantics::packages::{has_cache_mount, invocations, is_and_link, removes, stage_note};
use crate::semantics::shell::program_name;
use crate::Severity;

pub static RULE: Rule = Rule {
    code: "DF303",
    name: "apk-cache-kept",
    family: FAMILY_PACKAGES,
    summary: "`apk add` without `--no-cache`",
    severity: Severity::Info,
    enabled_by_default: true,
    fix: FixAvailability::Always(Applicability::Safe),
    peers: Peers {
        hadolint: &["DL3019"],
        trivy: &["DS-0025"],
        checkov: &[],
        buildkit: &[],
    },
    module: module_path!(),
    check,
};

const CACHE: &str = "/var/cache/apk";

fn check(context: &Context<'_>, report: &mut Report<'_>) {
    for index in 0..context.model.instructions.len() {
        let all = invocations(context, index);
        let adds: Vec<_> = all
            .iter()
            .filter(|i| i.manager == "apk" && i.sub() == "add")
            .collect();
        if adds.is_empty() || has_cache_mount(context, index, &[CACHE, "/etc/apk/cache"]) {
            continue;
        }
        let commands: Vec<_> = context
            .semantics
            .commands
            .get(index)
            .into_iter()
            .flatten()
            .collect();
        for add in &adds {
            // `--no-network` installs from the cache: nothing is fetched.
            if add.has_long("--no-cache") || add.has_long("--no-network") {
                continue;
            }
            let Some(subcommand) = add.subcommand else {
                continue;
            };
            let mut edits = vec![Edit::insert(subcommand.range.end, " --no-cache")];
            let statement = add.command.statement.clone();
            let simple = adds.len() == 1
                && add.command.pipeline.is_none()
                && !context.text(&statement).contains("||");
            if simple {
                // `apk update && apk add …`: the update is useless with --no-cache.
                let update = all.iter().find(|i| {
                    i.manager == "apk"
                        && i.sub() == "update"
                        && i.operands.is_empty()
                        && i.options
                            .iter()
                            .all(|o| matches!(o.text.as_str(), "-q" | "--quiet" | "--no-progress"))
                        && i.command.statement == statement
                        && i.command.pipeline.is_none()
                        && i.command.range.end <= add.command.range.start
                        && i.name.range.start == i.command.range.start
                });
                if let Some(update) = update {
                    if is_and_link(context, update.command.range.end..add.command.range.start) {
                        edits.push(Edit::delete(
                            update.command.range.start..add.command.range.start,
                        ));
                    }
                }
                // `… && rm -rf /var/cache/apk/*`: nothing left to remove.
                let rm = commands.iter().find(|c| {
                    c.statement == statement
                        && c.pipeline.is_none()
                        && c.range.start >= add.command.range.end
                        && program_name(&c.name.text) == "rm"
                        && removes(c, &[CACHE])
                        && c.arguments.iter().all(|w| {
                            w.literal
                                && (w.text.starts_with('-')
                                    || w.text.trim_end_matches('/').starts_with(CACHE))
                        })
                });
                if let Some(rm) = rm {
                    let previous_end = commands
                        .iter()
                        .filter(|c| c.range.end <= rm.range.start)
                        .map(|c| c.range.end)
                        .max()
                        .unwrap_or(add.command.range.end);
                    if previous_end >= add.command.range.end
                        && is_and_link(context, previous_end..rm.range.start)
                    {
                        edits.push(Edit::delete(previous_end..rm.range.end));
                    }
                }
            }
            let title = if edits.len() > 1 {
                "Add `--no-cache` and drop the cache steps it makes useless"
            } else {
                "Add `--no-cache`"
            };
            report.push(
                add.name.range.start..subcommand.range.end,
                format!(
                    "`apk add` without `--no-cache` keeps the package index in the layer{}",
                    stage_note(context, index)
                ),
                Some(Fix::safe(title, edits)),
            );
        }
    }
}
