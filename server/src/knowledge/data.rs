//! The embedded data files and their one-time parse.
//!
//! The TOML files are compiled in with `include_str!` and parsed on first
//! use. A broken file must never take the server down: `db()` then answers
//! `None` and every query degrades to "nothing known". The unit tests parse
//! the same text through [`load`] and fail loudly instead.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::OnceLock;

use serde::Deserialize;

use super::name::normalize;
use super::{Date, Family, User};

pub(crate) const IMAGES_TOML: &str = include_str!("data/images.toml");
pub(crate) const CYCLES_TOML: &str = include_str!("data/cycles.toml");
pub(crate) const PUBLISHERS_TOML: &str = include_str!("data/publishers.toml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ImagesFile {
    as_of: String,
    image: Vec<RawImage>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawImage {
    names: Vec<String>,
    family: Family,
    #[serde(default)]
    product: Option<String>,
    #[serde(default)]
    official: Option<bool>,
    #[serde(default)]
    verified: bool,
    #[serde(default)]
    users: Vec<User>,
    #[serde(default)]
    alpine_users: Option<Vec<User>>,
    #[serde(default)]
    default_user: Option<String>,
    #[serde(default)]
    token_users: BTreeMap<String, String>,
    #[serde(default)]
    cycle_family: BTreeMap<String, Family>,
    #[serde(default)]
    slim: Option<SlimStyle>,
    #[serde(default)]
    slim_untagged: Option<String>,
    #[serde(default)]
    deprecated: Option<String>,
    #[serde(default)]
    fixed_cycle: Option<String>,
    #[serde(default)]
    exact_tags_only: bool,
}

/// Where an image's `slim` token goes relative to a distro codename:
/// `python:3.12-slim-bookworm` versus `node:20-bookworm-slim`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum SlimStyle {
    BeforeCodename,
    AfterCodename,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CyclesFile {
    as_of: String,
    product: BTreeMap<String, RawProduct>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProduct {
    #[serde(default)]
    prefer_codename: bool,
    #[serde(default)]
    settle_days: u16,
    #[serde(default)]
    tag_prefix: String,
    cycles: Vec<RawCycle>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCycle {
    name: String,
    #[serde(default)]
    codename: Option<String>,
    #[serde(default)]
    eol: Option<String>,
    #[serde(default)]
    released: Option<String>,
    #[serde(default)]
    lts: bool,
    #[serde(default)]
    lts_from: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PublishersFile {
    as_of: String,
    verified: Vec<String>,
    sponsored_oss: Vec<String>,
}

/// Everything the data files say, checked and indexed.
#[derive(Debug)]
pub(crate) struct Db {
    pub as_of: Date,
    pub images: Vec<ImageEntry>,
    pub products: HashMap<String, Product>,
    pub trusted_namespaces: HashSet<String>,
}

#[derive(Debug)]
pub(crate) struct ImageEntry {
    pub patterns: Vec<Pattern>,
    pub family: Family,
    pub product: Option<String>,
    pub official: Option<bool>,
    pub verified: bool,
    pub users: Vec<User>,
    pub alpine_users: Option<Vec<User>>,
    pub default_user: Option<String>,
    pub token_users: BTreeMap<String, String>,
    pub cycle_family: BTreeMap<String, Family>,
    pub slim: Option<SlimStyle>,
    pub slim_untagged: Option<String>,
    pub deprecated: Option<String>,
    pub fixed_cycle: Option<String>,
    pub exact_tags_only: bool,
}

/// A repository name in the data: exact (`docker.io/library/node`) or with
/// one `*` (`gcr.io/distroless/*-debian12`).
#[derive(Debug)]
pub(crate) enum Pattern {
    Exact(String),
    Glob { prefix: String, suffix: String },
}

impl Pattern {
    fn new(name: &str) -> Pattern {
        match name.split_once('*') {
            Some((prefix, suffix)) => {
                // Normalise the prefix as a name so `bitnami/*` means
                // `docker.io/bitnami/*`; a bare prefix has no tag to strip.
                let base = normalize(&format!("{prefix}x"));
                let full = base.full();
                Pattern::Glob {
                    prefix: full[..full.len() - 1].to_string(),
                    suffix: suffix.to_ascii_lowercase(),
                }
            }
            None => Pattern::Exact(normalize(name).full()),
        }
    }

    /// How specific a match of `full` is (`None`: no match). Exact names
    /// beat every glob; longer globs beat shorter ones.
    pub fn matches(&self, full: &str) -> Option<usize> {
        match self {
            Pattern::Exact(name) => (name == full).then_some(usize::MAX),
            Pattern::Glob { prefix, suffix } => {
                let fits = full.len() > prefix.len() + suffix.len()
                    && full.starts_with(prefix.as_str())
                    && full.ends_with(suffix.as_str());
                fits.then_some(prefix.len() + suffix.len())
            }
        }
    }
}

#[derive(Debug)]
pub(crate) struct Product {
    pub prefer_codename: bool,
    pub settle_days: u16,
    pub tag_prefix: String,
    /// Newest first: the order defines "newer" and "older".
    pub cycles: Vec<CycleEntry>,
}

#[derive(Debug)]
pub(crate) struct CycleEntry {
    pub name: String,
    pub codename: Option<String>,
    pub eol: Option<Date>,
    pub released: Option<Date>,
    pub lts: bool,
    /// When an LTS cycle was promoted (node: in October after an April release).
    pub lts_from: Option<Date>,
}

impl CycleEntry {
    /// An LTS cycle by `today`.
    pub fn lts_at(&self, today: Date) -> bool {
        self.lts && self.lts_from.is_none_or(|from| from <= today)
    }

    /// Released by `today` and not past its end of life.
    pub fn supported(&self, today: Date) -> bool {
        self.eol.is_none_or(|eol| eol > today) && self.released.is_none_or(|r| r <= today)
    }
}

fn date(text: &str, what: &str) -> Result<Date, String> {
    Date::parse(text).ok_or_else(|| format!("{what}: bad date {text:?}"))
}

/// Parses and checks the three data files.
pub(crate) fn load(images: &str, cycles: &str, publishers: &str) -> Result<Db, String> {
    let images: ImagesFile = toml::from_str(images).map_err(|e| format!("images.toml: {e}"))?;
    let cycles: CyclesFile = toml::from_str(cycles).map_err(|e| format!("cycles.toml: {e}"))?;
    let publishers: PublishersFile =
        toml::from_str(publishers).map_err(|e| format!("publishers.toml: {e}"))?;

    let as_of = date(&images.as_of, "images.toml as_of")?;
    for (file, text) in [
        ("cycles.toml", &cycles.as_of),
        ("publishers.toml", &publishers.as_of),
    ] {
        if date(text, file)? != as_of {
            return Err(format!("{file}: as_of {text} differs from images.toml"));
        }
    }

    let mut products = HashMap::new();
    for (key, raw) in cycles.product {
        let mut list = Vec::with_capacity(raw.cycles.len());
        for cycle in raw.cycles {
            let what = format!("{key} {}", cycle.name);
            list.push(CycleEntry {
                eol: cycle.eol.as_deref().map(|d| date(d, &what)).transpose()?,
                released: cycle
                    .released
                    .as_deref()
                    .map(|d| date(d, &what))
                    .transpose()?,
                lts_from: cycle
                    .lts_from
                    .as_deref()
                    .map(|d| date(d, &what))
                    .transpose()?,
                name: cycle.name,
                codename: cycle.codename,
                lts: cycle.lts,
            });
        }
        let product = Product {
            prefer_codename: raw.prefer_codename,
            settle_days: raw.settle_days,
            tag_prefix: raw.tag_prefix,
            cycles: list,
        };
        products.insert(key, product);
    }

    let mut entries = Vec::with_capacity(images.image.len());
    for raw in images.image {
        let label = raw.names.first().cloned().unwrap_or_default();
        if raw.names.is_empty() {
            return Err("images.toml: an image without names".into());
        }
        if let Some(product) = &raw.product {
            if !products.contains_key(product) {
                return Err(format!("{label}: unknown product {product}"));
            }
        }
        let known_user = |name: &String| {
            name == "root"
                || raw.users.iter().any(|u| &u.name == name)
                || raw.alpine_users.iter().flatten().any(|u| &u.name == name)
        };
        if let Some(user) = raw
            .default_user
            .iter()
            .chain(raw.token_users.values())
            .find(|u| !known_user(u))
        {
            return Err(format!(
                "{label}: default user {user} is not among its users"
            ));
        }
        entries.push(ImageEntry {
            patterns: raw.names.iter().map(|n| Pattern::new(n)).collect(),
            family: raw.family,
            product: raw.product,
            official: raw.official,
            verified: raw.verified,
            users: raw.users,
            alpine_users: raw.alpine_users,
            default_user: raw.default_user,
            token_users: raw.token_users,
            cycle_family: raw.cycle_family,
            slim: raw.slim,
            slim_untagged: raw.slim_untagged,
            deprecated: raw.deprecated,
            fixed_cycle: raw.fixed_cycle,
            exact_tags_only: raw.exact_tags_only,
        });
    }

    let trusted_namespaces = publishers
        .verified
        .iter()
        .chain(&publishers.sponsored_oss)
        .map(|n| n.to_ascii_lowercase())
        .collect();

    Ok(Db {
        as_of,
        images: entries,
        products,
        trusted_namespaces,
    })
}

/// The parsed data, or `None` when the embedded files are broken (a unit
/// test guarantees they are not).
pub(crate) fn db() -> Option<&'static Db> {
    static DB: OnceLock<Option<Db>> = OnceLock::new();
    DB.get_or_init(|| load(IMAGES_TOML, CYCLES_TOML, PUBLISHERS_TOML).ok())
        .as_ref()
}
