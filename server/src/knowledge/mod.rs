//! Embedded, dated knowledge about container base images: which distro a
//! tag is built on, which users it ships and runs as, when its release
//! cycle reaches end of life, and which tag to move to.
//!
//! Pure: no IO, no network, no clock. The data lives in `data/*.toml`
//! (each file carries `as_of`, the day it was last checked), compiled in
//! and parsed once. Callers pass `today` explicitly, so verdicts are
//! reproducible and a stale knowledge base can be detected via [`as_of`].

mod data;
mod date;
mod name;
#[cfg(test)]
mod tests;
mod variants;

use serde::Deserialize;

use data::{db, CycleEntry, Db, Product};
pub use date::Date;
pub use name::{normalize, ImageName};
pub use variants::*;

/// The date the data was last checked (`as_of` in the data files).
pub fn as_of() -> Date {
    db().map_or(FALLBACK_AS_OF, |db| db.as_of)
}

/// Used only when the embedded data failed to parse.
const FALLBACK_AS_OF: Date = Date {
    year: 2026,
    month: 11,
    day: 27,
};

/// The distro family of an image variant: it decides which package manager
/// and which user-creation commands a fix may write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
pub enum Family {
    Alpine,
    Busybox,
    /// Debian and Ubuntu (apt, `useradd`).
    Debian,
    /// UBI, RHEL, Fedora, CentOS, Rocky, Alma, Amazon Linux, Oracle Linux.
    Rhel,
    Suse,
    Wolfi,
    /// No shell and no package manager: distroless, Ubuntu chiseled.
    Distroless,
    Scratch,
    Windows,
    Unknown,
}

impl Family {
    pub fn name(self) -> &'static str {
        match self {
            Family::Alpine => "Alpine",
            Family::Busybox => "BusyBox",
            Family::Debian => "Debian/Ubuntu",
            Family::Rhel => "RHEL/Fedora",
            Family::Suse => "SUSE",
            Family::Wolfi => "Wolfi",
            Family::Distroless => "Distroless",
            Family::Scratch => "scratch",
            Family::Windows => "Windows",
            Family::Unknown => "unknown",
        }
    }
}

/// A user an image ships. When an image has no passwd entry for its user
/// (bitnami), `name` is the numeric uid, which `USER` accepts as well.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct User {
    pub name: String,
    pub uid: u32,
    pub gid: u32,
}

/// A release cycle ("20", "3.12", "12"/bookworm) and its end of life.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cycle {
    pub name: String,
    /// The distro codename when the cycle has one (`bookworm`, `noble`).
    pub codename: Option<String>,
    /// `None`: no end of life announced.
    pub eol: Option<Date>,
    pub lts: bool,
}

/// What is known about one image reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Image {
    pub name: ImageName,
    /// A Docker Official Image (`library/`).
    pub official: bool,
    pub verified_publisher: bool,
    /// The family of this tag's variant; the image's default for unknown tags.
    pub family: Family,
    /// The version part of the tag as written (`20.11.1`, `bookworm`, `lts`);
    /// `None` for `latest`, untagged and variant-only tags like `alpine`.
    pub version: Option<String>,
    /// The tag suffix naming the variant: `alpine3.20`, `slim-bookworm`, `""`.
    pub variant: String,
    /// The release cycle of the tag's version; `None` for floating tags.
    pub cycle: Option<Cycle>,
    /// Non-root users the image ships.
    pub users: Vec<User>,
    /// `Some` when the image runs as this non-root user by default.
    pub default_user: Option<User>,
    /// Why the image should not be used at all, e.g. `openjdk`.
    pub deprecated: Option<String>,
    entry: usize,
    cycle_index: Option<usize>,
    style: Style,
}

/// How the tag spelled its version, so a suggested tag spells it alike.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Style {
    Number,
    Codename,
    Floating,
}

/// Tags that float over releases in the version position (`lts-slim`).
const FLOATING: &[&str] = &[
    "latest",
    "lts",
    "current",
    "stable",
    "mainline",
    "edge",
    "innovation",
    "rolling",
    "testing",
    "unstable",
    "sid",
    "oldstable",
    "experimental",
    "devel",
    "nightly",
    "rc",
    "beta",
];

