//! ## What it does
//! Finds `apt-get install` (and `apt install`) without
//! `--no-install-recommends`, in every stage.
//!
//! ## Why is this bad?
//! APT installs the *recommended* packages of everything you ask for by
//! default: documentation, extra tools, sometimes whole language runtimes.
//! They make the image larger and add software, and vulnerabilities, that
//! nothing uses. In a build stage they cost build time and cache space.
//!
//! Options in any order are understood (`apt-get -y install`,
//! `install -yq`), and so is `-o APT::Install-Recommends=false`. An explicit
//! `--install-recommends` is a choice and is left alone.
//!
//! ## Example
//! ```dockerfile
//! FROM debian:bookworm-slim
//! RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM debian:bookworm-slim
//! RUN apt-get update && apt-get install --no-install-recommends -y curl && rm -rf /var/lib/apt/lists/*
//! ```
//!
//! ## Fix safety
//! Unsafe: the fix inserts `--no-install-recommends` right after `install`.
//! A program may rely on a recommended package (CA certificates for `curl`
//! are a classic), so check the image still works.
//!
//! ## References
//! - [hadolint DL3015](https://github.com/hadolint/hadolint/wiki/DL3015)
//! - [Docker best practices: apt-get](https://docs.docker.com/build/building/best-practices/#apt-get)

use super::{Context, FixAvailability, Peers, Report, Rule, FAMILY_PACKAGES};
use crate::fix::{Applicability, Edit, Fix};
use crate::semantics::packages::{all_invocations, stage_note};
use crate::Severity;

pub static RULE: Rule = Rule {
    code: "DF301",
    name: "apt-install-recommends",
    family: FAMILY_PACKAGES,
    summary: "`apt-get install` without `--no-install-recommends`",
    severity: Severity::Warning,
    enabled_by_default: true,
    fix: FixAvailability::Always(Applicability::Unsafe),
    peers: Peers {
        hadolint: &["DL3015"],
        trivy: &["DS-0029"],
        checkov: &[],
        buildkit: &[],
    },
    module: module_path!(),
    check,
};

fn check(context: &Context<'_>, report: &mut Report<'_>) {
    for invocation in all_invocations(context) {
        if !matches!(invocation.manager, "apt-get" | "apt") || !invocation.installs() {
            continue;
        }
        if invocation.has_long("--no-install-recommends")
            || invocation.has_long("--install-recommends")
        {
            continue;
        }
        let configured = invocation
            .option_values("--option", Some('o'))
            .iter()
            .any(|v| {
                let v = v.to_ascii_lowercase();
                v.starts_with("apt::install-recommends=")
                    && matches!(v.rsplit('=').next(), Some("false" | "0" | "no" | "off"))
            });
        if configured {
            continue;
        }
        let Some(subcommand) = invocation.subcommand else {
            continue;
        };
        report.push(
            invocation.name.range.start..subcommand.range.end,
            format!(
                "`{} install` without `--no-install-recommends` also installs recommended packages{}",
                invocation.manager,
                stage_note(context, invocation.instruction)
            ),
            Some(Fix::unsafe_(
                "Add `--no-install-recommends`",
                vec![Edit::insert(
                    invocation.flag_position(),
                    " --no-install-recommends",
                )],
            )),
        );
    }
}
