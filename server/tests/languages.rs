//! Both grammars load into the tree-sitter runtime we link (ABI match).

#![allow(clippy::expect_used, clippy::unwrap_used)] // Tests fail by panicking.

#[test]
fn languages_load() {
    let mut parser = tree_sitter::Parser::new();
    assert!(parser
        .set_language(&dockfix::syntax::dockerfile_language())
        .is_ok());
    assert!(parser
        .set_language(&tree_sitter_bash::LANGUAGE.into())
        .is_ok());
    // The constructors the engine uses succeed as well.
    let _ = dockfix::syntax::new_parser();
    let _ = dockfix::syntax::new_bash_parser();
}
