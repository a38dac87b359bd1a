#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::data::{load, CYCLES_TOML, IMAGES_TOML, PUBLISHERS_TOML};
use super::*;

fn d(text: &str) -> Date {
    Date::parse(text).unwrap()
}

fn today() -> Date {
    as_of()
}

fn image(reference: &str) -> Image {
    lookup(reference, None).unwrap_or_else(|| panic!("no knowledge about {reference}"))
}

#[test]
fn data_files_parse() {
    let db = load(IMAGES_TOML, CYCLES_TOML, PUBLISHERS_TOML).unwrap();
    assert_eq!(db.as_of, d("2026-11-27"));
    assert_eq!(as_of(), db.as_of);
    assert!(db.images.len() > 50);
}

#[test]
fn broken_data_is_an_error_not_a_panic() {
    assert!(load("as_of = 1", CYCLES_TOML, PUBLISHERS_TOML).is_err());
    assert!(load(IMAGES_TOML, "nonsense = [", PUBLISHERS_TOML).is_err());
    let bad_date = CYCLES_TOML.replacen("2029-04-30", "2029-04-31", 1);
    assert!(load(IMAGES_TOML, &bad_date, PUBLISHERS_TOML).is_err());
    let stale = PUBLISHERS_TOML.replacen("2026-11-27", "2025-01-01", 1);
    assert!(load(IMAGES_TOML, CYCLES_TOML, &stale).is_err());
    let unknown_product = IMAGES_TOML.replacen("product = \"nodejs\"", "product = \"nope\"", 1);
    assert!(load(&unknown_product, CYCLES_TOML, PUBLISHERS_TOML).is_err());
}

#[test]
fn every_cycle_is_well_formed() {
    let db = load(IMAGES_TOML, CYCLES_TOML, PUBLISHERS_TOML).unwrap();
    for (key, product) in &db.products {
        assert!(!product.cycles.is_empty(), "{key} has no cycles");
        let mut names = std::collections::HashSet::new();
        for cycle in &product.cycles {
            assert!(names.insert(&cycle.name), "{key} {} twice", cycle.name);
            if let (Some(released), Some(eol)) = (cycle.released, cycle.eol) {
                assert!(released < eol, "{key} {} ends before it starts", cycle.name);
            }
        }
        // Newest first: release dates, where given, must not increase.
        let released: Vec<Date> = product.cycles.iter().filter_map(|c| c.released).collect();
        assert!(
            released.windows(2).all(|w| w[0] >= w[1]),
            "{key} is not newest first"
        );
    }
}

#[test]
fn every_image_has_a_family_and_resolves() {
    let db = load(IMAGES_TOML, CYCLES_TOML, PUBLISHERS_TOML).unwrap();
    for entry in &db.images {
        assert_ne!(entry.family, Family::Unknown);
        for pattern in &entry.patterns {
            if let data::Pattern::Exact(name) = pattern {
                let found = lookup(name, None).unwrap_or_else(|| panic!("{name}"));
                assert_eq!(found.family, entry.family, "{name}");
            }
        }
        if let Some(fixed) = &entry.fixed_cycle {
            let product = &db.products[entry.product.as_ref().unwrap()];
            assert!(product.cycles.iter().any(|c| &c.name == fixed));
        }
    }
}

#[test]
fn recommended_tags_are_never_eol() {
    let db = load(IMAGES_TOML, CYCLES_TOML, PUBLISHERS_TOML).unwrap();
    for entry in &db.images {
        let Some(data::Pattern::Exact(name)) = entry.patterns.first() else {
            continue;
        };
        for tag in ["latest", "alpine", "slim", "lts"] {
            let img = lookup(name, Some(tag)).unwrap();
            if let Some(recommended) = recommended_tag(&img, today()) {
                let pinned = lookup(name, Some(&recommended)).unwrap();
                assert!(pinned.cycle.is_some(), "{name}:{recommended} has no cycle");
                assert_eq!(is_eol(&pinned, today()), None, "{name}:{recommended}");
            }
        }
    }
}

// --- Date ----------------------------------------------------------------

