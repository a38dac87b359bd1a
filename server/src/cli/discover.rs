//! Finding and reading `.dockfix.toml` (shared by the CLI and the language
//! server, the two layers that do IO).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::config::{Config, ConfigError, CONFIG_FILE_NAME};

/// The nearest `.dockfix.toml` in `dir` or above it.
pub fn find_config(dir: &Path) -> Option<PathBuf> {
    let mut current = Some(dir);
    while let Some(dir) = current {
        let candidate = dir.join(CONFIG_FILE_NAME);
        if candidate.is_file() {
            return Some(candidate);
        }
        current = dir.parent();
    }
    None
}

/// Reads and parses one configuration file.
pub fn load_config(path: &Path) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
        path: path.display().to_string(),
        line: 0,
        column: 0,
        message: format!("cannot read the configuration: {e}"),
    })?;
    Config::from_toml(&text, &path.display().to_string())
}

/// Configuration files by path, each read once, and the nearest one by folder.
#[derive(Default)]
pub struct ConfigCache {
    loaded: HashMap<PathBuf, Result<Config, ConfigError>>,
    nearest: HashMap<PathBuf, Option<PathBuf>>,
}

/// The configuration that applies to a file.
pub struct Resolved {
    pub config: Config,
    /// The folder its relative paths (`overrides`) start from.
    pub base: PathBuf,
    /// The configuration file.
    pub path: PathBuf,
}

impl ConfigCache {
    /// The configuration that applies to a file: `explicit` (`--config`) or
    /// the nearest file upward.
    pub fn for_file(
        &mut self,
        file: &Path,
        explicit: Option<&Path>,
    ) -> Result<Option<Resolved>, ConfigError> {
        let path = match explicit {
            Some(path) => path.to_path_buf(),
            None => {
                let absolute = std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf());
                let Some(dir) = absolute.parent() else {
                    return Ok(None);
                };
                let found = self
                    .nearest
                    .entry(dir.to_path_buf())
                    .or_insert_with(|| find_config(dir))
                    .clone();
                let Some(found) = found else {
                    return Ok(None);
                };
                found
            }
        };
        let config = self
            .loaded
            .entry(path.clone())
            .or_insert_with(|| load_config(&path))
            .clone()?;
        let base = std::path::absolute(&path)
            .unwrap_or_else(|_| path.clone())
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        Ok(Some(Resolved { config, base, path }))
    }
}

/// The path of `file` relative to `base`, for per-path overrides.
pub fn relative_to(file: &Path, base: &Path) -> PathBuf {
    let absolute = std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf());
    absolute
        .strip_prefix(base)
        .map(Path::to_path_buf)
        .unwrap_or(absolute)
}

/// Today's date from the clock, or `DOCKFIX_TODAY` (YYYY-MM-DD) for
/// reproducible runs.
pub fn today() -> crate::knowledge::Date {
    if let Some(date) = std::env::var("DOCKFIX_TODAY")
        .ok()
        .and_then(|v| crate::knowledge::Date::parse(&v))
    {
        return date;
    }
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    crate::knowledge::Date::from_unix_days((seconds / 86_400) as i64)
}

/// The build-context files the multi-stage conversion may read (`wanted`,
/// from [`crate::context_files_wanted`]), read from the Dockerfile's folder:
/// those that exist, are small text files and stay inside the folder.
pub fn read_context_files(
    folder: &Path,
    wanted: Vec<String>,
) -> std::collections::BTreeMap<String, String> {
    /// Manifests are small; anything bigger is not one.
    const MAX_SIZE: u64 = 1 << 20;
    let mut out = std::collections::BTreeMap::new();
    let read = |relative: &str, out: &mut std::collections::BTreeMap<String, String>| {
        let path = folder.join(relative);
        let small = std::fs::metadata(&path).is_ok_and(|m| m.is_file() && m.len() <= MAX_SIZE);
        if small {
            if let Ok(text) = std::fs::read_to_string(&path) {
                out.insert(relative.to_owned(), text);
            }
        }
    };
    for wanted in wanted {
        if wanted.split('/').any(|part| part == "..") {
            continue;
        }
        match wanted
            .rsplit_once('/')
            .map_or(("", wanted.as_str()), |(d, f)| (d, f))
        {
            (dir, "*.csproj") => {
                let Ok(entries) = std::fs::read_dir(folder.join(dir)) else {
                    continue;
                };
                let mut names: Vec<String> = entries
                    .filter_map(|e| e.ok()?.file_name().into_string().ok())
                    .filter(|n| n.ends_with(".csproj"))
                    .collect();
                names.sort();
                for name in names.into_iter().take(8) {
                    let relative = if dir.is_empty() {
                        name
                    } else {
                        format!("{dir}/{name}")
                    };
                    read(&relative, &mut out);
                }
            }
            (_, "") => {
                // `templates/`: a folder that exists is recorded without text.
                if folder.join(&wanted).is_dir() {
                    out.insert(wanted.clone(), String::new());
                }
            }
            _ => read(&wanted, &mut out),
        }
    }
    out
}
