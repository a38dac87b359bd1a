//! Times the analysis of a parsed document: `cargo run --release --example analyze_probe -- FILE`.
use std::time::Instant;

fn main() {
    let path = std::env::args().nth(1).unwrap_or_default();
    let Ok(text) = std::fs::read_to_string(&path) else {
        return;
    };
    let document = dockfix::syntax::Document::new(&text);
    let mut times = Vec::new();
    for _ in 0..60 {
        let t = Instant::now();
        let found = dockfix::analyze_document(&document);
        times.push(t.elapsed().as_secs_f64() * 1e3);
        std::hint::black_box(found);
    }
    times.sort_by(f64::total_cmp);
    println!("median {:.2} ms", times[times.len() / 2]);
}
