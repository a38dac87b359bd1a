//! Variants of images: which tag of the same runtime drops the build tools
//! (DF207's slim switch), and the minimal runtime images a multi-stage
//! conversion builds on (distroless, JRE, ASP.NET, unprivileged nginx),
//! chosen to match the build image's version and distribution.

use super::data::{db, SlimStyle};
use super::{family_of_tokens, lookup, recommended_tag, Date, Family, Image};

/// DF207: the slim tag of the same version when the tag is a full-distro
/// variant (`python:3.12` → `3.12-slim`, `node:20-bookworm` →
/// `20-bookworm-slim`). Only images whose slim variant is the same runtime
/// on a trimmed distro qualify: not alpine (musl changes behaviour), not
/// `jdk` → `jre` (drops tools such as `jcmd` that apps use at run time),
/// not images without a slim variant (golang, php, temurin).
pub fn slim_variant_tag(image: &Image) -> Option<String> {
    let db = db()?;
    let entry = db.images.get(image.entry)?;
    let style = entry.slim?;
    let tokens = variant_tokens(image);
    let codename = match tokens.as_slice() {
        [] => None,
        [one]
            if family_of_tokens(&[one]) == Some(Family::Debian)
                && !one.eq_ignore_ascii_case("debian") =>
        {
            Some(*one)
        }
        _ => return None,
    };
    let Some(version) = image.version.as_deref() else {
        return match codename {
            None => Some(entry.slim_untagged.clone().unwrap_or_else(|| "slim".into())),
            Some(code) => Some(match style {
                SlimStyle::BeforeCodename => format!("slim-{code}"),
                SlimStyle::AfterCodename => format!("{code}-slim"),
            }),
        };
    };
    let parts: Vec<&str> = match (style, codename) {
        (_, None) => vec![version, "slim"],
        (SlimStyle::BeforeCodename, Some(code)) => vec![version, "slim", code],
        (SlimStyle::AfterCodename, Some(code)) => vec![version, code, "slim"],
    };
    Some(parts.join("-"))
}

/// The tag of the same runtime without the build tools, for a runtime stage:
/// the slim tag of a full-distro tag (as DF207 suggests), or the written tag
/// itself when it is already a slim or Alpine variant. Code built in the
/// build stage (native modules, wheels) then runs on the same distribution
/// release and C library. `None` for other variants.
pub fn runtime_variant_tag(image: &Image, written: &str) -> Option<String> {
    if let Some(slim) = slim_variant_tag(image) {
        return Some(slim);
    }
    let minimal = variant_tokens(image).iter().any(|t| {
        let t = t.to_ascii_lowercase();
        t == "slim" || t.starts_with("alpine")
    });
    (minimal && !written.is_empty()).then(|| written.to_owned())
}

fn variant_tokens(image: &Image) -> Vec<&str> {
    image.variant.split('-').filter(|t| !t.is_empty()).collect()
}

/// The same runtime without the build tools, as a whole reference: the
/// slim tag of a full-distro tag (`python:3.13` → `python:3.13-slim`), or
/// for a .NET SDK image the ASP.NET Core runtime of its release (which runs
/// web and console apps alike). DF207 switches a final stage to it; the
/// multi-stage conversion builds its runtime stages from the same data.
pub fn lean_reference(image: &Image, name: &str) -> Option<String> {
    if let Some(runtime) = dotnet_runtime(image, true) {
        return Some(runtime);
    }
    slim_variant_tag(image).map(|tag| format!("{name}:{tag}"))
}

/// The Debian release a tag names by codename (`1.23-bookworm` → 12).
pub fn debian_release(image: &Image) -> Option<u32> {
    let debian = db()?.products.get("debian")?;
    variant_tokens(image).iter().find_map(|token| {
        debian
            .cycles
            .iter()
            .find(|c| {
                c.codename
                    .as_deref()
                    .is_some_and(|n| n.eq_ignore_ascii_case(token))
            })
            .and_then(|c| c.name.parse().ok())
    })
}

/// The Ubuntu codename a tag names (`21-jdk-jammy` → `jammy`).
fn ubuntu_codename(image: &Image) -> Option<String> {
    let ubuntu = db()?.products.get("ubuntu")?;
    variant_tokens(image).iter().find_map(|token| {
        ubuntu
            .cycles
            .iter()
            .find_map(|c| {
                c.codename
                    .as_ref()
                    .filter(|n| n.eq_ignore_ascii_case(token))
            })
            .cloned()
    })
}

/// Which distroless image: `static` (no C library), `base` (glibc, libssl),
/// `cc` (base + libgcc and libstdc++).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Distroless {
    Static,
    Base,
    Cc,
}

/// Debian releases distroless publishes images for.
const DISTROLESS_RELEASES: [u32; 2] = [12, 13];