#[test]
fn dates_parse_and_print() {
    assert_eq!(
        d("2026-11-27"),
        Date {
            year: 2026,
            month: 11,
            day: 27
        }
    );
    assert_eq!(d("2024-02-29").to_string(), "2024-02-29");
    assert_eq!(
        Date {
            year: 7,
            month: 1,
            day: 2
        }
        .to_string(),
        "0007-01-02"
    );
    for bad in [
        "2025-02-29",
        "2026-13-01",
        "2026-00-10",
        "2026-1-01",
        "26-01-01",
        "2026-01-01x",
        "",
        "2026-04-31",
    ] {
        assert_eq!(Date::parse(bad), None, "{bad}");
    }
    assert_eq!(Date::parse(" 2000-02-29 "), Some(d("2000-02-29")));
    assert_eq!(Date::parse("1900-02-29"), None);
}

#[test]
fn dates_order_chronologically() {
    assert!(d("2025-12-31") < d("2026-01-01"));
    assert!(d("2026-02-01") > d("2026-01-31"));
    assert!(d("2026-11-27") == d("2026-11-27"));
}

#[test]
fn dates_from_unix_days() {
    assert_eq!(Date::from_unix_days(0), d("1970-01-01"));
    assert_eq!(Date::from_unix_days(-1), d("1969-12-31"));
    assert_eq!(Date::from_unix_days(11_016), d("2000-02-29"));
    assert_eq!(Date::from_unix_days(20_419), d("2025-11-27"));
    assert_eq!(Date::from_unix_days(20_784), d("2026-11-27"));
    for days in (-700_000..800_000).step_by(997) {
        assert_eq!(Date::from_unix_days(days).to_unix_days(), days);
    }
    assert_eq!(d("2026-11-27").add_days(35), d("2027-01-01"));
}

// --- Names ------------------------------------------------------------------

#[test]
fn normalize_follows_docker() {
    let n = normalize("node");
    assert_eq!(
        (n.registry.as_str(), n.path.as_str(), n.short.as_str()),
        ("docker.io", "library/node", "node")
    );
    assert!(n.is_official());
    for same in [
        "library/node",
        "docker.io/node",
        "docker.io/library/node",
        "index.docker.io/library/node",
        "registry-1.docker.io/library/node",
        "NODE",
        "node:20",
        "node@sha256:abc",
    ] {
        assert_eq!(normalize(same), n, "{same}");
    }
    let b = normalize("bitnami/redis");
    assert_eq!(
        (b.registry.as_str(), b.path.as_str(), b.short.as_str()),
        ("docker.io", "bitnami/redis", "bitnami/redis")
    );
    assert!(!b.is_official());
    assert_eq!(b.hub_namespace(), Some("bitnami"));
    let g = normalize("gcr.io/distroless/static-debian12:nonroot");
    assert_eq!(
        (g.registry.as_str(), g.path.as_str()),
        ("gcr.io", "distroless/static-debian12")
    );
    assert_eq!(g.short, "gcr.io/distroless/static-debian12");
    assert_eq!(g.hub_namespace(), None);
    let l = normalize("localhost/app");
    assert_eq!((l.registry.as_str(), l.path.as_str()), ("localhost", "app"));
    let p = normalize("localhost:5000/team/app:1.0");
    assert_eq!(
        (p.registry.as_str(), p.path.as_str()),
        ("localhost:5000", "team/app")
    );
    let u = normalize("user/app");
    assert_eq!(
        (u.registry.as_str(), u.path.as_str()),
        ("docker.io", "user/app")
    );
}

// --- Lookup -------------------------------------------------------------------

#[test]
fn unknown_repositories_are_none() {
    assert_eq!(lookup("example.com/team/app", Some("1.0")), None);
    assert_eq!(lookup("someone/thing", None), None);
}

