//! Configuration: `.dockfix.toml` and the editor's settings, layered into one
//! [`Settings`] per file.
//!
//! Layers, lowest first: built-in defaults, the editor settings (LSP
//! `initializationOptions` / `workspace/configuration` section `dockfix`), then
//! the nearest `.dockfix.toml` above the file (or the CLI's `--config`). A
//! `.dockfix.toml` that does not parse is an error with file:line, never a
//! silent default. This module is pure: the CLI and LSP read the files.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::Severity;

/// The name of the configuration file, looked up from a Dockerfile's folder upward.
pub const CONFIG_FILE_NAME: &str = ".dockfix.toml";

/// The user DF101 creates when the base image ships none.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct UserConfig {
    #[serde(default = "default_user_name")]
    pub name: String,
    #[serde(default = "default_uid")]
    pub uid: u32,
}

fn default_user_name() -> String {
    "app".to_owned()
}

fn default_uid() -> u32 {
    10001
}

impl Default for UserConfig {
    fn default() -> Self {
        UserConfig {
            name: default_user_name(),
            uid: default_uid(),
        }
    }
}

/// Rule settings that apply to the files matching `files` (globs relative to
/// the configuration file's folder).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Override {
    pub files: Vec<String>,
    pub select: Option<Vec<String>>,
    #[serde(default)]
    pub extend_select: Vec<String>,
    #[serde(default)]
    pub ignore: Vec<String>,
    #[serde(default)]
    pub severity: BTreeMap<String, Severity>,
}

/// One layer of configuration, as written. Every field is optional so layers
/// can be stacked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Config {
    /// Rule codes, code prefixes (`DF1`), kebab names or `ALL`.
    pub select: Option<Vec<String>>,
    #[serde(default)]
    pub extend_select: Vec<String>,
    #[serde(default)]
    pub ignore: Vec<String>,
    /// Per-rule severity: `DF201 = "error"`.
    #[serde(default)]
    pub severity: BTreeMap<String, Severity>,
    /// Registries (or `registry/namespace` prefixes) images may come from.
    pub trusted_registries: Option<Vec<String>>,
    pub user: Option<UserConfig>,
    /// Registry lookups (digests, tag lists); off by default.
    pub online: Option<bool>,
    /// Whether `source.fixAll.dockfix` does anything (editor fix on save).
    pub fix_all: Option<bool>,
    #[serde(default)]
    pub overrides: Vec<Override>,
}

