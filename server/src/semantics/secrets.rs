//! What looks like a secret: variable names (DF401) and literal credentials
//! in text (DF402). Small hand-written matchers, tuned for few false
//! positives on real Dockerfiles.

use std::ops::Range;

/// The lower-case words of a name: `NPM_AUTH_TOKEN`, `npm-auth-token` and
/// `npmAuthToken` all give `["npm", "auth", "token"]`.
pub fn name_words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut previous: Option<char> = None;
    for c in name.chars() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            previous = None;
            continue;
        }
        if c.is_ascii_uppercase()
            && previous.is_some_and(|p| p.is_ascii_lowercase() || p.is_ascii_digit())
            && !current.is_empty()
        {
            words.push(std::mem::take(&mut current));
        }
        current.push(c.to_ascii_lowercase());
        previous = Some(c);
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// Words that name a secret on their own.
const SECRET_WORDS: [&str; 17] = [
    "token",
    "tokens",
    "password",
    "passwords",
    "passwd",
    "pwd",
    "pass",
    "passphrase",
    "secret",
    "secrets",
    "apikey",
    "privatekey",
    "credential",
    "credentials",
    "creds",
    "accesskey",
    "secretkey",
];

/// Words that make a following `key` a secret (`api key`, `private key`…).
const KEY_QUALIFIERS: [&str; 9] = [
    "api",
    "private",
    "secret",
    "access",
    "encryption",
    "signing",
    "master",
    "license",
    "auth",
];

/// A last word that makes the name about a secret, not the secret itself.
const NOT_THE_SECRET: [&str; 40] = [
    "file",
    "files",
    "path",
    "paths",
    "dir",
    "directory",
    "url",
    "uri",
    "endpoint",
    "host",
    "hostname",
    "port",
    "enabled",
    "enable",
    "disabled",
    "disable",
    "required",
    "version",
    "ver",
    "type",
    "method",
    "mode",
    "length",
    "len",
    "size",
    "name",
    "user",
    "username",
    "id",
    "header",
    "location",
    "expiry",
    "expires",
    "ttl",
    "timeout",
    "policy",
    "provider",
    "format",
    "algorithm",
    "hash",
];

/// True when an ARG/ENV/LABEL name looks like it holds a secret: a token, a
/// password, a secret, an API or private key, credentials. Names about a
/// secret (`*_FILE`, `*_PATH`, `*_URL`, `*_VERSION`, `*_ENABLED`…), public
/// values (`PUBLIC_*`) and the shell's `PWD` are not.
pub fn is_secret_name(name: &str) -> bool {
    let words = name_words(name);
    let Some(last) = words.last() else {
        return false;
    };
    if words.len() == 1 && last == "pwd" {
        return false;
    }
    if NOT_THE_SECRET.contains(&last.as_str()) || words.iter().any(|w| w == "public" || w == "pub")
    {
        return false;
    }
    let mut previous = "";
    for word in &words {
        if SECRET_WORDS.contains(&word.as_str()) {
            return true;
        }
        if (word == "key" || word == "keys") && KEY_QUALIFIERS.contains(&previous) {
            return true;
        }
        previous = word;
    }
    // `NPM_AUTH`, `BASIC_AUTH`: auth as the last word is the credential.
    last == "auth" && words.len() > 1
}

/// The `id` of a build secret for a variable: lower-case kebab case.
pub fn secret_id(name: &str) -> String {
    name_words(name).join("-")
}

/// Shannon entropy in bits per character.
pub fn entropy(text: &str) -> f64 {
    let mut counts = std::collections::BTreeMap::new();
    let mut total = 0usize;
    for c in text.chars() {
        *counts.entry(c).or_insert(0usize) += 1;
        total += 1;
    }
    if total == 0 {
        return 0.0;
    }
    counts
        .values()
        .map(|&n| {
            let p = n as f64 / total as f64;
            -p * p.log2()
        })
        .sum()
}

