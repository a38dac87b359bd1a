//! Incremental parsing equals a fresh parse after every edit.
//!
//! Random edit sequences (Dockerfile-shaped insertions, deletions and
//! replacements) run on the syntax fixtures; after each edit the document's
//! tree, bash trees and rope must equal those of a fresh parse of the text.
//! 256 cases × 40 edits = 10,240 edits per run.

#![allow(clippy::expect_used, clippy::unwrap_used)] // Tests fail by panicking.

use std::fs;
use std::path::Path;

use dockfix::syntax::Document;
use proptest::prelude::*;
use tree_sitter::Node;

const EDITS_PER_CASE: usize = 40;

/// 256 cases by default; `DOCKFIX_PROPTEST_CASES` runs more by hand.
fn cases() -> u32 {
    std::env::var("DOCKFIX_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

fn seeds() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/syntax/valid");
    let mut files: Vec<_> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    let seeds: Vec<String> = files
        .iter()
        .filter_map(|p| fs::read_to_string(p).ok())
        .collect();
    assert!(seeds.len() > 100, "expected the syntax fixtures as seeds");
    seeds
}

/// Every node with its kind and byte range, depth first.
fn dump(node: Node<'_>, out: &mut Vec<(String, usize, usize)>) {
    let name = if node.is_missing() {
        format!("MISSING {}", node.kind())
    } else {
        node.kind().to_owned()
    };
    out.push((name, node.start_byte(), node.end_byte()));
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        dump(child, out);
    }
}

fn tree_dump(document: &Document) -> Vec<(String, usize, usize)> {
    let mut out = Vec::new();
    dump(document.tree().root_node(), &mut out);
    out
}

/// Every bash tree with its instruction, ranges, and each node's kind, bytes and points.
fn shell_dump(document: &Document) -> Vec<(std::ops::Range<usize>, String)> {
    fn nodes(node: Node<'_>, out: &mut String) {
        out.push_str(&format!(
            "{}{:?}{:?} ",
            node.kind(),
            node.byte_range(),
            (node.start_position(), node.end_position())
        ));
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            nodes(child, out);
        }
    }
    document
        .shells()
        .trees()
        .iter()
        .map(|t| {
            let mut out = format!("{:?} ", t.ranges);
            nodes(t.tree.as_ref().expect("kept").root_node(), &mut out);
            (t.instruction.clone(), out)
        })
        .collect()
}

use dockfix::invariants::EDIT_FRAGMENTS as FRAGMENTS;

#[derive(Debug, Clone)]
struct Edit {
    start: usize,
    delete: usize,
    insert: String,
    /// Let the document rest (drop its trees) before this edit.
    rest: bool,
}

fn edit() -> impl Strategy<Value = Edit> {
    let text = prop_oneof![
        3 => proptest::sample::select(FRAGMENTS).prop_map(str::to_owned),
        1 => "[ -~\\n]{0,12}",
        1 => Just(String::new()),
    ];
    (
        any::<usize>(),
        prop_oneof![3 => 0usize..3, 1 => 0usize..40],
        text,
        proptest::bool::weighted(0.125),
    )
        .prop_map(|(start, delete, insert, rest)| Edit {
            start,
            delete,
            insert,
            rest,
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn incremental_parse_equals_fresh_parse(
        seed in any::<proptest::sample::Index>(),
        edits in proptest::collection::vec(edit(), EDITS_PER_CASE),
    ) {
        let seeds = seeds();
        let mut document = Document::new(seed.get(seeds.as_slice()).as_str());
        for edit in edits {
            let len = document.text().len();
            let start = edit.start % (len + 1);
            let end = (start + edit.delete).min(len);
            if edit.rest {
                document.rest();
            }
            document.edit(start..end, &edit.insert);
            let fresh = Document::new(document.text());
            prop_assert_eq!(document.rope().to_string(), document.text());
            prop_assert_eq!(tree_dump(&document), tree_dump(&fresh), "text: {:?}", document.text());
            prop_assert_eq!(shell_dump(&document), shell_dump(&fresh), "text: {:?}", document.text());
        }
    }
}

#[test]
fn untouched_instructions_keep_their_bash_trees() {
    let mut text = String::from("FROM alpine\n");
    for i in 0..50 {
        text.push_str(&format!("RUN echo {i} && \\\n    true\n"));
    }
    let mut document = Document::new(&text);
    assert_eq!(document.shells().trees().len(), 50);
    let at = text.find("echo 25").expect("present") + "echo 2".len();
    document.edit(at..at + 1, "7");
    assert_eq!(
        document.shells().last_reparsed,
        1,
        "only the edited RUN is re-parsed"
    );
    assert!(document.text().contains("echo 27 &&"));
}