#[test]
fn node_tags() {
    let cases = [
        ("20", Some("20"), "", Family::Debian),
        ("20.11.1", Some("20"), "", Family::Debian),
        ("20-alpine", Some("20"), "alpine", Family::Alpine),
        ("20.11-alpine3.19", Some("20"), "alpine3.19", Family::Alpine),
        ("lts", None, "", Family::Debian),
        ("lts-slim", None, "slim", Family::Debian),
        ("current-alpine", None, "alpine", Family::Alpine),
        ("bookworm-slim", None, "bookworm-slim", Family::Debian),
        ("22-bookworm", Some("22"), "bookworm", Family::Debian),
        ("16-alpine", Some("16"), "alpine", Family::Alpine),
        ("latest", None, "", Family::Debian),
        ("alpine", None, "alpine", Family::Alpine),
        ("slim", None, "slim", Family::Debian),
    ];
    for (tag, cycle, variant, family) in cases {
        let img = lookup("node", Some(tag)).unwrap();
        assert_eq!(img.cycle.as_ref().map(|c| c.name.as_str()), cycle, "{tag}");
        assert_eq!(img.variant, variant, "{tag}");
        assert_eq!(img.family, family, "{tag}");
        assert!(img.official && !img.verified_publisher);
        assert_eq!(
            img.users,
            vec![User {
                name: "node".into(),
                uid: 1000,
                gid: 1000
            }]
        );
        assert_eq!(img.default_user, None, "node runs as root");
    }
    assert_eq!(image("node:20.11.1").version.as_deref(), Some("20.11.1"));
    assert_eq!(image("node:lts-slim").version.as_deref(), Some("lts"));
    assert_eq!(image("node").version, None);
    assert!(image("node:22").cycle.unwrap().lts);
    assert!(!image("node:21").cycle.unwrap().lts);
}

#[test]
fn untagged_and_tag_in_name() {
    assert_eq!(lookup("node", None).unwrap().variant, "");
    assert_eq!(
        lookup("node:20-alpine", None).unwrap().family,
        Family::Alpine
    );
    // An explicit tag wins over one in the name.
    assert_eq!(
        lookup("node:20-alpine", Some("22")).unwrap().family,
        Family::Debian
    );
    assert_eq!(
        lookup("docker.io/library/node", Some("")).unwrap().cycle,
        None
    );
}

#[test]
fn python_tags() {
    let img = image("python:3.12-slim-bookworm");
    assert_eq!(img.cycle.unwrap().name, "3.12");
    assert_eq!(img.variant, "slim-bookworm");
    assert_eq!(img.family, Family::Debian);
    assert_eq!(image("python:3.12.4").cycle.unwrap().name, "3.12");
    assert_eq!(image("python:3.1").cycle, None);
    assert_eq!(image("python:3").cycle, None, "python:3 floats");
    assert_eq!(image("python:3.13-alpine3.20").family, Family::Alpine);
    assert_eq!(
        image("python:3.14.0rc2-bookworm").cycle.unwrap().name,
        "3.14"
    );
    assert_eq!(image("python:2.7").cycle.unwrap().name, "2.7");
    assert_eq!(
        image("python:3.13-windowsservercore-ltsc2022").family,
        Family::Windows
    );
    assert!(image("python").users.is_empty());
}

#[test]
fn distro_tags() {
    let bookworm = image("debian:bookworm-slim");
    assert_eq!(bookworm.cycle.as_ref().unwrap().name, "12");
    assert_eq!(
        bookworm.cycle.unwrap().codename.as_deref(),
        Some("bookworm")
    );
    assert_eq!(bookworm.variant, "slim");
    assert_eq!(image("debian:12").cycle.unwrap().name, "12");
    assert_eq!(image("debian:12.5-slim").variant, "slim");
    assert_eq!(image("debian:bookworm-20240110-slim").variant, "slim");
    assert_eq!(image("debian:stable-slim").cycle, None);
    assert_eq!(
        image("ubuntu:22.04").cycle.unwrap().codename.as_deref(),
        Some("jammy")
    );
    assert_eq!(image("ubuntu:jammy").cycle.unwrap().name, "22.04");
    assert_eq!(image("ubuntu:jammy-20240530").variant, "");
    assert_eq!(image("ubuntu").family, Family::Debian);
    assert_eq!(image("alpine:3.20").cycle.unwrap().name, "3.20");
    assert_eq!(image("alpine:3.20.1").cycle.unwrap().name, "3.20");
    assert_eq!(image("alpine:edge").cycle, None);
    assert_eq!(image("alpine").family, Family::Alpine);
    assert_eq!(image("centos:7").family, Family::Rhel);
    assert_eq!(image("centos:centos7").cycle.unwrap().name, "7");
    assert!(image("centos:7").deprecated.is_some());
    assert_eq!(image("rockylinux:9-minimal").cycle.unwrap().name, "9");
    assert_eq!(image("almalinux:8").family, Family::Rhel);
    assert_eq!(image("fedora:40").cycle.unwrap().name, "40");
    assert_eq!(image("amazonlinux:2023").cycle.unwrap().name, "2023");
    assert_eq!(
        image("amazonlinux:2023.5.20240624").cycle.unwrap().name,
        "2023"
    );
    assert_eq!(image("oraclelinux:9-slim").family, Family::Rhel);
    assert_eq!(image("busybox:1.36-musl").family, Family::Busybox);
    assert_eq!(image("busybox").family, Family::Busybox);
    assert_eq!(image("scratch").family, Family::Scratch);
    assert_eq!(
        image("quay.io/centos/centos:stream9").cycle.unwrap().name,
        "stream9"
    );
    assert_eq!(image("opensuse/leap:15.6").family, Family::Suse);
    assert_eq!(
        image("registry.suse.com/bci/bci-base:15.6").family,
        Family::Suse
    );
}

