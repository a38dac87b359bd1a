//! Report formats of `dockfix check`: text (code frames), concise, JSON,
//! SARIF, GitHub annotations, Checkstyle and JUnit XML, statistics and diffs.
//! docs/output-formats.md describes each.

mod github;
mod sarif;
mod xml;

use std::collections::BTreeMap;
use std::io::Write;

use serde::Serialize;

pub use github::github;
pub use sarif::sarif;
pub use xml::{checkstyle, junit};

use crate::config::LineIndex;
use crate::fix::Applicability;
use crate::Diagnostic;

/// One file's results.
pub struct FileReport {
    pub path: String,
    pub source: String,
    pub diagnostics: Vec<Diagnostic>,
    /// Line starts of `source`, for positions.
    pub lines: LineIndex,
}

impl FileReport {
    pub fn new(path: String, source: String, diagnostics: Vec<Diagnostic>) -> Self {
        let lines = LineIndex::new(&source);
        FileReport {
            path,
            source,
            diagnostics,
            lines,
        }
    }

    /// 1-based line and column (in characters) of a byte offset of the source.
    pub fn line_column(&self, offset: usize) -> (usize, usize) {
        self.lines.line_column(&self.source, offset)
    }
}

/// A file that could not be checked (or a configuration file that is wrong).
pub struct FileError {
    pub path: String,
    /// Line and column, for errors inside a configuration file.
    pub location: Option<(usize, usize)>,
    pub message: String,
}

impl std::fmt::Display for FileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.location {
            Some((line, column)) => write!(f, "{}:{line}:{column}: {}", self.path, self.message),
            None => write!(f, "{}: {}", self.path, self.message),
        }
    }
}

/// Everything a report shows.
pub struct Run<'a> {
    pub reports: &'a [FileReport],
    pub errors: &'a [FileError],
    /// The least applicability this run applies (`[*]` marks fixes at it).
    pub level: Applicability,
    /// Fixes applied (with `--fix`).
    pub fixed: usize,
    pub fixing: bool,
}

impl Run<'_> {
    fn diagnostics(&self) -> impl Iterator<Item = (&FileReport, &Diagnostic)> {
        self.reports
            .iter()
            .flat_map(|r| r.diagnostics.iter().map(move |d| (r, d)))
    }
}

/// `[*] ` when the diagnostic's fix is applied at this run's level.
fn fix_marker(d: &Diagnostic, level: Applicability) -> &'static str {
    match &d.fix {
        Some(f) if f.applicability >= level && f.applicability >= Applicability::Unsafe => "[*] ",
        _ => "",
    }
}

