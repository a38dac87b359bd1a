//! Measures incremental re-parse time at the start, middle and end of a file:
//! `cargo run --release --example reparse_probe -- FILE`.
use std::time::Instant;

fn main() {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "/tmp/big.Dockerfile".into());
    let Ok(text) = std::fs::read_to_string(&path) else {
        return;
    };
    let mut parser = dockfix::syntax::new_parser();
    let Some(tree) = parser.parse(&text, None) else {
        return;
    };
    for (label, at) in [
        ("start", 20usize),
        ("middle", text.len() / 2),
        ("end", text.len() - 20),
    ] {
        let Some(at) = text[..at].rfind(' ') else {
            continue;
        };
        let mut edited = text.clone();
        edited.insert(at, 'x');
        let row = text[..at].matches('\n').count();
        let column = at - text[..at].rfind('\n').map_or(0, |i| i + 1);
        let p = tree_sitter::Point { row, column };
        let e = tree_sitter::InputEdit {
            start_byte: at,
            old_end_byte: at,
            new_end_byte: at + 1,
            start_position: p,
            old_end_position: p,
            new_end_position: tree_sitter::Point {
                row,
                column: column + 1,
            },
        };
        let mut times = Vec::new();
        for _ in 0..31 {
            let mut old = tree.clone();
            old.edit(&e);
            let t = Instant::now();
            let _ = parser.parse(&edited, Some(&old));
            times.push(t.elapsed().as_secs_f64() * 1e6);
        }
        times.sort_by(f64::total_cmp);
        println!(
            "{label}: one-character edit re-parse, median {:.0} µs",
            times[times.len() / 2]
        );
    }
}
