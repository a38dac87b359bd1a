//! The system packages of the build, sorted for the runtime stage: build
//! tools and download helpers stay behind, libraries the runtime image
//! already has are dropped, and what the program needs at run time is
//! installed again in the runtime stage (or the conversion is not offered
//! when the runtime image cannot install packages).

use super::build::Build;
use super::NotOffered;
use crate::knowledge::Family;
use crate::rules::build_tools_in_final_stage::is_build_tool;

/// What the runtime image can do with packages, and which development
/// packages' libraries it already ships.
#[derive(Debug, Clone, Copy)]
pub struct RuntimeLibraries {
    /// The runtime image has a package manager (slim, Alpine, JRE, ASP.NET).
    pub installs: bool,
    /// Development packages whose libraries the runtime image has.
    pub provided: &'static [&'static str],
    /// The program links no system library at all (a static binary): every
    /// development package was for the build only.
    pub static_binary: bool,
}

/// Packages that only fetch, unpack or verify things during a build.
const HELPERS: &[&str] = &[
    "curl",
    "wget",
    "git",
    "ca-certificates",
    "gnupg",
    "gnupg2",
    "dirmngr",
    "unzip",
    "zip",
    "xz-utils",
    "xz",
    "bzip2",
    "tar",
    "gzip",
    "apt-transport-https",
    "apt-utils",
    "software-properties-common",
    "lsb-release",
    "openssh-client",
    "openssh",
    "ssh",
    "python3",
    "python",
    "python3-pip",
    "python3-setuptools",
    "python3-venv",
    "py3-pip",
    "py3-setuptools",
    "upx",
    "file",
    "patch",
    "jq",
    "rsync",
    "bash",
    "coreutils",
    "binutils",
    "gettext",
    "protobuf-compiler",
    "protobuf",
    "protobuf-dev",
    "nodejs",
    "npm",
    "yarn",
];

/// Libraries a development package is for, when the runtime image lacks
/// them: (development package, runtime package) on Debian and on Alpine.
const RUNTIME_LIBRARY: &[(Family, &str, &str)] = &[
    (Family::Debian, "libpq-dev", "libpq5"),
    (Family::Debian, "default-libmysqlclient-dev", "libmariadb3"),
    (Family::Debian, "libmariadb-dev", "libmariadb3"),
    (Family::Debian, "libmariadb-dev-compat", "libmariadb3"),
    (Family::Debian, "libjpeg-dev", "libjpeg62-turbo"),
    (Family::Debian, "libjpeg62-turbo-dev", "libjpeg62-turbo"),
    (Family::Debian, "libxml2-dev", "libxml2"),
    (Family::Debian, "libxslt1-dev", "libxslt1.1"),
    (Family::Debian, "libyaml-dev", "libyaml-0-2"),
    (Family::Debian, "libsqlite3-dev", "libsqlite3-0"),
    (Family::Debian, "libffi-dev", "libffi8"),
    (Family::Alpine, "postgresql-dev", "libpq"),
    (Family::Alpine, "libpq-dev", "libpq"),
    (Family::Alpine, "mariadb-dev", "mariadb-connector-c"),
    (
        Family::Alpine,
        "mariadb-connector-c-dev",
        "mariadb-connector-c",
    ),
    (Family::Alpine, "jpeg-dev", "libjpeg-turbo"),
    (Family::Alpine, "libjpeg-turbo-dev", "libjpeg-turbo"),
    (Family::Alpine, "libxml2-dev", "libxml2"),
    (Family::Alpine, "libxslt-dev", "libxslt"),
    (Family::Alpine, "yaml-dev", "yaml"),
    (Family::Alpine, "sqlite-dev", "sqlite-libs"),
    (Family::Alpine, "libffi-dev", "libffi"),
];

/// Headers of the C library and the kernel: every runtime has what they are for.
const ALWAYS_PROVIDED: &[&str] = &[
    "libc6-dev",
    "libc-dev",
    "linux-libc-dev",
    "musl-dev",
    "linux-headers",
    "zlib1g-dev",
];

fn is_development(package: &str) -> bool {
    package.ends_with("-dev") || package.ends_with("-devel")
}

fn provided(package: &str, runtime: &RuntimeLibraries) -> bool {
    let pattern_match = |p: &&str| match p.split_once('*') {
        Some((head, tail)) => package.starts_with(head) && package.ends_with(tail),
        None => *p == package,
    };
    ALWAYS_PROVIDED.iter().any(pattern_match) || runtime.provided.iter().any(pattern_match)
}

/// The packages to install in the runtime stage, in the order the build
/// installed them. `programs` are the programs CMD, ENTRYPOINT and
/// HEALTHCHECK run: a helper they name is needed at run time.
pub fn runtime_packages(
    build: &Build<'_, '_>,
    runtime: &RuntimeLibraries,
    family: Family,
    programs: &[String],
) -> Result<Vec<String>, NotOffered> {
    let mut out: Vec<String> = Vec::new();
    let mut missing: Vec<String> = Vec::new();
    for (_, word, base) in build.system_packages() {
        let needed_by_command = programs.iter().any(|p| p == &base);
        let package = if is_development(&base) {
            if runtime.static_binary || provided(&base, runtime) {
                continue;
            }
            match RUNTIME_LIBRARY
                .iter()
                .find(|(f, dev, _)| *f == family && *dev == base)
            {
                Some((_, _, library)) => (*library).to_owned(),
                None => {
                    missing.push(format!("`{}`", word.text));
                    continue;
                }
            }
        } else if (is_build_tool(&base) || HELPERS.contains(&base.as_str())) && !needed_by_command {
            continue;
        } else if base == "tzdata" && !runtime.installs {
            // Distroless images ship the time zone database.
            continue;
        } else {
            word.text.clone()
        };
        if !out.contains(&package) {
            out.push(package);
        }
    }
    if !missing.is_empty() {
        let (them, a_library) = if missing.len() == 1 {
            ("it", "a library")
        } else {
            ("them", "libraries")
        };
        return Err(NotOffered::new(format!(
            "the build installs {}: code built against {them} needs {a_library} the runtime image lacks, under a package name the conversion does not know",
            missing.join(", ")
        )));
    }
    if !out.is_empty() && !runtime.installs {
        let names: Vec<String> = out.iter().map(|p| format!("`{p}`")).collect();
        return Err(NotOffered::new(format!(
            "the image installs {} for run time, and the minimal runtime image has no package manager",
            names.join(", ")
        )));
    }
    Ok(out)
}

/// The RUN line that installs packages on a runtime image's distribution.
pub fn install_line(family: Family, packages: &[String]) -> Option<String> {
    if packages.is_empty() {
        return None;
    }
    let list = packages.join(" ");
    match family {
        Family::Alpine => Some(format!("RUN apk add --no-cache {list}")),
        Family::Debian => Some(format!(
            "RUN apt-get update && apt-get install -y --no-install-recommends {list} && rm -rf /var/lib/apt/lists/*"
        )),
        _ => None,
    }
}
