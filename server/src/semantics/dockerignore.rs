//! The build context's ignore file: BuildKit's `.dockerignore` syntax and
//! matching (moby's patternmatcher), so DF404 can tell what `COPY .` sends
//! into the image. Pure: the caller reads the file and passes its text.

/// What the caller knows about the build context of the Dockerfile (its
/// folder, as `docker build -f <dir>/Dockerfile <dir>` sees it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BuildContext {
    /// The ignore file BuildKit would apply, if one exists.
    pub ignore_file: Option<IgnoreFile>,
    /// The name a new ignore file gets (`.dockerignore`).
    pub default_ignore_name: String,
}

impl BuildContext {
    /// A context with no ignore file, where one would be created as `.dockerignore`.
    pub fn without_ignore_file() -> Self {
        BuildContext {
            ignore_file: None,
            default_ignore_name: ".dockerignore".to_owned(),
        }
    }

    pub fn with_ignore_file(name: impl Into<String>, contents: impl Into<String>) -> Self {
        BuildContext {
            ignore_file: Some(IgnoreFile {
                name: name.into(),
                contents: contents.into(),
            }),
            default_ignore_name: ".dockerignore".to_owned(),
        }
    }

    /// The context once a fix has written `contents` to the ignore file
    /// `name` (a fix creates the file only when there is none, and otherwise
    /// edits the one in use, so it becomes the one in use).
    pub fn set_ignore_file(&mut self, name: impl Into<String>, contents: impl Into<String>) {
        self.ignore_file = Some(IgnoreFile {
            name: name.into(),
            contents: contents.into(),
        });
    }

    /// The file names BuildKit looks for beside a Dockerfile named
    /// `dockerfile_name`, in order: `<name>.dockerignore` wins over `.dockerignore`.
    pub fn candidate_names(dockerfile_name: &str) -> [String; 2] {
        [
            format!("{dockerfile_name}.dockerignore"),
            ".dockerignore".to_owned(),
        ]
    }
}

/// An ignore file: its name relative to the Dockerfile's folder and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoreFile {
    pub name: String,
    pub contents: String,
}

/// The patterns of an ignore file, in order (the last one that matches wins).
#[derive(Debug, Clone, Default)]
pub struct Patterns {
    patterns: Vec<Pattern>,
}

#[derive(Debug, Clone)]
struct Pattern {
    tokens: Vec<Token>,
    /// `!pattern`: re-includes what earlier patterns excluded.
    negated: bool,
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Char(char),
    /// `?`: one character other than `/`.
    Any,
    /// `*`: any run of characters other than `/`.
    Star,
    /// `**`: anything, `/` included.
    Anything,
    /// `**/`: zero or more whole directories.
    Directories,
    /// `[…]` / `[^…]`.
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
}

impl Patterns {
    /// Reads an ignore file the way BuildKit does: `#` in the first column
    /// starts a comment, lines are trimmed, `!` negates, paths are cleaned and
    /// made relative to the context root.
    pub fn parse(contents: &str) -> Self {
        let contents = contents.strip_prefix('\u{feff}').unwrap_or(contents);
        let mut patterns = Vec::new();
        for line in contents.lines() {
            if line.starts_with('#') {
                continue;
            }
            let mut text = line.trim();
            if text.is_empty() {
                continue;
            }
            let negated = text.starts_with('!');
            if negated {
                text = text[1..].trim();
            }
            if text.is_empty() {
                continue;
            }
            let cleaned = clean(text);
            let relative = cleaned
                .strip_prefix('/')
                .filter(|rest| !rest.is_empty())
                .unwrap_or(&cleaned);
            patterns.push(Pattern {
                tokens: tokenize(relative),
                negated,
            });
        }
        Patterns { patterns }
    }

    /// Whether `path` (relative to the context root, `/`-separated) is left
    /// out of the context: a pattern applies to a path when it matches the
    /// path or one of its parent directories.
    pub fn excludes(&self, path: &str) -> bool {
        let mut excluded = false;
        for pattern in &self.patterns {
            if pattern.matches_or_parent(path) {
                excluded = !pattern.negated;
            }
        }
        excluded
    }

    /// Whether a `!pattern` re-includes `path` on purpose.
    pub fn explicitly_includes(&self, path: &str) -> bool {
        self.patterns
            .iter()
            .any(|p| p.negated && p.matches_or_parent(path))
    }
}

/// Whether the ignore pattern `pattern` (one line) matches `path` or one of its parents.
pub fn pattern_matches(pattern: &str, path: &str) -> bool {
    Pattern {
        tokens: tokenize(&clean(pattern)),
        negated: false,
    }
    .matches_or_parent(path)
}

impl Pattern {
    fn matches_or_parent(&self, path: &str) -> bool {
        if matches(&self.tokens, &path.chars().collect::<Vec<_>>()) {
            return true;
        }
        let mut prefix = String::new();
        let segments: Vec<&str> = path.split('/').collect();
        for segment in &segments[..segments.len().saturating_sub(1)] {
            if !prefix.is_empty() {
                prefix.push('/');
            }
            prefix.push_str(segment);
            if matches(&self.tokens, &prefix.chars().collect::<Vec<_>>()) {
                return true;
            }
        }
        false
    }
}

/// Go's `filepath.Clean` on a `/`-separated path.
fn clean(path: &str) -> String {
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_owned(),
        (false, false) => joined,
    }
}

