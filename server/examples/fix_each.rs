//! Every fix alone: for each Dockerfile given, analyses it as
//! `dockfix check --select ALL` does (its `.dockfix.toml`, its build context
//! and manifests, today's date), then applies each diagnostic's fix alone
//! (every applicability, display-only included: an editor's quick fix applies
//! it) and prints one JSON line per file with the output of each fix, the
//! lines it touches and the syntax errors (DF001) before and after.
//! `tests/oracle/check_fix_alone.py` checks the outputs with BuildKit's parser.
//!
//! `cargo run --release --example fix_each -- FILE... > fixes.jsonl`

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use dockfix::cli::discover::{self, ConfigCache};
use dockfix::config::Config;
use dockfix::syntax::{syntax_errors, Document};
use dockfix::Options;
use serde_json::{json, Value};

fn syntax_error_count(text: &str) -> usize {
    let document = Document::new(text);
    syntax_errors(document.tree(), &document.model(), text).len()
}

/// 1-based line of a byte offset, and whether the offset starts its line.
fn line_of(text: &str, offset: usize) -> (usize, bool) {
    let before = text.get(..offset).unwrap_or(text);
    (
        before.bytes().filter(|&b| b == b'\n').count() + 1,
        offset == 0 || before.ends_with('\n'),
    )
}

/// The lines (first, last; 1-based) a fix touches: the diagnostic's range and
/// each edit's, where an insertion at the start of a line touches no line and
/// an edit ending at the start of a line does not touch that line (as
/// `check_fixes.py` reads the CLI's ranges).
fn touched(
    text: &str,
    diagnostic: &dockfix::Diagnostic,
    fix: &dockfix::Fix,
) -> Vec<(usize, usize)> {
    let (first, _) = line_of(text, diagnostic.range.start);
    let (last, _) = line_of(text, diagnostic.range.end);
    let mut out = vec![(first, last.max(first))];
    for edit in &fix.edits {
        let (start, at_line_start) = line_of(text, edit.range.start);
        if edit.range.is_empty() {
            if !at_line_start {
                out.push((start, start));
            }
            continue;
        }
        let (end, ends_at_line_start) = line_of(text, edit.range.end);
        let end = if ends_at_line_start { end - 1 } else { end };
        out.push((start, end.max(start)));
    }
    out
}

fn options_for(path: &Path, source: &str, configs: &Mutex<ConfigCache>) -> Result<Options, String> {
    let cli = Config {
        select: Some(vec!["ALL".to_owned()]),
        ..Config::default()
    };
    let resolved = match configs.lock() {
        Ok(mut cache) => cache.for_file(path, None),
        Err(poisoned) => poisoned.into_inner().for_file(path, None),
    }
    .map_err(|e| format!("{}: {}", e.path, e.message))?;
    let settings = match resolved {
        Some(resolved) => resolved
            .config
            .layered(&cli)
            .settings_for(Some(&discover::relative_to(path, &resolved.base))),
        None => Config::default().layered(&cli).settings_for(None),
    };
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    Ok(Options {
        settings,
        today: discover::today(),
        build_context: dockfix::cli::context::build_context(path),
        context_files: discover::read_context_files(folder, dockfix::context_files_wanted(source)),
        ..Options::default()
    })
}

fn file_record(path: &Path, configs: &Mutex<ConfigCache>) -> Value {
    let source = match std::fs::read_to_string(path) {
        Ok(source) => source,
        Err(error) => return json!({"path": path, "error": error.to_string()}),
    };
    let options = match options_for(path, &source, configs) {
        Ok(options) => options,
        Err(error) => return json!({"path": path, "error": error}),
    };
    let before = syntax_error_count(&source);
    let mut fixes = Vec::new();
    for diagnostic in dockfix::analyze_with(&source, &options) {
        let Some(fix) = &diagnostic.fix else { continue };
        if fix.edits.is_empty() {
            continue;
        }
        let (output, applied) = dockfix::fix::apply(&source, [fix]);
        fixes.push(json!({
            "code": diagnostic.code,
            "applicability": fix.applicability.as_str(),
            "title": fix.title,
            "applied": !applied.is_empty(),
            "touched": touched(&source, &diagnostic, fix),
            "syntax_errors": syntax_error_count(&output),
            "output": output,
        }));
    }
    json!({"path": path, "syntax_errors": before, "fixes": fixes})
}

fn main() {
    let files: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let configs = Mutex::new(ConfigCache::default());
    let next = AtomicUsize::new(0);
    let records: Mutex<Vec<(usize, Value)>> = Mutex::new(Vec::new());
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get().min(4));
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(path) = files.get(i) else { break };
                let record = file_record(path, &configs);
                if let Ok(mut records) = records.lock() {
                    records.push((i, record));
                }
            });
        }
    });
    let mut records = records.into_inner().unwrap_or_default();
    records.sort_by_key(|(i, _)| *i);
    for (_, record) in records {
        println!("{record}");
    }
}
