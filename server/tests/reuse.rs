//! The language server reuses an analysis across edits of comments and blank
//! lines between instructions (`dockfix::reuse`). Over the real-world corpus
//! and the fixtures, every reused result must equal a fresh analysis of the
//! edited text.

use std::path::{Path, PathBuf};

use dockfix::syntax::Document;
use dockfix::{analyze_document, reuse, Options};

fn files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let corpus = std::env::var_os("DOCKFIX_REAL_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("../shared/corpus/real"));
    let mut out = Vec::new();
    let mut stack = vec![corpus, root.join("tests/fixtures")];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if !path
                .extension()
                .is_some_and(|e| e == "dockerignore" || e == "snap")
            {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The edits tried on a file: comment lines inserted, typed into, deleted;
/// blank lines inserted; a comment appended at the end (the latency
/// benchmark's edit). Positions come from a seeded generator.
fn edits(text: &str, seed: u64) -> Vec<(std::ops::Range<usize>, String)> {
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut next = |bound: usize| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 33) as usize) % bound.max(1)
    };
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .filter(|&i| i <= text.len())
        .collect();
    let comment_lines: Vec<(usize, usize)> = line_starts
        .iter()
        .filter(|&&s| text[s..].trim_start_matches([' ', '\t']).starts_with('#'))
        .map(|&s| (s, text[s..].find('\n').map_or(text.len(), |i| s + i + 1)))
        .collect();
    let mut out = Vec::new();
    for _ in 0..3 {
        let at = line_starts[next(line_starts.len())];
        out.push((at..at, "# a note\n".to_owned()));
    }
    let at = line_starts[next(line_starts.len())];
    out.push((at..at, "\n".to_owned()));
    if !comment_lines.is_empty() {
        let (start, end) = comment_lines[next(comment_lines.len())];
        let inside = (start + 1 + next(end - start)).min(end);
        let inside = (0..=inside)
            .rev()
            .find(|&i| text.is_char_boundary(i))
            .unwrap_or(start);
        out.push((inside..inside, "x".to_owned()));
        out.push((start..end, String::new()));
        // A character replaced by another of the same length.
        if let Some(last) = text[start..end].trim_end().char_indices().last() {
            let at = start + last.0;
            out.push((at..at + last.1.len_utf8(), "y".repeat(last.1.len_utf8())));
        }
    }
    out.push((text.len()..text.len(), "\n# edit 2\n".to_owned()));
    out
}

#[test]
fn reused_diagnostics_equal_a_fresh_analysis() {
    let options = Options::default();
    let (mut tried, mut reused, mut kept, mut checked_files) = (0, 0, 0, 0);
    for (index, path) in files().iter().enumerate() {
        let Ok(bytes) = std::fs::read(path) else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes).into_owned();
        checked_files += 1;
        let before = Document::new_compact(&text);
        let diagnostics = analyze_document(&before, &options);
        for (range, insert) in edits(&text, index as u64) {
            tried += 1;
            let Some(old_span) = reuse::trivia_lines(&before, range.clone()) else {
                continue;
            };
            let mut after = Document::new_compact(&text);
            after.edit(range.clone(), &insert);
            let Some(new_span) =
                reuse::trivia_lines(&after, range.start..range.start + insert.len())
            else {
                continue;
            };
            assert_eq!(old_span.start, new_span.start);
            let unmoved = reuse::unmoved(&diagnostics, old_span.clone(), new_span.len());
            let Some(moved) = reuse::shift_across(&diagnostics, old_span, new_span.len()) else {
                assert!(
                    !unmoved,
                    "{}: edit {range:?}: unmoved but not shifted",
                    path.display()
                );
                continue;
            };
            if unmoved {
                assert_eq!(moved, diagnostics, "{}: edit {range:?}", path.display());
                kept += 1;
            }
            reused += 1;
            let fresh = analyze_document(&after, &options);
            if moved != fresh {
                let first = moved.iter().zip(&fresh).find(|(m, f)| m != f);
                panic!(
                    "{}: edit {range:?} inserting {insert:?}: {} reused, {} fresh; first difference:\n{first:#?}",
                    path.display(),
                    moved.len(),
                    fresh.len()
                );
            }
        }
    }
    eprintln!(
        "{checked_files} files, {tried} edits, {reused} reused and equal to a fresh analysis \
         ({kept} of them kept unmoved)"
    );
    assert!(kept > 0, "some edits leave every diagnostic where it was");
    assert!(
        checked_files > 100,
        "the fixtures alone hold more than 100 files"
    );
    assert!(
        reused * 4 > tried,
        "the reuse should apply to most comment edits: {reused} of {tried}"
    );
}
