//! `dockfix parse`: the syntax model, for debugging and parser-parity tests.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use crate::syntax::{buildkit_commands, Document};

pub(super) fn run(path: &Path, tree: bool) -> ExitCode {
    let source = match super::read_source(path) {
        Ok(source) => source,
        Err(message) => {
            eprintln!("error: {}: {message}", path.display());
            return ExitCode::from(2);
        }
    };
    let document = Document::new(&source);
    let mut out = std::io::stdout().lock();
    if tree {
        let _ = writeln!(out, "{}", crate::syntax::sexp(document.tree()));
        return ExitCode::SUCCESS;
    }
    let model = document.model();
    match buildkit_commands(&model, &source) {
        Ok(commands) => match serde_json::to_string_pretty(&commands) {
            Ok(json) => {
                let _ = writeln!(out, "{json}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: cannot serialize: {e}");
                ExitCode::from(2)
            }
        },
        Err(error) => {
            let line = source
                .get(..error.range.start)
                .map_or(0, |s| s.matches('\n').count())
                + 1;
            let json = serde_json::json!({ "error": error.message, "line": line });
            let _ = writeln!(out, "{json}");
            ExitCode::from(1)
        }
    }
}
