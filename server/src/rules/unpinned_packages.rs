//! ## What it does
//! Finds packages installed without a version: `apt-get install curl`
//! (`curl=7.88.1-10`), `apk add curl` (`curl=8.9.1-r0`), `pip install flask`
//! (`flask==3.0.3`), `npm install -g pnpm` (`pnpm@9.12.0`), `gem install
//! bundler` (`bundler:2.5.22` or `-v`), `go install example.com/tool@latest`.
//! Requirement files, lock files, local paths and URLs are not reported.
//!
//! Off by default: pinning conflicts with getting security updates on every
//! rebuild. Enable it where reproducible builds matter more.
//!
//! ## Why is this bad?
//! Without a version, every build may install something different: a rebuild
//! months later can break or change behaviour without any change to the
//! Dockerfile.
//!
//! ## Example
//! ```dockerfile
//! FROM python:3.12-slim
//! RUN pip install --no-cache-dir flask
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM python:3.12-slim
//! RUN pip install --no-cache-dir flask==3.0.3
//! ```
//!
//! ## Fix safety
//! No fix: the version to pin is a decision (and needs the repository's
//! current versions).
//!
//! ## References
//! - [hadolint DL3008](https://github.com/hadolint/hadolint/wiki/DL3008)
//! - [hadolint DL3018](https://github.com/hadolint/hadolint/wiki/DL3018)
//! - [hadolint DL3013](https://github.com/hadolint/hadolint/wiki/DL3013)
//! - [hadolint DL3016](https://github.com/hadolint/hadolint/wiki/DL3016)
//! - [hadolint DL3028](https://github.com/hadolint/hadolint/wiki/DL3028)
//! - [hadolint DL3062](https://github.com/hadolint/hadolint/wiki/DL3062)

use super::{Context, FixAvailability, Peers, Report, Rule, FAMILY_PACKAGES};
use crate::semantics::packages::{all_invocations, package_names, Invocation};
use crate::semantics::Word;
use crate::Severity;

pub static RULE: Rule = Rule {
    code: "DF312",
    name: "unpinned-packages",
    family: FAMILY_PACKAGES,
    summary: "packages installed without a version",
    severity: Severity::Info,
    enabled_by_default: false,
    fix: FixAvailability::None,
    peers: Peers {
        hadolint: &["DL3008", "DL3018", "DL3013", "DL3016", "DL3028", "DL3062"],
        trivy: &[],
        checkov: &[],
        buildkit: &[],
    },
    module: module_path!(),
    check,
};

fn pinned(invocation: &Invocation<'_>, word: &Word) -> bool {
    let text = word.text.as_str();
    match invocation.manager {
        "apt-get" | "apt" => text.contains('=') || text.ends_with(".deb"),
        "apk" => text.contains(['=', '~', '<', '>']),
        "pip" => text.contains(['=', '<', '>', '~', '@']),
        "npm" | "yarn" => text
            .get(1..)
            .and_then(|rest| rest.split_once('@'))
            .is_some_and(|(_, version)| {
                !version.is_empty() && version != "latest" && version != "next"
            }),
        "gem" => {
            text.contains(':') || invocation.has_long("--version") || invocation.has_short('v')
        }
        "go" => text
            .split_once('@')
            .is_some_and(|(_, version)| version != "latest" && !version.is_empty()),
        _ => true,
    }
}

fn check(context: &Context<'_>, report: &mut Report<'_>) {
    for invocation in all_invocations(context) {
        let relevant = match invocation.manager {
            "apt-get" | "apt" | "apk" | "pip" | "gem" | "go" => invocation.installs(),
            "npm" => matches!(invocation.sub(), "install" | "i" | "add"),
            "yarn" => invocation.sub() == "add",
            _ => false,
        };
        if !relevant {
            continue;
        }
        for word in package_names(invocation) {
            if invocation.manager == "go" && !word.text.contains('.') {
                continue;
            }
            if !pinned(invocation, word) {
                report.push(
                    word.range.clone(),
                    format!("`{}` is installed without a version", word.text),
                    None,
                );
            }
        }
    }
}
