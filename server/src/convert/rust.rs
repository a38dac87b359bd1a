//! Rust: the binary of `cargo build` (in `target/<profile>`, or where
//! `cargo install --path` puts it) runs on distroless `cc` (glibc and the
//! GCC runtime); a musl build (Alpine images, `--target *-musl`) is static
//! and runs on distroless `static`. The binary's name comes from `--bin`,
//! the copied `Cargo.toml`, or the CMD when it names the binary's path.

use super::build::{dirname, join, positionals, Build};
use super::command::Entry;
use super::packages::RuntimeLibraries;
use super::{binary_command, distroless_checks, manifest, NotOffered, Plan, RuntimeUser};
use crate::knowledge::{distroless_image, Distroless, Family};
use crate::semantics::shell::program_name;

/// `cargo build`/`cargo install` options that take the next word as their value.
const WITH_VALUE: &[&str] = &[
    "--bin",
    "--package",
    "-p",
    "--target",
    "--target-dir",
    "--profile",
    "--manifest-path",
    "--features",
    "-F",
    "--jobs",
    "-j",
    "--color",
    "--config",
    "-Z",
    "--root",
    "--path",
    "--example",
    "--test",
    "--bench",
    "--message-format",
    "--exclude",
    "--index",
    "--registry",
    "--git",
    "--branch",
    "--tag",
    "--rev",
    "--version",
];

#[derive(Default)]
struct CargoArgs {
    subcommand: String,
    release: bool,
    profile: Option<String>,
    target: Option<String>,
    target_dir: Option<String>,
    bins: Vec<String>,
    package: Option<String>,
    manifest_path: Option<String>,
    root: Option<String>,
    path: Option<String>,
}

fn parse(args: &[crate::semantics::Word]) -> CargoArgs {
    let mut out = CargoArgs::default();
    let mut i = 0;
    while let Some(word) = args.get(i) {
        i += 1;
        let text = word.text.as_str();
        if !text.starts_with('-') {
            if out.subcommand.is_empty() {
                out.subcommand = text.to_owned();
            }
            continue;
        }
        let (name, inline) = match text.split_once('=') {
            Some((n, v)) => (n, Some(v.to_owned())),
            None => (text, None),
        };
        let value = if WITH_VALUE.contains(&name) {
            inline.or_else(|| {
                let v = args.get(i).map(|w| w.text.clone());
                i += 1;
                v
            })
        } else {
            None
        };
        match name {
            "--release" | "-r" => out.release = true,
            "--profile" => out.profile = value,
            "--target" => out.target = value,
            "--target-dir" => out.target_dir = value,
            "--bin" => out.bins.extend(value),
            "--package" | "-p" => out.package = value,
            "--manifest-path" => out.manifest_path = value,
            "--root" => out.root = value,
            "--path" => out.path = value,
            _ => {}
        }
    }
    out
}

