//! Arbitrary bytes (read as lossy UTF-8) through the engine as the CLI uses it:
//! analysis with every rule on, then every fix alone and fix-all (safe, then
//! unsafe). Nothing may panic or hang, and no fix may add a syntax error
//! (DF001): each output has at most as many syntax errors as the input.

#![no_main]

use std::sync::OnceLock;

use dockfix::invariants::{every_rule, fixes_add_no_syntax_errors};
use dockfix::Options;
use libfuzzer_sys::fuzz_target;

fn options() -> &'static Options {
    static OPTIONS: OnceLock<Options> = OnceLock::new();
    OPTIONS.get_or_init(every_rule)
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Err(problem) = fixes_add_no_syntax_errors(&text, options()) {
        panic!("{problem}");
    }
});