#[test]
fn java_tags() {
    let img = image("eclipse-temurin:17-jdk-jammy");
    assert_eq!(img.cycle.unwrap().name, "17");
    assert_eq!(img.variant, "jdk-jammy");
    assert_eq!(img.family, Family::Debian);
    assert_eq!(
        image("eclipse-temurin:21-jre-alpine").family,
        Family::Alpine
    );
    assert_eq!(
        image("eclipse-temurin:21.0.3_9-jdk-ubi9-minimal").family,
        Family::Rhel
    );
    assert_eq!(
        image("eclipse-temurin:21.0.3_9-jdk").cycle.unwrap().name,
        "21"
    );
    assert!(image("eclipse-temurin:21").users.is_empty());
    let openjdk = image("openjdk:17-jdk-slim");
    assert!(openjdk.deprecated.unwrap().contains("eclipse-temurin"));
    assert_eq!(image("openjdk:21").family, Family::Rhel);
    assert_eq!(image("amazoncorretto:21-al2023").family, Family::Rhel);
    assert_eq!(image("amazoncorretto:17-alpine").family, Family::Alpine);
    assert_eq!(
        image("tomcat:10.1-jdk21-temurin-jammy").cycle.unwrap().name,
        "10.1"
    );
    assert_eq!(
        image("maven:3.9-eclipse-temurin-21-alpine").family,
        Family::Alpine
    );
}

#[test]
fn other_runtimes() {
    assert_eq!(image("golang:1.22-alpine").cycle.unwrap().name, "1.22");
    assert_eq!(image("golang:1.22-alpine").family, Family::Alpine);
    assert_eq!(image("golang:1.23rc1-bookworm").cycle.unwrap().name, "1.23");
    assert_eq!(image("golang:1").cycle, None);
    assert_eq!(image("ruby:3.3-slim-bookworm").cycle.unwrap().name, "3.3");
    let php = image("php:8.3-fpm-alpine3.20");
    assert_eq!(
        (php.cycle.unwrap().name.as_str(), php.variant.as_str()),
        ("8.3", "fpm-alpine3.20")
    );
    assert_eq!(image("php:8.3-apache").users[0].uid, 33);
    assert_eq!(image("php:8.3-fpm-alpine").users[0].uid, 82);
    assert_eq!(image("rust:1.78-slim-bookworm").family, Family::Debian);
    assert_eq!(image("perl:5.40-slim").cycle.unwrap().name, "5.40");
    assert_eq!(image("gcc:14").cycle.unwrap().name, "14");
}

#[test]
fn dotnet_tags() {
    let sdk = image("mcr.microsoft.com/dotnet/sdk:8.0");
    assert_eq!(sdk.cycle.unwrap().name, "8.0");
    assert!(!sdk.official);
    assert_eq!(sdk.default_user, None);
    assert_eq!(sdk.users[0].uid, 1654);
    let chiseled = image("mcr.microsoft.com/dotnet/aspnet:8.0-noble-chiseled");
    assert_eq!(chiseled.family, Family::Distroless);
    assert_eq!(chiseled.default_user.unwrap().name, "app");
    assert_eq!(
        image("mcr.microsoft.com/dotnet/runtime:8.0.6-bookworm-slim").family,
        Family::Debian
    );
    assert_eq!(
        image("mcr.microsoft.com/dotnet/aspnet:9.0-alpine").family,
        Family::Alpine
    );
}

