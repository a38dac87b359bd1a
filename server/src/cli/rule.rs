//! `dockfix rule [CODE]`: one rule's documentation, or the list of rules.

use std::io::Write;
use std::process::ExitCode;

use crate::rules::{self, rule_markdown};

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