/// True for a literal value that looks generated rather than chosen: long,
/// varied, several kinds of characters, no spaces, no expansion.
pub fn is_high_entropy(value: &str) -> bool {
    if value.len() < 16
        || value.contains(['$', ' ', '/', '\t', '<', '>', '{', '}'])
        || value.chars().any(|c| !c.is_ascii_graphic())
    {
        return false;
    }
    let classes = [
        value.chars().any(|c| c.is_ascii_lowercase()),
        value.chars().any(|c| c.is_ascii_uppercase()),
        value.chars().any(|c| c.is_ascii_digit()),
    ]
    .iter()
    .filter(|&&b| b)
    .count();
    classes >= 2 && entropy(value) >= 3.5
}

/// One literal credential in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub range: Range<usize>,
    pub kind: &'static str,
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// The length of the run of bytes from `start` accepted by `accept`.
fn run(bytes: &[u8], start: usize, accept: impl Fn(u8) -> bool) -> usize {
    bytes
        .get(start..)
        .unwrap_or_default()
        .iter()
        .take_while(|&&b| accept(b))
        .count()
}

/// Token prefixes with their kind, allowed characters after the prefix and
/// the minimum length of that part.
type TokenShape = (&'static str, &'static str, fn(u8) -> bool, usize);

fn alnum(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}
fn alnum_underscore(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}
fn alnum_dash(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-'
}
fn alnum_dash_underscore(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}
fn upper_digit(b: u8) -> bool {
    b.is_ascii_uppercase() || b.is_ascii_digit()
}

const TOKENS: [TokenShape; 13] = [
    ("AKIA", "AWS access key ID", upper_digit, 16),
    ("ghp_", "GitHub token", alnum, 36),
    ("gho_", "GitHub token", alnum, 36),
    ("ghs_", "GitHub token", alnum, 36),
    ("ghu_", "GitHub token", alnum, 36),
    ("ghr_", "GitHub token", alnum, 36),
    ("github_pat_", "GitHub token", alnum_underscore, 60),
    ("glpat-", "GitLab token", alnum_dash_underscore, 20),
    ("xox", "Slack token", alnum_dash, 12),
    ("sk_live_", "Stripe key", alnum, 20),
    ("rk_live_", "Stripe key", alnum, 20),
    ("AIza", "Google API key", alnum_dash_underscore, 35),
    ("-----BEGIN ", "private key", |_| true, 0),
];

/// The first bytes of the `TOKENS` prefixes.
const FIRST_BYTES: [u8; 6] = [b'A', b'g', b'x', b's', b'r', b'-'];
const NO_SLOT: u8 = u8::MAX;
/// Byte → its index in `FIRST_BYTES`, or `NO_SLOT`.
const SLOT_OF_BYTE: [u8; 256] = {
    let mut table = [NO_SLOT; 256];
    let mut i = 0;
    while i < FIRST_BYTES.len() {
        table[FIRST_BYTES[i] as usize] = i as u8;
        i += 1;
    }
    table
};