#[test]
fn server_images_and_users() {
    let nginx = image("nginx:stable-alpine");
    assert_eq!((nginx.family, nginx.cycle.clone()), (Family::Alpine, None));
    assert_eq!(
        nginx.users[0],
        User {
            name: "nginx".into(),
            uid: 101,
            gid: 101
        }
    );
    assert_eq!(nginx.default_user, None);
    assert_eq!(image("nginx:mainline").version.as_deref(), Some("mainline"));
    assert_eq!(
        image("nginx:1.27.0-alpine-slim").cycle.unwrap().name,
        "1.27"
    );
    let unprivileged = image("nginxinc/nginx-unprivileged:1.27-alpine");
    assert_eq!(unprivileged.default_user.unwrap().uid, 101);
    assert!(unprivileged.verified_publisher && !unprivileged.official);
    assert_eq!(image("postgres:16").users[0].name, "postgres");
    assert_eq!(image("postgres:16-alpine").users[0].uid, 70);
    assert_eq!(image("redis:7.2-alpine").users[0].gid, 1000);
    assert_eq!(image("redis").users[0].name, "redis");
    assert_eq!(image("mongo:7.0-jammy").users[0].name, "mongodb");
    assert_eq!(image("httpd:2.4").users[0].name, "www-data");
    assert_eq!(image("mysql:8.0").family, Family::Rhel);
    assert_eq!(image("mysql:8.0-debian").family, Family::Debian);
    assert_eq!(image("mariadb:11.4").users[0].name, "mysql");
    assert_eq!(image("memcached").default_user.unwrap().uid, 11211);
    assert_eq!(image("haproxy:3.0").default_user.unwrap().name, "haproxy");
    assert!(image("tomcat:9.0").users.is_empty());
    assert_eq!(image("traefik:v3.1").cycle.unwrap().name, "3");
    assert_eq!(image("traefik:3.1").cycle.unwrap().name, "3");
    let elastic = image("elasticsearch:8.15.0");
    assert!(elastic.official);
    assert_eq!(elastic.default_user.unwrap().uid, 1000);
    assert_eq!(
        image("docker.elastic.co/elasticsearch/elasticsearch:8.15.0")
            .cycle
            .unwrap()
            .name,
        "8"
    );
    assert_eq!(image("rabbitmq:3.13-management-alpine").users[0].uid, 100);
}

#[test]
fn distroless_chainguard_and_others() {
    let root = image("gcr.io/distroless/static-debian12");
    assert_eq!(
        (root.family, root.default_user.clone()),
        (Family::Distroless, None)
    );
    assert_eq!(root.cycle.unwrap().name, "12");
    let nonroot = image("gcr.io/distroless/static-debian12:nonroot");
    assert_eq!(nonroot.default_user.unwrap().uid, 65532);
    assert_eq!(
        image("gcr.io/distroless/java21-debian12:debug-nonroot")
            .default_user
            .unwrap()
            .name,
        "nonroot"
    );
    assert_eq!(image("gcr.io/distroless/base:debug").default_user, None);
    assert_eq!(
        image("gcr.io/distroless/base-debian11").cycle.unwrap().name,
        "11"
    );
    let cg = image("cgr.dev/chainguard/python:latest");
    assert_eq!(
        (cg.family, cg.default_user.unwrap().uid),
        (Family::Wolfi, 65532)
    );
    assert_eq!(
        image("cgr.dev/chainguard/python:latest-dev").default_user,
        None
    );
    assert_eq!(
        image("registry.access.redhat.com/ubi9/ubi-minimal:9.4").family,
        Family::Rhel
    );
    assert_eq!(
        image("registry.access.redhat.com/ubi9/ubi-minimal").default_user,
        None
    );
    assert_eq!(
        image("registry.access.redhat.com/ubi9/nodejs-20")
            .default_user
            .unwrap()
            .uid,
        1001
    );
    assert_eq!(
        image("registry.access.redhat.com/ubi8/ubi")
            .cycle
            .unwrap()
            .name,
        "8"
    );
    assert_eq!(image("redhat/ubi9").family, Family::Rhel);
    assert!(image("redhat/ubi9").verified_publisher);
    let win = image("mcr.microsoft.com/windows/servercore:ltsc2022");
    assert_eq!(
        (win.family, win.cycle.unwrap().name.as_str()),
        (Family::Windows, "ltsc2022")
    );
    assert_eq!(
        image("mcr.microsoft.com/windows/nanoserver:1809").family,
        Family::Windows
    );
    let bitnami = image("bitnami/redis:7.2");
    assert!(bitnami.verified_publisher && !bitnami.official);
    assert_eq!(bitnami.default_user.unwrap().uid, 1001);
}

