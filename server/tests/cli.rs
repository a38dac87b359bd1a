//! `dockfix check` and `dockfix rule` end to end: file discovery, every
//! output format (SARIF validated against the OASIS 2.1.0 schema, XML parsed),
//! fixing, configuration and IO errors and exit codes (snapshots of the exit
//! code, stdout and stderr of the built binary).

#![allow(clippy::expect_used, clippy::unwrap_used)] // Tests fail by panicking.

use std::path::Path;
use std::process::Command;

const SAMPLE: &str = "FROM node:latest\nRUN sudo chown -R root /srv && useradd -u 100000 svc\nCOPY --chmod=777 . /app\nCMD [\"node\", \"/app/index.js\"]\n";

fn dockfix(dir: &Path, args: &[&str]) -> (i32, String, String) {
    dockfix_with_stdin(dir, args, None)
}

fn dockfix_with_stdin(dir: &Path, args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_dockfix"))
        .args(args)
        .current_dir(dir)
        .env("DOCKFIX_TODAY", "2026-11-27")
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        pipe.write_all(text.as_bytes()).unwrap();
    }
    drop(pipe);
    let output = child.wait_with_output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Exit code, stdout and stderr in one snapshot.
fn transcript(dir: &Path, args: &[&str]) -> String {
    let (code, stdout, stderr) = dockfix(dir, args);
    format!(
        "$ dockfix {}\nexit: {code}\n--- stdout\n{stdout}--- stderr\n{stderr}",
        args.join(" ")
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
const API: &str = "FROM alpine:3.20\nRUN apk add curl && curl -fsSL \"https://example.com/i.sh?a=1&b=<2>\" | sh\nADD https://example.com/x.tgz?a=1&b=2 /tmp/\nENV AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\nUSER nobody\nCMD [\"/bin/true\"]\n";
const CLEAN: &str = "FROM scratch\nCOPY app /app\nUSER 10001\nENTRYPOINT [\"/app\"]\n";

/// Three files: the sample, a service with XML-special characters in its
/// messages, and a clean one.
fn tree() -> tempfile::TempDir {
    let dir = project(None);
    let root = dir.path();
    std::fs::create_dir_all(root.join("services")).unwrap();
    std::fs::create_dir_all(root.join("clean")).unwrap();
    std::fs::write(root.join("services/api.Dockerfile"), API).unwrap();
    std::fs::write(root.join("clean/Containerfile"), CLEAN).unwrap();
    dir
}

#[test]
fn every_format() {
    let dir = tree();
    for format in ["text", "concise", "json", "github", "checkstyle", "junit"] {
        insta::assert_snapshot!(
            format!("format_{format}"),
            transcript(dir.path(), &["check", "--format", format])
        );
    }
}

#[test]
fn discovery_honours_ignore_files_and_names() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for (path, text) in [
        ("Dockerfile", CLEAN),
        ("Containerfile.rhel", CLEAN),
        ("web/prod.Dockerfile", CLEAN),
        ("web/dev.dockerfile", CLEAN),
        ("web/Dockerfile.alpine", CLEAN),
        (".devcontainer/Dockerfile", CLEAN),
        ("build/Dockerfile", CLEAN),
        ("vendor/Dockerfile", CLEAN),
        ("custom.docker", CLEAN),
        ("README.md", "FROM x\n"),
        ("Dockerfile-old", "FROM x\n"),
        (".git/Dockerfile", "FROM x\n"),
        (".gitignore", "build/\n"),
        ("web/.ignore", "dev.dockerfile\n"),
    ] {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let listed = |args: &[&str]| {
        let mut all = vec!["check", "--show-settings"];
        all.extend_from_slice(args);
        let (code, stdout, stderr) = dockfix(root, &all);
        assert_eq!(code, 0, "{stderr}");
        stdout
            .lines()
            .next()
            .unwrap_or_default()
            .trim_start_matches("Settings for ")
            .trim_end_matches(':')
            .to_owned()
    };
    assert_eq!(
        listed(&[]),
        ".devcontainer/Dockerfile, Containerfile.rhel, Dockerfile, vendor/Dockerfile, web/Dockerfile.alpine, web/prod.Dockerfile"
    );
    assert_eq!(
        listed(&["--no-ignore"]),
        ".devcontainer/Dockerfile, Containerfile.rhel, Dockerfile, build/Dockerfile, vendor/Dockerfile, web/Dockerfile.alpine, web/dev.dockerfile, web/prod.Dockerfile"
    );
    assert_eq!(
        listed(&["--include", "*.docker", "--exclude", "vendor", "--exclude", "web/*.alpine"]),
        ".devcontainer/Dockerfile, Containerfile.rhel, Dockerfile, custom.docker, web/prod.Dockerfile"
    );
    // Paths as given: an explicit file is checked whatever its name.
    assert_eq!(
        listed(&["README.md", "web"]),
        "README.md, web/Dockerfile.alpine, web/prod.Dockerfile"
    );
    // No Dockerfile at all is a warning, not an error.
    let empty = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = dockfix(empty.path(), &["check"]);
    assert_eq!((code, stdout.trim()), (0, "No problems found."));
    assert!(stderr.contains("warning: no Dockerfiles found"), "{stderr}");
}

#[test]
fn many_files_are_reported_in_path_order() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..40 {
        let sub = dir.path().join(format!("s{:02}", 39 - i));
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(sub.join("Dockerfile"), SAMPLE).unwrap();
    }
    let (code, stdout, _) = dockfix(dir.path(), &["check", "--format", "concise", "."]);
    assert_eq!(code, 1);
    let paths: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.split(':').next())
        .filter(|p| p.ends_with("Dockerfile"))
        .collect();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted);
    assert_eq!(paths.first(), Some(&"s00/Dockerfile"));
    assert!(
        stdout
            .trim_end()
            .ends_with("in 40 files (80 fixable with `--fix`, 200 more with `--unsafe-fixes`)."),
        "{stdout}"
    );
}

