//! ## What it does
//! Finds `npm install`/`npm ci` and `yarn install`/`yarn add` (or a bare
//! `yarn`) in RUN instructions that neither clean the package cache later in
//! the same RUN nor mount a cache for it, in every stage.
//!
//! ## Why is this bad?
//! npm keeps every tarball it fetches in `~/.npm/_cacache` and Yarn in its
//! global cache folder: often hundreds of megabytes left in the layer next to
//! `node_modules`. In a build stage they cost build time and cache space.
//!
//! A RUN with a cache mount on the cache (`--mount=type=cache,target=/root/.npm`,
//! `/usr/local/share/.cache/yarn`) keeps it out of the layer and is not
//! reported.
//!
//! ## Example
//! ```dockerfile
//! FROM node:22-slim
//! RUN npm ci
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM node:22-slim
//! RUN npm ci && npm cache clean --force
//! ```
//!
//! ## Fix safety
//! Safe: the fix chains `&& npm cache clean --force` (`&& yarn cache clean`)
//! to the end of the statement that installs, in the RUN's continuation
//! style. `node_modules` is untouched.
//! When the statement ends with a heredoc the step goes on the line that
//! starts it (`<<EOF && …`); there is no fix when bash cannot parse the
//! statement or a comment may end that line.
//!
//! ## References
//! - [hadolint DL3060](https://github.com/hadolint/hadolint/wiki/DL3060)
//! - [npm cache](https://docs.npmjs.com/cli/commands/npm-cache)

use super::{Context, FixAvailability, Peers, Report, Rule, FAMILY_PACKAGES};
use crate::fix::{Applicability, Fix};
use crate::semantics::packages::{
    append_step, cache_mounts, commands_after, invocations, removes, stage_note, sudo_prefix,
};
use crate::Severity;

pub static RULE: Rule = Rule {
    code: "DF306",
    name: "js-cache-kept",
    family: FAMILY_PACKAGES,
    summary: "`npm install/ci` or `yarn install` without cache cleanup",
    severity: Severity::Info,
    enabled_by_default: true,
    fix: FixAvailability::Sometimes(Applicability::Safe),
    peers: Peers {
        hadolint: &["DL3060"],
        trivy: &[],
        checkov: &[],
        buildkit: &[],
    },
    module: module_path!(),
    check,
};

fn check(context: &Context<'_>, report: &mut Report<'_>) {
    for index in 0..context.model.instructions.len() {
        let all = invocations(context, index);
        let mounts = cache_mounts(context, index);
        for manager in ["npm", "yarn"] {
            let Some(last) = all.iter().rfind(|i| i.manager == manager && i.installs()) else {
                continue;
            };
            let mounted = mounts.iter().any(|t| {
                if manager == "npm" {
                    t.ends_with(".npm") || t.contains("npm")
                } else {
                    t.contains("yarn") || t.ends_with("/.cache")
                }
            });
            if mounted {
                continue;
            }
            let after = last.command.range.end;
            let cleaned = all.iter().any(|i| {
                i.manager == manager
                    && i.command.range.start >= after
                    && i.sub() == "cache"
                    && i.operands.first().is_some_and(|w| w.text == "clean")
            }) || commands_after(context, index, after).any(|c| {
                let paths: &[&str] = if manager == "npm" {
                    &["/root/.npm", "~/.npm", "$HOME/.npm", "${HOME}/.npm"]
                } else {
                    &[
                        "/usr/local/share/.cache/yarn",
                        "/root/.cache/yarn",
                        "~/.cache/yarn",
                        "$HOME/.cache/yarn",
                        "${HOME}/.cache/yarn",
                        "/root/.yarn/berry/cache",
                    ]
                };
                removes(c, paths)
            });
            if cleaned {
                continue;
            }
            let step = if manager == "npm" {
                format!("{}npm cache clean --force", sudo_prefix(last))
            } else {
                format!("{}yarn cache clean", sudo_prefix(last))
            };
            let shown = if last.sub().is_empty() {
                manager.to_owned()
            } else {
                format!("{manager} {}", last.sub())
            };
            report.push(
                last.name.range.start..last.subcommand.map_or(last.name.range.end, |s| s.range.end),
                format!(
                    "`{shown}` leaves the package cache in the layer: run `{step}` in the same RUN{}",
                    stage_note(context, index)
                ),
                append_step(context, index, last.command, &step)
                    .map(|edit| Fix::safe(format!("Append `&& {step}`"), vec![edit])),
            );
        }
    }
}