// --- End of life ------------------------------------------------------------

#[test]
fn eol_verdicts() {
    let t = today();
    assert_eq!(is_eol(&image("node:14-alpine"), t), Some(d("2023-04-30")));
    assert_eq!(is_eol(&image("node:20"), t), Some(d("2026-04-30")));
    assert_eq!(is_eol(&image("node:22"), t), None);
    assert_eq!(is_eol(&image("node:lts"), t), None);
    assert_eq!(is_eol(&image("node"), t), None);
    assert_eq!(
        is_eol(&image("python:3.8-slim-buster"), t),
        Some(d("2024-10-07"))
    );
    assert_eq!(is_eol(&image("python:3.10"), t), Some(d("2026-10-31")));
    assert_eq!(is_eol(&image("python:3.11"), t), None);
    assert!(is_eol(&image("debian:buster"), t).is_some());
    assert!(is_eol(&image("debian:bullseye-slim"), t).is_some());
    assert_eq!(is_eol(&image("debian:bookworm"), t), None);
    assert!(is_eol(&image("ubuntu:20.04"), t).is_some());
    assert_eq!(is_eol(&image("ubuntu:22.04"), t), None);
    assert!(is_eol(&image("alpine:3.21"), t).is_some());
    assert!(is_eol(&image("centos:7"), t).is_some());
    assert!(is_eol(&image("golang:1.24-alpine"), t).is_some());
    assert!(is_eol(&image("postgres:14"), t).is_some());
    assert!(is_eol(&image("mysql:8.0"), t).is_some());
    assert!(is_eol(&image("mcr.microsoft.com/dotnet/aspnet:8.0"), t).is_some());
    assert!(is_eol(&image("gcr.io/distroless/base-debian11"), t).is_some());
    assert_eq!(is_eol(&image("gcr.io/distroless/base-debian12"), t), None);
    // On the EOL day itself the cycle is over.
    assert_eq!(
        is_eol(&image("node:20"), d("2026-04-30")),
        Some(d("2026-04-30"))
    );
    assert_eq!(is_eol(&image("node:20"), d("2026-04-29")), None);
}

