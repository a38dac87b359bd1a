//! ## What it does
//! Finds `FROM image:latest`.
//!
//! ## Why is this bad?
//! `latest` is whatever the publisher pushed last: the next build may get a
//! new major version with breaking changes or a different distribution, and
//! two builds of the same commit differ. You also cannot tell which version
//! runs in production, nor whether it is still supported.
//!
//! ## Example
//! ```dockerfile
//! FROM node:latest
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM node:22
//! ```
//!
//! ## Fix safety
//! Unsafe: pinning picks a concrete, supported release of the same variant
//! from dockfix's dated knowledge base (the newest LTS where the image has
//! one), which may be older or newer than what `latest` gives today. With
//! online lookups on (`online = true`), `dockfix check` pins to the newest
//! version tag the registry lists instead (pre-releases and end-of-life
//! versions skipped), which also works for images the knowledge base does
//! not know.
//!
//! ## References
//! - [hadolint DL3007](https://github.com/hadolint/hadolint/wiki/DL3007)
//! - [Docker best practices: pin base image versions](https://docs.docker.com/build/building/best-practices/#pin-base-image-versions)

use super::{Context, FixAvailability, Peers, Report, Rule, FAMILY_BASE_IMAGES};
use crate::fix::{Applicability, Edit, Fix};
use crate::Severity;

pub static RULE: Rule = Rule {
    code: "DF201",
    name: "latest-tag",
    family: FAMILY_BASE_IMAGES,
    summary: "`FROM image:latest`",
    severity: Severity::Warning,
    enabled_by_default: true,
    fix: FixAvailability::Sometimes(Applicability::Unsafe),
    peers: Peers {
        hadolint: &["DL3007"],
        trivy: &["DS-0001"],
        checkov: &["CKV_DOCKER_7"],
        buildkit: &[],
    },
    module: module_path!(),
    check,
};

fn check(context: &Context<'_>, report: &mut Report<'_>) {
    for from in context.from_images() {
        // A digest pins the image whatever the tag says.
        if from.image.tag.as_deref() != Some("latest") || from.image.digest.is_some() {
            continue;
        }
        let fix = from.literal_tag().and_then(|range| {
            let tag = context.pin_tag(from.image)?;
            Some(Fix::unsafe_(
                format!("Pin to `{}:{tag}`", from.image.name),
                vec![Edit::replace(range, tag)],
            ))
        });
        let range = from.literal_tag().unwrap_or(from.written.range.clone());
        report.push(
            range,
            format!(
                "`{}` is not reproducible: pin a version tag",
                from.image.reference
            ),
            fix,
        );
    }
}
