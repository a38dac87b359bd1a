//! Random incremental edit sequences on a Dockerfile: after every edit the
//! document's tree and bash trees equal those of a fresh parse of its text,
//! and its rope equals its text.
//!
//! Input layout: the initial text (lossy UTF-8), then the separator
//! `0xFF 0xFE` (never valid UTF-8, so never inside a real Dockerfile), then
//! the edit script, read with `arbitrary`. Without a separator the whole
//! input is the text and the script is the input read backwards. `fuzz/run`
//! seeds this target with corpus Dockerfiles followed by a random script.

#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use dockfix::syntax::Document;
use libfuzzer_sys::fuzz_target;
use tree_sitter::Tree;

const SEPARATOR: &[u8] = &[0xFF, 0xFE];
const MAX_EDITS: usize = 48;

use dockfix::invariants::EDIT_FRAGMENTS as FRAGMENTS;

#[derive(Debug, Arbitrary)]
enum Insert {
    Fragment(u8),
    Text(String),
    /// A copy of `len` bytes of the document from `from` (cut and paste).
    Copy {
        from: u32,
        len: u16,
    },
}

#[derive(Debug, Arbitrary)]
struct Edit {
    start: u32,
    delete: u8,
    /// A delete length of up to 4096 bytes instead of 255.
    long_delete: bool,
    insert: Insert,
}

/// Every node's kind, missing flag, byte range and points, depth first,
/// walked with a cursor (Dockerfile trees are as deep as a stage is long).
fn dump(
    tree: &Tree,
) -> Vec<(
    u16,
    bool,
    std::ops::Range<usize>,
    tree_sitter::Point,
    tree_sitter::Point,
)> {
    let mut out = Vec::new();
    let mut cursor = tree.walk();
    loop {
        let node = cursor.node();
        out.push((
            node.kind_id(),
            node.is_missing(),
            node.byte_range(),
            node.start_position(),
            node.end_position(),
        ));
        if cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return out;
            }
        }
    }
}

fn check(document: &Document, history: &[String]) {
    let text = document.text();
    assert!(
        document.rope() == text,
        "the rope differs from the text after {history:?}"
    );
    let fresh = Document::new(text);
    assert!(
        dump(document.tree()) == dump(fresh.tree()),
        "incremental tree differs from a fresh parse after {history:?}\ntext: {text:?}\nincremental:\n{}\nfresh:\n{}",
        dockfix::syntax::sexp(document.tree()),
        dockfix::syntax::sexp(fresh.tree()),
    );
    let ours = document.shells().trees();
    let theirs = fresh.shells().trees();
    assert_eq!(
        ours.len(),
        theirs.len(),
        "bash tree count after {history:?}\ntext: {text:?}"
    );
    for (a, b) in ours.iter().zip(theirs) {
        assert_eq!(
            a.instruction, b.instruction,
            "bash tree instruction after {history:?}\ntext: {text:?}"
        );
        assert_eq!(
            a.ranges, b.ranges,
            "bash tree ranges after {history:?}\ntext: {text:?}"
        );
        let same = match (&a.tree, &b.tree) {
            (Some(a), Some(b)) => dump(a) == dump(b),
            (None, None) => true,
            _ => false,
        };
        assert!(
            same,
            "bash tree of {:?} differs after {history:?}\ntext: {text:?}",
            a.instruction
        );
    }
    assert_commands_equal(document, &fresh, history);
}

/// The simple commands (extracted once, then shifted with their tree) equal
/// those of a fresh parse. Reading them also fills the caches that the next
/// edit shifts, as an analysis does.
fn assert_commands_equal(document: &Document, fresh: &Document, history: &[String]) {
    let text = document.text();
    let ours: Vec<String> = document
        .shells()
        .trees()
        .iter()
        .map(|t| format!("{:?}", t.commands(text)))
        .collect();
    let theirs: Vec<String> = fresh
        .shells()
        .trees()
        .iter()
        .map(|t| format!("{:?}", t.commands(text)))
        .collect();
    assert!(ours == theirs, "commands differ after {history:?}\ntext: {text:?}\nincremental: {ours:?}\nfresh: {theirs:?}");
}

fuzz_target!(|data: &[u8]| {
    let (text, script) = match data.windows(2).position(|w| w == SEPARATOR) {
        Some(at) => (&data[..at], &data[at + 2..]),
        None => (data, data),
    };
    let text = String::from_utf8_lossy(text);
    let mut document = Document::new(&text);
    // The language server's documents keep commands, not bash trees.
    let mut compact = Document::new_compact(&text);
    let mut u = Unstructured::new(script);
    let mut history = Vec::new();
    for _ in 0..MAX_EDITS {
        let Ok(edit) = Edit::arbitrary(&mut u) else {
            break;
        };
        let len = document.text().len();
        let start = edit.start as usize % (len + 1);
        let delete = if edit.long_delete {
            usize::from(edit.delete) * 16
        } else {
            usize::from(edit.delete % 8)
        };
        let end = (start + delete).min(len);
        let insert = match edit.insert {
            Insert::Fragment(i) => FRAGMENTS[usize::from(i) % FRAGMENTS.len()].to_owned(),
            Insert::Text(s) => s,
            Insert::Copy { from, len: n } => {
                let from = from as usize % (len + 1);
                let to = (from + usize::from(n) % 512).min(len);
                String::from_utf8_lossy(&document.text().as_bytes()[from..to]).into_owned()
            }
        };
        history.push(format!("{start}..{end} -> {insert:?}"));
        document.edit(start..end, &insert);
        compact.edit(start..end, &insert);
        check(&document, &history);
        assert!(
            compact.text() == document.text(),
            "compact text after {history:?}"
        );
        assert!(
            compact.rope() == compact.text(),
            "compact rope after {history:?}"
        );
        assert_commands_equal(&compact, &Document::new(compact.text()), &history);
        if u.is_empty() {
            break;
        }
    }
});
