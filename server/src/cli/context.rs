//! The build context beside a Dockerfile: its ignore file (for DF404), read
//! here so the engine stays pure, and the file changes fixes make to it.

use std::path::{Path, PathBuf};

use crate::fix::{Applicability, FileChange};
use crate::semantics::dockerignore::BuildContext;
use crate::Diagnostic;

/// What BuildKit would use beside `dockerfile`: `<name>.dockerignore`, else
/// `.dockerignore` (the Dockerfile's folder taken as the context). An ignore
/// file that cannot be read leaves the context unknown, so DF404 stays silent.
pub fn build_context(dockerfile: &Path) -> Option<BuildContext> {
    let name = dockerfile.file_name()?.to_str()?;
    let folder = dockerfile.parent().unwrap_or(Path::new(""));
    // An unsaved or virtual document has no context to judge.
    if !folder.as_os_str().is_empty() && !folder.is_dir() {
        return None;
    }
    for candidate in BuildContext::candidate_names(name) {
        let path = folder.join(&candidate);
        match std::fs::read(&path) {
            Ok(bytes) => {
                let contents = String::from_utf8_lossy(&bytes).into_owned();
                return Some(BuildContext::with_ignore_file(candidate, contents));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(_) => return None,
        }
    }
    Some(BuildContext::without_ignore_file())
}

/// A change to a file beside the Dockerfile: its path, old and new text.
pub struct FileFix {
    pub path: PathBuf,
    pub before: String,
    pub after: String,
}

/// The changes to other files that the fixes of `diagnostics` at `level`
/// make (the first fix per file wins; the next run picks up the rest).
pub fn file_fixes(
    dockerfile: &Path,
    diagnostics: &[Diagnostic],
    level: Applicability,
) -> Vec<FileFix> {
    let folder = dockerfile.parent().unwrap_or(Path::new(""));
    let mut out: Vec<FileFix> = Vec::new();
    let changes = diagnostics
        .iter()
        .filter_map(|d| d.fix.as_ref())
        .filter(|f| f.applicability >= level)
        .flat_map(|f| &f.files);
    for change in changes {
        let path = folder.join(&change.path);
        if out.iter().any(|f| f.path == path) {
            continue;
        }
        if let Some(fix) = apply_change(path, change) {
            out.push(fix);
        }
    }
    out
}

fn apply_change(path: PathBuf, change: &FileChange) -> Option<FileFix> {
    let before = match std::fs::read_to_string(&path) {
        Ok(text) if !change.create => text,
        Err(e) if change.create && e.kind() == std::io::ErrorKind::NotFound => String::new(),
        // The file appeared, vanished or is unreadable since the analysis.
        _ => return None,
    };
    let fix = crate::fix::Fix::new("file", Applicability::Safe, change.edits.clone());
    let (after, applied) = crate::fix::apply(&before, [&fix]);
    (!applied.is_empty()).then_some(FileFix {
        path,
        before,
        after,
    })
}
