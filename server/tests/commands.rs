//! Simple commands of large documents: bash trees are parsed on several
//! threads and their commands cached; every range must still point at the
//! document text, in both the full and the compact (editor) document.

#![allow(clippy::expect_used, clippy::unwrap_used)] // Tests fail by panicking.

use dockfix::syntax::Document;

fn big_file() -> String {
    let mut text = String::from("FROM debian:bookworm-slim\n");
    for i in 0..400 {
        text.push_str(&format!(
            "# step {i}\nRUN sudo echo {i} && \\\n    chmod 777 /tmp/{i}\n"
        ));
    }
    text.push_str("USER nobody\n");
    text
}

#[test]
fn command_ranges_point_at_the_text_in_parallel_parses() {
    let text = big_file();
    for document in [Document::new(&text), Document::new_compact(&text)] {
        let trees = document.shells().trees();
        assert_eq!(trees.len(), 400);
        for tree in trees {
            for command in tree.commands(&text).iter() {
                assert_eq!(&text[command.name.range.clone()], command.name.text);
                for argument in &command.arguments {
                    assert_eq!(&text[argument.range.clone()], argument.text);
                }
            }
        }
        let diagnostics = dockfix::analyze_document(&document, &dockfix::Options::default());
        let sudo: Vec<_> = diagnostics.iter().filter(|d| d.code == "DF102").collect();
        assert_eq!(sudo.len(), 400);
        assert!(sudo.iter().all(|d| &text[d.range.clone()] == "sudo"));
    }
}

#[test]
fn cached_commands_follow_edits() {
    let text = big_file();
    let mut document = Document::new_compact(&text);
    let _ = dockfix::analyze_document(&document, &dockfix::Options::default());
    // Insert before everything: every cached command shifts.
    document.edit(0..0, "# a new first line\n");
    document.edit(100..100, "x");
    let now = document.text().to_owned();
    let diagnostics = dockfix::analyze_document(&document, &dockfix::Options::default());
    let sudo: Vec<_> = diagnostics.iter().filter(|d| d.code == "DF102").collect();
    assert_eq!(sudo.len(), 400);
    assert!(sudo.iter().all(|d| &now[d.range.clone()] == "sudo"));
    let fresh = dockfix::analyze(&now);
    assert_eq!(diagnostics, fresh);
}
