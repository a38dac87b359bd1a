//! ## What it does
//! Finds build tools in the final image: compilers, `-dev`/`-devel`
//! packages, `build-essential`/`build-base`, `git`, `make`, `cmake`…
//! installed by a RUN of the final stage (or of a stage it is built `FROM`),
//! and build commands run there (`go build`, `npm run build`, `cargo build`,
//! `mvn package`, `gradle build`, `pip wheel`, `dotnet publish`…).
//!
//! Packages removed again later in the stage (`apt-get purge`, `apk del` of
//! the package or of its `--virtual` group) are not reported. Build stages
//! the final image only copies from are the right place for all of this and
//! are never reported.
//!
//! ## Why is this bad?
//! Compilers, headers and version control in a runtime image are attack
//! surface (an intruder can build and fetch tools) and size, and they carry
//! most of the image's vulnerability reports. A multi-stage build compiles
//! in one stage and copies only the result into a small final stage.
//!
//! ## Example
//! ```dockerfile
//! FROM golang:1.23
//! WORKDIR /src
//! COPY . .
//! RUN go build -o /app .
//! CMD ["/app"]
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM golang:1.23 AS build
//! WORKDIR /src
//! COPY . .
//! RUN go build -o /app .
//!
//! FROM gcr.io/distroless/static-debian12:nonroot
//! COPY --from=build /app /app
//! CMD ["/app"]
//! ```
//!
//! ## Fix safety
//! Unsafe, and offered only for a single-stage build whose artifact the
//! conversion can find; otherwise the message says why not. The fix (also
//! the "Convert to multi-stage build" refactoring in editors) names the
//! stage `build` and adds a runtime stage on a minimal image of the same
//! toolchain and variant: Go on distroless `static` (cgo off) or `base`,
//! Rust on distroless `cc` (`static` for musl builds), a Node.js server on
//! the same version's slim or Alpine image with `npm prune --omit=dev`, a
//! static site on unprivileged nginx, Python on the same version's slim or
//! Alpine image with its virtualenv (a plain `pip install` moves into a new
//! one at `/opt/venv`), `--prefix` or `--target` folder, Java on
//! `eclipse-temurin:<release>-jre`, .NET on `aspnet` (or `runtime`) of the
//! same release. It copies only the artifact (`go build -o`, the binary
//! named by `--bin` or the `Cargo.toml` beside the Dockerfile, the jar that
//! `java -jar` runs, the `dotnet publish -o` folder, the app folder with
//! its dependencies), moves LABEL, EXPOSE, VOLUME, STOPSIGNAL, HEALTHCHECK,
//! run-time ENV and files copied after the build to the runtime stage,
//! rewrites CMD/ENTRYPOINT in exec form to the artifact's new path, installs
//! the run-time system packages again where the image can, and ends with
//! a non-root user (distroless `nonroot`, the image's own user, or one
//! created as DF101 does).
//!
//! It changes what runs: files the program reads from the source tree at
//! run time (templates, assets), effects of RUN steps outside the artifact
//! (created users, folders, files written next to the build) and tools the
//! full build image had are not in the runtime stage, and a static site is
//! served on port 8080 without single-page-app routing. Review the result.
//!
//! ## Options
//! `user.name` and `user.uid` name the user created in runtime images that
//! have none (as for DF101). The CLI and the language server read `go.mod`,
//! `Cargo.toml`, `package.json` and `*.csproj` beside the Dockerfile (and
//! in the folders it copies) to name the artifact.
//!
//! ## References
//! - [Docker: multi-stage builds](https://docs.docker.com/build/building/multi-stage/)

use super::{Context, FixAvailability, Peers, Report, Rule, FAMILY_PACKAGES};
use crate::fix::Applicability;
use crate::semantics::packages::{final_image_system_packages, in_final_image};
use crate::semantics::shell::program_name;
use crate::syntax::InstructionKind;
use crate::Severity;

pub static RULE: Rule = Rule {
    code: "DF310",
    name: "build-tools-in-final-stage",
    family: FAMILY_PACKAGES,
    summary: "compilers, `-dev` packages, git or build commands in the final stage",
    severity: Severity::Info,
    enabled_by_default: true,
    fix: FixAvailability::Sometimes(Applicability::Unsafe),
    peers: Peers::NONE,
    module: module_path!(),
    check,
};

