//! Invariants that hold for any input, shared by the fuzz targets
//! (`fuzz/fuzz_targets/`) and the tests that replay what they found, so that a
//! replay checks exactly what the fuzzer checked.

use crate::syntax::{syntax_errors, Document};
use crate::{Applicability, Options};

/// Default options with every rule selected, off-by-default ones included.
pub fn every_rule() -> Options {
    let mut options = Options::default();
    options.settings.selection.select = Some(
        crate::rules::RULES
            .iter()
            .map(|r| r.code.to_owned())
            .collect(),
    );
    options
}

/// The number of syntax errors (DF001) of a text.
pub fn syntax_error_count(text: &str) -> usize {
    let document = Document::new(text);
    syntax_errors(document.tree(), &document.model(), text).len()
}

/// No fix adds a syntax error: neither any fix applied alone (a quick fix)
/// nor fix-all at either level (`check --fix`, `check --fix --unsafe-fixes`).
/// The error says which fix did, with its input and output.
pub fn fixes_add_no_syntax_errors(text: &str, options: &Options) -> Result<(), String> {
    let before = syntax_error_count(text);
    for diagnostic in crate::analyze_with(text, options) {
        let Some(fix) = &diagnostic.fix else { continue };
        if fix.applicability == Applicability::DisplayOnly {
            continue;
        }
        let (fixed, applied) = crate::fix::apply(text, [fix]);
        if applied.is_empty() {
            continue;
        }
        let after = syntax_error_count(&fixed);
        if after > before {
            return Err(format!(
                "{} fix {:?} adds syntax errors ({before} -> {after})\ninput: {text:?}\noutput: {fixed:?}",
                diagnostic.code, fix.title,
            ));
        }
    }
    for level in [Applicability::Safe, Applicability::Unsafe] {
        let outcome = crate::fix_all(text, options, level);
        let after = syntax_error_count(&outcome.text);
        if after > before {
            return Err(format!(
                "fix-all ({}) adds syntax errors ({before} -> {after})\ninput: {text:?}\noutput: {:?}",
                level.as_str(),
                outcome.text,
            ));
        }
    }
    Ok(())
}

/// Dockerfile-shaped pieces of text for random edits (the `incremental_edits`
/// fuzz target and the incremental-parsing property test): line ends of every
/// kind, continuations, heredocs, quotes, directives, expansions, flags.
pub const EDIT_FRAGMENTS: &[&str] = &[
    "\\\n",
    "\n",
    "\r\n",
    "\r",
    " ",
    "<<EOF\n",
    "EOF\n",
    "<<-X ",
    "X\n",
    "\"",
    "'",
    "[",
    "]",
    "[\"a\", \"b\"]",
    "#",
    "# c\n",
    "# escape=`\n",
    "# syntax=docker/dockerfile:1\n",
    "`\n",
    "RUN ",
    "FROM a AS b\n",
    "FROM scratch\n",
    "--mount=type=cache,target=/x ",
    "${A:-${B}}",
    "$",
    "🐳",
    "=",
    ":",
    "@",
    "COPY <<EOF /x\n",
    "ENV A=1 B=\"2 3\"\n",
    "\t",
    "ONBUILD ",
    "HEALTHCHECK CMD ",
    "\\",
    "\\\\",
    "{{",
    "--",
    "\u{feff}",
    "USER root\n",
    "ARG V=1\n",
    "CMD [\"sh\", \"-c\", \"x\"]\n",
    "RUN apt-get install -y curl\n",
    "&& ",
    "|| ",
    ";",
    "$(",
    ")",
    "<<'EOF'\n",
    "\0",
];
