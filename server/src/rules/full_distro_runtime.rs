//! ## What it does
//! Finds a final stage built on the full variant of a runtime image
//! (`python:3.13`, `node:22`) when a slim variant of the same version exists
//! and the stage installs no system packages that could need the full one.
//!
//! ## Why is this bad?
//! The full variants carry compilers, version control and hundreds of
//! libraries (buildpack-deps): several times the size, and several times the
//! vulnerabilities for scanners to report and attackers to use, none of
//! which a runtime needs.
//!
//! ## Example
//! ```dockerfile
//! FROM python:3.13
//! COPY app.py /app/app.py
//! CMD ["python", "/app/app.py"]
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM python:3.13-slim
//! COPY app.py /app/app.py
//! CMD ["python", "/app/app.py"]
//! ```
//!
//! ## Fix safety
//! Unsafe: a native extension or a tool your application calls at runtime
//! may only be present in the full variant.
//!
//! ## References
//! - [Docker best practices: choose the right base image](https://docs.docker.com/build/building/best-practices/#choose-the-right-base-image)

use super::{Context, FixAvailability, Peers, Report, Rule, FAMILY_BASE_IMAGES};
use crate::fix::{Applicability, Edit, Fix};
use crate::Severity;

pub static RULE: Rule = Rule {
    code: "DF207",
    name: "full-distro-runtime",
    family: FAMILY_BASE_IMAGES,
    summary: "Final stage on a full distro image when a slim variant exists",
    severity: Severity::Info,
    enabled_by_default: true,
    fix: FixAvailability::Sometimes(Applicability::Unsafe),
    peers: Peers::NONE,
    module: module_path!(),
    check,
};

/// Package managers whose installs may rely on the full variant's libraries.
const SYSTEM_MANAGERS: [&str; 7] = ["apt-get", "apt", "apk", "yum", "dnf", "microdnf", "zypper"];

fn check(context: &Context<'_>, report: &mut Report<'_>) {
    let Some(final_stage) = context.semantics.final_stage else {
        return;
    };
    for from in context.from_images() {
        if from.stage != final_stage {
            continue;
        }
        let Some(info) = &from.image.info else {
            continue;
        };
        let Some(slim) = crate::knowledge::slim_variant_tag(info) else {
            continue;
        };
        let installs = context
            .semantics
            .stages
            .get(final_stage)
            .is_some_and(|facts| {
                facts
                    .installs
                    .iter()
                    .any(|i| SYSTEM_MANAGERS.contains(&i.manager.as_str()))
            });
        if installs {
            continue;
        }
        let fix = from.literal_tag().map(|range| {
            Fix::unsafe_(
                format!("Switch to `{}:{slim}`", from.image.name),
                vec![Edit::replace(range, slim.clone())],
            )
        });
        report.push(
            from.literal_tag().unwrap_or(from.written.range.clone()),
            format!(
                "The final stage runs on the full `{}` image; `{}:{slim}` has the same runtime without the build tools",
                from.image.reference, from.image.name
            ),
            fix,
        );
    }
}
