//! The inputs the fuzz targets (`fuzz/fuzz_targets/`) found problems with,
//! replayed as plain tests with the same checks (`dockfix::invariants`):
//! `tests/data/fuzz/analyze/*` through analysis, every fix alone and fix-all
//! (no panic, no new syntax error). The `lsp` target's inputs are replayed in
//! lsp_service.rs (`broken_frames_get_errors_and_the_server_keeps_reading`);
//! the `incremental_edits` target has found nothing to replay yet.

#![allow(clippy::expect_used, clippy::unwrap_used)] // Tests fail by panicking.

use std::path::{Path, PathBuf};

use dockfix::invariants::{every_rule, fixes_add_no_syntax_errors};

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

#[test]
fn analyze_inputs_found_by_fuzzing() {
    let options = every_rule();
    for (path, data) in inputs("analyze") {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = String::from_utf8_lossy(&data);
        if let Err(problem) = fixes_add_no_syntax_errors(&text, &options) {
            panic!("{name}: {problem}");
        }
    }
}
