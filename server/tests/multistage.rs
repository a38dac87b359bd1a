//! The multi-stage conversion on fixture projects:
//! `tests/fixtures/multistage/<name>/` holds a Dockerfile, the files it
//! copies (go.mod, Cargo.toml, package.json, requirements.txt, pom.xml,
//! *.csproj…) and `expected.toml`: the runtime image the conversion must
//! choose (`runtime`), or a part of the reason it must give (`not_offered`);
//! `compiled = true` when the runtime stage must hold no source folder.
//!
//! The converted Dockerfile is snapshotted, and checked on its parsed form:
//! the final stage is on the expected base, copies from the build stage,
//! copies no source tree and no package-manager cache, runs no build, runs
//! as a non-root user with exec-form commands; DF310 no longer fires and a
//! second conversion changes nothing. When a Python with the official
//! BuildKit parser is at hand (`DOCKFIX_BUILDKIT_PYTHON`, or the repository's
//! `.venv`), every output must parse there too.

#![allow(clippy::expect_used, clippy::unwrap_used)] // Tests fail by panicking.

use std::fs;
use std::path::{Path, PathBuf};

use dockfix::fix::{self, Applicability};
use dockfix::syntax::{Document, InstructionKind};
use dockfix::{analyze_with, Options};

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Expected {
    runtime: Option<String>,
    not_offered: Option<String>,
    #[serde(default)]
    compiled: bool,
    /// False when DF310 does not fire (nothing to report) and only the
    /// refactoring offers the conversion.
    #[serde(default = "yes")]
    df310: bool,
}

fn yes() -> bool {
    true
}

fn fixtures() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/multistage");
    let mut dirs: Vec<PathBuf> = fs::read_dir(&root)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// The options the CLI would use for a Dockerfile in `dir`, on a fixed date.
fn options(dir: &Path, source: &str, select: &[&str]) -> Options {
    let mut options = Options {
        today: dockfix::knowledge::Date::parse("2026-11-27").unwrap(),
        ..Default::default()
    };
    options.settings.selection.select = Some(select.iter().map(|s| (*s).to_owned()).collect());
    options.context_files =
        dockfix::cli::discover::read_context_files(dir, dockfix::context_files_wanted(source));
    options
}

fn convert(source: &str, options: &Options) -> Result<String, String> {
    let document = Document::new(source);
    dockfix::convert_to_multistage(document.tree(), document.shells().trees(), source, options)
        .map(|conversion| fix::apply(source, [&conversion.fix]).0)
        .map_err(|reason| reason.0)
}

/// Folders that hold package-manager caches and downloaded dependencies.
const CACHES: &[&str] = &[
    "/root/.cache",
    "/root/.npm",
    "/usr/local/share/.cache",
    "/root/.m2",
    "/root/.gradle",
    "/home/gradle/.gradle",
    "/go/pkg",
    "/root/go/pkg",
    "/usr/local/cargo/registry",
    "/root/.cargo/registry",
    "/root/.nuget",
];

fn is_under(path: &str, dir: &str) -> bool {
    path == dir || path.starts_with(&format!("{}/", dir.trim_end_matches('/')))
}

