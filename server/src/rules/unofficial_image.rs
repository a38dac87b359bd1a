//! ## What it does
//! Finds Docker Hub base images outside the official `library/` namespace
//! and outside the known Verified Publishers.
//!
//! ## Why is this bad?
//! Anyone can push to Docker Hub. Official images are built from public
//! sources by Docker, rebuilt for security fixes, and scanned; verified
//! publishers are vetted companies. An image from a personal namespace may be
//! unmaintained, or malicious (cryptominers in popular-sounding images are a
//! recurring finding).
//!
//! ## Example
//! ```dockerfile
//! FROM someuser/python-tools:1.0
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM python:3.13-slim
//! ```
//!
//! ## Fix safety
//! No fix: choose an official base and install what you need on it.
//!
//! ## References
//! - [Docker Official Images](https://docs.docker.com/docker-hub/image-library/trusted-content/#docker-official-images)
//! - [Verified Publisher images](https://docs.docker.com/docker-hub/image-library/trusted-content/#verified-publisher-images)

use super::{Context, FixAvailability, Peers, Report, Rule, FAMILY_BASE_IMAGES};
use crate::Severity;

pub static RULE: Rule = Rule {
    code: "DF205",
    name: "unofficial-image",
    family: FAMILY_BASE_IMAGES,
    summary: "Docker Hub image outside `library/` and the verified publishers",
    severity: Severity::Info,
    enabled_by_default: true,
    fix: FixAvailability::None,
    peers: Peers::NONE,
    module: module_path!(),
    check,
};

fn check(context: &Context<'_>, report: &mut Report<'_>) {
    for from in context.from_images() {
        let name = crate::knowledge::normalize(&from.image.name);
        if name.registry != "docker.io" || name.path.starts_with("library/") {
            continue;
        }
        let namespace = name.path.split('/').next().unwrap_or_default();
        let verified = from
            .image
            .info
            .as_ref()
            .is_some_and(|i| i.verified_publisher || i.official)
            || crate::knowledge::is_verified_publisher(namespace);
        if verified {
            continue;
        }
        report.push(
            from.written.range.clone(),
            format!("`{}` is not an official image nor from a verified publisher (namespace `{namespace}`)", from.image.reference),
            None,
        );
    }
}
