//! `dockfix check` and `dockfix rule` end to end: output formats, fixing,
//! configuration errors and exit codes (snapshots of stdout/stderr).

#![allow(clippy::expect_used, clippy::unwrap_used)] // Tests fail by panicking.

use std::path::Path;
use std::process::Command;

const SAMPLE: &str = "FROM node:latest\nRUN sudo chown -R root /srv && useradd -u 100000 svc\nCOPY --chmod=777 . /app\nCMD [\"node\", \"/app/index.js\"]\n";

fn dockfix(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_dockfix"))
        .args(args)
        .current_dir(dir)
        .env("DOCKFIX_TODAY", "2026-11-27")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn project(config: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Dockerfile"), SAMPLE).unwrap();
    if let Some(config) = config {
        std::fs::write(dir.path().join(".dockfix.toml"), config).unwrap();
    }
    dir
}

#[test]
fn text_report_with_code_frames_and_exit_1() {
    let dir = project(None);
    let (code, stdout, stderr) = dockfix(dir.path(), &["check", "Dockerfile"]);
    assert_eq!(code, 1, "{stderr}");
    insta::assert_snapshot!("check_text", stdout);
}

#[test]
fn json_report() {
    let dir = project(Some("select = [\"DF102\", \"DF104\"]\n"));
    let (code, stdout, _) = dockfix(dir.path(), &["check", "--format", "json", "Dockerfile"]);
    assert_eq!(code, 1);
    let value: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(value[0]["path"], "Dockerfile");
    assert_eq!(
        value[0]["start"],
        serde_json::json!({"line": 2, "column": 5})
    );
    insta::assert_snapshot!("check_json", stdout);
}

#[test]
fn fix_applies_safe_fixes_and_unsafe_on_request() {
    let dir = project(None);
    let (code, stdout, _) = dockfix(dir.path(), &["check", "--fix", "Dockerfile"]);
    assert_eq!(code, 1, "unsafe findings remain");
    assert!(stdout.contains("Fixed 2 problems."), "{stdout}");
    let fixed = std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap();
    assert_eq!(
        fixed,
        SAMPLE
            .replace("sudo chown", "chown")
            .replace("useradd -u", "useradd --no-log-init -u")
    );
    let (_, diff, _) = dockfix(
        dir.path(),
        &["check", "--diff", "--unsafe-fixes", "Dockerfile"],
    );
    insta::assert_snapshot!("check_diff_unsafe", diff);
    let (code, _, _) = dockfix(dir.path(), &["check", "--unsafe-fixes", "Dockerfile"]);
    assert_eq!(code, 0);
    let (code, stdout, _) = dockfix(dir.path(), &["check", "Dockerfile"]);
    assert_eq!((code, stdout.trim()), (0, "No problems found."));
}

#[test]
fn configuration_errors_name_the_file_and_line() {
    let dir = project(Some("select = [\"DF1\"]\nignore = [\"DF9999\"]\n"));
    let (code, _, stderr) = dockfix(dir.path(), &["check", "Dockerfile"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains(".dockfix.toml:2:12: unknown rule selector `DF9999`"),
        "{stderr}"
    );
    let (code, _, stderr) = dockfix(dir.path(), &["check", "--select", "DF1,NOPE", "Dockerfile"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("unknown rule selector `NOPE`"), "{stderr}");
    let (code, _, stderr) = dockfix(dir.path(), &["check", "missing/Dockerfile"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("missing/Dockerfile: no such file or directory"),
        "{stderr}"
    );
}

#[test]
fn suppressions_and_overrides() {
    let dir = project(Some(
        "[[overrides]]\nfiles = [\"legacy/*\"]\nignore = [\"DF2\"]\n",
    ));
    std::fs::create_dir(dir.path().join("legacy")).unwrap();
    std::fs::write(
        dir.path().join("legacy/Dockerfile"),
        "# hadolint ignore=DL3007\nFROM node:latest\n# dockfix ignore=DF102\nRUN sudo true\nUSER node\n",
    )
    .unwrap();
    let (code, stdout, _) = dockfix(dir.path(), &["check", "legacy/Dockerfile"]);
    assert_eq!((code, stdout.trim()), (0, "No problems found."), "{stdout}");
}

#[test]
fn rule_docs_and_list() {
    let (code, stdout, _) = dockfix(Path::new("."), &["rule", "DF206"]);
    assert_eq!(code, 0);
    assert!(stdout.starts_with("# DF206 end-of-life-base-image"));
    assert!(stdout.contains("Knowledge base as of 2026-11-27."));
    let (code, stdout, _) = dockfix(Path::new("."), &["rule"]);
    assert_eq!(code, 0);
    assert_eq!(stdout.lines().count(), dockfix::rules::RULES.len());
    let (code, _, stderr) = dockfix(Path::new("."), &["rule", "DF999"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no rule `DF999`"));
}

#[test]
fn unsafe_fixes_create_the_dockerignore_and_diff_shows_it() {
    let dir = tempfile::tempdir().unwrap();
    let text = "FROM node:22-slim\nWORKDIR /app\nCOPY . .\nUSER node\n";
    std::fs::write(dir.path().join("Dockerfile"), text).unwrap();
    let ignore = dir.path().join(".dockerignore");
    let args = ["check", "--select", "DF404", "Dockerfile"];
    let (code, stdout, _) = dockfix(dir.path(), &args);
    assert_eq!(code, 1);
    assert!(stdout.contains("DF404"), "{stdout}");

    // Safe fixes leave it alone; --diff shows the new file without writing it.
    let (_, _, _) = dockfix(
        dir.path(),
        &["check", "--select", "DF404", "--fix", "Dockerfile"],
    );
    assert!(!ignore.exists());
    let (code, stdout, stderr) = dockfix(
        dir.path(),
        &[
            "check",
            "--select",
            "DF404",
            "--diff",
            "--unsafe-fixes",
            "Dockerfile",
        ],
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(!ignore.exists());
    assert!(stdout.contains("+**/.env"), "{stdout}");

    let (code, _, stderr) = dockfix(
        dir.path(),
        &[
            "check",
            "--select",
            "DF404",
            "--fix",
            "--unsafe-fixes",
            "Dockerfile",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let written = std::fs::read_to_string(&ignore).unwrap();
    assert!(written.lines().any(|l| l == ".git"), "{written}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap(),
        text
    );
    let (code, stdout, _) = dockfix(dir.path(), &args);
    assert_eq!(code, 0, "{stdout}");

    // An ignore file that lets keys through is extended, keeping its lines.
    std::fs::write(&ignore, ".git\nnode_modules").unwrap();
    let (code, _, _) = dockfix(
        dir.path(),
        &[
            "check",
            "--select",
            "DF404",
            "--fix",
            "--unsafe-fixes",
            "Dockerfile",
        ],
    );
    assert_eq!(code, 0);
    let written = std::fs::read_to_string(&ignore).unwrap();
    assert!(
        written.starts_with(".git\nnode_modules\n\n# Keep"),
        "{written}"
    );
    // `.git` was already excluded: it is not added twice.
    assert_eq!(
        written.lines().filter(|l| *l == ".git").count(),
        1,
        "{written}"
    );
}