/// Checks the converted Dockerfile's structure.
fn check_output(name: &str, dir: &Path, output: &str, expected: &Expected) {
    let document = Document::new(output);
    let model = document.model();
    let text = |r: &std::ops::Range<usize>| &output[r.clone()];
    let problems = analyze_with(output, &options(dir, output, &["DF001", "DF101", "DF310"]));
    assert!(
        problems.is_empty(),
        "{name}: the converted file has problems: {problems:#?}\n{output}"
    );
    assert!(model.stages.len() >= 2, "{name}: one stage only");
    let build = &model.stages[0];
    let runtime = model.stages.last().unwrap();
    let build_from = &model.instructions[build.from];
    let build_name = text(
        build_from
            .stage_name
            .as_ref()
            .expect("the build stage is named"),
    );
    let runtime_from = &model.instructions[runtime.from];
    assert_eq!(
        Some(text(&runtime_from.image.as_ref().unwrap().range)),
        expected.runtime.as_deref(),
        "{name}: runtime base"
    );
    // Where the build stage put the project's sources.
    let mut workdir = "/".to_owned();
    let mut sources: Vec<String> = Vec::new();
    for index in build.instructions.clone() {
        let instruction = &model.instructions[index];
        match instruction.kind {
            InstructionKind::Workdir => {
                let path = text(&instruction.arguments[0]);
                workdir = if path.starts_with('/') {
                    path.trim_end_matches('/').to_owned()
                } else {
                    format!("{workdir}/{path}")
                };
            }
            InstructionKind::Copy | InstructionKind::Add => {
                let dest = text(instruction.arguments.last().unwrap());
                let dest = if dest.starts_with('/') {
                    dest.to_owned()
                } else {
                    format!("{}/{}", workdir.trim_end_matches('/'), dest)
                };
                let dest = dest.trim_end_matches(['/', '.']).to_owned();
                sources.push(if dest.is_empty() {
                    "/".to_owned()
                } else {
                    dest
                });
            }
            _ => {}
        }
    }
    let mut copies_from_build = 0;
    let mut user = None;
    for index in runtime.instructions.clone() {
        let instruction = &model.instructions[index];
        match instruction.kind {
            InstructionKind::Copy | InstructionKind::Add => {
                let from = instruction
                    .flags
                    .iter()
                    .find(|f| text(&f.name) == "from")
                    .and_then(|f| f.value.as_ref())
                    .map(text);
                let (_, paths) = instruction.arguments.split_last().unwrap();
                for path in paths.iter().map(text) {
                    match from {
                        Some(stage) => {
                            assert_eq!(stage, build_name, "{name}: copies from another stage");
                            copies_from_build += 1;
                            assert!(
                                !CACHES
                                    .iter()
                                    .any(|c| is_under(path, c) || is_under(c, path)),
                                "{name}: copies the cache folder {path}"
                            );
                            if expected.compiled {
                                assert!(
                                    !sources.iter().any(|s| is_under(s, path)),
                                    "{name}: copies the source folder {path} ({sources:?})"
                                );
                            }
                        }
                        None => assert!(
                            !matches!(path, "." | "./" | "*"),
                            "{name}: copies the whole build context into the runtime"
                        ),
                    }
                }
            }
            InstructionKind::User => user = Some(text(&instruction.arguments[0]).to_owned()),
            InstructionKind::Cmd | InstructionKind::Entrypoint => assert!(
                matches!(
                    instruction.command,
                    Some(dockfix::syntax::CommandForm::Exec { .. })
                ),
                "{name}: {} in shell form",
                instruction.kind.keyword()
            ),
            InstructionKind::Run => {}
            _ => {}
        }
    }
    assert!(
        copies_from_build > 0,
        "{name}: nothing copied from the build"
    );
    let user = user.unwrap_or_else(|| panic!("{name}: no USER in the runtime stage"));
    let account = user.split(':').next().unwrap();
    assert!(
        account != "root" && !account.trim_start_matches('0').is_empty(),
        "{name}: runs as {user}"
    );
}

