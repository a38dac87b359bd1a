//! THE rule registry: one table of every rule with its metadata, and the
//! pipeline that runs the enabled rules, applies severities and suppressions.
//!
//! Each rule lives in its own file: its documentation is the file's `//!`
//! comment (collected by `build.rs`), its metadata a `RULE` constant, its
//! check a function over the shared [`Context`].

use std::collections::BTreeMap;
use std::ops::Range;

use crate::config::{Selection, Settings};
use crate::diagnostic::Tag;
use crate::fix::{Applicability, Fix};
use crate::knowledge::Date;
use crate::semantics::dockerignore::BuildContext;
use crate::semantics::Semantics;
use crate::syntax::{Dockerfile, Instruction, ShellTree};
use crate::{Diagnostic, Severity};

pub mod add_instead_of_copy;
pub mod add_remote_without_checksum;
pub mod apk_cache_kept;
pub mod apt_install_recommends;
pub mod apt_instead_of_apt_get;
pub mod apt_lists_kept;
pub mod build_tools_in_final_stage;
pub mod cd_in_run;
pub mod context_without_dockerignore;
pub mod copy_from_unknown_stage;
pub mod duplicate_stage_name;
pub mod end_of_life_base_image;
pub mod full_distro_runtime;
pub mod hardcoded_secret;
pub mod install_without_yes;
pub mod js_cache_kept;
pub mod latest_tag;
pub mod maintainer_deprecated;
pub mod missing_healthcheck;
pub mod pip_cache_kept;
pub mod pipe_to_shell;
pub mod pipe_without_pipefail;
pub mod relative_workdir;
pub mod repeated_runtime_instruction;
pub mod root_user;
pub mod rpm_cache_kept;
pub mod secret_file_copied;
pub mod secret_in_arg_or_env;
pub mod sensitive_port_exposed;
pub mod shell_form_entrypoint;
pub mod shell_tools_in_final_stage;
pub mod signature_check_disabled;
pub mod sudo_in_run;
pub mod syntax_error;
pub mod tls_verification_disabled;
pub mod undefined_variable;
pub mod unofficial_image;
pub mod unpinned_digest;
pub mod unpinned_packages;
pub mod untagged_image;
pub mod untrusted_registry;
pub mod unused_suppression;
pub mod update_without_install;
pub mod useradd_without_no_log_init;
pub mod world_writable_permissions;
pub mod writable_app_files;

include!(concat!(env!("OUT_DIR"), "/rule_docs.rs"));

/// Whether and how a rule can fix what it finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixAvailability {
    None,
    /// Every diagnostic carries a fix of this applicability.
    Always(Applicability),
    /// Some diagnostics carry a fix (the best applicability it can have).
    Sometimes(Applicability),
}

impl FixAvailability {
    pub fn describe(self) -> &'static str {
        match self {
            FixAvailability::None => "none",
            FixAvailability::Always(Applicability::Safe) => "safe",
            FixAvailability::Always(Applicability::Unsafe) => "unsafe",
            FixAvailability::Always(Applicability::DisplayOnly) => "display-only",
            FixAvailability::Sometimes(Applicability::Safe) => "safe (sometimes)",
            FixAvailability::Sometimes(Applicability::Unsafe) => "unsafe (sometimes)",
            FixAvailability::Sometimes(Applicability::DisplayOnly) => "display-only (sometimes)",
        }
    }
}

/// The equivalent checks of other tools.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Peers {
    pub hadolint: &'static [&'static str],
    pub trivy: &'static [&'static str],
    pub checkov: &'static [&'static str],
    pub buildkit: &'static [&'static str],
}

impl Peers {
    pub const NONE: Peers = Peers {
        hadolint: &[],
        trivy: &[],
        checkov: &[],
        buildkit: &[],
    };
}

/// One rule's metadata and check.
pub struct Rule {
    pub code: &'static str,
    pub name: &'static str,
    /// `DF1 least privilege`, …
    pub family: &'static str,
    /// One line for tables.
    pub summary: &'static str,
    pub severity: Severity,
    pub enabled_by_default: bool,
    pub fix: FixAvailability,
    pub peers: Peers,
    /// `module_path!()` of the rule's file (finds its documentation).
    pub module: &'static str,
    pub check: fn(&Context<'_>, &mut Report<'_>),
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rule")
            .field("code", &self.code)
            .finish_non_exhaustive()
    }
}