/// Looks up an image reference. `name` may carry its own `:tag`, used when
/// `tag` is `None`. Returns `None` when nothing is known about the
/// repository; for the unofficial-image check on unknown repositories use
/// [`normalize`] with [`ImageName::is_official`] and [`is_verified_publisher`].
pub fn lookup(name: &str, tag: Option<&str>) -> Option<Image> {
    let db = db()?;
    let (_, own_tag) = name::split_reference(name);
    let tag = tag.or(own_tag).filter(|t| !t.is_empty());
    let image_name = normalize(name);
    let full = image_name.full();
    let (index, entry) = db
        .images
        .iter()
        .enumerate()
        .filter_map(|(i, e)| {
            e.patterns
                .iter()
                .filter_map(|p| p.matches(&full))
                .max()
                .map(|s| (s, i, e))
        })
        .max_by_key(|(score, i, _)| (*score, std::cmp::Reverse(*i)))
        .map(|(_, i, e)| (i, e))?;
    let product = entry.product.as_ref().and_then(|p| db.products.get(p));
    let parsed = parse_tag(product, tag.unwrap_or("latest"));
    let cycle_index = parsed.cycle.or_else(|| {
        let fixed = entry.fixed_cycle.as_ref()?;
        product?.cycles.iter().position(|c| &c.name == fixed)
    });
    let cycle_entry = cycle_index.and_then(|i| product?.cycles.get(i));
    let tokens: Vec<&str> = parsed
        .variant
        .split('-')
        .filter(|t| !t.is_empty())
        .collect();
    let family = family_of_tokens(&tokens)
        .or_else(|| cycle_entry.and_then(|c| entry.cycle_family.get(&c.name).copied()))
        .unwrap_or(entry.family);
    let users = match (&entry.alpine_users, family) {
        (Some(users), Family::Alpine) => users.clone(),
        _ => entry.users.clone(),
    };
    let mut default_name = entry.default_user.as_deref();
    for token in &tokens {
        if let Some(user) = entry.token_users.get(*token) {
            default_name = Some(user);
        }
    }
    let default_user = default_name
        .filter(|n| *n != "root")
        .and_then(|n| users.iter().find(|u| u.name == n).cloned());
    let verified_publisher = entry.verified
        || image_name
            .hub_namespace()
            .is_some_and(|ns| db.trusted_namespaces.contains(ns));
    Some(Image {
        official: entry.official.unwrap_or_else(|| image_name.is_official()),
        verified_publisher,
        family,
        version: parsed.version,
        variant: parsed.variant,
        cycle: cycle_entry.map(|c| Cycle {
            name: c.name.clone(),
            codename: c.codename.clone(),
            eol: c.eol,
            lts: c.lts,
        }),
        users,
        default_user,
        deprecated: entry.deprecated.clone(),
        name: image_name,
        entry: index,
        cycle_index,
        style: parsed.style,
    })
}

struct ParsedTag {
    version: Option<String>,
    cycle: Option<usize>,
    style: Style,
    variant: String,
}

/// Splits a tag into version and variant. The first `-` token is the
/// version when it is a number, a known codename or a floating alias;
/// otherwise the whole tag names a variant (`alpine`, `bookworm-slim` on
/// node, `debug-nonroot`). Build-date tokens (`jammy-20240530`) are dropped.
fn parse_tag(product: Option<&Product>, tag: &str) -> ParsedTag {
    let tokens: Vec<&str> = tag
        .split('-')
        .filter(|t| !t.is_empty() && !is_build_date(t))
        .collect();
    let Some((&head, rest)) = tokens.split_first() else {
        return ParsedTag {
            version: None,
            cycle: None,
            style: Style::Floating,
            variant: String::new(),
        };
    };
    let lower = head.to_ascii_lowercase();
    let cycles = product.map_or(&[][..], |p| &p.cycles[..]);
    let by_name = cycles.iter().position(|c| {
        c.name.eq_ignore_ascii_case(&lower)
            || c.codename
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case(&lower))
    });
    let (version, cycle, style, variant_tokens) = if let Some(i) = by_name {
        let style = if cycles[i].name.eq_ignore_ascii_case(&lower) {
            Style::Number
        } else {
            Style::Codename
        };
        (Some(head), Some(i), style, rest)
    } else if is_version_like(&lower) {
        (Some(head), match_cycle(cycles, &lower), Style::Number, rest)
    } else if FLOATING.contains(&lower.as_str()) {
        let version = (lower != "latest").then_some(head);
        (version, None, Style::Floating, rest)
    } else {
        (None, None, Style::Floating, &tokens[..])
    };
    ParsedTag {
        version: version.map(str::to_string),
        cycle,
        style,
        variant: variant_tokens.join("-"),
    }
}

/// `20240530` in `jammy-20240530`: a rebuild stamp, not a variant.
fn is_build_date(token: &str) -> bool {
    token.len() == 8 && token.bytes().all(|b| b.is_ascii_digit())
}

fn is_version_like(token: &str) -> bool {
    let digits = token.strip_prefix('v').unwrap_or(token);
    digits.starts_with(|c: char| c.is_ascii_digit())
}

/// The leading digits of each dot-separated component: `1.23rc1` → [1, 23].
fn components(version: &str) -> Vec<&str> {
    let version = version.strip_prefix('v').unwrap_or(version);
    version
        .split('.')
        .map(|c| {
            let end = c.find(|ch: char| !ch.is_ascii_digit()).unwrap_or(c.len());
            &c[..end]
        })
        .collect()
}

