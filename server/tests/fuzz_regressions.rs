//! The inputs the fuzz targets (`fuzz/fuzz_targets/`) found problems with,
//! replayed as plain tests with the same checks: `tests/data/fuzz/analyze/*`
//! through analysis, every fix alone and fix-all (no panic, no new syntax
//! error), `tests/data/fuzz/incremental_edits/*` through the edit script of
//! the `incremental_edits` target (incremental equals fresh). The `lsp`
//! target's inputs are replayed in lsp_service.rs
//! (`broken_frames_get_errors_and_the_server_keeps_reading`).

#![allow(clippy::expect_used, clippy::unwrap_used)] // Tests fail by panicking.

use std::path::{Path, PathBuf};

use dockfix::syntax::{syntax_errors, Document};
use dockfix::{Applicability, Options};

fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/fuzz")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let data = std::fs::read(&p).unwrap();
            (p, data)
        })
        .collect()
}

fn syntax_error_count(text: &str) -> usize {
    let document = Document::new(text);
    syntax_errors(document.tree(), &document.model(), text).len()
}

/// The `analyze` target's checks (fuzz/fuzz_targets/analyze.rs).
fn analyze_checks(name: &str, text: &str) {
    let mut options = Options::default();
    options.settings.selection.select = Some(
        dockfix::rules::RULES
            .iter()
            .map(|r| r.code.to_owned())
            .collect(),
    );
    let before = syntax_error_count(text);
    for diagnostic in dockfix::analyze_with(text, &options) {
        let Some(fix) = &diagnostic.fix else { continue };
        if fix.applicability == Applicability::DisplayOnly {
            continue;
        }
        let (fixed, applied) = dockfix::fix::apply(text, [fix]);
        if applied.is_empty() {
            continue;
        }
        let after = syntax_error_count(&fixed);
        assert!(
            after <= before,
            "{name}: {} fix {:?} adds syntax errors ({before} -> {after})\ninput: {text:?}\noutput: {fixed:?}",
            diagnostic.code,
            fix.title
        );
    }
    for level in [Applicability::Safe, Applicability::Unsafe] {
        let outcome = dockfix::fix_all(text, &options, level);
        let after = syntax_error_count(&outcome.text);
        assert!(
            after <= before,
            "{name}: fix-all ({}) adds syntax errors ({before} -> {after})\ninput: {text:?}\noutput: {:?}",
            level.as_str(),
            outcome.text
        );
    }
}

#[test]
fn analyze_inputs_found_by_fuzzing() {
    for (path, data) in inputs("analyze") {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        analyze_checks(&name, &String::from_utf8_lossy(&data));
    }
}
