//! ## What it does
//! Finds package installs with signature checks turned off:
//! `apt-get --allow-unauthenticated`, `--force-yes`, `apk --allow-untrusted`,
//! `yum`/`dnf`/`microdnf` `--nogpgcheck`, `zypper --no-gpg-checks`,
//! `rpm --nosignature`/`--nodigest`, and `--setopt=sslverify=0` /
//! `--setopt=gpgcheck=0`.
//!
//! ## Why is this bad?
//! Package signatures are what proves a package comes from the distribution
//! (or vendor) and was not changed by a mirror, a proxy or an attacker on the
//! network. Without them, any tampered package is installed as root.
//!
//! ## Example
//! ```dockerfile
//! FROM debian:bookworm-slim
//! RUN apt-get update && apt-get install --force-yes curl
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM debian:bookworm-slim
//! RUN apt-get update && apt-get install -y curl
//! ```
//!
//! ## Fix safety
//! Unsafe: the fix removes the flag (`--force-yes` becomes `-y`, which only
//! answers the prompt, unless the command already has `-y`). A package that
//! is really unsigned then fails to install: import its repository's key
//! (`signed-by=`, `rpm --import`, `apk` keys) instead.
//!
//! ## References
//! - [Debian: SecureApt](https://wiki.debian.org/SecureApt)
//! - [Checkov CKV2_DOCKER_7…](https://www.checkov.io/5.Policy%20Index/dockerfile.html)

use super::tls_verification_disabled::delete_words;
use super::{Context, FixAvailability, Peers, Report, Rule, FAMILY_DOWNLOADS};
use crate::fix::{Applicability, Edit, Fix};
use crate::syntax::InstructionKind;
use crate::Severity;

pub static RULE: Rule = Rule {
    code: "DF505",
    name: "signature-check-disabled",
    family: FAMILY_DOWNLOADS,
    summary: "Package signature checks turned off (`--allow-unauthenticated`, `--nogpgcheck`…)",
    severity: Severity::Error,
    enabled_by_default: true,
    fix: FixAvailability::Always(Applicability::Unsafe),
    peers: Peers {
        hadolint: &[],
        trivy: &[],
        checkov: &[
            "CKV2_DOCKER_7",
            "CKV2_DOCKER_8",
            "CKV2_DOCKER_9",
            "CKV2_DOCKER_10",
            "CKV2_DOCKER_11",
            "CKV2_DOCKER_15",
        ],
        buildkit: &[],
    },
    module: module_path!(),
    check,
};

/// Programs and the flags that turn their signature checks off.
const FLAGS: [(&[&str], &[&str]); 4] = [
    (
        &["apt-get", "apt", "aptitude"],
        &["--allow-unauthenticated", "--force-yes"],
    ),
    (&["apk"], &["--allow-untrusted"]),
    (
        &["yum", "dnf", "microdnf", "tdnf", "zypper"],
        &["--nogpgcheck", "--no-gpg-checks"],
    ),
    (&["rpm"], &["--nosignature", "--nodigest"]),
];

/// `--setopt=sslverify=0`, `--setopt=*.gpgcheck=false`…
fn is_setopt_off(word: &str) -> bool {
    let Some(option) = word.strip_prefix("--setopt=") else {
        return false;
    };
    let Some((key, value)) = option.split_once('=') else {
        return false;
    };
    let key = key.rsplit('.').next().unwrap_or(key).to_ascii_lowercase();
    (key == "sslverify" || key == "gpgcheck" || key == "repo_gpgcheck")
        && matches!(
            value.to_ascii_lowercase().as_str(),
            "0" | "false" | "no" | "off"
        )
}

fn check(context: &Context<'_>, report: &mut Report<'_>) {
    for (index, instruction) in context.model.instructions.iter().enumerate() {
        if instruction.kind != InstructionKind::Run {
            continue;
        }
        for command in context.semantics.commands.get(index).into_iter().flatten() {
            let (name, args) = command.effective();
            let program = crate::semantics::shell::program_name(&name.text);
            let Some((_, flags)) = FLAGS
                .iter()
                .find(|(programs, _)| programs.contains(&program))
            else {
                continue;
            };
            let has_yes = args.iter().any(|w| {
                w.text == "--yes"
                    || w.text == "--assume-yes"
                    || (w.text.starts_with('-')
                        && !w.text.starts_with("--")
                        && w.text.contains('y'))
            });
            for word in args {
                let setopt = is_setopt_off(&word.text) && program != "apt-get";
                if !flags.contains(&word.text.as_str()) && !setopt {
                    continue;
                }
                let (title, edit) = if word.text == "--force-yes" && !has_yes {
                    (
                        "Replace `--force-yes` with `-y`".to_owned(),
                        Edit::replace(word.range.clone(), "-y"),
                    )
                } else {
                    (
                        format!("Remove `{}`", word.text),
                        delete_words(context, word.range.clone()),
                    )
                };
                report.push(
                    word.range.clone(),
                    format!(
                        "`{}` installs packages without checking their signatures",
                        word.text
                    ),
                    Some(Fix::unsafe_(title, vec![edit])),
                );
            }
        }
    }
}