/// The cycle whose numeric name is the longest prefix of `version`
/// (`3.12.4` → `3.12`; `3` matches no python cycle and floats).
fn match_cycle(cycles: &[CycleEntry], version: &str) -> Option<usize> {
    let parts = components(version);
    cycles
        .iter()
        .enumerate()
        .filter(|(_, c)| is_version_like(&c.name))
        .filter_map(|(i, c)| {
            let name = components(&c.name);
            let fits = name.len() <= parts.len()
                && name
                    .iter()
                    .zip(&parts)
                    .all(|(a, b)| !a.is_empty() && a == b);
            fits.then_some((name.len(), i))
        })
        .max_by_key(|(len, i)| (*len, std::cmp::Reverse(*i)))
        .map(|(_, i)| i)
}

const DEBIAN_CODENAMES: &[&str] = &[
    "forky", "trixie", "bookworm", "bullseye", "buster", "stretch", "jessie", "wheezy", "sid",
];
const UBUNTU_CODENAMES: &[&str] = &[
    "resolute", "questing", "plucky", "oracular", "noble", "mantic", "lunar", "kinetic", "jammy",
    "impish", "hirsute", "groovy", "focal", "bionic", "xenial", "trusty",
];

/// The family a variant's tokens name. Specific markers (alpine, chiseled,
/// ubi, windows…) win over Debian/Ubuntu codenames because tags combine
/// them: `8.0-noble-chiseled` is chiseled, not plain Ubuntu.
fn family_of_tokens(tokens: &[&str]) -> Option<Family> {
    let specific = |token: &str| -> Option<Family> {
        let t = token.to_ascii_lowercase();
        let starts = |prefixes: &[&str]| prefixes.iter().any(|p| t.starts_with(p));
        if starts(&["alpine"]) {
            Some(Family::Alpine)
        } else if starts(&["chiseled", "distroless"]) {
            Some(Family::Distroless)
        } else if starts(&["windowsservercore", "nanoserver", "ltsc", "windows"]) {
            Some(Family::Windows)
        } else if starts(&[
            "ubi",
            "oraclelinux",
            "oracle",
            "al2",
            "amazonlinux",
            "centos",
            "rockylinux",
            "almalinux",
            "fedora",
        ]) {
            Some(Family::Rhel)
        } else if starts(&["wolfi"]) {
            Some(Family::Wolfi)
        } else if starts(&["sles", "leap", "bci"]) {
            Some(Family::Suse)
        } else {
            None
        }
    };
    let generic = |token: &str| -> Option<Family> {
        let t = token.to_ascii_lowercase();
        let named = DEBIAN_CODENAMES.contains(&t.as_str())
            || UBUNTU_CODENAMES.contains(&t.as_str())
            || t == "debian"
            || t == "ubuntu";
        named.then_some(Family::Debian)
    };
    tokens
        .iter()
        .find_map(|t| specific(t))
        .or_else(|| tokens.iter().find_map(|t| generic(t)))
}

/// `Some(eol)` when the tag's release cycle ended on or before `today`.
pub fn is_eol(image: &Image, today: Date) -> Option<Date> {
    image.cycle.as_ref()?.eol.filter(|eol| *eol <= today)
}

/// The tag to pin `latest`, an untagged reference or a floating alias to:
/// the newest supported cycle (the newest LTS one where the product has LTS
/// cycles), spelled like the original and keeping the variant. Products may
/// ask new cycles to settle first (python: wheels lag a new minor). Never a
/// cycle past its end of life at `today`.
pub fn recommended_tag(image: &Image, today: Date) -> Option<String> {
    let (db, product) = context(image)?;
    let settled = |c: &&CycleEntry| {
        c.supported(today)
            && c.released
                .is_none_or(|r| r.add_days(i64::from(product.settle_days)) <= today)
    };
    let candidates: Vec<&CycleEntry> = product.cycles.iter().filter(settled).collect();
    let cycle = candidates
        .iter()
        .find(|c| c.lts_at(today))
        .or_else(|| candidates.first())?;
    Some(format_tag(db, product, image, cycle, today))
}

/// For a tag whose cycle is past its end of life at `today`: the oldest
/// newer cycle still supported (an LTS one when the tag was LTS), keeping
/// the variant; distro codenames that are themselves past end of life are
/// dropped (`3.8-slim-buster` → `3.11-slim`). `None` when the tag is not
/// end of life or nothing newer is known.
pub fn oldest_supported_tag(image: &Image, today: Date) -> Option<String> {
    let (db, product) = context(image)?;
    is_eol(image, today)?;
    let current = image.cycle_index?;
    let newer: Vec<&CycleEntry> = product
        .cycles
        .get(..current)?
        .iter()
        .filter(|c| c.supported(today))
        .collect();
    let was_lts = product.cycles.get(current)?.lts;
    let cycle = if was_lts && newer.iter().any(|c| c.lts_at(today)) {
        newer.iter().rev().find(|c| c.lts_at(today))
    } else {
        newer.last()
    }?;
    Some(format_tag(db, product, image, cycle, today))
}