impl Rule {
    /// The rule's documentation (markdown), as written in its file.
    pub fn docs(&self) -> &'static str {
        let stem = self.module.rsplit("::").next().unwrap_or_default();
        RULE_DOCS
            .iter()
            .find(|(module, _)| *module == stem)
            .map_or("", |(_, docs)| docs)
    }
}

pub const FAMILY_SYNTAX: &str = "DF0 syntax";
pub const FAMILY_PRIVILEGE: &str = "DF1 least privilege";
pub const FAMILY_BASE_IMAGES: &str = "DF2 base images";
pub const FAMILY_PACKAGES: &str = "DF3 packages and attack surface";
pub const FAMILY_SECRETS: &str = "DF4 secrets";
pub const FAMILY_DOWNLOADS: &str = "DF5 downloads and trust";
pub const FAMILY_STRUCTURE: &str = "DF6 build structure";
pub const FAMILY_RUNTIME: &str = "DF7 runtime configuration";

/// Every rule, in code order.
pub static RULES: &[&Rule] = &[
    &syntax_error::RULE,
    &unused_suppression::RULE,
    &root_user::RULE,
    &sudo_in_run::RULE,
    &world_writable_permissions::RULE,
    &useradd_without_no_log_init::RULE,
    &writable_app_files::RULE,
    &latest_tag::RULE,
    &untagged_image::RULE,
    &unpinned_digest::RULE,
    &untrusted_registry::RULE,
    &unofficial_image::RULE,
    &end_of_life_base_image::RULE,
    &full_distro_runtime::RULE,
    &apt_install_recommends::RULE,
    &apt_lists_kept::RULE,
    &apk_cache_kept::RULE,
    &rpm_cache_kept::RULE,
    &pip_cache_kept::RULE,
    &js_cache_kept::RULE,
    &update_without_install::RULE,
    &apt_instead_of_apt_get::RULE,
    &install_without_yes::RULE,
    &build_tools_in_final_stage::RULE,
    &shell_tools_in_final_stage::RULE,
    &unpinned_packages::RULE,
    &secret_in_arg_or_env::RULE,
    &hardcoded_secret::RULE,
    &secret_file_copied::RULE,
    &context_without_dockerignore::RULE,
    &add_remote_without_checksum::RULE,
    &add_instead_of_copy::RULE,
    &pipe_to_shell::RULE,
    &tls_verification_disabled::RULE,
    &signature_check_disabled::RULE,
    &cd_in_run::RULE,
    &relative_workdir::RULE,
    &copy_from_unknown_stage::RULE,
    &duplicate_stage_name::RULE,
    &undefined_variable::RULE,
    &sensitive_port_exposed::RULE,
    &missing_healthcheck::RULE,
    &shell_form_entrypoint::RULE,
    &repeated_runtime_instruction::RULE,
    &maintainer_deprecated::RULE,
    &pipe_without_pipefail::RULE,
];

/// The rule with this code or kebab name.
pub fn find(code_or_name: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(code_or_name) || r.name == code_or_name)
}

/// Our rules that a hadolint code maps to.
pub fn from_hadolint(code: &str) -> impl Iterator<Item = &'static Rule> + '_ {
    RULES.iter().copied().filter(move |r| {
        r.peers
            .hadolint
            .iter()
            .any(|p| p.eq_ignore_ascii_case(code))
    })
}

/// Our rules that a BuildKit check name maps to.
pub fn from_buildkit(name: &str) -> impl Iterator<Item = &'static Rule> + '_ {
    RULES.iter().copied().filter(move |r| {
        r.peers
            .buildkit
            .iter()
            .any(|p| p.eq_ignore_ascii_case(name))
    })
}

/// True for `ALL`, a code, a code prefix (`DF2`) or a rule name.
pub fn is_selector(selector: &str) -> bool {
    selector.eq_ignore_ascii_case("all")
        || RULES.iter().any(|r| {
            r.name == selector
                || r.code
                    .get(..selector.len())
                    .is_some_and(|prefix| prefix.eq_ignore_ascii_case(selector))
        })
}

/// How specifically a selector names a rule: 0 no match, 1 `ALL`, 2 a prefix, 3 exact.
fn specificity(selector: &str, rule: &Rule) -> u8 {
    if rule.code.eq_ignore_ascii_case(selector) || rule.name == selector {
        3
    } else if selector.eq_ignore_ascii_case("all") {
        1
    } else if rule
        .code
        .get(..selector.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(selector))
    {
        2
    } else {
        0
    }
}

