//! `dockfix rule [CODE]`: one rule's documentation, or the list of rules.

use std::io::Write;
use std::process::ExitCode;

use crate::rules::{self, Rule};

/// The markdown shown for one rule (also used by hover in the language server).
pub fn rule_markdown(rule: &Rule) -> String {
    let mut out = format!("# {} {}\n\n", rule.code, rule.name);
    out.push_str(&format!(
        "Family: {}. Default severity: {}. {}. Fix: {}.\n",
        rule.family,
        rule.severity.as_str(),
        if rule.enabled_by_default {
            "On by default"
        } else {
            "Off by default"
        },
        rule.fix.describe()
    ));
    let peers = peer_list(rule);
    if !peers.is_empty() {
        out.push_str(&format!("Equivalent checks: {peers}.\n"));
    }
    if rule.code == "DF206" || rule.code == "DF201" || rule.code == "DF202" || rule.code == "DF207"
    {
        out.push_str(&format!(
            "Knowledge base as of {}.\n",
            crate::knowledge::as_of()
        ));
    }
    out.push('\n');
    out.push_str(rule.docs());
    out.push('\n');
    out
}

/// `DL3002 (hadolint), DS-0002 (Trivy), …`.
pub fn peer_list(rule: &Rule) -> String {
    let mut parts = Vec::new();
    for (tool, ids) in [
        ("hadolint", rule.peers.hadolint),
        ("Trivy", rule.peers.trivy),
        ("Checkov", rule.peers.checkov),
        ("BuildKit", rule.peers.buildkit),
    ] {
        if !ids.is_empty() {
            parts.push(format!("{} ({tool})", ids.join(", ")));
        }
    }
    parts.join("; ")
}

pub(super) fn run(code: Option<&str>) -> ExitCode {
    let mut out = std::io::stdout().lock();
    match code {
        Some(code) => match rules::find(code) {
            Some(rule) => {
                let _ = write!(out, "{}", rule_markdown(rule));
                ExitCode::SUCCESS
            }
            None => {
                eprintln!("error: no rule `{code}` (`dockfix rule` lists them)");
                ExitCode::from(2)
            }
        },
        None => {
            for rule in rules::RULES {
                let _ = writeln!(
                    out,
                    "{:<6} {:<30} {:<8} {:<4} {}",
                    rule.code,
                    rule.name,
                    rule.severity.as_str(),
                    if rule.enabled_by_default { "on" } else { "off" },
                    rule.summary
                );
            }
            ExitCode::SUCCESS
        }
    }
}