const TOOLS: [&str; 28] = [
    "gcc",
    "g++",
    "gcc-c++",
    "clang",
    "llvm",
    "make",
    "cmake",
    "build-essential",
    "build-base",
    "autoconf",
    "automake",
    "libtool",
    "pkg-config",
    "pkgconf",
    "pkgconfig",
    "git",
    "golang",
    "golang-go",
    "go",
    "rustc",
    "cargo",
    "rust",
    "maven",
    "gradle",
    "linux-headers",
    "musl-dev",
    "bison",
    "flex",
];

pub fn is_build_tool(package: &str) -> bool {
    TOOLS.contains(&package)
        || package.ends_with("-dev")
        || package.ends_with("-devel")
        || package.ends_with("-jdk")
        || package.ends_with("-jdk-headless")
        || package.starts_with("gcc-")
        || package.starts_with("g++-")
        || package.starts_with("clang-")
        || package.starts_with("linux-headers-")
}

/// `go build`, `npm run build`, `mvn package`…
fn build_command(program: &str, args: &[crate::semantics::Word]) -> bool {
    let first = args
        .iter()
        .find(|w| !w.text.starts_with('-'))
        .map(|w| w.text.as_str());
    let script = args
        .iter()
        .filter(|w| !w.text.starts_with('-'))
        .nth(1)
        .map(|w| w.text.as_str());
    match program {
        "go" => matches!(first, Some("build")),
        "cargo" => matches!(first, Some("build" | "install")),
        "npm" | "pnpm" => {
            matches!(first, Some("run" | "run-script")) && matches!(script, Some("build"))
                || program == "pnpm" && matches!(first, Some("build"))
        }
        "yarn" => {
            matches!(first, Some("build"))
                || (matches!(first, Some("run")) && matches!(script, Some("build")))
        }
        "mvn" | "mvnw" => args
            .iter()
            .any(|w| matches!(w.text.as_str(), "package" | "install" | "verify")),
        "gradle" | "gradlew" => args.iter().any(|w| {
            matches!(
                w.text.as_str(),
                "build" | "assemble" | "bootJar" | "installDist" | "shadowJar"
            )
        }),
        "pip" | "pip3" => matches!(first, Some("wheel")),
        "dotnet" => matches!(first, Some("build" | "publish")),
        _ => false,
    }
}

fn check(context: &Context<'_>, report: &mut Report<'_>) {
    let mut findings: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    for (_, packages) in final_image_system_packages(context) {
        let found: Vec<_> = packages
            .iter()
            .filter(|(_, base)| is_build_tool(base))
            .map(|(word, _)| *word)
            .collect();
        let (Some(first), Some(last)) = (found.first(), found.last()) else {
            continue;
        };
        let names: Vec<String> = found.iter().map(|w| format!("`{}`", w.text)).collect();
        findings.push((
            first.range.start..last.range.end,
            format!(
                "build tools in the final image: {}; build in an earlier stage and copy only the result",
                names.join(", ")
            ),
        ));
    }
    for (index, commands) in context.semantics.commands.iter().enumerate() {
        let is_run = context
            .model
            .instructions
            .get(index)
            .is_some_and(|i| i.kind == InstructionKind::Run);
        if !is_run || !in_final_image(context, index) {
            continue;
        }
        for command in commands {
            let (name, args) = command.effective();
            let program = program_name(&name.text);
            if build_command(program, args) {
                findings.push((
                    command.range.clone(),
                    format!("`{program}` builds in the final stage: build in an earlier stage and copy only the result"),
                ));
            }
        }
    }
    if findings.is_empty() {
        return;
    }
    // One conversion for the file, carried by the first finding (editors
    // offer it on the others as the "Convert to multi-stage build"
    // refactoring), or the reason there is none, on every finding.
    findings.sort_by_key(|(range, _)| range.start);
    match crate::convert::multistage(context) {
        Ok(conversion) => {
            let mut fix = Some(conversion.fix);
            for (range, message) in findings {
                report.push(range, message, fix.take());
            }
        }
        Err(reason) => {
            for (range, message) in findings {
                report.push(
                    range,
                    format!("{message} (no automatic conversion: {reason})"),
                    None,
                );
            }
        }
    }
}
