//! Parse, incremental re-parse and analysis on small, medium and 5,000-line
//! Dockerfiles. Run with `cargo bench -p dockfix --bench parse`.

use divan::Bencher;
use dockfix::syntax::{new_parser, Document};

fn main() {
    divan::main();
}

const BLOCK: &str = r#"FROM golang:1.23-alpine AS build
ARG VERSION=dev
WORKDIR /src
COPY --link go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \
    go mod download
COPY . .
RUN --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -ldflags "-X main.version=${VERSION}" -o /out/app ./cmd/app && \
    # strip the binary
    strip /out/app
RUN <<EOF
set -eux
apk add --no-cache ca-certificates tzdata
adduser -D -u 10001 app
EOF
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/*
ENV APP_ENV=production PORT=8080
LABEL org.opencontainers.image.source="https://example.com/app"
COPY --from=build /out/app /usr/local/bin/app
USER 10001:10001
EXPOSE 8080
HEALTHCHECK --interval=30s CMD curl -fsS http://localhost:8080/health || exit 1
CMD ["app", "serve"]
"#;

/// Official-image style: long RUN chains, about 7 lines per instruction, as in
/// the real-world corpus (45,163 lines, 6,731 instructions).
const TYPICAL_BLOCK: &str = include_str!("../../tests/bench/typical-block.Dockerfile");

/// A Dockerfile of about `lines` lines.
fn dockerfile_of(block: &str, lines: usize) -> String {
    let per_block = block.lines().count();
    block.repeat(lines.div_ceil(per_block))
}

/// The inputs: small, medium and 5,000-line files of the typical shape, a
/// 5,000-line file as dense as it gets (one instruction per 1.3 lines), and a
/// 5,000-line file that is one single stage (the worst case for re-parsing).
fn dockerfile(size: &str) -> String {
    match size {
        "30-lines" => dockerfile_of(BLOCK, 30),
        "500-lines" => dockerfile_of(TYPICAL_BLOCK, 500),
        "5000-lines" => dockerfile_of(TYPICAL_BLOCK, 5_000),
        "5000-lines-one-stage" => {
            let body: String = TYPICAL_BLOCK
                .lines()
                .skip(1)
                .map(|l| format!("{l}\n"))
                .collect();
            format!("FROM debian:bookworm-slim\n{}", dockerfile_of(&body, 5_000))
        }
        _ => dockerfile_of(BLOCK, 5_000),
    }
}

const SIZES: &[&str] = &[
    "30-lines",
    "500-lines",
    "5000-lines",
    "5000-lines-dense",
    "5000-lines-one-stage",
];

/// A one-character insertion point inside a RUN in the middle of the file.
fn edit_point(text: &str) -> usize {
    let middle = text.len() / 2;
    text[middle..]
        .find("make install")
        .or_else(|| text[middle..].find("go mod download"))
        .map_or(middle, |i| middle + i + 4)
}

/// Our grammar alone: a full parse from scratch.
#[divan::bench(args = SIZES)]
fn parse_tree(bencher: Bencher, size: &str) {
    let text = dockerfile(size);
    let mut parser = new_parser();
    bencher.bench_local(|| parser.parse(&text, None));
}

/// A new document: rope, tree and every bash tree.
#[divan::bench(args = SIZES)]
fn open_document(bencher: Bencher, size: &str) {
    let text = dockerfile(size);
    bencher.bench_local(|| Document::new(&text));
}

/// Typing one character inside a RUN in the middle of the file: rope and tree
/// edit, incremental re-parse, and the bash re-parse of that RUN.
#[divan::bench(args = SIZES, sample_count = 60, sample_size = 1)]
fn edit_one_character(bencher: Bencher, size: &str) {
    let text = dockerfile(size);
    let at = edit_point(&text);
    bencher
        .with_inputs(|| Document::new(&text))
        .bench_local_refs(|document| document.edit(at..at, "x"));
}

/// Every default rule (syntax model, semantics, DF001 and the security rules),
/// from a parsed document.
#[divan::bench(args = SIZES)]
fn analyze_document(bencher: Bencher, size: &str) {
    let document = Document::new(&dockerfile(size));
    let options = dockfix::Options::default();
    bencher.bench_local(|| dockfix::analyze_document(&document, &options));
}

/// Every safe fix to convergence, from the text (re-parsing every round).
#[divan::bench(args = SIZES, sample_count = 20)]
fn fix_all_safe(bencher: Bencher, size: &str) {
    let text = dockerfile(size);
    let options = dockfix::Options::default();
    bencher.bench_local(|| dockfix::fix_all(&text, &options, dockfix::Applicability::Safe));
}

/// The BuildKit view of every instruction (what `dockfix parse` prints).
#[divan::bench(args = SIZES)]
fn buildkit_commands(bencher: Bencher, size: &str) {
    let document = Document::new(&dockerfile(size));
    let model = document.model();
    bencher.bench_local(|| dockfix::syntax::buildkit_commands(&model, document.text()));
}

/// Our grammar alone: the incremental re-parse after a one-character edit.
#[divan::bench(args = SIZES, sample_count = 60, sample_size = 1)]
fn reparse_tree_after_one_character(bencher: Bencher, size: &str) {
    let text = dockerfile(size);
    let at = edit_point(&text);
    let mut edited = text.clone();
    edited.insert(at, 'x');
    let mut parser = new_parser();
    let tree = parser.parse(&text, None);
    let row = text[..at].matches('\n').count();
    let column = at - text[..at].rfind('\n').map_or(0, |i| i + 1);
    let point = tree_sitter::Point { row, column };
    let edit = tree_sitter::InputEdit {
        start_byte: at,
        old_end_byte: at,
        new_end_byte: at + 1,
        start_position: point,
        old_end_position: point,
        new_end_position: tree_sitter::Point {
            row,
            column: column + 1,
        },
    };
    bencher
        .with_inputs(|| {
            let mut old = tree.clone();
            if let Some(old) = old.as_mut() {
                old.edit(&edit);
            }
            old
        })
        .bench_local_refs(|old| parser.parse(&edited, old.as_ref()));
}