/// The distroless runtime image for a binary built on `build`, running as
/// `nonroot`. Its Debian release is the one the build image names; a binary
/// that links glibc and comes from a tag that names none gets the newest
/// release (13): the default tags of current images are built on it, and a
/// binary linked against an older glibc runs on a newer one, never the
/// other way round. A static binary needs no C library and gets 12.
pub fn distroless_image(kind: Distroless, build: Option<&Image>) -> String {
    let named = build.and_then(debian_release);
    let release = match (named, kind) {
        (Some(r), _) if DISTROLESS_RELEASES.contains(&r) => r,
        // Older releases have no supported distroless images; a newer C library runs their binaries.
        (Some(_), _) => DISTROLESS_RELEASES[0],
        (None, Distroless::Static) => 12,
        (None, _) => 13,
    };
    let name = match kind {
        Distroless::Static => "static",
        Distroless::Base => "base",
        Distroless::Cc => "cc",
    };
    format!("gcr.io/distroless/{name}-debian{release}:nonroot")
}

/// The Java feature release a JDK image provides: `eclipse-temurin:21-jdk`,
/// `openjdk:17-slim`, `amazoncorretto:21`, `maven:3.9-eclipse-temurin-21`,
/// `maven:3-openjdk-17`, `gradle:8.10-jdk21`. `None` when the tag does not
/// say (`maven:3.9`).
pub fn java_major(image: &Image, tag: &str) -> Option<u32> {
    let short = image.name.short.as_str();
    let number = |text: &str| -> Option<u32> {
        let digits: String = text.chars().take_while(char::is_ascii_digit).collect();
        // `8u392-b08`, `17.0.9_9`, `21`.
        digits.parse().ok().filter(|n| (8..=40).contains(n))
    };
    if matches!(
        short,
        "eclipse-temurin" | "openjdk" | "amazoncorretto" | "sapmachine" | "ibm-semeru-runtimes"
    ) {
        return number(tag);
    }
    let tokens: Vec<&str> = tag.split('-').collect();
    for (i, token) in tokens.iter().enumerate() {
        if let Some(rest) = token
            .strip_prefix("jdk")
            .or_else(|| token.strip_prefix("java"))
        {
            if let Some(n) = number(rest) {
                return Some(n);
            }
        }
        let vendor = matches!(
            *token,
            "temurin" | "openjdk" | "amazoncorretto" | "corretto" | "sapmachine" | "semeru"
        );
        if vendor {
            if let Some(n) = tokens.get(i + 1).and_then(|t| number(t)) {
                return Some(n);
            }
        }
    }
    None
}

/// `eclipse-temurin:<major>-jre` on the build image's distribution: Alpine
/// stays Alpine, an Ubuntu codename is kept.
pub fn temurin_jre(major: u32, build: &Image) -> String {
    let mut tag = format!("{major}-jre");
    if build.family == Family::Alpine {
        tag.push_str("-alpine");
    } else if let Some(codename) = ubuntu_codename(build) {
        tag.push('-');
        tag.push_str(&codename);
    }
    format!("eclipse-temurin:{tag}")
}

/// The .NET runtime image of an SDK image's release, same variant:
/// `mcr.microsoft.com/dotnet/sdk:8.0-alpine` → `…/aspnet:8.0-alpine`
/// (`runtime` instead of `aspnet` for apps that are not web apps).
pub fn dotnet_runtime(build: &Image, web: bool) -> Option<String> {
    if build.name.full() != "mcr.microsoft.com/dotnet/sdk" {
        return None;
    }
    let cycle = build.cycle.as_ref()?;
    let mut tag = cycle.name.clone();
    if !build.variant.is_empty() {
        tag.push('-');
        tag.push_str(&build.variant);
    }
    let repository = if web { "aspnet" } else { "runtime" };
    Some(format!("mcr.microsoft.com/dotnet/{repository}:{tag}"))
}

/// The feature release of a .NET image (`8.0` → 8).
pub fn dotnet_major(image: &Image) -> Option<u32> {
    image.cycle.as_ref()?.name.split('.').next()?.parse().ok()
}

