//! Runs `test/corpus/*.txt` (tree-sitter's corpus format) under `cargo test`,
//! so the grammar is tested without the tree-sitter CLI.

#![allow(clippy::expect_used, clippy::unwrap_used)] // Tests fail by panicking.

use std::fs;
use std::path::Path;

use tree_sitter::Parser;

struct Case {
    file: String,
    title: String,
    input: String,
    expected: String,
    expects_error: bool,
}

fn is_rule(line: &str, c: char) -> bool {
    line.len() >= 3 && line.chars().all(|x| x == c)
}

fn cases(path: &Path) -> Vec<Case> {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let file = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if !is_rule(lines[i].trim_end_matches(['\n', '\r']), '=') {
            i += 1;
            continue;
        }
        let title = lines[i + 1].trim().to_owned();
        i += 2;
        // Attribute lines such as `:error` sit between the title and the closing rule.
        let mut attributes = Vec::new();
        while i < lines.len() && lines[i].starts_with(':') {
            attributes.push(lines[i].trim().to_owned());
            i += 1;
        }
        i += 1;
        let mut input = String::new();
        while i < lines.len() && !is_rule(lines[i].trim_end_matches(['\n', '\r']), '-') {
            input.push_str(lines[i]);
            i += 1;
        }
        // The blank line before the divider is the format's, not the input's.
        if input.ends_with("\n\n") {
            input.pop();
        }
        i += 1;
        let mut expected = String::new();
        while i < lines.len() && !is_rule(lines[i].trim_end_matches(['\n', '\r']), '=') {
            expected.push_str(lines[i]);
            i += 1;
        }
        let expects_error = attributes.iter().any(|a| a == ":error");
        out.push(Case {
            file: file.clone(),
            title,
            input,
            expected,
            expects_error,
        });
    }
    out
}

/// Whitespace-insensitive S-expression without field names.
fn normalize(sexp: &str) -> String {
    let mut out = String::new();
    for token in sexp.split_whitespace() {
        if token.ends_with(':') && !token.starts_with('(') && !token.starts_with('\'') {
            continue;
        }
        if !out.is_empty() && !out.ends_with('(') && !token.starts_with(')') {
            out.push(' ');
        }
        out.push_str(token);
    }
    out
}

#[test]
fn corpus() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("test/corpus");
    let mut files: Vec<_> = fs::read_dir(&dir)
        .expect("test/corpus exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    let mut parser = Parser::new();
    parser
        .set_language(&tree_sitter_dockerfile_dockfix::LANGUAGE.into())
        .expect("language loads");
    let mut failures = Vec::new();
    let mut count = 0;
    for path in files
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
    {
        for case in cases(path) {
            count += 1;
            let tree = parser.parse(&case.input, None).expect("a tree");
            if case.expects_error {
                if !tree.root_node().has_error() {
                    failures.push(format!(
                        "{} / {}: expected a syntax error",
                        case.file, case.title
                    ));
                }
                continue;
            }
            let actual = normalize(&tree.root_node().to_sexp());
            let expected = normalize(&case.expected);
            if actual != expected {
                failures.push(format!(
                    "{} / {}:\n  expected {expected}\n  actual   {actual}",
                    case.file, case.title
                ));
            }
        }
    }
    assert!(count >= 90, "only {count} corpus cases found");
    assert!(
        failures.is_empty(),
        "{} of {count} corpus cases differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_instruction_has_a_corpus_file() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("test/corpus");
    for kind in [
        "from",
        "run",
        "cmd",
        "label",
        "maintainer",
        "expose",
        "env",
        "add",
        "copy",
        "entrypoint",
        "volume",
        "user",
        "workdir",
        "arg",
        "onbuild",
        "stopsignal",
        "healthcheck",
        "shell",
    ] {
        let path = dir.join(format!("{kind}.txt"));
        let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(
            text.contains(&format!("({kind}_instruction")),
            "{} has no {kind} case",
            path.display()
        );
    }
}