/// The data behind an image whose tags carry a release cycle.
fn context(image: &Image) -> Option<(&'static Db, &'static Product)> {
    let db = db()?;
    let entry = db.images.get(image.entry)?;
    if entry.exact_tags_only || entry.fixed_cycle.is_some() {
        return None;
    }
    let product = db.products.get(entry.product.as_ref()?)?;
    Some((db, product))
}

fn format_tag(
    db: &Db,
    product: &Product,
    image: &Image,
    cycle: &CycleEntry,
    today: Date,
) -> String {
    let codename = match image.style {
        Style::Codename => true,
        Style::Number => false,
        Style::Floating => product.prefer_codename,
    };
    let version = match (&cycle.codename, codename) {
        (Some(name), true) => name.as_str(),
        _ => cycle.name.as_str(),
    };
    let variant = retarget_variant(db, &image.variant, today);
    let mut tag = format!("{}{version}", product.tag_prefix);
    if !variant.is_empty() {
        tag.push('-');
        tag.push_str(&variant);
    }
    tag
}

/// The variant, made valid for another release: `alpine3.19` floats to
/// `alpine` (each cycle ships its own Alpine minor), and a Debian or Ubuntu
/// codename past its end of life is dropped. A supported codename is kept,
/// though the target cycle may not build on it; images usually keep the
/// previous distro release for a while, so this is the common case.
fn retarget_variant(db: &Db, variant: &str, today: Date) -> String {
    variant
        .split('-')
        .filter(|t| !t.is_empty())
        .filter_map(|token| {
            let lower = token.to_ascii_lowercase();
            if lower.starts_with("alpine") {
                return Some("alpine".to_string());
            }
            let distro_cycle = ["debian", "ubuntu"].iter().find_map(|p| {
                db.products
                    .get(*p)?
                    .cycles
                    .iter()
                    .find(|c| c.codename.as_deref() == Some(lower.as_str()))
            });
            match distro_cycle {
                Some(cycle) if !cycle.supported(today) => None,
                _ => Some(token.to_string()),
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// A Docker Hub namespace of a Verified Publisher or a Docker-Sponsored
/// Open Source project: not `library/`, but trusted enough that DF205
/// does not flag it.
pub fn is_verified_publisher(namespace: &str) -> bool {
    let namespace = namespace.trim().trim_end_matches('/').to_ascii_lowercase();
    db().is_some_and(|db| db.trusted_namespaces.contains(&namespace))
}

/// The distro family a package-manager command implies (`/sbin/apk` →
/// Alpine). `apk` also runs on Wolfi; the command alone cannot tell.
pub fn distro_of_package_manager(command: &str) -> Option<Family> {
    let base = command.rsplit('/').next().unwrap_or(command);
    match base {
        "apk" => Some(Family::Alpine),
        "apt-get" | "apt" | "aptitude" | "apt-cache" | "apt-mark" | "dpkg" | "dpkg-reconfigure" => {
            Some(Family::Debian)
        }
        "yum" | "dnf" | "microdnf" | "rpm" | "tdnf" => Some(Family::Rhel),
        "zypper" => Some(Family::Suse),
        _ => None,
    }
}

/// From a registry's tag list (online lookups): the newest plain version tag
/// of the given variant (`1.10.2`, `v3`, or `22.1.0-alpine` for variant
/// `alpine`), skipping pre-releases and, for known images, versions past their
/// end of life at `today`. Among equal versions the most specific spelling
/// wins (`22.1.0` over `22`).
pub fn newest_listed_tag(
    name: &str,
    variant: &str,
    tags: &[String],
    today: Date,
) -> Option<String> {
    let mut best: Option<(Vec<u64>, &String)> = None;
    for tag in tags {
        let (version, suffix) = match tag.find('-') {
            Some(dash) => (&tag[..dash], &tag[dash + 1..]),
            None => (tag.as_str(), ""),
        };
        if suffix != variant {
            continue;
        }
        let digits = version.strip_prefix('v').unwrap_or(version);
        let Some(parts) = digits
            .split('.')
            .map(|p| p.parse::<u64>().ok())
            .collect::<Option<Vec<u64>>>()
        else {
            continue;
        };
        if lookup(name, Some(tag)).is_some_and(|image| is_eol(&image, today).is_some()) {
            continue;
        }
        if best.as_ref().is_none_or(|(b, _)| parts > *b) {
            best = Some((parts, tag));
        }
    }
    best.map(|(_, tag)| tag.clone())
}
