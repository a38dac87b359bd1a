//! Times full parses of a file: `cargo run --release --example parse_probe -- FILE`.
use std::time::Instant;

fn main() {
    let path = std::env::args().nth(1).unwrap_or_default();
    let Ok(text) = std::fs::read_to_string(&path) else {
        return;
    };
    let mut parser = dockfix::syntax::new_parser();
    let mut times = Vec::new();
    for _ in 0..50 {
        let t = Instant::now();
        let _ = parser.parse(&text, None);
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "median {:.2} ms for {} bytes",
        times[times.len() / 2],
        text.len()
    );
}