/// Every literal credential in `text`, in order, without overlaps.
pub fn find_secrets(text: &str) -> Vec<Finding> {
    let bytes = text.as_bytes();
    let mut out: Vec<Finding> = Vec::new();
    // One pass collects where each prefix's first byte occurs, so the 13
    // prefixes do not scan the whole text 13 times (this rule runs on every
    // keystroke in the language server).
    let mut starts: [Vec<usize>; 6] = Default::default();
    for (i, &b) in bytes.iter().enumerate() {
        let slot = SLOT_OF_BYTE[usize::from(b)];
        if slot != NO_SLOT {
            starts[usize::from(slot)].push(i);
        }
    }
    for (prefix, kind, accept, min) in TOKENS {
        let slot = FIRST_BYTES
            .iter()
            .position(|&f| Some(&f) == prefix.as_bytes().first())
            .unwrap_or_default();
        let mut candidates = starts[slot].iter().copied().filter(|&i| {
            bytes
                .get(i..)
                .is_some_and(|rest| rest.starts_with(prefix.as_bytes()))
        });
        let mut from = 0;
        while let Some(start) = candidates.find(|&i| i >= from) {
            from = start + prefix.len();
            if start > 0 && bytes.get(start - 1).copied().is_some_and(is_word_byte) {
                continue;
            }
            let range = if prefix.starts_with('-') {
                private_key(text, start)
            } else if prefix == "xox" {
                // xoxa-, xoxb-, xoxp-, xoxr-
                let kind_byte = bytes.get(start + 3).copied();
                if !matches!(kind_byte, Some(b'a' | b'b' | b'p' | b'r'))
                    || bytes.get(start + 4) != Some(&b'-')
                {
                    None
                } else {
                    let n = run(bytes, start + 5, accept);
                    let body = text.get(start + 5..start + 5 + n).unwrap_or_default();
                    (n >= min && body.bytes().any(|b| b.is_ascii_digit()))
                        .then(|| start..start + 5 + n)
                }
            } else {
                let n = run(bytes, from, accept);
                let end = from + n;
                let exact = prefix == "AKIA" || prefix == "AIza";
                let ok = if exact {
                    n == min && !bytes.get(end).copied().is_some_and(is_word_byte)
                } else {
                    n >= min
                };
                let body = text.get(start..end).unwrap_or_default();
                (ok && !body.contains("EXAMPLE") && !body.contains("XXXX")).then_some(start..end)
            };
            if let Some(range) = range {
                from = range.end;
                out.push(Finding { range, kind });
            }
        }
    }
    out.extend(urls_with_passwords(text));
    out.extend(password_flags(text));
    out.sort_by_key(|f| (f.range.start, std::cmp::Reverse(f.range.end)));
    let mut kept: Vec<Finding> = Vec::new();
    for finding in out {
        if kept
            .last()
            .is_some_and(|last| finding.range.start < last.range.end)
        {
            continue;
        }
        kept.push(finding);
    }
    kept
}

/// `-----BEGIN … PRIVATE KEY-----` up to its END line (or its own line).
fn private_key(text: &str, start: usize) -> Option<Range<usize>> {
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let header = &text[start..line_end];
    let close = header[11..].find("-----")? + 11;
    let label = &header[11..close];
    if !label.ends_with("PRIVATE KEY") || label.len() > 40 {
        return None;
    }
    let end_marker = format!("-----END {label}-----");
    let end = text[start..]
        .find(&end_marker)
        .map_or(start + close + 5, |i| start + i + end_marker.len());
    Some(start..end)
}

/// Values that stand for a password in examples.
fn is_placeholder(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    value.is_empty()
        || value.contains(['$', '<', '>', '{', '}', '%', '*'])
        || value.chars().all(|c| c == 'x' || c == 'X' || c == '.')
        || [
            "password",
            "passwd",
            "pass",
            "secret",
            "token",
            "changeme",
            "example",
            "user",
            "username",
            "yourpassword",
            "mypassword",
            "pwd",
        ]
        .contains(&lower.as_str())
}

/// `scheme://user:password@host` with a literal password.
fn urls_with_passwords(text: &str) -> Vec<Finding> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(found) = text.get(from..).and_then(|t| t.find("://")) {
        let at = from + found;
        from = at + 3;
        let scheme_len = text[..at]
            .bytes()
            .rev()
            .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'.' | b'-'))
            .count();
        if scheme_len == 0 {
            continue;
        }
        let authority_len = run(bytes, from, |b| {
            !matches!(
                b,
                b'/' | b' ' | b'\t' | b'\n' | b'\r' | b'"' | b'\'' | b'\\' | b'`' | b'?' | b'#'
            )
        });
        let authority = &text[from..from + authority_len];
        let Some(at_sign) = authority.rfind('@') else {
            continue;
        };
        let userinfo = &authority[..at_sign];
        let Some(colon) = userinfo.find(':') else {
            continue;
        };
        let (user, password) = (&userinfo[..colon], &userinfo[colon + 1..]);
        if user.contains('$') || is_placeholder(password) || at_sign + 1 == authority.len() {
            continue;
        }
        let start = from + colon + 1;
        out.push(Finding {
            range: start..start + password.len(),
            kind: "password in a URL",
        });
    }
    out
}