fn tokenize(pattern: &str) -> Vec<Token> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '*' if chars.get(i + 1) == Some(&'*') => {
                i += 2;
                while chars.get(i) == Some(&'*') {
                    i += 1;
                }
                if chars.get(i) == Some(&'/') {
                    i += 1;
                    tokens.push(Token::Directories);
                } else {
                    tokens.push(Token::Anything);
                }
                continue;
            }
            '*' => tokens.push(Token::Star),
            '?' => tokens.push(Token::Any),
            '\\' => {
                i += 1;
                if let Some(&c) = chars.get(i) {
                    tokens.push(Token::Char(c));
                }
            }
            '[' => {
                if let Some((token, next)) = class(&chars, i) {
                    tokens.push(token);
                    i = next;
                    continue;
                }
                tokens.push(Token::Char('['));
            }
            c => tokens.push(Token::Char(c)),
        }
        i += 1;
    }
    tokens
}

/// A `[…]` class starting at `start`; `None` when it is not closed.
fn class(chars: &[char], start: usize) -> Option<(Token, usize)> {
    let mut i = start + 1;
    let negated = matches!(chars.get(i), Some('^') | Some('!'));
    if negated {
        i += 1;
    }
    let mut ranges = Vec::new();
    let mut first = true;
    loop {
        let c = *chars.get(i)?;
        if c == ']' && !first {
            return Some((Token::Class { negated, ranges }, i + 1));
        }
        first = false;
        let low = if c == '\\' {
            i += 1;
            *chars.get(i)?
        } else {
            c
        };
        i += 1;
        if chars.get(i) == Some(&'-') && chars.get(i + 1).is_some_and(|c| *c != ']') {
            let mut high = chars[i + 1];
            i += 2;
            if high == '\\' {
                high = *chars.get(i)?;
                i += 1;
            }
            ranges.push((low, high));
        } else {
            ranges.push((low, low));
        }
    }
}

fn matches(tokens: &[Token], path: &[char]) -> bool {
    let Some((token, rest)) = tokens.split_first() else {
        return path.is_empty();
    };
    match token {
        Token::Char(c) => path.first() == Some(c) && matches(rest, &path[1..]),
        Token::Any => path.first().is_some_and(|c| *c != '/') && matches(rest, &path[1..]),
        Token::Class { negated, ranges } => path.first().is_some_and(|c| {
            *c != '/'
                && ranges.iter().any(|(low, high)| low <= c && c <= high) != *negated
                && matches(rest, &path[1..])
        }),
        Token::Star => {
            for skip in 0..=path.len() {
                if matches(rest, &path[skip..]) {
                    return true;
                }
                if path.get(skip) == Some(&'/') {
                    break;
                }
            }
            false
        }
        Token::Anything => (0..=path.len()).any(|skip| matches(rest, &path[skip..])),
        Token::Directories => {
            matches(rest, path)
                || (0..path.len())
                    .filter(|&i| path[i] == '/')
                    .any(|i| matches(rest, &path[i + 1..]))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_follows_go() {
        assert_eq!(clean("./a//b/"), "a/b");
        assert_eq!(clean("/"), "/");
        assert_eq!(clean("a/../.."), "..");
        assert_eq!(clean("./"), ".");
        assert_eq!(clean("/.git/"), "/.git");
    }

    #[test]
    fn parent_directories_match() {
        let patterns = Patterns::parse(".git\nnode_modules/\n");
        assert!(patterns.excludes(".git"));
        assert!(patterns.excludes(".git/HEAD"));
        assert!(patterns.excludes("node_modules/x/y.js"));
        assert!(!patterns.excludes("src/.git"));
        assert!(!patterns.excludes(".github/workflows/ci.yml"));
    }

    #[test]
    fn globs() {
        let patterns = Patterns::parse("**/.env\n*.pem\n/secret?\nlogs/[a-c]*\n");
        assert!(patterns.excludes(".env"));
        assert!(patterns.excludes("a/b/.env"));
        assert!(patterns.excludes("key.pem"));
        assert!(!patterns.excludes("certs/key.pem"));
        assert!(patterns.excludes("secret1"));
        assert!(patterns.excludes("logs/b.log"));
        assert!(!patterns.excludes("logs/d.log"));
    }

    #[test]
    fn last_match_wins_and_allowlists_work() {
        let patterns = Patterns::parse("# comment\n*\n!src\n!package.json\n");
        assert!(patterns.excludes(".git/HEAD"));
        assert!(patterns.excludes(".env"));
        assert!(!patterns.excludes("src/main.js"));
        assert!(!patterns.excludes("package.json"));
        let patterns = Patterns::parse(".env*\n!.env.example\n");
        assert!(patterns.excludes(".env"));
        assert!(!patterns.excludes(".env.example"));
        assert!(patterns.explicitly_includes(".env.example"));
    }

    #[test]
    fn comments_only_in_the_first_column() {
        let patterns = Patterns::parse("  # .git\n \t\n");
        assert!(!patterns.excludes(".git"));
        assert!(patterns.excludes("  # .git".trim()));
    }

    #[test]
    fn double_star_everywhere() {
        assert!(pattern_matches("**", "a/b/c"));
        assert!(pattern_matches("a/**/c", "a/c"));
        assert!(pattern_matches("a/**/c", "a/x/y/c"));
        assert!(pattern_matches("**/*.key", "deep/er/server.key"));
        assert!(!pattern_matches("**/*.key", "server.key.txt"));
        assert!(pattern_matches("**/id_rsa", "id_rsa"));
    }
}