#[test]
fn sarif_is_valid_against_the_oasis_schema() {
    let dir = tree();
    std::fs::write(dir.path().join("bad.Dockerfile"), b"FROM alpine\n\xff\n").unwrap();
    let (code, stdout, stderr) = dockfix(dir.path(), &["check", "--format", "sarif", "."]);
    assert_eq!(code, 2, "the invalid UTF-8 file: {stderr}");
    let log: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("data/sarif-schema-2.1.0.json")).unwrap();
    let validator = jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // A log with a mistake is caught (the validation can fail).
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = serde_json::json!("fatal");
    assert!(!validator.is_valid(&broken));

    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), dockfix::rules::RULES.len());
    for rule in rules {
        assert!(rule["helpUri"]
            .as_str()
            .unwrap()
            .ends_with(&format!("{}.md", rule["id"].as_str().unwrap())));
        assert!(rule["help"]["markdown"]
            .as_str()
            .unwrap()
            .contains("## Why is this bad?"));
    }
    let results = run["results"].as_array().unwrap();
    for result in results {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
    }
    let fix = results
        .iter()
        .find(|r| r["ruleId"] == "DF102")
        .map(|r| &r["fixes"][0])
        .unwrap();
    assert_eq!(
        fix["artifactChanges"][0]["artifactLocation"]["uri"],
        "Dockerfile"
    );
    assert_eq!(
        fix["artifactChanges"][0]["replacements"][0]["deletedRegion"],
        serde_json::json!({"startLine": 2, "startColumn": 5, "endLine": 2, "endColumn": 10})
    );
    assert_eq!(run["invocations"][0]["executionSuccessful"], false);
    assert_eq!(
        run["invocations"][0]["toolExecutionNotifications"][0]["locations"][0]["physicalLocation"]
            ["artifactLocation"]["uri"],
        "bad.Dockerfile"
    );
    // The rest of the files were still checked.
    assert!(results.iter().any(
        |r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            == "services/api.Dockerfile"
    ));
    insta::assert_snapshot!(
        "format_sarif_results",
        serde_json::to_string_pretty(&run["results"]).unwrap()
    );
}

