//! ## What it does
//! Finds scripts downloaded and run in one step: `curl … | sh`,
//! `wget -O- … | bash`, `bash <(curl …)`, `sh -c "$(curl …)"`,
//! `eval "$(wget -qO- …)"`.
//!
//! ## Why is this bad?
//! Whatever the server sends runs as the build user (usually root) with no
//! chance to check it: a compromised server, a hijacked domain, a changed
//! script or a download cut off half-way (a truncated `rm -rf /tmp/x` becomes
//! `rm -rf /`) all run unnoticed, and the build cannot be reproduced.
//!
//! ## Example
//! ```dockerfile
//! FROM debian:bookworm-slim
//! RUN curl -fsSL https://example.com/install.sh | sh
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM debian:bookworm-slim
//! RUN curl -fsSL -o /tmp/install.sh https://example.com/install.sh \
//!  && echo "24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d  /tmp/install.sh" | sha256sum -c - \
//!  && sh /tmp/install.sh \
//!  && rm /tmp/install.sh
//! ```
//!
//! ## Fix safety
//! No fix: the checksum of the script has to come from you (download it once,
//! read it, and pin its `sha256sum`). Prefer a package, a release binary with
//! a published checksum, or `ADD --checksum=…`.
//!
//! ## References
//! - [CWE-494: Download of Code Without Integrity Check](https://cwe.mitre.org/data/definitions/494.html)

use super::{Context, FixAvailability, Peers, Report, Rule, FAMILY_DOWNLOADS};
use crate::syntax::commands::Command;
use crate::Severity;

pub static RULE: Rule = Rule {
    code: "DF503",
    name: "pipe-to-shell",
    family: FAMILY_DOWNLOADS,
    summary: "Downloaded script run unverified (`curl … | sh`, `bash <(curl …)`)",
    severity: Severity::Warning,
    enabled_by_default: true,
    fix: FixAvailability::None,
    peers: Peers::NONE,
    module: module_path!(),
    check,
};

const SHELLS: [&str; 11] = [
    "sh", "bash", "ash", "dash", "zsh", "ksh", "python", "python3", "perl", "ruby", "node",
];
const DOWNLOADERS: [&str; 2] = ["curl", "wget"];

fn program(command: &Command) -> &str {
    crate::semantics::shell::program_name(&command.effective().0.text)
}

/// True when a word's text runs a download: `$(curl …)`, `` `wget …` ``, `<(curl …)`.
fn substitutes_download(text: &str) -> bool {
    ["$(", "`", "<("].iter().any(|open| {
        text.match_indices(open).any(|(i, _)| {
            let inner = text[i + open.len()..].trim_start();
            DOWNLOADERS.iter().any(|d| {
                inner
                    .strip_prefix(d)
                    .is_some_and(|rest| rest.starts_with([' ', '\t']))
            })
        })
    })
}

fn check(context: &Context<'_>, report: &mut Report<'_>) {
    for commands in &context.semantics.commands {
        let mut reported: Vec<std::ops::Range<usize>> = Vec::new();
        for command in commands {
            let name = program(command);
            let (_, args) = command.effective();
            let is_shell = SHELLS.contains(&name);
            let has_c = args.iter().any(|w| w.text == "-c");
            // curl … | sh
            if is_shell && !has_c {
                if let Some((pipeline, position)) = &command.pipeline {
                    let downloader = commands.iter().find(|c| {
                        c.pipeline
                            .as_ref()
                            .is_some_and(|(p, i)| p == pipeline && i < position)
                            && DOWNLOADERS.contains(&program(c))
                    });
                    if let Some(downloader) = downloader {
                        if reported.contains(pipeline) {
                            continue;
                        }
                        reported.push(pipeline.clone());
                        report.push(
                            downloader.range.start..command.range.end,
                            format!(
                                "The output of `{}` runs in `{name}` unverified: download to a file, check its sha256, then run it",
                                program(downloader)
                            ),
                            None,
                        );
                        continue;
                    }
                }
            }
            // bash <(curl …), sh -c "$(curl …)", eval "$(curl …)", source <(curl …)
            if is_shell || matches!(name, "eval" | "source" | ".") {
                if let Some(word) = args.iter().find(|w| substitutes_download(&w.text)) {
                    let range = command.range.start..word.range.end;
                    if reported
                        .iter()
                        .any(|r| r.start <= range.start && range.end <= r.end)
                    {
                        continue;
                    }
                    reported.push(range.clone());
                    report.push(
                        range,
                        format!("A downloaded script runs in `{name}` unverified: download to a file, check its sha256, then run it"),
                        None,
                    );
                }
            }
        }
    }
}
