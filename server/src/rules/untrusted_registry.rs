//! ## What it does
//! Finds base images from a registry (or registry namespace) that is not in
//! the configured `trusted-registries` list. Without that list the rule says
//! nothing.
//!
//! ## Why is this bad?
//! Organisations mirror, scan and sign the images they allow; an image pulled
//! from anywhere else bypasses that. A typo-squatted registry or namespace is
//! a classic supply-chain attack.
//!
//! ## Example
//! With this configuration:
//! ```toml
//! trusted-registries = ["registry.example.com"]
//! ```
//! ```dockerfile
//! FROM ghcr.io/someone/tool:1.2
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM registry.example.com/mirror/tool:1.2
//! ```
//!
//! ## Fix safety
//! No fix: the message names the trusted registries; only you know where the
//! mirror of this image lives.
//!
//! ## Options
//! `trusted-registries`: registries (`docker.io`, `ghcr.io`) or prefixes
//! (`docker.io/library`, `ghcr.io/my-org`). Docker Hub images are
//! `docker.io/library/<name>` for official images and `docker.io/<namespace>/<name>`.
//!
//! ## References
//! - [hadolint DL3026](https://github.com/hadolint/hadolint/wiki/DL3026)

use super::{Context, FixAvailability, Peers, Report, Rule, FAMILY_BASE_IMAGES};
use crate::Severity;

pub static RULE: Rule = Rule {
    code: "DF204",
    name: "untrusted-registry",
    family: FAMILY_BASE_IMAGES,
    summary: "Base image from a registry outside `trusted-registries`",
    severity: Severity::Warning,
    enabled_by_default: true,
    fix: FixAvailability::None,
    peers: Peers {
        hadolint: &["DL3026"],
        trivy: &[],
        checkov: &[],
        buildkit: &[],
    },
    module: module_path!(),
    check,
};

/// Whether `registry/path` lies under a trusted entry (whole components only).
pub fn is_trusted(full: &str, trusted: &[String]) -> bool {
    trusted.iter().any(|entry| {
        let entry = entry.trim_end_matches('/').to_ascii_lowercase();
        let entry = match entry.as_str() {
            "hub.docker.com" | "index.docker.io" | "registry-1.docker.io" => "docker.io".to_owned(),
            _ => entry,
        };
        full == entry || full.starts_with(&format!("{entry}/"))
    })
}

fn check(context: &Context<'_>, report: &mut Report<'_>) {
    let trusted = &context.settings.trusted_registries;
    if trusted.is_empty() {
        return;
    }
    for from in context.from_images() {
        let name = crate::knowledge::normalize(&from.image.name);
        let full = format!("{}/{}", name.registry, name.path).to_ascii_lowercase();
        if is_trusted(&full, trusted) {
            continue;
        }
        report.push(
            from.written.range.clone(),
            format!(
                "`{}` comes from `{}`, which is not a trusted registry (trusted: {})",
                from.image.reference,
                name.registry,
                trusted.join(", ")
            ),
            None,
        );
    }
}