#[test]
fn recommended_tags() {
    let t = today();
    let rec = |r: &str| recommended_tag(&image(r), t);
    assert_eq!(rec("node:latest").as_deref(), Some("26"));
    assert_eq!(rec("node").as_deref(), Some("26"));
    assert_eq!(rec("node:alpine").as_deref(), Some("26-alpine"));
    assert_eq!(rec("node:lts-slim").as_deref(), Some("26-slim"));
    assert_eq!(rec("node:current-alpine3.19").as_deref(), Some("26-alpine"));
    assert_eq!(
        recommended_tag(&image("node"), d("2026-08-01")).as_deref(),
        Some("24"),
        "26 is not LTS yet"
    );
    assert_eq!(
        rec("python:slim").as_deref(),
        Some("3.14-slim"),
        "3.15 is still settling"
    );
    assert_eq!(
        rec("python:slim-bullseye").as_deref(),
        Some("3.14-slim"),
        "bullseye is EOL"
    );
    assert_eq!(
        rec("python:slim-bookworm").as_deref(),
        Some("3.14-slim-bookworm")
    );
    assert_eq!(rec("ubuntu:latest").as_deref(), Some("26.04"));
    assert_eq!(rec("debian:latest").as_deref(), Some("trixie"));
    assert_eq!(rec("debian:stable-slim").as_deref(), Some("trixie-slim"));
    assert_eq!(rec("nginx:latest").as_deref(), Some("1.30"));
    assert_eq!(rec("nginx:mainline-alpine").as_deref(), Some("1.30-alpine"));
    assert_eq!(rec("alpine").as_deref(), Some("3.24"));
    assert_eq!(rec("golang:alpine").as_deref(), Some("1.27-alpine"));
    assert_eq!(rec("eclipse-temurin:jre").as_deref(), Some("25-jre"));
    assert_eq!(rec("postgres:alpine").as_deref(), Some("18-alpine"));
    assert_eq!(rec("mysql:latest").as_deref(), Some("8.4"));
    assert_eq!(rec("mariadb").as_deref(), Some("11.8"));
    assert_eq!(rec("mongo").as_deref(), Some("8.0"));
    assert_eq!(
        rec("mcr.microsoft.com/dotnet/aspnet:latest").as_deref(),
        Some("10.0")
    );
    assert_eq!(rec("traefik:latest").as_deref(), Some("v3"));
    assert_eq!(rec("haproxy:lts").as_deref(), Some("3.2"));
    // Nothing to suggest without cycles, or when the name fixes the cycle.
    assert_eq!(rec("busybox"), None);
    assert_eq!(rec("rust:latest"), None);
    assert_eq!(rec("elasticsearch:latest"), None);
    assert_eq!(rec("gcr.io/distroless/static-debian12"), None);
    // Against an earlier date the choice moves back.
    let earlier = d("2025-06-01");
    assert_eq!(
        recommended_tag(&image("node:alpine"), earlier).as_deref(),
        Some("22-alpine")
    );
    assert_eq!(
        recommended_tag(&image("python"), earlier).as_deref(),
        Some("3.13")
    );
    assert_eq!(
        recommended_tag(&image("debian"), earlier).as_deref(),
        Some("bookworm")
    );
}

#[test]
fn oldest_supported_tags() {
    let t = today();
    let old = |r: &str| oldest_supported_tag(&image(r), t);
    assert_eq!(old("node:14-alpine").as_deref(), Some("22-alpine"));
    assert_eq!(
        old("node:21").as_deref(),
        Some("22"),
        "from a non-LTS cycle: any supported"
    );
    assert_eq!(old("node:16.20-alpine3.18").as_deref(), Some("22-alpine"));
    assert_eq!(old("python:3.8-slim-buster").as_deref(), Some("3.11-slim"));
    assert_eq!(old("python:3.9-bookworm").as_deref(), Some("3.11-bookworm"));
    assert_eq!(old("debian:buster-slim").as_deref(), Some("bookworm-slim"));
    assert_eq!(old("debian:10").as_deref(), Some("12"));
    assert_eq!(old("ubuntu:20.04").as_deref(), Some("22.04"));
    assert_eq!(old("ubuntu:focal").as_deref(), Some("jammy"));
    assert_eq!(old("alpine:3.18").as_deref(), Some("3.22"));
    assert_eq!(old("golang:1.22-alpine").as_deref(), Some("1.26-alpine"));
    assert_eq!(
        old("eclipse-temurin:8-jdk-focal").as_deref(),
        None,
        "8 is still supported"
    );
    assert_eq!(old("eclipse-temurin:23-jdk").as_deref(), Some("25-jdk"));
    assert_eq!(
        oldest_supported_tag(&image("eclipse-temurin:8-jdk-focal"), d("2026-12-01")).as_deref(),
        Some("11-jdk")
    );
    assert_eq!(old("postgres:13-alpine").as_deref(), Some("15-alpine"));
    assert_eq!(old("nginx:1.24").as_deref(), Some("1.30"));
    assert_eq!(
        old("php:8.1-fpm-alpine3.19").as_deref(),
        Some("8.2-fpm-alpine")
    );
    assert_eq!(
        old("mcr.microsoft.com/dotnet/aspnet:6.0-jammy").as_deref(),
        Some("10.0-jammy")
    );
    assert_eq!(old("centos:7"), None, "no newer CentOS Linux");
    assert_eq!(old("node:22"), None, "not end of life");
    assert_eq!(old("node:latest"), None);
}

