//! ## What it does
//! Finds `FROM image` with neither a tag nor a digest (stage names, `scratch`
//! and ARGs that resolve to a tagged reference are fine).
//!
//! ## Why is this bad?
//! An untagged reference means `latest`: whatever the publisher pushed last.
//! Builds are not reproducible and may jump a major version unannounced.
//!
//! ## Example
//! ```dockerfile
//! FROM python
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM python:3.13
//! ```
//!
//! ## Fix safety
//! Unsafe: as for `latest-tag` (DF201), the pinned tag is a concrete,
//! supported release of the same image from the dated knowledge base, or with
//! online lookups the newest version tag the registry lists.
//!
//! ## References
//! - [hadolint DL3006](https://github.com/hadolint/hadolint/wiki/DL3006)

use super::{Context, FixAvailability, Peers, Report, Rule, FAMILY_BASE_IMAGES};
use crate::fix::{Applicability, Edit, Fix};
use crate::Severity;

pub static RULE: Rule = Rule {
    code: "DF202",
    name: "untagged-image",
    family: FAMILY_BASE_IMAGES,
    summary: "`FROM image` without a tag or digest",
    severity: Severity::Warning,
    enabled_by_default: true,
    fix: FixAvailability::Sometimes(Applicability::Unsafe),
    peers: Peers {
        hadolint: &["DL3006"],
        trivy: &["DS-0001"],
        checkov: &["CKV_DOCKER_7"],
        buildkit: &[],
    },
    module: module_path!(),
    check,
};

fn check(context: &Context<'_>, report: &mut Report<'_>) {
    for from in context.from_images() {
        if from.image.tag.is_some() || from.image.digest.is_some() {
            continue;
        }
        let fix = from.tag_insertion_point().and_then(|at| {
            let tag = context.pin_tag(from.image)?;
            Some(Fix::unsafe_(
                format!("Pin to `{}:{tag}`", from.image.name),
                vec![Edit::insert(at, format!(":{tag}"))],
            ))
        });
        report.push(
            from.written.range.clone(),
            format!(
                "`{}` has no tag: it means `latest`, which is not reproducible",
                from.image.reference
            ),
            fix,
        );
    }
}
