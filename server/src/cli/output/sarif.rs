//! SARIF 2.1.0 (OASIS), what code-scanning dashboards ingest: every rule with
//! its documentation in `tool.driver.rules`, every diagnostic as a result
//! with its fix as a SARIF `fix`, files that could not be read as tool
//! execution notifications. Columns count Unicode code points
//! (`columnKind`), as every other format does.

use std::io::Write;

use serde_json::{json, Value};

use super::{rule_url, FileReport, Run};
use crate::fix::Applicability;
use crate::rules::{self, Rule};
use crate::Severity;

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info | Severity::Hint => "note",
    }
}

/// The first paragraph of a rule's "What it does" section.
fn full_description(rule: &Rule) -> String {
    let docs = rule.docs();
    let body = docs
        .split_once("## What it does")
        .map_or(docs, |(_, rest)| rest)
        .trim_start();
    let paragraph: Vec<&str> = body
        .lines()
        .take_while(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .collect();
    if paragraph.is_empty() {
        rule.summary.to_owned()
    } else {
        paragraph.join(" ")
    }
}

fn rule_descriptor(rule: &Rule) -> Value {
    json!({
        "id": rule.code,
        "name": rule.name,
        "shortDescription": { "text": rule.summary },
        "fullDescription": { "text": full_description(rule) },
        "help": {
            "text": rule.docs(),
            "markdown": rules::rule_markdown(rule),
        },
        "helpUri": rule_url(rule.code),
        "defaultConfiguration": {
            "enabled": rule.enabled_by_default,
            "level": level(rule.severity),
        },
        "properties": {
            "tags": ["dockerfile", "security", rule.family],
            "fix": rule.fix.describe(),
        },
    })
}

/// A URI reference for a reported path: relative paths stay relative (to
/// the directory `dockfix` ran in), absolute ones become `file://` URIs.
pub(super) fn uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let mut out = String::new();
    if path.starts_with('/') {
        out.push_str("file://");
    }
    for byte in path.bytes() {
        let keep = byte.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=@".contains(&byte);
        if keep {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn region(report: &FileReport, range: &std::ops::Range<usize>) -> Value {
    let (start_line, start_column) = report.line_column(range.start);
    let (end_line, end_column) = report.line_column(range.end.max(range.start));
    json!({
        "startLine": start_line,
        "startColumn": start_column,
        "endLine": end_line,
        "endColumn": end_column,
    })
}

pub fn sarif(out: &mut dyn Write, run: &Run<'_>) {
    let index_of = |code: &str| rules::RULES.iter().position(|r| r.code == code);
    let results: Vec<Value> = run
        .diagnostics()
        .map(|(report, d)| {
            let location = json!({ "uri": uri(&report.path) });
            let mut result = json!({
                "ruleId": d.code,
                "level": level(d.severity),
                "message": { "text": d.message },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": location,
                        "region": region(report, &d.range),
                    }
                }],
                "properties": { "severity": d.severity.as_str() },
            });
            if let Some(index) = index_of(d.code) {
                result["ruleIndex"] = json!(index);
            }
            if let Some(fix) = d.fix.as_ref().filter(|f| !f.edits.is_empty()) {
                let replacements: Vec<Value> = fix
                    .edits
                    .iter()
                    .map(|e| {
                        json!({
                            "deletedRegion": region(report, &e.range),
                            "insertedContent": { "text": e.content },
                        })
                    })
                    .collect();
                result["fixes"] = json!([{
                    "description": { "text": fix.title },
                    "artifactChanges": [{
                        "artifactLocation": location,
                        "replacements": replacements,
                    }],
                    "properties": {
                        "applicability": fix.applicability.as_str(),
                        "appliedBy": match fix.applicability {
                            Applicability::Safe => "--fix",
                            Applicability::Unsafe => "--unsafe-fixes",
                            Applicability::DisplayOnly => "none (a suggestion)",
                        },
                    },
                }]);
            }
            result
        })
        .collect();
    let notifications: Vec<Value> = run
        .errors
        .iter()
        .map(|e| {
            json!({
                "level": "error",
                "message": { "text": e.message },
                "locations": [{
                    "physicalLocation": { "artifactLocation": { "uri": uri(&e.path) } }
                }],
            })
        })
        .collect();
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "dockfix",
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "informationUri": env!("CARGO_PKG_REPOSITORY"),
                    "rules": rules::RULES.iter().map(|r| rule_descriptor(r)).collect::<Vec<_>>(),
                }
            },
            "invocations": [{
                "executionSuccessful": run.errors.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let _ = serde_json::to_writer_pretty(&mut *out, &log);
    let _ = writeln!(out);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_encoded() {
        assert_eq!(uri("a b/Dockerfile"), "a%20b/Dockerfile");
        assert_eq!(uri("/srv/x:y/Dockerfile"), "file:///srv/x%3Ay/Dockerfile");
        assert_eq!(uri("dir\\Dockerfile"), "dir/Dockerfile");
        assert_eq!(uri("é"), "%C3%A9");
    }

    #[test]
    fn every_rule_has_a_description() {
        for rule in rules::RULES {
            let text = full_description(rule);
            assert!(!text.is_empty() && !text.starts_with('#'), "{}", rule.code);
        }
    }
}