/// The unprivileged nginx image (runs as `nginx`, listens on 8080) on the
/// current stable release, Alpine variant.
pub fn nginx_unprivileged(today: Date) -> String {
    let name = "nginxinc/nginx-unprivileged";
    let tag = lookup(name, Some("stable-alpine"))
        .and_then(|image| recommended_tag(&image, today))
        .unwrap_or_else(|| "stable-alpine".to_owned());
    format!("{name}:{tag}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(reference: &str) -> Image {
        let (name, tag) = reference.split_once(':').unwrap_or((reference, ""));
        lookup(name, Some(tag)).unwrap_or_else(|| panic!("{reference} is known"))
    }

    #[test]
    fn runtime_variants_keep_version_and_distribution() {
        let runtime = |r: &str| {
            let tag = r.split_once(':').map_or("", |(_, t)| t);
            runtime_variant_tag(&image(r), tag)
        };
        assert_eq!(runtime("python:3.12").as_deref(), Some("3.12-slim"));
        assert_eq!(
            runtime("python:3.12-bookworm").as_deref(),
            Some("3.12-slim-bookworm")
        );
        assert_eq!(runtime("python:3.12-slim").as_deref(), Some("3.12-slim"));
        assert_eq!(
            runtime("node:22-alpine3.20").as_deref(),
            Some("22-alpine3.20")
        );
        assert_eq!(
            runtime("node:22-bookworm").as_deref(),
            Some("22-bookworm-slim")
        );
        assert_eq!(runtime("golang:1.23"), None);
    }

    #[test]
    fn lean_references() {
        let lean = |r: &str| {
            let (name, _) = r.split_once(':').unwrap_or((r, ""));
            lean_reference(&image(r), name)
        };
        assert_eq!(lean("python:3.13").as_deref(), Some("python:3.13-slim"));
        assert_eq!(
            lean("mcr.microsoft.com/dotnet/sdk:8.0-jammy").as_deref(),
            Some("mcr.microsoft.com/dotnet/aspnet:8.0-jammy")
        );
        assert_eq!(lean("mcr.microsoft.com/dotnet/aspnet:8.0"), None);
        assert_eq!(lean("python:3.13-slim"), None);
    }

    #[test]
    fn distroless_release_follows_the_build_image() {
        let go = image("golang:1.23-bookworm");
        assert_eq!(
            distroless_image(Distroless::Static, Some(&go)),
            "gcr.io/distroless/static-debian12:nonroot"
        );
        let trixie = image("rust:1.85-trixie");
        assert_eq!(
            distroless_image(Distroless::Cc, Some(&trixie)),
            "gcr.io/distroless/cc-debian13:nonroot"
        );
        let unnamed = image("rust:1.85");
        assert_eq!(
            distroless_image(Distroless::Cc, Some(&unnamed)),
            "gcr.io/distroless/cc-debian13:nonroot"
        );
        assert_eq!(
            distroless_image(Distroless::Static, Some(&unnamed)),
            "gcr.io/distroless/static-debian12:nonroot"
        );
        let bullseye = image("golang:1.20-bullseye");
        assert_eq!(
            distroless_image(Distroless::Base, Some(&bullseye)),
            "gcr.io/distroless/base-debian12:nonroot"
        );
    }

    #[test]
    fn java_releases_of_jdk_images() {
        let major = |r: &str| {
            let tag = r.split_once(':').map_or("", |(_, t)| t);
            java_major(&image(r), tag)
        };
        assert_eq!(major("eclipse-temurin:21-jdk"), Some(21));
        assert_eq!(major("eclipse-temurin:17.0.9_9-jdk-jammy"), Some(17));
        assert_eq!(major("openjdk:8u342-jdk"), Some(8));
        assert_eq!(major("maven:3.9-eclipse-temurin-21"), Some(21));
        assert_eq!(major("maven:3.8.5-openjdk-17-slim"), Some(17));
        assert_eq!(major("gradle:8.10-jdk21"), Some(21));
        assert_eq!(major("gradle:jdk17-alpine"), Some(17));
        assert_eq!(major("maven:3.9"), None);
        assert_eq!(
            temurin_jre(21, &image("maven:3.9-eclipse-temurin-21-alpine")),
            "eclipse-temurin:21-jre-alpine"
        );
        assert_eq!(
            temurin_jre(17, &image("eclipse-temurin:17-jdk-jammy")),
            "eclipse-temurin:17-jre-jammy"
        );
    }

    #[test]
    fn dotnet_and_nginx_runtimes() {
        let sdk = image("mcr.microsoft.com/dotnet/sdk:8.0-alpine");
        assert_eq!(
            dotnet_runtime(&sdk, true).as_deref(),
            Some("mcr.microsoft.com/dotnet/aspnet:8.0-alpine")
        );
        let sdk = image("mcr.microsoft.com/dotnet/sdk:9.0");
        assert_eq!(
            dotnet_runtime(&sdk, false).as_deref(),
            Some("mcr.microsoft.com/dotnet/runtime:9.0")
        );
        assert_eq!(dotnet_major(&sdk), Some(9));
        let today = Date::parse("2026-11-27").unwrap_or(super::super::as_of());
        assert_eq!(
            nginx_unprivileged(today),
            "nginxinc/nginx-unprivileged:1.30-alpine"
        );
    }
}
