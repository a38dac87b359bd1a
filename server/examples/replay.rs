//! Replays a failing case of the incremental property test and prints the first
//! edit after which the bash trees differ from a fresh parse:
//! `cargo run --example replay -- case.json`, where `case.json` is
//! `{"seed": INDEX, "edits": [[start, delete, "insert"], ...]}` taken from
//! proptest's minimal failing input.
use std::path::Path;

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        return;
    };
    let Ok(json) = std::fs::read_to_string(&path) else {
        return;
    };
    let Ok(case) = serde_json::from_str::<serde_json::Value>(&json) else {
        return;
    };
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/syntax/valid");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    let seeds: Vec<String> = files
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect();
    let seed = case["seed"].as_u64().unwrap_or(0);
    let index = ((seeds.len() as u128 * seed as u128) >> 64) as usize;
    let mut document = dockfix::syntax::Document::new(&seeds[index]);
    let dump = |d: &dockfix::syntax::Document| {
        d.shells()
            .trees()
            .iter()
            .map(|t| (t.instruction.clone(), t.ranges.clone()))
            .collect::<Vec<_>>()
    };
    for (step, edit) in case["edits"].as_array().into_iter().flatten().enumerate() {
        let start = edit[0].as_u64().unwrap_or(0) as usize;
        let delete = edit[1].as_u64().unwrap_or(0) as usize;
        let insert = edit[2].as_str().unwrap_or("");
        let len = document.text().len();
        let s = start % (len + 1);
        let e = (s + delete).min(len);
        let before = document.text().to_owned();
        document.edit(s..e, insert);
        let fresh = dockfix::syntax::Document::new(document.text());
        if dump(&document) != dump(&fresh) {
            println!("step {step}: edit {s}..{e} -> {insert:?}");
            println!("before: {before:?}");
            println!("after:  {:?}", document.text());
            println!("ours:  {:?}", dump(&document));
            println!("fresh: {:?}", dump(&fresh));
            return;
        }
    }
    println!("no divergence");
}
