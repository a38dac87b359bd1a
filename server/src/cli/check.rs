//! `dockfix check`: lint files and report diagnostics.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::analyze;

/// File names that are Dockerfiles.
pub fn is_dockerfile_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower == "dockerfile"
        || lower.starts_with("dockerfile.")
        || lower.ends_with(".dockerfile")
        || lower == "containerfile"
        || lower.starts_with("containerfile.")
}

fn collect(path: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for entry in entries {
            if entry.is_dir() {
                if entry
                    .file_name()
                    .is_some_and(|n| n == ".git" || n == "target" || n == "node_modules")
                {
                    continue;
                }
                collect(&entry, out)?;
            } else if entry
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(is_dockerfile_name)
            {
                out.push(entry);
            }
        }
    } else {
        out.push(path.to_path_buf());
    }
    Ok(())
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_column(source: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(source.len());
    let before = source.get(..offset).unwrap_or(source);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    (line, column)
}

pub(super) fn run(paths: &[PathBuf]) -> ExitCode {
    let mut files = Vec::new();
    let mut failed = false;
    for path in paths {
        if path.as_os_str() != "-" && !path.exists() {
            eprintln!("error: {}: no such file or directory", path.display());
            failed = true;
            continue;
        }
        if let Err(e) = collect(path, &mut files) {
            eprintln!("error: {}: {e}", path.display());
            failed = true;
        }
    }
    let mut out = std::io::stdout().lock();
    let mut count = 0;
    for file in &files {
        let source = match super::read_source(file) {
            Ok(source) => source,
            Err(message) => {
                eprintln!("error: {message}");
                failed = true;
                continue;
            }
        };
        for diagnostic in analyze(&source) {
            count += 1;
            let (line, column) = line_column(&source, diagnostic.range.start);
            let _ = writeln!(
                out,
                "{}:{line}:{column}: {} {}",
                file.display(),
                diagnostic.code,
                diagnostic.message
            );
        }
    }
    if count > 0 {
        let _ = writeln!(
            out,
            "Found {count} problem{}.",
            if count == 1 { "" } else { "s" }
        );
        ExitCode::from(1)
    } else if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    }
}