pub(super) fn plan(build: &Build<'_, '_>, entry: &Entry) -> Result<Plan, NotOffered> {
    let mut binaries = Vec::new();
    let mut musl = build.facts.family == Family::Alpine;
    let mut found = false;
    for (index, command) in build.run_commands() {
        let (name, args) = command.effective();
        if program_name(&name.text) != "cargo" {
            continue;
        }
        let cargo = parse(args);
        let first = positionals(args)
            .first()
            .map(|w| w.text.clone())
            .unwrap_or_default();
        if first != "build" && !(first == "install" && cargo.path.is_some()) {
            continue;
        }
        found = true;
        if cargo.target.as_deref().is_some_and(|t| t.contains("musl")) {
            musl = true;
        }
        let cwd = build
            .cwd_of(index, command)
            .ok_or_else(|| NotOffered::new("the folder `cargo` runs in is not known"))?;
        let project = match (&cargo.manifest_path, &cargo.path) {
            (Some(manifest), _) => dirname(&join(&cwd, manifest)),
            (None, Some(path)) if first == "install" => join(&cwd, path),
            _ => cwd.clone(),
        };
        let names: Vec<String> = if !cargo.bins.is_empty() {
            cargo.bins.clone()
        } else {
            let manifest = build
                .context_file(&join(&project, "Cargo.toml"))
                .and_then(|(_, text)| manifest::cargo_binaries(text))
                .unwrap_or_default();
            // Every binary the manifest builds is a candidate; the CMD picks one.
            match (&cargo.package, manifest.is_empty()) {
                (Some(package), true) => vec![package.clone()],
                _ => manifest,
            }
        };
        let folder = if first == "install" {
            let root = cargo
                .root
                .map(|r| join(&cwd, &r))
                .or_else(|| build.env_of(index, command, "CARGO_INSTALL_ROOT"))
                .or_else(|| build.env_of(index, command, "CARGO_HOME"))
                .unwrap_or_else(|| default_cargo_home(build));
            join(&root, "bin")
        } else {
            let target_dir = cargo
                .target_dir
                .or_else(|| build.env_of(index, command, "CARGO_TARGET_DIR"))
                .map_or_else(|| join(&project, "target"), |d| join(&cwd, &d));
            let profile = match cargo.profile.as_deref() {
                Some("dev") | Some("test") => "debug".to_owned(),
                Some("bench") => "release".to_owned(),
                Some(p) => p.to_owned(),
                None if cargo.release => "release".to_owned(),
                None => "debug".to_owned(),
            };
            match &cargo.target {
                Some(target) => join(&target_dir, &format!("{target}/{profile}")),
                None => join(&target_dir, &profile),
            }
        };
        if names.is_empty() {
            // The CMD names the binary: a path into the output folder, or
            // a bare name that `cargo install` put on PATH.
            if let Some(program) = entry.main().and_then(|m| m.words()).and_then(|w| w.first()) {
                let candidate = match build.final_workdir() {
                    Some(workdir) if program.contains('/') => join(&workdir, program),
                    _ => join(&folder, program),
                };
                if dirname(&candidate) == folder {
                    binaries.push(candidate);
                }
            }
        }
        binaries.extend(names.iter().map(|n| join(&folder, n)));
    }
    if !found {
        return Err(NotOffered::new(
            "no `cargo build` or `cargo install --path`",
        ));
    }
    build.follow_copies(&mut binaries);
    if binaries.is_empty() {
        return Err(NotOffered::new(
            "the binary's name is not known: name it with `--bin`, or keep Cargo.toml beside the Dockerfile",
        ));
    }
    let (entrypoint, cmd, artifact) = binary_command(build, entry, &binaries, "`cargo`")?;
    distroless_checks(build, entry)?;
    let runtime = if musl {
        distroless_image(Distroless::Static, Some(build.info))
    } else {
        distroless_image(Distroless::Cc, Some(build.info))
    };
    Ok(Plan {
        toolchain: "Rust",
        runtime,
        family: Family::Distroless,
        libraries: RuntimeLibraries {
            installs: false,
            provided: if musl {
                &[]
            } else {
                &["libssl-dev", "libstdc++*-dev", "libgcc*-dev"]
            },
            static_binary: false,
        },
        artifacts: std::iter::once(artifact)
            .chain(super::asset_folders(build))
            .collect(),
        env: Vec::new(),
        workdir: build.final_workdir().filter(|_| build.sets_workdir()),
        user: RuntimeUser::Existing("nonroot:nonroot".to_owned()),
        entrypoint,
        cmd,
        build_lines: Vec::new(),
        expose: None,
    })
}

/// Where `cargo install` puts binaries in the official rust image.
fn default_cargo_home(build: &Build<'_, '_>) -> String {
    if build.info.name.short == "rust" {
        "/usr/local/cargo".to_owned()
    } else {
        "/root/.cargo".to_owned()
    }
}