/// Whether a rule runs under a selection. Rules that are off by default run
/// only when selected by code or name (or `ALL`), never through a prefix.
/// Between a selecting and an ignoring selector, the more specific one wins;
/// on a tie, ignore wins.
pub fn is_enabled(rule: &Rule, selection: &Selection) -> bool {
    let best = |list: &mut dyn Iterator<Item = &String>| {
        list.map(|s| specificity(s, rule))
            .filter(|&s| s > 0 && (rule.enabled_by_default || s != 2))
            .max()
            .unwrap_or(0)
    };
    let selected = match &selection.select {
        Some(select) => best(&mut select.iter().chain(&selection.extend_select)),
        None => {
            let extended = best(&mut selection.extend_select.iter());
            if rule.enabled_by_default {
                extended.max(1)
            } else {
                extended
            }
        }
    };
    let ignored = selection
        .ignore
        .iter()
        .map(|s| specificity(s, rule))
        .max()
        .unwrap_or(0);
    selected > 0 && selected > ignored
}

/// The severity of a rule under a selection (the most specific override wins).
pub fn severity_of(rule: &Rule, selection: &Selection) -> Severity {
    selection
        .severity
        .iter()
        .map(|(selector, severity)| (specificity(selector, rule), *severity))
        .filter(|(s, _)| *s > 0)
        .max_by_key(|(s, _)| *s)
        .map_or(rule.severity, |(_, severity)| severity)
}

/// What every rule sees.
pub struct Context<'a> {
    pub source: &'a str,
    pub tree: &'a tree_sitter::Tree,
    pub model: &'a Dockerfile,
    pub semantics: &'a Semantics,
    pub settings: &'a Settings,
    pub today: Date,
    /// Digests of image references, when online lookups found them.
    pub digests: &'a BTreeMap<String, String>,
    /// Tag lists of image names, when online lookups found them.
    pub tags: &'a BTreeMap<String, Vec<String>>,
    /// The build context beside the Dockerfile, when the caller knows it.
    pub build_context: Option<&'a BuildContext>,
    /// The file uses `\r\n` (looked up once, not per edit a fix builds).
    pub crlf: bool,
    /// Build-context files the caller read (see [`crate::Options::context_files`]).
    pub files: &'a BTreeMap<String, String>,
    /// See [`Context::syntax_errors`].
    pub syntax_errors: std::sync::OnceLock<Vec<crate::syntax::SyntaxError>>,
    /// See [`crate::semantics::packages::invocations`].
    pub invocations: std::sync::OnceLock<Vec<Vec<crate::semantics::packages::Invocation<'a>>>>,
}

