//! Report formats of `dockfix check`.

use std::io::Write;

use serde::Serialize;

use crate::config::line_column;
use crate::fix::Applicability;
use crate::Diagnostic;

/// One file's results.
pub struct FileReport {
    pub path: String,
    pub source: String,
    pub diagnostics: Vec<Diagnostic>,
}

/// ANSI styles, empty when colour is off.
pub struct Style {
    pub bold: &'static str,
    pub red: &'static str,
    pub yellow: &'static str,
    pub blue: &'static str,
    pub cyan: &'static str,
    pub dim: &'static str,
    pub reset: &'static str,
}

impl Style {
    pub fn new(color: bool) -> Self {
        if color {
            Style {
                bold: "\x1b[1m",
                red: "\x1b[31m",
                yellow: "\x1b[33m",
                blue: "\x1b[34m",
                cyan: "\x1b[36m",
                dim: "\x1b[2m",
                reset: "\x1b[0m",
            }
        } else {
            Style {
                bold: "",
                red: "",
                yellow: "",
                blue: "",
                cyan: "",
                dim: "",
                reset: "",
            }
        }
    }
}

/// `path:line:col: DF201 [*] message`, a code frame, and the fix title.
pub fn text(out: &mut dyn Write, report: &FileReport, style: &Style, level: Applicability) {
    for d in &report.diagnostics {
        let (line, column) = line_column(&report.source, d.range.start);
        let marker = match &d.fix {
            Some(f) if f.applicability >= level && f.applicability >= Applicability::Unsafe => {
                "[*] "
            }
            _ => "",
        };
        let color = match d.severity {
            crate::Severity::Error => style.red,
            crate::Severity::Warning => style.yellow,
            _ => style.blue,
        };
        let _ = writeln!(
            out,
            "{}{}:{line}:{column}:{} {color}{}{} {marker}{}",
            style.bold, report.path, style.reset, d.code, style.reset, d.message
        );
        frame(out, &report.source, d, style);
        if let Some(fix) = &d.fix {
            let kind = match fix.applicability {
                Applicability::Safe => "fix",
                Applicability::Unsafe => "unsafe fix",
                Applicability::DisplayOnly => "suggestion",
            };
            let _ = writeln!(
                out,
                "   {}= {kind}: {}{}",
                style.cyan, fix.title, style.reset
            );
        }
        let _ = writeln!(out);
    }
}

/// The first line of the range with carets under it.
fn frame(out: &mut dyn Write, source: &str, d: &Diagnostic, style: &Style) {
    let (line, _) = line_column(source, d.range.start);
    let line_start = source
        .get(..d.range.start.min(source.len()))
        .and_then(|s| s.rfind('\n'))
        .map_or(0, |i| i + 1);
    let line_end = source
        .get(line_start..)
        .and_then(|s| s.find('\n'))
        .map_or(source.len(), |i| line_start + i);
    let text = source
        .get(line_start..line_end)
        .unwrap_or_default()
        .trim_end_matches('\r');
    let width = line.to_string().len();
    let prefix_chars = source
        .get(line_start..d.range.start.min(line_end))
        .map_or(0, |s| s.chars().count());
    let caret_chars = source
        .get(
            d.range.start.min(line_end)
                ..d.range
                    .end
                    .min(line_start + text.len())
                    .max(d.range.start.min(line_end)),
        )
        .map_or(0, |s| s.chars().count())
        .max(1);
    let pad = " ".repeat(width);
    let shown: String = text
        .chars()
        .map(|c| if c == '\t' { ' ' } else { c })
        .collect();
    let _ = writeln!(out, "{pad} {}|{}", style.dim, style.reset);
    let _ = writeln!(
        out,
        "{}{line}{} {}|{} {shown}",
        style.dim, style.reset, style.dim, style.reset
    );
    let _ = writeln!(
        out,
        "{pad} {}|{} {}{}{}{}",
        style.dim,
        style.reset,
        " ".repeat(prefix_chars),
        style.red,
        "^".repeat(caret_chars),
        style.reset
    );
}

#[derive(Serialize)]
struct Position {
    line: usize,
    column: usize,
}

#[derive(Serialize)]
struct JsonEdit {
    start: Position,
    end: Position,
    content: String,
}

#[derive(Serialize)]
struct JsonFix {
    applicability: &'static str,
    title: String,
    edits: Vec<JsonEdit>,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    path: &'a str,
    code: &'static str,
    rule: &'static str,
    severity: &'static str,
    message: &'a str,
    start: Position,
    end: Position,
    fix: Option<JsonFix>,
}

fn position(source: &str, offset: usize) -> Position {
    let (line, column) = line_column(source, offset);
    Position { line, column }
}

/// Every diagnostic of every file as one JSON array (1-based lines and columns).
pub fn json(out: &mut dyn Write, reports: &[FileReport]) {
    let items: Vec<JsonDiagnostic<'_>> = reports
        .iter()
        .flat_map(|r| {
            r.diagnostics.iter().map(move |d| JsonDiagnostic {
                path: &r.path,
                code: d.code,
                rule: d.name,
                severity: d.severity.as_str(),
                message: &d.message,
                start: position(&r.source, d.range.start),
                end: position(&r.source, d.range.end),
                fix: d.fix.as_ref().map(|f| JsonFix {
                    applicability: f.applicability.as_str(),
                    title: f.title.clone(),
                    edits: f
                        .edits
                        .iter()
                        .map(|e| JsonEdit {
                            start: position(&r.source, e.range.start),
                            end: position(&r.source, e.range.end),
                            content: e.content.clone(),
                        })
                        .collect(),
                }),
            })
        })
        .collect();
    let _ = serde_json::to_writer_pretty(&mut *out, &items);
    let _ = writeln!(out);
}

/// A unified diff of one file's fixes.
pub fn diff(out: &mut dyn Write, path: &str, before: &str, after: &str) {
    let diff = similar::TextDiff::from_lines(before, after);
    let _ = write!(
        out,
        "{}",
        diff.unified_diff()
            .context_radius(3)
            .header(&format!("a/{path}"), &format!("b/{path}"))
    );
}
