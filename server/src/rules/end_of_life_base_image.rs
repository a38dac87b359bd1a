//! ## What it does
//! Finds base images whose version is past its end of life (node, python,
//! golang, ruby, php, eclipse-temurin, debian, ubuntu, alpine, nginx,
//! postgres, redis, mysql and more), judged against today's date with
//! dockfix's dated knowledge base (`dockfix rule DF206` prints its date).
//!
//! ## Why is this bad?
//! An end-of-life release gets no security fixes: every vulnerability found
//! after that date stays in your image for good, and scanners will report
//! more of them every month.
//!
//! ## Example
//! ```dockerfile
//! FROM node:16-alpine
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM node:22-alpine
//! ```
//!
//! ## Fix safety
//! Unsafe: the fix moves to the oldest release that is still supported, in
//! the same variant, which is a major upgrade that your code may need changes
//! for. Test before you ship.
//!
//! ## References
//! - [endoflife.date](https://endoflife.date/)

use super::{Context, FixAvailability, Peers, Report, Rule, FAMILY_BASE_IMAGES};
use crate::diagnostic::Tag;
use crate::fix::{Applicability, Edit, Fix};
use crate::Severity;

pub static RULE: Rule = Rule {
    code: "DF206",
    name: "end-of-life-base-image",
    family: FAMILY_BASE_IMAGES,
    summary: "Base image version past its end of life",
    severity: Severity::Warning,
    enabled_by_default: true,
    fix: FixAvailability::Sometimes(Applicability::Unsafe),
    peers: Peers::NONE,
    module: module_path!(),
    check,
};

fn check(context: &Context<'_>, report: &mut Report<'_>) {
    for from in context.from_images() {
        let Some(info) = &from.image.info else {
            continue;
        };
        let Some(eol) = crate::knowledge::is_eol(info, context.today) else {
            continue;
        };
        let fix = from.literal_tag().and_then(|range| {
            let tag = crate::knowledge::oldest_supported_tag(info, context.today)?;
            Some(Fix::unsafe_(
                format!("Upgrade to `{}:{tag}`", from.image.name),
                vec![Edit::replace(range, tag)],
            ))
        });
        let cycle = info.cycle.as_ref().map_or("", |c| c.name.as_str());
        report.push_tagged(
            from.literal_tag().unwrap_or(from.written.range.clone()),
            format!(
                "`{}` is past its end of life ({} {cycle} ended on {eol}): it gets no security fixes",
                from.image.reference, info.name.short
            ),
            fix,
            Tag::Deprecated,
        );
    }
}