impl Context<'_> {
    /// The document's syntax errors, found once per analysis: DF001 reports
    /// them and the multi-stage conversion refuses a file that has any.
    pub fn syntax_errors(&self) -> &[crate::syntax::SyntaxError] {
        self.syntax_errors
            .get_or_init(|| crate::syntax::syntax_errors(self.tree, self.model, self.source))
    }

    pub fn text(&self, range: &Range<usize>) -> &str {
        self.source.get(range.clone()).unwrap_or_default()
    }

    /// `\r\n` when the file uses it.
    pub fn line_ending(&self) -> &'static str {
        if self.crlf {
            "\r\n"
        } else {
            "\n"
        }
    }

    /// The offset where the line holding `offset` starts.
    pub fn line_start(&self, offset: usize) -> usize {
        self.source
            .get(..offset)
            .and_then(|s| s.rfind('\n'))
            .map_or(0, |i| i + 1)
    }

    /// The whitespace before an instruction's keyword on its line.
    pub fn indentation(&self, instruction: &Instruction) -> &str {
        let start = self.line_start(instruction.range.start);
        self.source
            .get(start..instruction.range.start)
            .filter(|s| s.chars().all(|c| c == ' ' || c == '\t'))
            .unwrap_or("")
    }

    /// The escape character followed by a newline and the indentation of a
    /// continued line, in the file's style.
    pub fn continuation(&self) -> String {
        format!("{}{}", self.model.escape, self.line_ending())
    }

    /// The text of `range` as one logical line: continuations (the escape
    /// character, blanks, a newline) joined as BuildKit joins them.
    pub fn logical_text(&self, range: &Range<usize>) -> String {
        let escape = self.model.escape;
        let mut text = String::new();
        let mut chars = self.text(range).chars().peekable();
        while let Some(c) = chars.next() {
            if c == escape {
                let mut lookahead = chars.clone();
                while lookahead.peek().is_some_and(|c| *c == ' ' || *c == '\t') {
                    lookahead.next();
                }
                if lookahead.peek() == Some(&'\r') {
                    lookahead.next();
                }
                if lookahead.peek() == Some(&'\n') {
                    lookahead.next();
                    chars = lookahead;
                    continue;
                }
            }
            text.push(c);
        }
        text
    }

    /// The offset just after an instruction's last line (its newline
    /// included); at the end of a file without a final newline, the end.
    pub fn after_line(&self, instruction: &Instruction) -> usize {
        instruction.range.end
    }

    /// Edits that add whole lines (`text`, ending with a newline) right after
    /// an instruction. A continuation left dangling at the end of the file
    /// would join the new lines to the instruction, so its escape character
    /// is removed (it joins nothing: the effect is the same).
    pub fn insert_lines_after(
        &self,
        instruction: &Instruction,
        text: &str,
    ) -> Vec<crate::fix::Edit> {
        let mut edits = Vec::new();
        if let Some(escape) = self.dangling_escape(instruction) {
            edits.push(crate::fix::Edit::delete(
                escape..escape + self.model.escape.len_utf8(),
            ));
        }
        let end = instruction.range.end;
        if self.ends_with_newline(instruction) {
            edits.push(crate::fix::Edit::insert(end, text));
        } else {
            let eol = self.line_ending();
            edits.push(crate::fix::Edit::insert(
                end,
                format!("{eol}{}", text.strip_suffix(eol).unwrap_or(text)),
            ));
        }
        edits
    }

    /// The offset of an escape character that continues an instruction into
    /// the end of the file (only blank and comment lines follow it).
    pub fn dangling_escape(&self, instruction: &Instruction) -> Option<usize> {
        if !instruction.heredocs.is_empty() {
            return None;
        }
        let text = self.text(&instruction.range);
        let mut end = text.len();
        // Drop trailing blank and comment lines (a continuation carries them).
        loop {
            let body = text[..end].trim_end_matches(['\n', '\r', ' ', '\t']);
            let line_start = body.rfind('\n').map_or(0, |i| i + 1);
            let line = body[line_start..].trim_start();
            if line.starts_with('#') && line_start > 0 {
                end = line_start;
            } else {
                end = body.len();
                break;
            }
        }
        let body = &text[..end];
        let escape = self.model.escape;
        if !body.ends_with(escape) {
            return None;
        }
        // An escaped escape (`\\`) ends the line with a literal character.
        let run = body.chars().rev().take_while(|&c| c == escape).count();
        (run % 2 == 1).then(|| instruction.range.start + end - escape.len_utf8())
    }

    /// True when the instruction's text ends with a newline.
    pub fn ends_with_newline(&self, instruction: &Instruction) -> bool {
        self.text(&instruction.range).ends_with('\n')
    }
}

/// Collects one rule's diagnostics.
pub struct Report<'a> {
    rule: &'static Rule,
    out: &'a mut Vec<Diagnostic>,
}

impl Report<'_> {
    pub fn push(&mut self, range: Range<usize>, message: impl Into<String>, fix: Option<Fix>) {
        self.out.push(Diagnostic {
            code: self.rule.code,
            name: self.rule.name,
            severity: self.rule.severity,
            range,
            message: message.into(),
            fix,
            tag: None,
        });
    }

    pub fn push_tagged(
        &mut self,
        range: Range<usize>,
        message: impl Into<String>,
        fix: Option<Fix>,
        tag: Tag,
    ) {
        self.push(range, message, fix);
        if let Some(last) = self.out.last_mut() {
            last.tag = Some(tag);
        }
    }
}

/// Everything an analysis needs besides the rules.
pub struct Input<'a> {
    pub source: &'a str,
    pub tree: &'a tree_sitter::Tree,
    pub shells: &'a [ShellTree],
    pub settings: &'a Settings,
    pub today: Date,
    pub digests: &'a BTreeMap<String, String>,
    pub tags: &'a BTreeMap<String, Vec<String>>,
    pub build_context: Option<&'a BuildContext>,
    pub files: &'a BTreeMap<String, String>,
}

/// Builds the model, the semantics and the [`Context`] of an input, and
/// calls `f` with it.
pub fn with_context<T>(input: &Input<'_>, f: impl FnOnce(&Context<'_>) -> T) -> T {
    let model = Dockerfile::from_tree(input.tree, input.source);
    let semantics = Semantics::new(&model, input.source, input.shells);
    let context = Context {
        source: input.source,
        tree: input.tree,
        model: &model,
        semantics: &semantics,
        settings: input.settings,
        today: input.today,
        digests: input.digests,
        tags: input.tags,
        build_context: input.build_context,
        crlf: input.source.contains("\r\n"),
        files: input.files,
        syntax_errors: std::sync::OnceLock::new(),
        invocations: std::sync::OnceLock::new(),
    };
    f(&context)
}

