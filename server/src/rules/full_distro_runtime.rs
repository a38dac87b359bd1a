//! ## What it does
//! Finds a final stage built on the full variant of a runtime image
//! (`python:3.13`, `node:22`) when a slim variant of the same version exists
//! and the stage installs no system packages that could need the full one,
//! and a final stage on a .NET SDK image that only runs an app (no `dotnet`
//! command in its RUNs): the ASP.NET Core runtime image of the same release
//! runs it.
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
//! may only be present in the full variant (or in the SDK). The variants
//! are the ones the multi-stage conversion (DF310) builds runtime stages on:
//! the slim tag keeps the version and the Debian release, the .NET runtime
//! keeps the release and the variant (`8.0-alpine`).
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
    summary: "Final stage on a full distro (or SDK) image when a slim (or runtime) variant exists",
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
        let Some(lean) = crate::knowledge::lean_reference(info, &from.image.name) else {
            continue;
        };
        let runs_sdk = context
            .semantics
            .commands
            .iter()
            .enumerate()
            .filter(|(i, _)| {
                context
                    .model
                    .stage_of(*i)
                    .is_some_and(|s| s.index == final_stage)
            })
            .flat_map(|(_, commands)| commands.iter())
            .any(|c| crate::semantics::shell::program_name(&c.effective().0.text) == "dotnet");
        if runs_sdk {
            continue;
        }
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
        // The tag alone changes when the repository stays; else the reference.
        let same_repository = lean
            .strip_prefix(&from.image.name)
            .and_then(|rest| rest.strip_prefix(':'));
        let edit = match same_repository {
            Some(tag) => from
                .literal_tag()
                .map(|range| Edit::replace(range, tag.to_owned())),
            None => (from.image.literal && from.image.digest.is_none())
                .then(|| Edit::replace(from.written.range.clone(), lean.clone())),
        };
        let fix = edit.map(|edit| Fix::unsafe_(format!("Switch to `{lean}`"), vec![edit]));
        let message = if same_repository.is_some() {
            format!(
                "The final stage runs on the full `{}` image; `{lean}` has the same runtime without the build tools",
                from.image.reference
            )
        } else {
            format!(
                "The final stage runs on the SDK image `{}`; `{lean}` runs the app without the SDK",
                from.image.reference
            )
        };
        report.push(
            from.literal_tag().unwrap_or(from.written.range.clone()),
            message,
            fix,
        );
    }
}