/// A configuration error with its location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub path: String,
    /// 1-based; 0 when the error has no location.
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line > 0 {
            write!(
                f,
                "{}:{}:{}: {}",
                self.path, self.line, self.column, self.message
            )
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for ConfigError {}

/// The keys the editor may send in the `dockfix` section, in either spelling.
const EDITOR_KEYS: [(&str, &str); 9] = [
    ("select", "select"),
    ("extendSelect", "extend-select"),
    ("ignore", "ignore"),
    ("severity", "severity"),
    ("trustedRegistries", "trusted-registries"),
    ("user", "user"),
    ("online", "online"),
    ("fixAll", "fix-all"),
    ("overrides", "overrides"),
];

impl Config {
    /// Parses a `.dockfix.toml`; `path` is only used in messages.
    pub fn from_toml(text: &str, path: &str) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| {
            let (line, column) = e
                .span()
                .map(|span| line_column(text, span.start))
                .unwrap_or((0, 0));
            ConfigError {
                path: path.to_owned(),
                line,
                column,
                message: e.message().trim().to_owned(),
            }
        })?;
        config.validate().map_err(|message| {
            let (line, column) = locate(text, &message.0);
            ConfigError {
                path: path.to_owned(),
                line,
                column,
                message: message.1,
            }
        })?;
        Ok(config)
    }

    /// Reads the editor's settings (JSON). Keys in camelCase or kebab-case;
    /// keys that belong to the editor extension (`path`, `trace`) are ignored.
    pub fn from_editor_settings(value: &serde_json::Value) -> Result<Config, String> {
        let Some(object) = value.as_object() else {
            return Ok(Config::default());
        };
        let mut known = serde_json::Map::new();
        for (key, value) in object {
            if value.is_null() {
                continue;
            }
            if let Some((_, kebab)) = EDITOR_KEYS
                .iter()
                .find(|(camel, kebab)| key == camel || key == kebab)
            {
                known.insert((*kebab).to_owned(), value.clone());
            }
        }
        let config: Config = serde_json::from_value(serde_json::Value::Object(known))
            .map_err(|e| format!("invalid dockfix settings: {e}"))?;
        config.validate().map_err(|(_, message)| message)?;
        Ok(config)
    }

    /// Checks rule selectors against the registry: (the offending text, message).
    fn validate(&self) -> Result<(), (String, String)> {
        let lists = self
            .select
            .iter()
            .flatten()
            .chain(&self.extend_select)
            .chain(&self.ignore)
            .chain(self.severity.keys())
            .chain(self.overrides.iter().flat_map(|o| {
                o.select
                    .iter()
                    .flatten()
                    .chain(&o.extend_select)
                    .chain(&o.ignore)
                    .chain(o.severity.keys())
            }));
        for selector in lists {
            if !crate::rules::is_selector(selector) {
                return Err((
                    selector.clone(),
                    format!("unknown rule selector `{selector}` (expected a code like DF201, a prefix like DF2, a rule name, or ALL)"),
                ));
            }
        }
        for o in &self.overrides {
            for glob in &o.files {
                if let Err(e) = globset::Glob::new(glob) {
                    return Err((glob.clone(), format!("invalid glob `{glob}`: {e}")));
                }
            }
        }
        Ok(())
    }

    /// Stacks `upper` over `self`: set values of `upper` win, lists of
    /// `extend-select`/`ignore` add up, severities merge.
    pub fn layered(&self, upper: &Config) -> Config {
        let mut out = self.clone();
        if upper.select.is_some() {
            out.select.clone_from(&upper.select);
            // A new `select` restarts the selection of the upper layer.
            out.extend_select.clear();
            out.ignore.clear();
        }
        out.extend_select
            .extend(upper.extend_select.iter().cloned());
        out.ignore.extend(upper.ignore.iter().cloned());
        out.severity
            .extend(upper.severity.iter().map(|(k, v)| (k.clone(), *v)));
        if upper.trusted_registries.is_some() {
            out.trusted_registries.clone_from(&upper.trusted_registries);
        }
        if upper.user.is_some() {
            out.user.clone_from(&upper.user);
        }
        out.online = upper.online.or(out.online);
        out.fix_all = upper.fix_all.or(out.fix_all);
        out.overrides.extend(upper.overrides.iter().cloned());
        out
    }

    /// The settings for one file; `relative_path` is the file's path relative
    /// to the configuration file's folder (for `overrides`).
    pub fn settings_for(&self, relative_path: Option<&Path>) -> Settings {
        let mut selection = Selection {
            select: self.select.clone(),
            extend_select: self.extend_select.clone(),
            ignore: self.ignore.clone(),
            severity: self.severity.clone(),
        };
        if let Some(path) = relative_path {
            for o in &self.overrides {
                let matches = o.files.iter().any(|glob| {
                    globset::Glob::new(glob)
                        .map(|g| g.compile_matcher().is_match(path))
                        .unwrap_or(false)
                });
                if matches {
                    if o.select.is_some() {
                        selection.select.clone_from(&o.select);
                        selection.extend_select.clear();
                        selection.ignore.clear();
                    }
                    selection
                        .extend_select
                        .extend(o.extend_select.iter().cloned());
                    selection.ignore.extend(o.ignore.iter().cloned());
                    selection
                        .severity
                        .extend(o.severity.iter().map(|(k, v)| (k.clone(), *v)));
                }
            }
        }
        Settings {
            selection,
            trusted_registries: self.trusted_registries.clone().unwrap_or_default(),
            user: self.user.clone().unwrap_or_default(),
            online: self.online.unwrap_or(false),
            fix_all: self.fix_all.unwrap_or(true),
        }
    }
}

/// Which rules run, and at which severity.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    pub select: Option<Vec<String>>,
    pub extend_select: Vec<String>,
    pub ignore: Vec<String>,
    pub severity: BTreeMap<String, Severity>,
}

