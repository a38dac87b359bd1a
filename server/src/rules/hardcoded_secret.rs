//! ## What it does
//! Finds literal credentials anywhere in the Dockerfile (instructions,
//! heredocs and comments alike): AWS access key IDs (`AKIA…`), GitHub tokens
//! (`ghp_`, `gho_`, `ghs_`, `ghu_`, `ghr_`, `github_pat_`), GitLab tokens
//! (`glpat-`), Slack tokens (`xoxa-`, `xoxb-`, `xoxp-`, `xoxr-`), Stripe live
//! keys (`sk_live_`, `rk_live_`), Google API keys (`AIza…`), private key
//! blocks (`-----BEGIN … PRIVATE KEY-----`), URLs with a password
//! (`https://user:pass@host`, not `user:${PASS}@`), and high-entropy values
//! given to secret-named ARG/ENV/LABEL keys or to `--password`/`--token`
//! style options.
//!
//! ## Why is this bad?
//! The Dockerfile is in version control and its instructions are in the image
//! history (`docker history`): everyone who can read either has the
//! credential. Once committed, it must be considered leaked.
//!
//! ## Example
//! ```dockerfile
//! FROM alpine:3.22
//! RUN git clone https://deploy:ghp_4Gd8kQw2ZrT6yN1pXc7vB3mL9sH5jF0aE2uR@github.com/acme/app.git
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! # syntax=docker/dockerfile:1.10
//! FROM alpine:3.22
//! RUN --mount=type=secret,id=github-token,env=GITHUB_TOKEN \
//!     git clone "https://deploy:${GITHUB_TOKEN}@github.com/acme/app.git"
//! ```
//!
//! ## Fix safety
//! Display only: the suggested edit replaces the credential with
//! `REDACTED`. Removing it from the file is not enough: it is in the
//! repository history and in images already built, so rotate it, then pass
//! the new one as a build secret (`RUN --mount=type=secret`).
//!
//! Interplay with DF401 (secret-in-arg-or-env): for `ENV API_TOKEN=<literal>`
//! DF401 reports the name (and offers to replace the variable with a build
//! secret) while this rule reports the value (rotate it). Their ranges differ
//! and this rule's fix is never applied automatically, so they do not clash.
//!
//! ## References
//! - [CWE-798: Use of Hard-coded Credentials](https://cwe.mitre.org/data/definitions/798.html)
//! - [Docker: build secrets](https://docs.docker.com/build/building/secrets/)

use super::{Context, FixAvailability, Peers, Report, Rule, FAMILY_SECRETS};
use crate::fix::{Applicability, Edit, Fix};
use crate::semantics::secrets::{find_secrets, is_high_entropy, is_secret_name, Finding};
use crate::syntax::InstructionKind;
use crate::Severity;

pub static RULE: Rule = Rule {
    code: "DF402",
    name: "hardcoded-secret",
    family: FAMILY_SECRETS,
    summary: "Literal credentials (cloud keys, tokens, private keys, passwords in URLs…)",
    severity: Severity::Error,
    enabled_by_default: true,
    fix: FixAvailability::Always(Applicability::DisplayOnly),
    peers: Peers::NONE,
    module: module_path!(),
    check,
};

fn check(context: &Context<'_>, report: &mut Report<'_>) {
    let mut findings = find_secrets(context.source);
    for instruction in &context.model.instructions {
        if !matches!(
            instruction.kind,
            InstructionKind::Arg | InstructionKind::Env | InstructionKind::Label
        ) {
            continue;
        }
        for pair in &instruction.pairs {
            let Some(value) = &pair.value else {
                continue;
            };
            if !is_secret_name(&crate::semantics::unquote(context.text(&pair.name))) {
                continue;
            }
            let raw = context.text(value);
            let unquoted = crate::semantics::unquote(raw);
            if !is_high_entropy(&unquoted) {
                continue;
            }
            let quote = usize::from(raw.len() != unquoted.len());
            let range = value.start + quote..value.end - quote;
            if findings
                .iter()
                .all(|f| f.range.end <= range.start || range.end <= f.range.start)
            {
                findings.push(Finding {
                    range,
                    kind: "secret value",
                });
            }
        }
    }
    findings.sort_by_key(|f| f.range.start);
    for finding in findings {
        report.push(
            finding.range.clone(),
            format!(
                "Hardcoded credential ({}): it is in the repository and the image history",
                finding.kind
            ),
            Some(Fix::display_only(
                "Remove it (`REDACTED`), rotate the credential and pass the new one as a build secret",
                vec![Edit::replace(finding.range, "REDACTED")],
            )),
        );
    }
}
