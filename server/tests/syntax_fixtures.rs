//! DF001 on the syntax fixture corpus: every file BuildKit rejects gets a
//! diagnostic with a precise range (snapshots show the code frame); files it
//! accepts get none.

#![allow(clippy::expect_used, clippy::unwrap_used)] // Tests fail by panicking.

use std::fs;
use std::path::{Path, PathBuf};

/// Only DF001: these fixtures are about syntax.
fn analyze(source: &str) -> Vec<dockfix::Diagnostic> {
    let mut options = dockfix::Options::default();
    options.settings.selection.select = Some(vec!["DF001".to_owned()]);
    dockfix::analyze_with(source, &options)
}

fn fixtures(kind: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/syntax")
        .join(kind);
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    files
}

fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[start..].chars().count() + 1)
}

/// `line:col-line:col CODE message`, then the first line of the range with carets.
fn render(source: &str) -> String {
    let mut out = String::new();
    for d in analyze(source) {
        let (l1, c1) = line_col(source, d.range.start);
        let (l2, c2) = line_col(source, d.range.end);
        out.push_str(&format!("{l1}:{c1}-{l2}:{c2} {} {}\n", d.code, d.message));
        let line = source.lines().nth(l1 - 1).unwrap_or("");
        let shown: String = line.chars().take(100).collect();
        out.push_str(&format!("  | {shown}\n"));
        let width = if l1 == l2 {
            (c2 - c1).max(1)
        } else {
            shown.chars().count().saturating_sub(c1 - 1).max(1)
        };
        out.push_str(&format!(
            "  | {}{}\n",
            " ".repeat(c1 - 1),
            "^".repeat(width.min(100))
        ));
    }
    out
}

#[test]
fn rejected_fixtures_get_df001_with_precise_ranges() {
    let files = fixtures("invalid");
    assert!(files.len() >= 45);
    for file in files {
        let source = fs::read_to_string(&file).unwrap_or_default();
        let diagnostics = analyze(&source);
        assert!(
            diagnostics.iter().any(|d| d.code == "DF001"),
            "{}: no DF001",
            file.display()
        );
        let name = file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let shown = if source.len() > 2000 {
            format!("{}… ({} bytes)", &source[..200], source.len())
        } else {
            source.clone()
        };
        insta::assert_snapshot!(name, render(&source), &shown);
    }
}

#[test]
fn accepted_fixtures_have_no_df001() {
    let files = fixtures("valid");
    assert!(files.len() >= 150);
    for file in files {
        let source = fs::read_to_string(&file).unwrap_or_default();
        let diagnostics = analyze(&source);
        assert!(
            diagnostics.is_empty(),
            "{}: {diagnostics:?}",
            file.display()
        );
    }
}

#[test]
fn a_broken_instruction_does_not_spill_into_the_next() {
    let source = "FROM alpine\nCMD [\"a\", 1]\nRUN echo ok\nCOPY <<EOF /x\nhello\nEOF\n";
    let diagnostics = analyze(source);
    let cmd_line = source.find("CMD").unwrap_or(0)..source.find("RUN").unwrap_or(0);
    assert!(!diagnostics.is_empty());
    for d in &diagnostics {
        assert!(
            cmd_line.contains(&d.range.start),
            "{d:?} outside the CMD line"
        );
    }
}