/// Runs every enabled rule, then severities and suppressions.
pub fn run(input: &Input<'_>) -> Vec<Diagnostic> {
    with_context(input, run_rules)
}

fn run_rules(context: &Context<'_>) -> Vec<Diagnostic> {
    let selection = &context.settings.selection;
    let enabled: Vec<&'static Rule> = RULES
        .iter()
        .copied()
        .filter(|rule| rule.code != unused_suppression::RULE.code && is_enabled(rule, selection))
        .collect();
    let parallel = context.source.len() >= PARALLEL_FROM_BYTES;
    let diagnostics = run_each_rule(context, &enabled, parallel);
    let mut suppressions = crate::suppression::Suppressions::parse(context);
    let mut kept = suppressions.filter(context, diagnostics);
    if is_enabled(&unused_suppression::RULE, selection) {
        let first = kept.len();
        let mut report = Report {
            rule: &unused_suppression::RULE,
            out: &mut kept,
        };
        unused_suppression::report(context, &suppressions, &mut report);
        let severity = severity_of(&unused_suppression::RULE, selection);
        for d in &mut kept[first..] {
            d.severity = severity;
        }
    }
    // In a template that generates Dockerfiles, a fix that edits a line with
    // a template block (or joins one into another line) rewrites the
    // template's own markup, and can make the file stop reading as one.
    if crate::syntax::is_template(context.source) {
        for d in &mut kept {
            if d.fix.as_ref().is_some_and(|fix| {
                fix.edits
                    .iter()
                    .any(|edit| touches_template_line(context, &edit.range))
            }) {
                d.fix = None;
            }
        }
    }
    kept.sort_by(|a, b| {
        (a.range.start, a.range.end, a.code).cmp(&(b.range.start, b.range.end, b.code))
    });
    kept
}

/// Whether a line that `range` overlaps (from the start of the line where it
/// starts to the end of the line where it ends) holds a template block.
fn touches_template_line(context: &Context<'_>, range: &Range<usize>) -> bool {
    let source = context.source;
    let start = context.line_start(range.start);
    let end = source
        .get(range.end..)
        .and_then(|after| after.find('\n'))
        .map_or(source.len(), |i| range.end + i);
    source
        .get(start..end)
        .is_some_and(|lines| lines.lines().any(crate::syntax::is_template_line))
}

/// Source size from which the rules run on two threads: below it, starting
/// a thread costs more than it saves.
const PARALLEL_FROM_BYTES: usize = 32 * 1024;