#[test]
fn slim_variants() {
    let slim = |r: &str| slim_variant_tag(&image(r));
    assert_eq!(slim("python:3.12").as_deref(), Some("3.12-slim"));
    assert_eq!(
        slim("python:3.12.4-bookworm").as_deref(),
        Some("3.12.4-slim-bookworm")
    );
    assert_eq!(slim("python").as_deref(), Some("slim"));
    assert_eq!(slim("python:bookworm").as_deref(), Some("slim-bookworm"));
    assert_eq!(
        slim("node:20-bookworm").as_deref(),
        Some("20-bookworm-slim")
    );
    assert_eq!(slim("node:lts").as_deref(), Some("lts-slim"));
    assert_eq!(slim("ruby:3.3").as_deref(), Some("3.3-slim"));
    assert_eq!(slim("debian:bookworm").as_deref(), Some("bookworm-slim"));
    assert_eq!(slim("debian").as_deref(), Some("stable-slim"));
    assert_eq!(slim("python:3.12-slim"), None, "already slim");
    assert_eq!(slim("python:3.12-alpine"), None);
    assert_eq!(slim("golang:1.22"), None);
    assert_eq!(
        slim("eclipse-temurin:21-jdk"),
        None,
        "jre is not the same runtime"
    );
    assert_eq!(slim("openjdk:21"), None);
    assert_eq!(slim("nginx:1.27"), None);
}

// --- Publishers and package managers ---------------------------------------------

#[test]
fn verified_publishers() {
    for ns in [
        "bitnami",
        "circleci",
        "grafana",
        "hashicorp",
        "datadog",
        "gitlab",
        "jetbrains",
        "localstack",
        "atlassian",
        "newrelic",
        "sonarsource",
        "portainer",
        "rancher",
        "cimg",
        "Grafana",
    ] {
        assert!(is_verified_publisher(ns), "{ns}");
    }
    for ns in ["library", "someone", "", "bitnami2"] {
        assert!(!is_verified_publisher(ns), "{ns}");
    }
}

#[test]
fn package_managers() {
    assert_eq!(distro_of_package_manager("apk"), Some(Family::Alpine));
    assert_eq!(distro_of_package_manager("/sbin/apk"), Some(Family::Alpine));
    for cmd in ["apt-get", "apt", "dpkg", "/usr/bin/apt-get"] {
        assert_eq!(
            distro_of_package_manager(cmd),
            Some(Family::Debian),
            "{cmd}"
        );
    }
    for cmd in ["yum", "dnf", "microdnf", "rpm"] {
        assert_eq!(distro_of_package_manager(cmd), Some(Family::Rhel), "{cmd}");
    }
    assert_eq!(distro_of_package_manager("zypper"), Some(Family::Suse));
    assert_eq!(distro_of_package_manager("pip"), None);
}

#[test]
fn family_names() {
    assert_eq!(Family::Debian.name(), "Debian/Ubuntu");
    assert_eq!(Family::Alpine.name(), "Alpine");
    assert_eq!(Family::Unknown.name(), "unknown");
}

#[test]
fn newest_listed_tag_picks_the_newest_plain_version_of_the_variant() {
    let tags: Vec<String> = [
        "latest",
        "1.0",
        "1.2",
        "1.10",
        "1.10.1",
        "2.0-rc1",
        "1.11-alpine",
        "v0.9",
        "nightly",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let today = Date::parse("2026-11-27").unwrap();
    assert_eq!(
        newest_listed_tag("ghcr.io/acme/tool", "", &tags, today).as_deref(),
        Some("1.10.1")
    );
    assert_eq!(
        newest_listed_tag("ghcr.io/acme/tool", "alpine", &tags, today).as_deref(),
        Some("1.11-alpine")
    );
    // End-of-life versions of known images are skipped.
    let node: Vec<String> = ["16.20.2", "20.1.0", "22.3.0"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(newest_listed_tag("node", "", &node[..2], today), None);
    assert_eq!(
        newest_listed_tag("node", "", &node, today).as_deref(),
        Some("22.3.0")
    );
}
