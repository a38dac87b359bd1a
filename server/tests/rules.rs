//! The rule harness: every rule has fixtures under
//! `tests/fixtures/rules/<rule-name>/` (`invalid*.Dockerfile` must trigger it,
//! `valid*.Dockerfile` must not), with `# error` / `# ok` marker comments
//! right above the instructions that must / must not be reported. Snapshots
//! show each diagnostic with a code frame and each fix as a labelled diff.
//! Every fix must apply alone without a syntax error, and all fixes of the
//! rule together must converge. The docs' Example / Use instead blocks are
//! tests too, and so is the README's rule table.

#![allow(clippy::expect_used, clippy::unwrap_used)] // Tests fail by panicking.

use std::fs;
use std::path::{Path, PathBuf};

use dockfix::config::Config;
use dockfix::fix::{self, Applicability};
use dockfix::rules::{Rule, RULES};
use dockfix::semantics::dockerignore::BuildContext;
use dockfix::{analyze_with, Diagnostic, Options};

fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/rules")
}

/// Options that run one rule (and DF001, so broken fixtures show) on a fixed date.
fn options_for(rule: &Rule, config: Option<&Config>) -> Options {
    let mut options = Options::default();
    if let Some(config) = config {
        options.settings = config.settings_for(None);
    }
    // The rule and DF001, plus what the fixture's own settings select.
    let mut select = options.settings.selection.select.take().unwrap_or_default();
    select.extend([rule.code.to_owned(), "DF001".to_owned()]);
    options.settings.selection.select = Some(select);
    options.settings.selection.ignore.clear();
    options.today = dockfix::knowledge::Date::parse("2026-11-27").unwrap();
    options
}

/// A fixture may start with `# config: <toml>` lines: its settings.
fn fixture_config(source: &str) -> Option<Config> {
    let toml: Vec<&str> = source
        .lines()
        .map_while(|l| l.strip_prefix("# config: "))
        .collect();
    (!toml.is_empty()).then(|| Config::from_toml(&toml.join("\n"), "fixture").unwrap())
}

fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[start..].chars().count() + 1)
}

/// The build context of a fixture: `<fixture>.dockerignore` beside it when
/// present (BuildKit's own naming), else a folder without an ignore file.
fn fixture_context(file: &Path) -> BuildContext {
    let mut name = file.as_os_str().to_owned();
    name.push(".dockerignore");
    match fs::read_to_string(&name) {
        Ok(contents) => BuildContext::with_ignore_file(".dockerignore", contents),
        Err(_) => BuildContext::without_ignore_file(),
    }
}

fn render(source: &str, diagnostics: &[Diagnostic], options: &Options) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let (l1, c1) = line_col(source, d.range.start);
        let (l2, c2) = line_col(source, d.range.end);
        out.push_str(&format!(
            "{} {} {l1}:{c1}-{l2}:{c2} {}: {}\n",
            d.code,
            d.name,
            d.severity.as_str(),
            d.message
        ));
        let line = source.lines().nth(l1 - 1).unwrap_or("");
        out.push_str(&format!("  | {line}\n"));
        let width = if l1 == l2 {
            (c2 - c1).max(1)
        } else {
            line.chars().count().saturating_sub(c1 - 1).max(1)
        };
        out.push_str(&format!(
            "  | {}{}\n",
            " ".repeat(c1 - 1),
            "^".repeat(width)
        ));
        if let Some(f) = &d.fix {
            out.push_str(&format!(
                "  fix ({}): {}\n",
                f.applicability.as_str(),
                f.title
            ));
            if !f.edits.is_empty() {
                let (fixed, applied) = fix::apply(source, [f]);
                assert_eq!(applied, vec![0], "fix {:?} does not apply", f.title);
                push_diff(&mut out, source, &fixed);
            }
            for change in &f.files {
                let before = match (&options.build_context, change.create) {
                    (Some(context), false) => context
                        .ignore_file
                        .as_ref()
                        .map(|f| f.contents.clone())
                        .unwrap_or_default(),
                    _ => String::new(),
                };
                let (after, applied) =
                    fix::apply(&before, [&fix::Fix::unsafe_("file", change.edits.clone())]);
                assert_eq!(
                    applied,
                    vec![0],
                    "the edit of {} does not apply",
                    change.path
                );
                out.push_str(&format!(
                    "  {} {}:\n",
                    if change.create { "creates" } else { "edits" },
                    change.path
                ));
                push_diff(&mut out, &before, &after);
            }
        }
        out.push('\n');
    }
    out
}