/// Options that take a credential.
const SECRET_FLAGS: [&str; 8] = [
    "--password",
    "--passwd",
    "--token",
    "--api-key",
    "--apikey",
    "--secret",
    "--client-secret",
    "--access-token",
];

/// `--password=VALUE` / `--password VALUE` with a literal, high-entropy value.
fn password_flags(text: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    for flag in SECRET_FLAGS {
        let mut from = 0;
        while let Some(found) = text.get(from..).and_then(|t| t.find(flag)) {
            let start = from + found;
            from = start + flag.len();
            let after = text.as_bytes().get(from).copied();
            if start > 0
                && text
                    .as_bytes()
                    .get(start - 1)
                    .copied()
                    .is_some_and(is_word_byte)
            {
                continue;
            }
            let value_start = match after {
                Some(b'=') => from + 1,
                Some(b' ') => from + run(text.as_bytes(), from, |b| b == b' '),
                _ => continue,
            };
            let quote = text.as_bytes().get(value_start).copied();
            let (value_start, stop): (usize, fn(u8) -> bool) = match quote {
                Some(b'"') => (value_start + 1, |b| b == b'"' || b == b'\n'),
                Some(b'\'') => (value_start + 1, |b| b == b'\'' || b == b'\n'),
                _ => (value_start, |b: u8| b.is_ascii_whitespace() || b == b';'),
            };
            let n = run(text.as_bytes(), value_start, |b| !stop(b));
            let value = &text[value_start..value_start + n];
            if is_high_entropy(value) && !is_placeholder(value) {
                out.push(Finding {
                    range: value_start..value_start + n,
                    kind: "credential given on the command line",
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names() {
        for name in [
            "NPM_TOKEN",
            "GITHUB_TOKEN",
            "DB_PASSWORD",
            "MYSQL_ROOT_PASSWORD",
            "DB_PASS",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_ACCESS_KEY_ID_X_SECRET",
            "API_KEY",
            "apiKey",
            "PRIVATE_KEY",
            "GOOGLE_CREDENTIALS",
            "NPM_AUTH",
            "client_secret",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
        for name in [
            "PWD",
            "PASSWORD_FILE",
            "POSTGRES_PASSWORD_FILE",
            "PUBLIC_KEY",
            "NEXT_PUBLIC_API_KEY",
            "TOKEN_URL",
            "GPG_KEY",
            "GPG_KEYS",
            "AUTH_ENABLED",
            "SECRET_VERSION",
            "AWS_ACCESS_KEY_ID",
            "AUTH_TYPE",
            "TOKENIZERS_PARALLELISM",
            "PASSENGER_VERSION",
        ] {
            assert!(!is_secret_name(name), "{name}");
        }
        assert_eq!(secret_id("NPM_TOKEN"), "npm-token");
        assert_eq!(secret_id("apiKey"), "api-key");
    }

    #[test]
    fn literal_secrets() {
        let kinds = |t: &str| -> Vec<&str> { find_secrets(t).iter().map(|f| f.kind).collect() };
        assert_eq!(kinds("KEY=AKIAZ3MHDW2QXQ5LNB7K"), vec!["AWS access key ID"]);
        assert!(kinds("AKIAIOSFODNN7EXAMPLE").is_empty());
        assert_eq!(
            kinds("git clone https://x:ghp_0123456789abcdefghijABCDEFGHIJ012345@github.com/a/b"),
            vec!["GitHub token"]
        );
        assert!(kinds("https://user:${PASS}@host/x").is_empty());
        assert!(kinds("https://user@host/x").is_empty());
        assert_eq!(
            kinds("ftp://bob:hunter22@ftp.example.com/"),
            vec!["password in a URL"]
        );
        assert_eq!(
            kinds("-----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY-----"),
            vec!["private key"]
        );
        assert!(kinds("-----BEGIN PUBLIC KEY-----").is_empty());
        assert_eq!(
            kinds("login --password=Zq8vT2kLmN4pR7sX1 x"),
            vec!["credential given on the command line"]
        );
        assert!(kinds("login --password-stdin").is_empty());
        assert!(kinds("xoxb-not-a-token").is_empty());
    }
}