/// The official BuildKit parser, when a Python that has it is at hand.
fn buildkit_python() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("DOCKFIX_BUILDKIT_PYTHON").map(PathBuf::from),
        Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/python")),
    ];
    candidates.into_iter().flatten().find(|python| {
        std::process::Command::new(python)
            .args(["-c", "import dockerfile"])
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

fn buildkit_accepts(python: &Path, text: &str) -> Result<(), String> {
    let file = tempfile::NamedTempFile::new().unwrap();
    fs::write(file.path(), text).unwrap();
    let output = std::process::Command::new(python)
        .args([
            "-c",
            "import sys, dockerfile; dockerfile.parse_file(sys.argv[1])",
        ])
        .arg(file.path())
        .output()
        .unwrap();
    if output.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

#[test]
fn fixture_projects_convert_to_multi_stage_builds() {
    let python = buildkit_python();
    if python.is_none() {
        eprintln!("note: no Python with the BuildKit parser (set DOCKFIX_BUILDKIT_PYTHON); BuildKit acceptance not checked here");
    }
    let mut converted = 0;
    let mut refused = 0;
    for dir in fixtures() {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let source = fs::read_to_string(dir.join("Dockerfile")).unwrap();
        let expected: Expected =
            toml::from_str(&fs::read_to_string(dir.join("expected.toml")).unwrap()).unwrap();
        let options = options(&dir, &source, &["DF310"]);
        let result = convert(&source, &options);
        let diagnostics = analyze_with(&source, &options);
        match (&expected.not_offered, result) {
            (Some(reason), Err(found)) => {
                refused += 1;
                assert!(
                    found.contains(reason.as_str()),
                    "{name}: expected a reason with {reason:?}, got {found:?}"
                );
                // DF310 says why, and carries no fix.
                for d in &diagnostics {
                    assert!(d.fix.is_none(), "{name}: DF310 offers a fix");
                    assert!(d.message.contains(&found), "{name}: {}", d.message);
                }
            }
            (None, Ok(output)) => {
                converted += 1;
                if expected.df310 {
                    assert!(
                        diagnostics.first().is_some_and(|d| d.fix.is_some()),
                        "{name}: DF310 should fire with the conversion as its fix"
                    );
                } else {
                    assert!(diagnostics.is_empty(), "{name}: DF310 fires");
                }
                check_output(&name, &dir, &output, &expected);
                // A second pass changes nothing; fixing to convergence gives the same.
                let again = options_for_output(&dir, &output);
                assert!(convert(&output, &again).is_err(), "{name}: converts twice");
                if expected.df310 {
                    let outcome = dockfix::fix_all(&source, &options, Applicability::Unsafe);
                    assert!(outcome.converged, "{name}: does not converge");
                    assert_eq!(
                        outcome.text, output,
                        "{name}: fix-all differs from the conversion"
                    );
                }
                if let Some(python) = &python {
                    if let Err(error) = buildkit_accepts(python, &output) {
                        panic!("{name}: BuildKit rejects the output: {error}\n{output}");
                    }
                }
                insta::with_settings!({ description => source.clone(), omit_expression => true }, {
                    insta::assert_snapshot!(name.clone(), output);
                });
            }
            (Some(_), Ok(output)) => panic!("{name}: converted, but should not be:\n{output}"),
            (None, Err(reason)) => panic!("{name}: not converted: {reason}"),
        }
    }
    assert!(
        converted >= 14 && refused >= 10,
        "{converted} converted, {refused} refused"
    );
}

fn options_for_output(dir: &Path, output: &str) -> Options {
    options(dir, output, &["DF310"])
}

#[test]
fn the_context_files_wanted_follow_the_copies() {
    let source = "FROM rust:1.83\nCOPY backend/ /app/\nCOPY web/package.json web/\nCOPY src/Api/Api.csproj src/Api/\nCOPY https://example.com/x.tgz /tmp/\nRUN cargo build --release\n";
    let wanted = dockfix::context_files_wanted(source);
    for path in [
        "Cargo.toml",
        "go.mod",
        "backend/Cargo.toml",
        "web/package.json",
        "src/Api/Api.csproj",
    ] {
        assert!(
            wanted.contains(&path.to_owned()),
            "{path} not in {wanted:?}"
        );
    }
    assert!(!wanted.iter().any(|w| w.contains("example.com")));
}

#[test]
fn a_copied_subfolder_maps_to_its_manifest() {
    // The build runs in /usr/src/app, which holds the context's `service/`.
    let source = "FROM rust:1.83-bookworm\nWORKDIR /usr/src/app\nCOPY service/ .\nRUN cargo build --release\nCMD [\"/usr/src/app/target/release/svc\"]\n";
    let mut options = Options::default();
    options.settings.selection.select = Some(vec!["DF310".to_owned()]);
    options.context_files.insert(
        "service/Cargo.toml".to_owned(),
        "[package]\nname = \"svc\"\nversion = \"0.1.0\"\n".to_owned(),
    );
    let output = convert(source, &options).unwrap();
    assert!(
        output.contains("COPY --from=build /usr/src/app/target/release/svc /usr/local/bin/svc"),
        "{output}"
    );
    // Without the manifest, the CMD's path still names the binary.
    options.context_files.clear();
    assert!(convert(source, &options).is_ok());
    // Without either, the name is unknown.
    let unnamed = source.replace("CMD [\"/usr/src/app/target/release/svc\"]", "CMD [\"svc\"]");
    let reason = convert(&unnamed, &options).unwrap_err();
    assert!(reason.contains("not the binary"), "{reason}");
}