fn push_diff(out: &mut String, before: &str, after: &str) {
    let diff = similar::TextDiff::from_lines(before, after);
    for line in diff.unified_diff().context_radius(1).to_string().lines() {
        if !line.starts_with("---") && !line.starts_with("+++") {
            out.push_str(&format!("    {line}\n"));
        }
    }
}

/// Rows (0-based) of the instructions right below `# error` / `# ok` markers.
fn markers(source: &str, marker: &str) -> Vec<usize> {
    let lines: Vec<&str> = source.lines().collect();
    let mut rows = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if line.trim() == marker {
            let mut j = i + 1;
            while lines
                .get(j)
                .is_some_and(|l| l.trim_start().starts_with('#'))
            {
                j += 1;
            }
            rows.push(j);
        }
    }
    rows
}

fn rows_of(source: &str, diagnostics: &[Diagnostic]) -> Vec<usize> {
    diagnostics
        .iter()
        .map(|d| line_col(source, d.range.start).0 - 1)
        .collect()
}

fn fixture_files(rule: &Rule) -> Vec<PathBuf> {
    let dir = fixtures_root().join(rule.name);
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{} needs fixtures in {}: {e}", rule.code, dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "Dockerfile"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_rule_has_fixtures_snapshots_and_converging_fixes() {
    for rule in RULES {
        let files = fixture_files(rule);
        let name = |p: &Path| p.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            files.iter().any(|p| name(p).starts_with("invalid")),
            "{}: no invalid fixture",
            rule.code
        );
        assert!(
            files.iter().any(|p| name(p).starts_with("valid")),
            "{}: no valid fixture",
            rule.code
        );
        for file in &files {
            let source = fs::read_to_string(file).unwrap();
            let config = fixture_config(&source);
            let mut options = options_for(rule, config.as_ref());
            options.build_context = Some(fixture_context(file));
            let diagnostics = analyze_with(&source, &options);
            let label = format!("{}/{}", rule.name, name(file));
            assert!(
                rule.code == "DF001" || !diagnostics.iter().any(|d| d.code == "DF001"),
                "{label}: syntax error: {diagnostics:#?}"
            );
            let ours: Vec<Diagnostic> = diagnostics
                .into_iter()
                .filter(|d| d.code == rule.code)
                .collect();
            let rows = rows_of(&source, &ours);
            if name(file).starts_with("invalid") {
                assert!(!ours.is_empty(), "{label}: the rule did not fire");
            } else {
                assert!(ours.is_empty(), "{label}: the rule fired: {ours:#?}");
            }
            for row in markers(&source, "# error") {
                assert!(
                    rows.contains(&row),
                    "{label}: nothing reported on line {}",
                    row + 1
                );
            }
            for row in markers(&source, "# ok") {
                assert!(
                    !rows.contains(&row),
                    "{label}: reported on line {}",
                    row + 1
                );
            }
            for d in &ours {
                if let Some(f) = &d.fix {
                    let (fixed, _) = fix::apply(&source, [f]);
                    let after = analyze_with(&fixed, &options);
                    assert!(
                        rule.code == "DF001" || !after.iter().any(|d| d.code == "DF001"),
                        "{label}: fix {:?} breaks the syntax:\n{fixed}",
                        f.title
                    );
                }
            }
            let outcome = fix::fix_all(&source, Applicability::Unsafe, |text| {
                analyze_with(text, &options)
            });
            assert!(outcome.converged, "{label}: fixes do not converge");
            let again = fix::fix_all(&outcome.text, Applicability::Unsafe, |text| {
                analyze_with(text, &options)
            });
            assert_eq!(
                again.text, outcome.text,
                "{label}: fixing twice changes the file"
            );
            let snapshot_name = format!(
                "{}__{}",
                rule.code,
                name(file).trim_end_matches(".Dockerfile")
            );
            insta::with_settings!({ description => source.clone(), omit_expression => true }, {
                insta::assert_snapshot!(snapshot_name, render(&source, &ours, &options));
            });
        }
    }
}

