//! dockfix: a Dockerfile security language server and autofixer.
//!
//! The engine is pure: [`analyze`] takes the text of a Dockerfile (and
//! [`Options`]) and returns diagnostics, each carrying its fix. Only `cli` and
//! `lsp` do IO (and `registry`, which they call); only `lsp` knows the LSP types.

pub mod cli;
pub mod config;
pub mod convert;
pub mod diagnostic;
pub mod fix;
pub mod invariants;
pub mod knowledge;
pub mod lsp;
pub mod registry;
pub mod reuse;
pub mod rules;
pub mod semantics;
pub mod suppression;
pub mod syntax;

use std::collections::BTreeMap;

pub use config::Settings;
pub use diagnostic::{Diagnostic, Severity};
pub use fix::{Applicability, Edit, Fix};

/// What an analysis needs besides the text.
#[derive(Debug, Clone)]
pub struct Options {
    pub settings: Settings,
    /// The date end-of-life judgements are made against (the CLI and the
    /// server pass today's date; the engine never reads the clock).
    pub today: knowledge::Date,
    /// Digests of image references found by online lookups (`node:22` → `sha256:…`).
    pub digests: BTreeMap<String, String>,
    /// Tag lists of image names found by online lookups (`node` → tags).
    pub tags: BTreeMap<String, Vec<String>>,
    /// The build context beside the Dockerfile, when the caller knows it
    /// (DF404 stays silent without it).
    pub build_context: Option<semantics::dockerignore::BuildContext>,
    /// Files of the build context the caller read (path relative to the
    /// Dockerfile's folder → text): the manifests [`context_files_wanted`]
    /// names, which the multi-stage conversion reads (`Cargo.toml`…); a path
    /// ending in `/` records a folder that exists (empty text).
    pub context_files: BTreeMap<String, String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            settings: Settings::default(),
            today: knowledge::as_of(),
            digests: BTreeMap::new(),
            tags: BTreeMap::new(),
            build_context: None,
            context_files: BTreeMap::new(),
        }
    }
}

/// Analyses one Dockerfile with the default options. Never fails: broken input
/// yields DF001 diagnostics.
pub fn analyze(source: &str) -> Vec<Diagnostic> {
    analyze_with(source, &Options::default())
}

/// Analyses one Dockerfile.
pub fn analyze_with(source: &str, options: &Options) -> Vec<Diagnostic> {
    let document = syntax::Document::new(source);
    analyze_document(&document, options)
}

/// Analyses an already parsed document.
pub fn analyze_document(document: &syntax::Document, options: &Options) -> Vec<Diagnostic> {
    analyze_parts(
        document.tree(),
        document.shells().trees(),
        document.text(),
        options,
    )
}

/// Analyses a tree of `source` and its bash trees (a snapshot of a document).
pub fn analyze_parts(
    tree: &tree_sitter::Tree,
    shells: &[syntax::ShellTree],
    source: &str,
    options: &Options,
) -> Vec<Diagnostic> {
    rules::run(&rules_input(tree, shells, source, options))
}

/// What the rules (and the conversion) read: the trees, the text and the options.
fn rules_input<'a>(
    tree: &'a tree_sitter::Tree,
    shells: &'a [syntax::ShellTree],
    source: &'a str,
    options: &'a Options,
) -> rules::Input<'a> {
    rules::Input {
        source,
        tree,
        shells,
        settings: &options.settings,
        today: options.today,
        digests: &options.digests,
        tags: &options.tags,
        build_context: options.build_context.as_ref(),
        files: &options.context_files,
    }
}

/// The image references (`name:tag`, literal, without a digest) whose digest
/// DF203 would pin: what a caller with online lookups resolves into
/// [`Options::digests`] before analysing.
pub fn digest_candidates(source: &str) -> Vec<String> {
    base_images_where(source, |f| {
        (f.literal_tag().is_some() && f.image.digest.is_none()).then(|| f.image.reference.clone())
    })
}

/// The image names (literal, `latest` or untagged) whose tag DF201/DF202
/// would pin: what a caller with online lookups lists tags for into
/// [`Options::tags`].
pub fn tag_candidates(source: &str) -> Vec<String> {
    base_images_where(source, |f| {
        let floating = f.image.tag.as_deref().is_none_or(|t| t == "latest");
        (f.image.literal && f.image.digest.is_none() && floating).then(|| f.image.name.clone())
    })
}

/// The context files (relative to the Dockerfile's folder) that the
/// multi-stage conversion may read: what a caller that knows the file's
/// folder reads into [`Options::context_files`]. `*.csproj` stands for the
/// project files of a folder.
pub fn context_files_wanted(source: &str) -> Vec<String> {
    // The Dockerfile grammar alone: the shell inside RUN is not needed here,
    // and parsing it would double the cost of opening a document.
    let Some(tree) = syntax::new_parser().parse(source, None) else {
        return Vec::new();
    };
    context_files_wanted_in(&tree, source)
}

/// [`context_files_wanted`] for an already parsed document (the language
/// server has the tree when it opens a document).
pub fn context_files_wanted_in(tree: &tree_sitter::Tree, source: &str) -> Vec<String> {
    // Only COPY and ADD name files; the whole model would cost as much as
    // a tenth of opening a document.
    let mut copies = Vec::new();
    syntax::for_each_item(tree.root_node(), |node| {
        if matches!(
            syntax::InstructionKind::from_node_kind(node.kind()),
            Some(syntax::InstructionKind::Copy | syntax::InstructionKind::Add)
        ) {
            copies.extend(syntax::Instruction::from_node(node, source));
        }
    });
    convert::wanted_files(&copies, source)
}

/// The multi-stage conversion of a document (the `refactor.rewrite` action
/// and DF310's fix), or why it is not offered.
pub fn convert_to_multistage(
    tree: &tree_sitter::Tree,
    shells: &[syntax::ShellTree],
    source: &str,
    options: &Options,
) -> Result<convert::Conversion, convert::NotOffered> {
    rules::with_context(
        &rules_input(tree, shells, source, options),
        convert::multistage,
    )
}

/// `pick` applied to every FROM that names an image, sorted and deduplicated.
fn base_images_where(
    source: &str,
    pick: impl Fn(&semantics::images::FromImage<'_>) -> Option<String>,
) -> Vec<String> {
    let document = syntax::Document::new(source);
    let model = document.model();
    let semantics = semantics::Semantics::new(&model, source, document.shells().trees());
    let mut out: Vec<String> = semantics::images::from_images(&model, &semantics)
        .iter()
        .filter_map(pick)
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Applies every fix at or above `level` until the text stops changing.
pub fn fix_all(source: &str, options: &Options, level: Applicability) -> fix::Outcome {
    fix::fix_all(source, level, |text| analyze_with(text, options))
}