#[test]
fn xml_formats_are_well_formed() {
    let dir = tree();
    let odd = dir.path().join("a&b <c>");
    std::fs::create_dir_all(&odd).unwrap();
    std::fs::write(odd.join("Dockerfile"), API).unwrap();
    std::fs::write(dir.path().join("bad.Dockerfile"), b"\xff").unwrap();
    for format in ["checkstyle", "junit"] {
        let (code, stdout, _) = dockfix(dir.path(), &["check", "--format", format, "."]);
        assert_eq!(code, 2);
        let doc = roxmltree::Document::parse(&stdout)
            .unwrap_or_else(|e| panic!("{format}: {e}\n{stdout}"));
        let names: Vec<&str> = doc
            .descendants()
            .filter_map(|n| {
                n.attribute("name")
                    .filter(|_| n.has_tag_name("file") || n.has_tag_name("testsuite"))
            })
            .collect();
        assert!(names.contains(&"a&b <c>/Dockerfile"), "{format}: {names:?}");
        assert!(names.contains(&"bad.Dockerfile"), "{format}: {names:?}");
        let messages: Vec<&str> = doc
            .descendants()
            .filter_map(|n| n.attribute("message"))
            .collect();
        assert!(
            messages.iter().any(|m| m.contains("x.tgz?a=1&b=2")),
            "{format}"
        );
    }
    let (_, junit, _) = dockfix(dir.path(), &["check", "--format", "junit", "."]);
    let doc = roxmltree::Document::parse(&junit).unwrap();
    let root = doc.root_element();
    let failures: usize = root.attribute("failures").unwrap().parse().unwrap();
    let counted = doc
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .count();
    assert_eq!(failures, counted);
    assert_eq!(root.attribute("errors"), Some("1"));
}

#[test]
fn exit_codes_and_thresholds() {
    let dir = tree();
    let root = dir.path();
    let code = |args: &[&str]| dockfix(root, args).0;
    assert_eq!(code(&["check", "clean"]), 0);
    assert_eq!(code(&["check", "Dockerfile"]), 1);
    assert_eq!(code(&["check", "--exit-zero", "Dockerfile"]), 0);
    // The sample has warnings and infos, no errors.
    assert_eq!(
        code(&["check", "--severity-threshold", "warning", "Dockerfile"]),
        1
    );
    assert_eq!(
        code(&["check", "--severity-threshold", "error", "Dockerfile"]),
        0
    );
    std::fs::write(
        root.join("secret.Dockerfile"),
        "FROM alpine:3.22\nRUN curl -k https://example.com\n",
    )
    .unwrap();
    assert_eq!(
        code(&[
            "check",
            "--severity-threshold",
            "error",
            "secret.Dockerfile"
        ]),
        1
    );
    assert_eq!(code(&["check", "--diff", "clean"]), 0);
    assert_eq!(code(&["check", "--diff", "Dockerfile"]), 1);
    assert_eq!(code(&["check", "--diff", "--exit-zero", "Dockerfile"]), 0);
    assert_eq!(code(&["check", "--format", "yaml", "Dockerfile"]), 2);
    assert_eq!(code(&["check", "--include", "[", "."]), 2);
}

#[test]
fn io_errors_are_reported_and_the_rest_is_checked() {
    let dir = tree();
    let root = dir.path();
    std::fs::write(
        root.join("latin1.Dockerfile"),
        b"FROM alpine:3.22\nLABEL author=\"Jos\xe9\"\n",
    )
    .unwrap();
    insta::assert_snapshot!(
        "errors_missing_and_invalid_utf8",
        transcript(
            root,
            &[
                "check",
                "--format",
                "concise",
                "missing",
                "latin1.Dockerfile",
                "clean",
                "Dockerfile"
            ]
        )
    );
    // An unreadable file (when permissions apply: not as root).
    let locked = root.join("locked.Dockerfile");
    std::fs::write(&locked, CLEAN).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&locked).is_err() {
        let (code, stdout, stderr) = dockfix(root, &["check", "locked.Dockerfile", "clean"]);
        assert_eq!(code, 2);
        assert!(
            stderr.contains("error: locked.Dockerfile: permission denied"),
            "{stderr}"
        );
        assert!(stdout.contains("No problems found."), "{stdout}");
    }
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o644)).unwrap();
    // A report that cannot be written.
    let (code, _, stderr) = dockfix(root, &["check", "-o", "no/such/dir/report.sarif", "clean"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("no/such/dir/report.sarif: cannot write the report"),
        "{stderr}"
    );
}

#[test]
fn stdin_with_a_file_name() {
    let dir = project(Some(
        "[[overrides]]\nfiles = [\"legacy/*\"]\nignore = [\"DF2\"]\n",
    ));
    let (code, stdout, _) = dockfix_with_stdin(
        dir.path(),
        &[
            "check",
            "--format",
            "concise",
            "--stdin-filename",
            "legacy/Dockerfile",
            "-",
        ],
        Some(SAMPLE),
    );
    assert_eq!(code, 1);
    assert!(stdout.starts_with("legacy/Dockerfile:"), "{stdout}");
    assert!(!stdout.contains("DF201"), "the override applies: {stdout}");
    // `--fix` on standard input prints the fixed file; the report goes to stderr.
    let (code, stdout, stderr) =
        dockfix_with_stdin(dir.path(), &["check", "--fix", "-"], Some(SAMPLE));
    assert_eq!(code, 1);
    assert!(
        stdout.contains("RUN chown -R root /srv && useradd --no-log-init"),
        "{stdout}"
    );
    assert!(stderr.contains("Fixed 2 problems."), "{stderr}");
}

