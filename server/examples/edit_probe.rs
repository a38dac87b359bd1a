//! Profiles one-character edits on a file: `cargo run --release --example edit_probe -- FILE`.
use std::time::Instant;

fn main() {
    let path = std::env::args().nth(1).unwrap_or_default();
    let Ok(text) = std::fs::read_to_string(&path) else {
        return;
    };
    let mut document = dockfix::syntax::Document::new(&text);
    let at = text.len() / 2;
    let at = text[at..].find("make install").map_or(at, |i| at + i + 4);
    let mut times = Vec::new();
    for i in 0..400 {
        let t = Instant::now();
        if i % 2 == 0 {
            document.edit(at..at, "x");
        } else {
            document.edit(at..at + 1, "");
        }
        times.push(t.elapsed().as_secs_f64() * 1e6);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "median {:.0} µs, reparsed {}",
        times[times.len() / 2],
        document.shells().last_reparsed
    );
}