/// The ```dockerfile (and optional ```toml settings) blocks of one docs section.
fn blocks<'a>(docs: &'a str, section: &str) -> Vec<(&'a str, String)> {
    let Some(start) = docs.find(&format!("## {section}\n")) else {
        return Vec::new();
    };
    let body = &docs[start + section.len() + 4..];
    let body = &body[..body.find("\n## ").unwrap_or(body.len())];
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(open) = rest.find("```") {
        let after = &rest[open + 3..];
        let lang_end = after.find('\n').unwrap_or(after.len());
        let lang = &after[..lang_end];
        let Some(close) = after[lang_end..].find("```") else {
            break;
        };
        let code = &after[lang_end + 1..lang_end + close];
        out.push((lang, code.to_owned()));
        rest = &after[lang_end + close + 3..];
    }
    out
}

#[test]
fn docs_have_every_section_and_their_examples_are_tests() {
    for rule in RULES {
        let docs = rule.docs();
        for section in [
            "What it does",
            "Why is this bad?",
            "Example",
            "Use instead",
            "Fix safety",
            "References",
        ] {
            assert!(
                docs.contains(&format!("## {section}\n")),
                "{}: docs lack `## {section}`",
                rule.code
            );
        }
        let example = blocks(docs, "Example");
        let config = example
            .iter()
            .find(|(lang, _)| *lang == "toml")
            .map(|(_, toml)| Config::from_toml(toml, "docs").unwrap());
        let options = options_for(rule, config.as_ref());
        // A ```dockerignore block of a section is the ignore file beside it.
        let fires_in = |code: &str, section: &str| {
            let mut options = options.clone();
            options.build_context = Some(
                match blocks(docs, section)
                    .into_iter()
                    .find(|(lang, _)| *lang == "dockerignore")
                {
                    Some((_, contents)) => {
                        BuildContext::with_ignore_file(".dockerignore", contents)
                    }
                    None => BuildContext::without_ignore_file(),
                },
            );
            analyze_with(code, &options)
                .iter()
                .any(|d| d.code == rule.code)
        };
        let dockerfiles = |section| -> Vec<String> {
            blocks(docs, section)
                .into_iter()
                .filter(|(lang, _)| *lang == "dockerfile")
                .map(|(_, code)| code)
                .collect()
        };
        let bad = dockerfiles("Example");
        let good = dockerfiles("Use instead");
        assert!(
            !bad.is_empty() && !good.is_empty(),
            "{}: docs need dockerfile examples",
            rule.code
        );
        for code in bad {
            assert!(
                fires_in(&code, "Example"),
                "{}: the Example does not trigger the rule:\n{code}",
                rule.code
            );
        }
        for code in good {
            assert!(
                !fires_in(&code, "Use instead"),
                "{}: the Use instead block triggers the rule:\n{code}",
                rule.code
            );
        }
    }
}

#[test]
fn the_readme_rule_table_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md");
    let readme = fs::read_to_string(&path).unwrap();
    let (start, end) = ("<!-- rules:start -->\n", "<!-- rules:end -->");
    let from = readme.find(start).expect("README has a rules:start marker") + start.len();
    let to = readme.find(end).expect("README has a rules:end marker");
    let table = dockfix::rules::markdown_table();
    if readme[from..to] != table {
        if std::env::var_os("DOCKFIX_UPDATE_README").is_some() {
            let updated = format!("{}{table}{}", &readme[..from], &readme[to..]);
            fs::write(&path, updated).unwrap();
        } else {
            panic!("the README rule table is stale: run `DOCKFIX_UPDATE_README=1 cargo test --test rules`");
        }
    }
}

#[test]
fn the_rule_docs_pages_are_current() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/rules");
    let update = std::env::var_os("DOCKFIX_UPDATE_README").is_some();
    if update {
        fs::create_dir_all(&dir).unwrap();
    }
    for rule in RULES {
        let path = dir.join(format!("{}.md", rule.code));
        let expected = dockfix::rules::rule_markdown(rule);
        if fs::read_to_string(&path).ok().as_deref() != Some(expected.as_str()) {
            if update {
                fs::write(&path, expected).unwrap();
            } else {
                panic!(
                    "{} is stale: run `DOCKFIX_UPDATE_README=1 cargo test --test rules`",
                    path.display()
                );
            }
        }
    }
}
