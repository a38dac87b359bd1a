//! ## What it does
//! Finds base images referenced by tag without a digest (`@sha256:…`).
//! Off by default: enable it for strict supply-chain policies.
//!
//! ## Why is this bad?
//! Tags move. Even `node:22.11.0-bookworm-slim` is rebuilt and re-pushed
//! with patches; a compromised registry account can point it anywhere. Only a
//! digest names exactly the bytes you tested. Pin the digest and let a bot
//! (Renovate, Dependabot) bump it, keeping the tag for humans.
//!
//! ## Example
//! ```dockerfile
//! FROM alpine:3.22
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM alpine:3.22@sha256:4bcff63911fcb4448bd4fdacec207030997caf25e9bea4045fa6c8c44de311d1
//! ```
//!
//! ## Fix safety
//! Safe: the digest is the one the tag points to today, so the build gets the
//! same image. The fix needs online lookups (`online = true`): the CLI
//! resolves digests before analysing; the language server resolves them when
//! you pick the code action. The lookup is anonymous unless your Docker
//! config has credentials for the registry, times out after 3 seconds and is
//! cached for a day.
//!
//! ## References
//! - [Docker: pin base image versions](https://docs.docker.com/build/building/best-practices/#pin-base-image-versions)
//! - [OCI distribution spec: manifests](https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests)

use super::{Context, FixAvailability, Peers, Report, Rule, FAMILY_BASE_IMAGES};
use crate::fix::{Applicability, Edit, Fix};
use crate::Severity;

pub static RULE: Rule = Rule {
    code: "DF203",
    name: "unpinned-digest",
    family: FAMILY_BASE_IMAGES,
    summary: "Base image without `@sha256:` digest (off by default)",
    severity: Severity::Info,
    enabled_by_default: false,
    fix: FixAvailability::Sometimes(Applicability::Safe),
    peers: Peers::NONE,
    module: module_path!(),
    check,
};

fn check(context: &Context<'_>, report: &mut Report<'_>) {
    for from in context.from_images() {
        if from.image.digest.is_some() || from.image.tag.is_none() {
            continue;
        }
        let fix = from.literal_tag().and_then(|tag| {
            let digest = context.digests.get(&from.image.reference)?;
            Some(Fix::safe(
                format!(
                    "Pin `{}` to the digest it points to today",
                    from.image.reference
                ),
                vec![Edit::insert(tag.end, format!("@{digest}"))],
            ))
        });
        let hint = if context.settings.online || fix.is_some() {
            ""
        } else {
            " (turn on online lookups to pin it)"
        };
        report.push(
            from.written.range.clone(),
            format!("`{}` is not pinned to a digest{hint}", from.image.reference),
            fix,
        );
    }
}
