//! Arbitrary bytes (read as lossy UTF-8) through the engine as the CLI uses it:
//! analysis with every rule on, then every fix alone and fix-all (safe, then
//! unsafe). Nothing may panic or hang, and no fix may add a syntax error
//! (DF001): each output has at most as many syntax errors as the input.

#![no_main]

use std::sync::OnceLock;

use dockfix::syntax::{syntax_errors, Document};
use dockfix::{Applicability, Options};
use libfuzzer_sys::fuzz_target;

/// Default options with every rule selected, off-by-default ones included.
fn options() -> &'static Options {
    static OPTIONS: OnceLock<Options> = OnceLock::new();
    OPTIONS.get_or_init(|| {
        let mut options = Options::default();
        options.settings.selection.select = Some(
            dockfix::rules::RULES
                .iter()
                .map(|r| r.code.to_owned())
                .collect(),
        );
        options
    })
}

fn syntax_error_count(text: &str) -> usize {
    let document = Document::new(text);
    syntax_errors(document.tree(), &document.model(), text).len()
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let options = options();
    let before = syntax_error_count(&text);
    let diagnostics = dockfix::analyze_with(&text, options);

    // Every fix alone (what a quick fix does).
    for diagnostic in &diagnostics {
        let Some(fix) = &diagnostic.fix else { continue };
        if fix.applicability == Applicability::DisplayOnly {
            continue;
        }
        let (fixed, applied) = dockfix::fix::apply(&text, [fix]);
        if applied.is_empty() {
            continue;
        }
        let after = syntax_error_count(&fixed);
        assert!(
            after <= before,
            "{} fix {:?} adds syntax errors ({before} -> {after})\ninput: {text:?}\noutput: {fixed:?}",
            diagnostic.code,
            fix.title,
        );
    }

    // Fix-all as `check --fix` and `check --fix --unsafe-fixes` do it.
    for level in [Applicability::Safe, Applicability::Unsafe] {
        let outcome = dockfix::fix_all(&text, options, level);
        let after = syntax_error_count(&outcome.text);
        assert!(
            after <= before,
            "fix-all ({}) adds syntax errors ({before} -> {after})\ninput: {text:?}\noutput: {:?}",
            level.as_str(),
            outcome.text,
        );
    }
});