#[test]
fn statistics_settings_output_file_and_colour() {
    let dir = tree();
    let root = dir.path();
    insta::assert_snapshot!("statistics", transcript(root, &["check", "--statistics"]));
    let (_, json, _) = dockfix(root, &["check", "--statistics", "--format", "json"]);
    let stats: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        stats
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["count"].as_u64().unwrap())
            .sum::<u64>(),
        13
    );
    std::fs::write(
        root.join(".dockfix.toml"),
        "ignore = [\"DF7\"]\n[severity]\nDF101 = \"error\"\n",
    )
    .unwrap();
    let settings = transcript(root, &["check", "--show-settings", "--select", "DF1", "."])
        .replace(&root.display().to_string(), "[TMP]")
        .replace(
            &std::fs::canonicalize(root).unwrap().display().to_string(),
            "[TMP]",
        );
    insta::assert_snapshot!("show_settings", settings);
    let (code, stdout, _) = dockfix(
        root,
        &[
            "check",
            "--format",
            "sarif",
            "-o",
            "out.sarif",
            "Dockerfile",
        ],
    );
    assert_eq!((code, stdout.as_str()), (1, ""));
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("out.sarif")).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let (_, coloured, _) = dockfix(root, &["check", "--color", "always", "Dockerfile"]);
    assert!(
        coloured.contains("\x1b[1mDockerfile:2:5:\x1b[0m \x1b[33mDF102"),
        "{coloured:?}"
    );
    let (_, plain, _) = dockfix(root, &["check", "Dockerfile"]);
    assert!(!plain.contains('\x1b'));
}

#[test]
fn version_and_completions() {
    let (code, stdout, _) = dockfix(Path::new("."), &["--version"]);
    assert_eq!(
        (code, stdout.trim()),
        (0, concat!("dockfix ", env!("CARGO_PKG_VERSION")))
    );
    for (shell, marker) in [
        ("bash", "_dockfix()"),
        ("zsh", "#compdef dockfix"),
        ("fish", "complete -c dockfix"),
    ] {
        let (code, stdout, _) = dockfix(Path::new("."), &["completions", shell]);
        assert_eq!(code, 0);
        assert!(stdout.contains(marker), "{shell}");
        assert!(stdout.contains("severity-threshold"), "{shell}");
    }
    let (code, _, stderr) = dockfix(Path::new("."), &["completions", "tcsh"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("invalid value 'tcsh'"), "{stderr}");
}

#[test]
fn colour_on_a_terminal_unless_no_color() {
    // `script` (util-linux) gives the process a pseudo-terminal as stdout.
    let dir = project(None);
    let command = format!(
        "'{}' check --format concise Dockerfile",
        env!("CARGO_BIN_EXE_dockfix")
    );
    let run = |no_color: Option<&str>| {
        let mut cmd = Command::new("script");
        cmd.args(["-q", "-e", "-c", &command, "/dev/null"])
            .current_dir(dir.path())
            .env("DOCKFIX_TODAY", "2026-11-27")
            .env_remove("NO_COLOR");
        if let Some(value) = no_color {
            cmd.env("NO_COLOR", value);
        }
        cmd.output().ok()
    };
    let Some(coloured) = run(None) else {
        eprintln!("skipped: no `script` command");
        return;
    };
    assert_eq!(coloured.status.code(), Some(1));
    let coloured = String::from_utf8_lossy(&coloured.stdout).into_owned();
    assert!(
        coloured.contains("\x1b[1mDockerfile:1:1:\x1b[0m"),
        "{coloured:?}"
    );
    let plain = String::from_utf8_lossy(&run(Some("1")).unwrap().stdout).into_owned();
    assert!(plain.contains("Dockerfile:1:1: DF101"), "{plain:?}");
    assert!(!plain.contains('\x1b'), "{plain:?}");
    // An empty NO_COLOR does not count (no-color.org).
    let empty = String::from_utf8_lossy(&run(Some("")).unwrap().stdout).into_owned();
    assert!(empty.contains('\x1b'), "{empty:?}");
}