/// The resolved settings for one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub selection: Selection,
    pub trusted_registries: Vec<String>,
    pub user: UserConfig,
    pub online: bool,
    pub fix_all: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Config::default().settings_for(None)
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    LineIndex::new(text).line_column(text, offset)
}

/// The line starts and the multi-byte characters of a text: line and column
/// look-ups in O(log n) (counting newlines from the start for each position
/// was quadratic on a 10 MB file with 100,000 findings, and counting the
/// characters of the line was quadratic on a 1 MB line with 350,000).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineIndex {
    starts: Vec<usize>,
    /// For each character longer than one byte: its offset and the extra
    /// bytes (length − 1) of it and every such character before it.
    wide: Vec<(usize, usize)>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        let mut wide = Vec::new();
        if !text.is_ascii() {
            let mut extra = 0;
            for (at, c) in text.char_indices() {
                if c.len_utf8() > 1 {
                    extra += c.len_utf8() - 1;
                    wide.push((at, extra));
                }
            }
        }
        LineIndex { starts, wide }
    }

    /// Extra bytes of the multi-byte characters that start before `offset`.
    fn extra_before(&self, offset: usize) -> usize {
        match self.wide.partition_point(|&(at, _)| at < offset) {
            0 => 0,
            n => self.wide[n - 1].1,
        }
    }

    /// 1-based line and column (in characters) of a byte offset of `text`,
    /// the text the index was built from.
    pub fn line_column(&self, text: &str, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts.get(line - 1).copied().unwrap_or(0);
        let column = (offset - start) - (self.extra_before(offset) - self.extra_before(start));
        (line, column + 1)
    }
}

/// Where a selector is written in the file, for error locations.
fn locate(text: &str, needle: &str) -> (usize, usize) {
    for quote in ['"', '\''] {
        if let Some(at) = text.find(&format!("{quote}{needle}{quote}")) {
            return line_column(text, at + 1);
        }
    }
    text.find(needle).map_or((0, 0), |at| line_column(text, at))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn line_index_columns_count_characters() {
        let text = "FROM alpine\r\nLABEL a=\"🐳 日本\" b=é\n\nRUN echo ü x\n🐳";
        let index = LineIndex::new(text);
        for offset in 0..=text.len() + 2 {
            let mut at = offset.min(text.len());
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
            let expected = (
                text[..at].matches('\n').count() + 1,
                text[line_start..at].chars().count() + 1,
            );
            assert_eq!(index.line_column(text, offset), expected, "offset {offset}");
        }
    }

    #[test]
    fn a_bad_key_is_reported_with_its_line() {
        let error =
            Config::from_toml("select = [\"DF1\"]\nignroe = []\n", ".dockfix.toml").unwrap_err();
        assert_eq!(error.line, 2);
        assert!(error.message.contains("ignroe"), "{error}");
    }

    #[test]
    fn an_unknown_selector_is_reported_with_its_line() {
        let error = Config::from_toml("\nignore = [\"DF999\"]\n", ".dockfix.toml").unwrap_err();
        assert_eq!((error.line, error.column), (2, 12));
        assert!(error.message.contains("DF999"));
    }

    #[test]
    fn layers_and_overrides() {
        let editor = Config::from_editor_settings(&serde_json::json!({
            "ignore": ["DF205"], "fixAll": false, "trace": "verbose"
        }))
        .unwrap();
        let file = Config::from_toml(
            "extend-select = [\"DF203\"]\n[[overrides]]\nfiles = [\"dev/*\"]\nignore = [\"DF101\"]\n",
            "x",
        )
        .unwrap();
        let config = editor.layered(&file);
        let settings = config.settings_for(Some(Path::new("dev/Dockerfile")));
        assert_eq!(settings.selection.ignore, vec!["DF205", "DF101"]);
        assert_eq!(settings.selection.extend_select, vec!["DF203"]);
        assert!(!settings.fix_all);
        let other = config.settings_for(Some(Path::new("Dockerfile")));
        assert_eq!(other.selection.ignore, vec!["DF205"]);
    }
}