/// Runs the rules, each diagnostic with the rule's configured severity, in
/// the order of `rules`. Large documents share the rules between this thread
/// and one more (a work queue, so a slow rule does not hold the other back).
fn run_each_rule(
    context: &Context<'_>,
    rules: &[&'static Rule],
    parallel: bool,
) -> Vec<Diagnostic> {
    let selection = &context.settings.selection;
    let run_one = |rule: &'static Rule| {
        let mut out = Vec::new();
        let mut report = Report {
            rule,
            out: &mut out,
        };
        (rule.check)(context, &mut report);
        let severity = severity_of(rule, selection);
        for d in &mut out {
            d.severity = severity;
        }
        out
    };
    if !parallel {
        return rules.iter().flat_map(|rule| run_one(rule)).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let worker = || {
        let mut done: Vec<(usize, Vec<Diagnostic>)> = Vec::new();
        loop {
            let index = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(rule) = rules.get(index) else {
                return done;
            };
            done.push((index, run_one(rule)));
        }
    };
    let mut results = std::thread::scope(|scope| {
        let helper = std::thread::Builder::new().spawn_scoped(scope, worker);
        let mut results = worker();
        // Without a second thread (none could start) this one did all the
        // work; a rule that panicked there panics here, as it would alone.
        if let Ok(handle) = helper {
            match handle.join() {
                Ok(theirs) => results.extend(theirs),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        results
    });
    results.sort_by_key(|(index, _)| *index);
    results.into_iter().flat_map(|(_, out)| out).collect()
}

impl<'a> Context<'a> {
    /// The final stage (the one built by default) and its facts.
    pub fn final_stage(
        &self,
    ) -> Option<(&'a crate::syntax::Stage, &'a crate::semantics::StageFacts)> {
        let index = self.semantics.final_stage?;
        Some((
            self.model.stages.get(index)?,
            self.semantics.stages.get(index)?,
        ))
    }

    /// The tag to pin an image to: the newest version the registry lists
    /// (online lookups), else the knowledge base's recommendation.
    pub fn pin_tag(&self, image: &crate::semantics::BaseImage) -> Option<String> {
        if let Some(tags) = self.tags.get(&image.name) {
            if let Some(tag) =
                crate::knowledge::newest_listed_tag(&image.name, "", tags, self.today)
            {
                return Some(tag);
            }
        }
        crate::knowledge::recommended_tag(image.info.as_ref()?, self.today)
    }

    /// Every FROM that names an image.
    pub fn from_images(&self) -> Vec<crate::semantics::images::FromImage<'a>> {
        crate::semantics::images::from_images(self.model, self.semantics)
    }
}

/// The rule table of the README, generated from the registry.
pub fn markdown_table() -> String {
    let mut out = String::from(
        "| code | name | what it finds | severity | default | fix | peers |\n|---|---|---|---|---|---|---|\n",
    );
    for rule in RULES {
        let peers: Vec<&str> = rule
            .peers
            .hadolint
            .iter()
            .chain(rule.peers.trivy)
            .chain(rule.peers.checkov)
            .chain(rule.peers.buildkit)
            .copied()
            .collect();
        out.push_str(&format!(
            "| {} | `{}` | {} | {} | {} | {} | {} |\n",
            rule.code,
            rule.name,
            rule.summary.replace('|', "\\|"),
            rule.severity.as_str(),
            if rule.enabled_by_default { "on" } else { "off" },
            rule.fix.describe(),
            if peers.is_empty() {
                "—".to_owned()
            } else {
                peers.join(", ")
            }
        ));
    }
    out
}

/// The markdown shown for one rule (also used by hover in the language server).
pub fn rule_markdown(rule: &Rule) -> String {
    let mut out = format!("# {} {}\n\n", rule.code, rule.name);
    out.push_str(&format!(
        "Family: {}. Default severity: {}. {}. Fix: {}.\n",
        rule.family,
        rule.severity.as_str(),
        if rule.enabled_by_default {
            "On by default"
        } else {
            "Off by default"
        },
        rule.fix.describe()
    ));
    let peers = peer_list(rule);
    if !peers.is_empty() {
        out.push_str(&format!("Equivalent checks: {peers}.\n"));
    }
    if rule.code == "DF206" || rule.code == "DF201" || rule.code == "DF202" || rule.code == "DF207"
    {
        out.push_str(&format!(
            "Knowledge base as of {}.\n",
            crate::knowledge::as_of()
        ));
    }
    out.push('\n');
    out.push_str(rule.docs());
    out.push('\n');
    out
}

/// `DL3002 (hadolint), DS-0002 (Trivy), …`.
pub fn peer_list(rule: &Rule) -> String {
    let mut parts = Vec::new();
    for (tool, ids) in [
        ("hadolint", rule.peers.hadolint),
        ("Trivy", rule.peers.trivy),
        ("Checkov", rule.peers.checkov),
        ("BuildKit", rule.peers.buildkit),
    ] {
        if !ids.is_empty() {
            parts.push(format!("{} ({tool})", ids.join(", ")));
        }
    }
    parts.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_on_two_threads_report_what_one_thread_does() {
        let block = include_str!("../../../tests/bench/typical-block.Dockerfile");
        let source = block.repeat(PARALLEL_FROM_BYTES / block.len().max(1) + 2);
        let document = crate::syntax::Document::new(&source);
        let model = Dockerfile::from_tree(document.tree(), &source);
        let semantics = Semantics::new(&model, &source, document.shells().trees());
        let settings = Settings::default();
        let context = Context {
            source: &source,
            tree: document.tree(),
            model: &model,
            semantics: &semantics,
            settings: &settings,
            today: crate::knowledge::as_of(),
            digests: &BTreeMap::new(),
            tags: &BTreeMap::new(),
            build_context: None,
            crlf: false,
            files: &BTreeMap::new(),
            syntax_errors: std::sync::OnceLock::new(),
            invocations: std::sync::OnceLock::new(),
        };
        let enabled: Vec<&'static Rule> = RULES.to_vec();
        let serial = run_each_rule(&context, &enabled, false);
        assert!(serial.len() > 50, "{}", serial.len());
        assert_eq!(run_each_rule(&context, &enabled, true), serial);
    }
}
