//! Finding the Dockerfiles to check: explicit files, directories searched
//! recursively (honouring `.gitignore` and `.ignore` through the `ignore`
//! crate) and `-` for standard input.

use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};

/// One thing to check.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Input {
    File(PathBuf),
    Stdin,
}

/// What the search found: inputs sorted by path (standard input last) and
/// the paths that could not be searched (errors) and ignore files that could
/// not be read in full (warnings: the search went on without those lines).
#[derive(Debug, Default)]
pub struct Found {
    pub inputs: Vec<Input>,
    pub errors: Vec<(String, String)>,
    pub warnings: Vec<(String, String)>,
}

/// How to search directories.
pub struct Search {
    include: GlobSet,
    exclude: GlobSet,
    honour_ignore_files: bool,
}

/// File names that are Dockerfiles: `Dockerfile`, `Dockerfile.*`,
/// `*.Dockerfile`, `*.dockerfile`, `Containerfile`, `Containerfile.*`
/// (case-insensitively, as editors and BuildKit front-ends do).
pub fn is_dockerfile_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower == "dockerfile"
        || lower.starts_with("dockerfile.")
        || lower.ends_with(".dockerfile")
        || lower == "containerfile"
        || lower.starts_with("containerfile.")
}

fn glob_set(globs: &[String], flag: &str) -> Result<GlobSet, String> {
    let mut builder = GlobSetBuilder::new();
    for glob in globs {
        builder.add(Glob::new(glob).map_err(|e| format!("{flag} `{glob}`: {e}"))?);
    }
    builder
        .build()
        .map_err(|e| format!("{flag}: cannot compile the globs: {e}"))
}

impl Search {
    pub fn new(
        include: &[String],
        exclude: &[String],
        honour_ignore_files: bool,
    ) -> Result<Self, String> {
        Ok(Search {
            include: glob_set(include, "--include")?,
            exclude: glob_set(exclude, "--exclude")?,
            honour_ignore_files,
        })
    }

    /// Whether a glob set matches a path below a searched directory, by its
    /// file name or its relative path.
    fn matches(set: &GlobSet, relative: &Path) -> bool {
        !set.is_empty()
            && (set.is_match(relative) || relative.file_name().is_some_and(|n| set.is_match(n)))
    }

    fn wanted(&self, relative: &Path) -> bool {
        relative
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(is_dockerfile_name)
            || Search::matches(&self.include, relative)
    }

    /// Every input named by `paths`. An explicit file is checked whatever
    /// its name; a directory contributes the Dockerfiles below it.
    pub fn find(&self, paths: &[PathBuf]) -> Found {
        let mut found = Found::default();
        for path in paths {
            if path.as_os_str() == "-" {
                found.inputs.push(Input::Stdin);
                continue;
            }
            match std::fs::metadata(path) {
                Err(e) => found
                    .errors
                    .push((path.display().to_string(), super::io_message(&e))),
                Ok(meta) if meta.is_dir() => self.walk(path, &mut found),
                Ok(_) => found.inputs.push(Input::File(path.clone())),
            }
        }
        found.inputs.sort();
        found.inputs.dedup();
        found
    }

    fn walk(&self, root: &Path, found: &mut Found) {
        let mut builder = ignore::WalkBuilder::new(root);
        builder
            .standard_filters(self.honour_ignore_files)
            // Dockerfiles often live in hidden folders (`.devcontainer/`,
            // `.github/`): search them, but never a VCS's own folder.
            .hidden(false)
            // A `.gitignore` applies even outside a git checkout (an
            // unpacked archive, a CI cache), as users expect.
            .require_git(false)
            .sort_by_file_name(|a, b| a.cmp(b));
        let exclude = self.exclude.clone();
        let root_owned = root.to_path_buf();
        builder.filter_entry(move |entry| {
            let name = entry.file_name();
            if entry.file_type().is_some_and(|t| t.is_dir())
                && (name == ".git" || name == ".hg" || name == ".svn" || name == ".jj")
            {
                return false;
            }
            let relative = entry
                .path()
                .strip_prefix(&root_owned)
                .unwrap_or(entry.path());
            entry.depth() == 0 || !Search::matches(&exclude, relative)
        });
        for entry in builder.build() {
            match entry {
                Ok(entry) => {
                    if !entry.file_type().is_some_and(|t| t.is_file()) {
                        continue;
                    }
                    let relative = entry.path().strip_prefix(root).unwrap_or(entry.path());
                    if self.wanted(relative) {
                        let path = entry.into_path();
                        // `dockfix check` (or `.`) reports `app/Dockerfile`, not `./app/Dockerfile`.
                        let path = match path.strip_prefix(".") {
                            Ok(inner) if root == Path::new(".") => inner.to_path_buf(),
                            _ => path,
                        };
                        found.inputs.push(Input::File(path));
                    }
                }
                Err(error) => {
                    let located = walk_error(&error, root);
                    if is_io(&error) {
                        found.errors.push(located);
                    } else {
                        found.warnings.push(located);
                    }
                }
            }
        }
    }
}

/// The path and message of a directory-walk error.
fn walk_error(error: &ignore::Error, root: &Path) -> (String, String) {
    match error {
        ignore::Error::WithPath { path, err } => (path.display().to_string(), describe(err)),
        ignore::Error::WithDepth { err, .. } => walk_error(err, root),
        ignore::Error::WithLineNumber { line, err } => {
            let (path, message) = walk_error(err, root);
            (format!("{path}:{line}"), message)
        }
        ignore::Error::Io(e) => (root.display().to_string(), super::io_message(e)),
        other => (root.display().to_string(), other.to_string()),
    }
}

/// Whether a walk error is an unreadable file or folder (rather than a bad
/// line in an ignore file).
fn is_io(error: &ignore::Error) -> bool {
    match error {
        ignore::Error::Io(_) => true,
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => is_io(err),
        _ => false,
    }
}

fn describe(error: &ignore::Error) -> String {
    match error {
        ignore::Error::Io(e) => super::io_message(e),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            describe(err)
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dockerfile_names() {
        for name in [
            "Dockerfile",
            "dockerfile",
            "Dockerfile.dev",
            "app.Dockerfile",
            "app.dockerfile",
            "Containerfile",
            "Containerfile.rhel",
        ] {
            assert!(is_dockerfile_name(name), "{name}");
        }
        for name in [
            "Dockerfile-dev",
            "Dockerfiles",
            "app.dockerfile.bak",
            "README.md",
            "docker-compose.yml",
        ] {
            assert!(!is_dockerfile_name(name), "{name}");
        }
    }
}