/// Where a rule's documentation is published.
pub fn rule_url(code: &str) -> String {
    format!("https://github.com/dockfix/dockfix/blob/main/docs/rules/{code}.md")
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
        let (line, column) = report.line_column(d.range.start);
        let marker = fix_marker(d, level);
        let color = severity_color(d.severity, style);
        let _ = writeln!(
            out,
            "{}{}:{line}:{column}:{} {color}{}{} {marker}{}",
            style.bold, report.path, style.reset, d.code, style.reset, d.message
        );
        frame(out, &report.source, line, d, style);
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

/// Lines longer than this (in bytes) are shown as a window around the range.
const MAX_FRAME_LINE: usize = 160;

/// The first line of the range with carets under it; a long line is shown as
/// a window of it around the range (printing a 1 MB line under each of its
/// thousands of findings made `check --fix` on it take minutes).
fn frame(out: &mut dyn Write, source: &str, line: usize, d: &Diagnostic, style: &Style) {
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
    // Offsets in `text`.
    let start = d.range.start.saturating_sub(line_start).min(text.len());
    let end = d
        .range
        .end
        .saturating_sub(line_start)
        .clamp(start, text.len());
    let (from, to) = if text.len() <= MAX_FRAME_LINE {
        (0, text.len())
    } else {
        let mut from = start.saturating_sub(MAX_FRAME_LINE / 4);
        while !text.is_char_boundary(from) {
            from -= 1;
        }
        let mut to = (from + MAX_FRAME_LINE).min(text.len()).max(start);
        while !text.is_char_boundary(to) {
            to += 1;
        }
        (from, to)
    };
    let lead = if from > 0 { "…" } else { "" };
    let trail = if to < text.len() { "…" } else { "" };
    let prefix_chars =
        lead.chars().count() + text.get(from..start).map_or(0, |s| s.chars().count());
    let caret_chars = text
        .get(start..end.min(to))
        .map_or(0, |s| s.chars().count())
        .max(1);
    let pad = " ".repeat(width);
    let shown: String = text
        .get(from..to)
        .unwrap_or_default()
        .chars()
        .map(|c| if c == '\t' { ' ' } else { c })
        .collect();
    let _ = writeln!(out, "{pad} {}|{}", style.dim, style.reset);
    let _ = writeln!(
        out,
        "{}{line}{} {}|{} {lead}{shown}{trail}",
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

fn position(report: &FileReport, offset: usize) -> Position {
    let (line, column) = report.line_column(offset);
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
                start: position(r, d.range.start),
                end: position(r, d.range.end),
                fix: d.fix.as_ref().map(|f| JsonFix {
                    applicability: f.applicability.as_str(),
                    title: f.title.clone(),
                    edits: f
                        .edits
                        .iter()
                        .map(|e| JsonEdit {
                            start: position(r, e.range.start),
                            end: position(r, e.range.end),
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

/// `path:line:col: DF201 [*] message`, one line per problem.
pub fn concise(out: &mut dyn Write, run: &Run<'_>, style: &Style) {
    for (report, d) in run.diagnostics() {
        let (line, column) = report.line_column(d.range.start);
        let color = severity_color(d.severity, style);
        let _ = writeln!(
            out,
            "{}{}:{line}:{column}:{} {color}{}{} {}{}",
            style.bold,
            report.path,
            style.reset,
            d.code,
            style.reset,
            fix_marker(d, run.level),
            d.message
        );
    }
}

fn severity_color(severity: crate::Severity, style: &Style) -> &'static str {
    match severity {
        crate::Severity::Error => style.red,
        crate::Severity::Warning => style.yellow,
        _ => style.blue,
    }
}

/// The last line of the text and concise reports: counts and what `--fix`
/// and `--unsafe-fixes` would fix.
pub fn summary(out: &mut dyn Write, run: &Run<'_>) {
    let count = run.diagnostics().count();
    let fixable = |level: Applicability| {
        run.diagnostics()
            .filter(|(_, d)| d.fix.as_ref().is_some_and(|f| f.applicability == level))
            .count()
    };
    let (safe, unsafe_) = (fixable(Applicability::Safe), fixable(Applicability::Unsafe));
    let fixed = run.fixed;
    if run.fixing && fixed > 0 {
        let _ = writeln!(out, "Fixed {fixed} problem{}.", plural(fixed));
    }
    if count == 0 {
        if !run.fixing || fixed == 0 {
            let _ = writeln!(out, "No problems found.");
        }
        return;
    }
    let files = run
        .reports
        .iter()
        .filter(|r| !r.diagnostics.is_empty())
        .count();
    let mut line = format!("Found {count} problem{}", plural(count));
    if run.reports.len() > 1 {
        line.push_str(&format!(" in {files} file{}", plural(files)));
    }
    let mut parts = Vec::new();
    // With `--unsafe-fixes` the unsafe fixes were applied too: what is left
    // is not fixable by rerunning.
    if safe > 0 {
        parts.push(format!("{safe} fixable with `--fix`"));
    }
    if unsafe_ > 0 && run.level > Applicability::Unsafe {
        parts.push(format!("{unsafe_} more with `--unsafe-fixes`"));
    }
    if !parts.is_empty() {
        line.push_str(&format!(" ({})", parts.join(", ")));
    }
    let _ = writeln!(out, "{line}.");
}

pub fn plural(count: usize) -> &'static str {
    if count == 1 {
        ""
    } else {
        "s"
    }
}

/// One rule's count in `--statistics`.
#[derive(Serialize)]
struct Statistic {
    code: &'static str,
    name: &'static str,
    count: usize,
    /// How many of them `--fix` (or `--unsafe-fixes`, when given) would fix.
    fixable: usize,
}

fn statistics_of(run: &Run<'_>) -> Vec<Statistic> {
    let mut by_code: BTreeMap<&'static str, Statistic> = BTreeMap::new();
    for (_, d) in run.diagnostics() {
        let entry = by_code.entry(d.code).or_insert(Statistic {
            code: d.code,
            name: d.name,
            count: 0,
            fixable: 0,
        });
        entry.count += 1;
        if !fix_marker(d, run.level).is_empty() {
            entry.fixable += 1;
        }
    }
    let mut out: Vec<Statistic> = by_code.into_values().collect();
    // Most frequent first; codes break ties so the order is stable.
    out.sort_by(|a, b| b.count.cmp(&a.count).then(a.code.cmp(b.code)));
    out
}

/// `--statistics`: a count per rule, as a table or (for `--format json`) JSON.
pub fn statistics(out: &mut dyn Write, run: &Run<'_>, as_json: bool) {
    let stats = statistics_of(run);
    if as_json {
        let _ = serde_json::to_writer_pretty(&mut *out, &stats);
        let _ = writeln!(out);
        return;
    }
    let count_width = stats
        .iter()
        .map(|s| s.count.to_string().len())
        .max()
        .unwrap_or(1);
    for s in &stats {
        let marker = if s.fixable == s.count {
            "[*]"
        } else if s.fixable > 0 {
            "[-]"
        } else {
            "[ ]"
        };
        let _ = writeln!(
            out,
            "{:>count_width$}  {:<6} {marker} {}",
            s.count, s.code, s.name
        );
    }
    if stats.iter().any(|s| s.fixable > 0) {
        let flag = if run.level <= Applicability::Unsafe {
            "--unsafe-fixes"
        } else {
            "--fix"
        };
        let _ = writeln!(out, "[*] fixable with `{flag}`, [-] some of them");
    }
    summary(out, run);
}
