//! Per-stage facts the rules share: the resolved base image (following global
//! ARGs and `FROM <stage>` chains), the distro family, the effective USER at
//! every instruction, the packages installed, the final stage and the stages
//! it needs. Computed once per analysis from the syntax model.

pub mod dockerignore;
pub mod images;
pub mod packages;
pub mod secrets;
pub use crate::syntax::commands as shell;

use std::collections::BTreeMap;

use crate::knowledge::{self, Family};
use crate::syntax::{Dockerfile, Instruction, InstructionKind, ShellTree};

pub use shell::{Command, Word};

/// Where a stage starts from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Base {
    Scratch,
    /// `FROM <name of an earlier stage>`.
    Stage(usize),
    Image(Box<BaseImage>),
    /// The reference uses a variable we cannot resolve.
    Unresolved(String),
}

/// A base image reference after global ARG substitution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseImage {
    /// The reference as BuildKit would see it, e.g. `node:20-alpine`.
    pub reference: String,
    pub name: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
    /// True when the FROM text has no variables (fixes can edit it in place).
    pub literal: bool,
    pub info: Option<knowledge::Image>,
}

/// One package-manager invocation that installs packages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Install {
    pub instruction: usize,
    /// `apt-get`, `apk`, `dnf`, `pip`, `npm`…
    pub manager: String,
    pub packages: Vec<String>,
}

/// What is known about one stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageFacts {
    pub index: usize,
    pub name: Option<String>,
    pub base: Base,
    pub family: Family,
    /// The user in effect at the FROM line (`None` = root): the base image's
    /// default user or the parent stage's last user.
    pub base_user: Option<String>,
    /// Instruction index of the stage's last USER.
    pub last_user: Option<usize>,
    /// Stages this stage copies from (`COPY --from`, `RUN --mount=from=`).
    pub copies_from: Vec<usize>,
    pub installs: Vec<Install>,
}

/// All facts of one Dockerfile.
#[derive(Debug, Clone, Default)]
pub struct Semantics {
    pub stages: Vec<StageFacts>,
    /// Global ARGs (before the first FROM) with their defaults.
    pub global_args: BTreeMap<String, Option<String>>,
    /// The stage built by default: the last one.
    pub final_stage: Option<usize>,
    /// Stages the final stage depends on, itself included.
    pub needed_by_final: Vec<bool>,
    /// The simple commands of each instruction (empty unless shell form).
    pub commands: Vec<crate::syntax::commands::Commands>,
    /// Per instruction, which of its commands run a package manager (read
    /// once: a dozen rules look for them).
    pub package_commands: Vec<Vec<usize>>,
}

/// Package managers whose install sub-command we recognise.
const INSTALLERS: [(&str, &[&str]); 11] = [
    ("apt-get", &["install"]),
    ("apt", &["install"]),
    ("apk", &["add"]),
    ("yum", &["install"]),
    ("dnf", &["install"]),
    ("microdnf", &["install"]),
    ("zypper", &["install", "in"]),
    ("pip", &["install"]),
    ("pip3", &["install"]),
    ("npm", &["install", "i", "ci"]),
    ("gem", &["install"]),
];

impl Semantics {
    pub fn new(model: &Dockerfile, source: &str, shells: &[ShellTree]) -> Self {
        let commands: Vec<crate::syntax::commands::Commands> = model
            .instructions
            .iter()
            .map(|instruction| {
                shells
                    .binary_search_by_key(&instruction.range.start, |t| t.instruction.start)
                    .ok()
                    .and_then(|i| shells.get(i))
                    .map(|tree| tree.commands(source))
                    .unwrap_or_default()
            })
            .collect();
        let mut global_args = BTreeMap::new();
        for instruction in &model.instructions {
            if instruction.kind == InstructionKind::From {
                break;
            }
            if instruction.kind == InstructionKind::Arg {
                for pair in &instruction.pairs {
                    let name = text(source, &pair.name).to_owned();
                    let value = pair.value.as_ref().map(|v| unquote(text(source, v)));
                    global_args.insert(name, value);
                }
            }
        }
        let package_commands = model
            .instructions
            .iter()
            .zip(&commands)
            .enumerate()
            .map(|(index, (instruction, commands))| {
                if instruction.kind != InstructionKind::Run {
                    return Vec::new();
                }
                commands
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| packages::Invocation::of(c, index).is_some())
                    .map(|(k, _)| k)
                    .collect()
            })
            .collect();
        let mut facts = Semantics {
            package_commands,
            stages: Vec::new(),
            global_args,
            final_stage: model.stages.len().checked_sub(1),
            needed_by_final: vec![false; model.stages.len()],
            commands,
        };
        for stage in &model.stages {
            let stage_facts = facts.stage_facts(model, source, stage);
            facts.stages.push(stage_facts);
        }
        if let Some(last) = facts.final_stage {
            let mut pending = vec![last];
            while let Some(index) = pending.pop() {
                if facts.needed_by_final.get(index).copied().unwrap_or(true) {
                    continue;
                }
                facts.needed_by_final[index] = true;
                if let Some(stage) = facts.stages.get(index) {
                    pending.extend(stage.copies_from.iter().copied());
                    if let Base::Stage(parent) = stage.base {
                        pending.push(parent);
                    }
                }
            }
        }
        facts
    }

    fn stage_facts(
        &self,
        model: &Dockerfile,
        source: &str,
        stage: &crate::syntax::Stage,
    ) -> StageFacts {
        let from = model.instructions.get(stage.from);
        let name = from
            .and_then(|f| f.stage_name.as_ref())
            .map(|r| text(source, r).to_owned());
        let base = from.map_or(Base::Unresolved(String::new()), |f| {
            self.base_of(model, source, f, stage.index)
        });
        let (mut family, base_user) = match &base {
            Base::Scratch => (Family::Scratch, None),
            Base::Stage(parent) => self
                .stages
                .get(*parent)
                .map_or((Family::Unknown, None), |p| {
                    (p.family, p.final_user(model, source))
                }),
            Base::Image(image) => image.info.as_ref().map_or((Family::Unknown, None), |info| {
                (
                    info.family,
                    info.default_user.as_ref().map(|u| u.name.to_string()),
                )
            }),
            Base::Unresolved(_) => (Family::Unknown, None),
        };
        let mut last_user = None;
        let mut copies_from = Vec::new();
        let mut installs = Vec::new();
        for index in stage.instructions.clone() {
            let Some(instruction) = model.instructions.get(index) else {
                continue;
            };
            match instruction.kind {
                InstructionKind::User => last_user = Some(index),
                InstructionKind::Copy | InstructionKind::Add | InstructionKind::Run => {
                    for flag in &instruction.flags {
                        let name = text(source, &flag.name);
                        let value = flag
                            .value
                            .as_ref()
                            .map(|v| text(source, v))
                            .unwrap_or_default();
                        let target = match name {
                            "from" => Some(value.to_owned()),
                            "mount" => value
                                .split(',')
                                .find_map(|part| part.strip_prefix("from="))
                                .map(str::to_owned),
                            _ => None,
                        };
                        if let Some(target) = target {
                            if let Some(found) = stage_index(model, source, &target, stage.index) {
                                copies_from.push(found);
                            }
                        }
                    }
                }
                _ => {}
            }
            for command in self.commands.get(index).into_iter().flatten() {
                let (program, args) = command.effective();
                let program = shell::program_name(&program.text);
                if family == Family::Unknown {
                    if let Some(found) = knowledge::distro_of_package_manager(program) {
                        family = found;
                    }
                }
                if let Some(install) = install_of(program, args, index) {
                    installs.push(install);
                }
            }
        }
        copies_from.sort_unstable();
        copies_from.dedup();
        StageFacts {
            index: stage.index,
            name,
            base,
            family,
            base_user,
            last_user,
            copies_from,
            installs,
        }
    }

    fn base_of(&self, model: &Dockerfile, source: &str, from: &Instruction, stage: usize) -> Base {
        let Some(image) = &from.image else {
            return Base::Unresolved(String::new());
        };
        let written = text(source, &image.range);
        let literal = !written.contains('$');
        let Some(reference) = expand(written, &self.global_args) else {
            return Base::Unresolved(written.to_owned());
        };
        if reference.eq_ignore_ascii_case("scratch") {
            return Base::Scratch;
        }
        if let Some(parent) = stage_index(model, source, &reference, stage) {
            if !reference.chars().all(|c| c.is_ascii_digit()) {
                return Base::Stage(parent);
            }
        }
        let (name, tag, digest) = split_reference(&reference);
        let info = knowledge::lookup(&name, tag.as_deref());
        Base::Image(Box::new(BaseImage {
            reference: reference.clone(),
            name,
            tag,
            digest,
            literal,
            info,
        }))
    }

    /// The facts of the stage an instruction belongs to.
    pub fn stage_of(&self, model: &Dockerfile, instruction: usize) -> Option<&StageFacts> {
        model
            .stage_of(instruction)
            .and_then(|stage| self.stages.get(stage.index))
    }

    /// The user in effect when an instruction runs (`None` = root).
    pub fn user_at(&self, model: &Dockerfile, source: &str, instruction: usize) -> Option<String> {
        let stage = model.stage_of(instruction)?;
        let facts = self.stages.get(stage.index)?;
        let mut user = facts.base_user.clone();
        for index in stage.instructions.start..instruction {
            if let Some(i) = model.instructions.get(index) {
                if i.kind == InstructionKind::User {
                    user = user_of(i, source);
                }
            }
        }
        user
    }

    /// The ARG and ENV values in scope when an instruction runs (as BuildKit
    /// expands them: a stage sees a global ARG only when it declares it again).
    /// `None` values are declared without a known value.
    pub fn variables_at(
        &self,
        model: &Dockerfile,
        source: &str,
        instruction: usize,
    ) -> BTreeMap<String, Option<String>> {
        let mut values = BTreeMap::new();
        let Some(stage) = model.stage_of(instruction) else {
            return self.global_args.clone();
        };
        for index in stage.instructions.start..instruction {
            let Some(i) = model.instructions.get(index) else {
                continue;
            };
            let is_arg = i.kind == InstructionKind::Arg;
            if !is_arg && i.kind != InstructionKind::Env {
                continue;
            }
            for pair in &i.pairs {
                let name = text(source, &pair.name).to_owned();
                let value = match &pair.value {
                    Some(v) => expand(&unquote(text(source, v)), &values),
                    None if is_arg => self.global_args.get(&name).cloned().flatten(),
                    None => None,
                };
                values.insert(name, value);
            }
        }
        values
    }

    pub fn is_final(&self, stage: usize) -> bool {
        self.final_stage == Some(stage)
    }
}

impl StageFacts {
    /// The user in effect at the end of the stage (`None` = root).
    pub fn final_user(&self, model: &Dockerfile, source: &str) -> Option<String> {
        match self.last_user.and_then(|i| model.instructions.get(i)) {
            Some(user) => user_of(user, source),
            None => self.base_user.clone(),
        }
    }

    /// The knowledge about the base image, following `FROM <stage>` chains.
    pub fn image<'s>(&'s self, stages: &'s [StageFacts]) -> Option<&'s BaseImage> {
        let mut current = self;
        for _ in 0..stages.len() + 1 {
            match &current.base {
                Base::Image(image) => return Some(image),
                Base::Stage(parent) => current = stages.get(*parent)?,
                _ => return None,
            }
        }
        None
    }
}

/// The user a USER instruction sets (`None` when it is root).
pub fn user_of(instruction: &Instruction, source: &str) -> Option<String> {
    let user = instruction.arguments.first().map(|r| text(source, r))?;
    let name = user.split(':').next().unwrap_or(user);
    if is_root(name) {
        None
    } else {
        Some(user.to_owned())
    }
}

pub fn is_root(user: &str) -> bool {
    let name = user.split(':').next().unwrap_or(user);
    name == "root" || name.trim_start_matches('0').is_empty() && !name.is_empty()
}

/// The stage a `--from`/`FROM` value names: a stage name (case-insensitive,
/// as BuildKit) or an index, earlier than `before`.
pub fn stage_index(model: &Dockerfile, source: &str, target: &str, before: usize) -> Option<usize> {
    if let Ok(index) = target.parse::<usize>() {
        return (index < before).then_some(index);
    }
    model
        .stages
        .iter()
        .take(before)
        .filter(|stage| {
            model
                .instructions
                .get(stage.from)
                .and_then(|f| f.stage_name.as_ref())
                .is_some_and(|n| text(source, n).eq_ignore_ascii_case(target))
        })
        .map(|stage| stage.index)
        .next_back()
}

fn install_of(program: &str, args: &[Word], instruction: usize) -> Option<Install> {
    let (_, subcommands) = INSTALLERS.iter().find(|(name, _)| *name == program)?;
    let mut positional = args.iter().filter(|w| !w.text.starts_with('-'));
    let subcommand = positional.next()?;
    if !subcommands.contains(&subcommand.text.as_str()) {
        return None;
    }
    Some(Install {
        instruction,
        manager: program.to_owned(),
        packages: positional.map(|w| w.text.clone()).collect(),
    })
}

/// `name[:tag][@digest]` split as Docker does (a `:` after the last `/` starts the tag).
pub fn split_reference(reference: &str) -> (String, Option<String>, Option<String>) {
    let (rest, digest) = match reference.split_once('@') {
        Some((rest, digest)) => (rest, Some(digest.to_owned())),
        None => (reference, None),
    };
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    match rest[last_slash..].rfind(':') {
        Some(colon) => {
            let at = last_slash + colon;
            (
                rest[..at].to_owned(),
                Some(rest[at + 1..].to_owned()),
                digest,
            )
        }
        None => (rest.to_owned(), None, digest),
    }
}

/// Expands `$NAME`, `${NAME}`, `${NAME:-default}` and `${NAME-default}`,
/// `${NAME:+alt}` with the given values; `None` when a variable is unknown.
pub fn expand(text: &str, values: &BTreeMap<String, Option<String>>) -> Option<String> {
    expand_nested(text, values, 0)
}

/// How deep `${A:-${B:-…}}` defaults are followed; deeper is unresolved
/// (`None`). Each level is a stack frame: 10,000 levels overflowed the stack
/// (found by the hostile inputs).
const MAX_EXPANSION_DEPTH: usize = 64;

fn expand_nested(
    text: &str,
    values: &BTreeMap<String, Option<String>>,
    depth: usize,
) -> Option<String> {
    if depth > MAX_EXPANSION_DEPTH {
        return None;
    }
    let mut out = String::new();
    let mut rest = text;
    while let Some(dollar) = rest.find('$') {
        out.push_str(&rest[..dollar]);
        let after = &rest[dollar + 1..];
        if let Some(body) = after.strip_prefix('{') {
            let close = matching_brace(body)?;
            let inner = &body[..close];
            let name_end = crate::syntax::variable_name_len(inner);
            let name = &inner[..name_end];
            let value = values.get(name).cloned().flatten();
            let modifier = &inner[name_end..];
            let expanded = if let Some(default) = modifier.strip_prefix(":-") {
                match value.filter(|v| !v.is_empty()) {
                    Some(v) => v,
                    None => expand_nested(default, values, depth + 1)?,
                }
            } else if let Some(default) = modifier.strip_prefix('-') {
                match value {
                    Some(v) => v,
                    None => expand_nested(default, values, depth + 1)?,
                }
            } else if let Some(alternative) = modifier.strip_prefix(":+") {
                match value.filter(|v| !v.is_empty()) {
                    Some(_) => expand_nested(alternative, values, depth + 1)?,
                    None => String::new(),
                }
            } else if modifier.is_empty() {
                value?
            } else {
                return None;
            };
            out.push_str(&expanded);
            rest = &body[close + 1..];
        } else {
            let name_end = crate::syntax::variable_name_len(after);
            if name_end == 0 {
                out.push('$');
                rest = after;
                continue;
            }
            out.push_str(&values.get(&after[..name_end]).cloned().flatten()?);
            rest = &after[name_end..];
        }
    }
    out.push_str(rest);
    Some(out)
}

fn matching_brace(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => return Some(i),
            '}' => depth -= 1,
            _ => {}
        }
    }
    None
}

pub fn text<'s>(source: &'s str, range: &std::ops::Range<usize>) -> &'s str {
    source.get(range.clone()).unwrap_or_default()
}

/// Removes one level of surrounding quotes from an ARG/ENV value.
pub fn unquote(value: &str) -> String {
    for quote in ['"', '\''] {
        if let Some(inner) = value
            .strip_prefix(quote)
            .and_then(|v| v.strip_suffix(quote))
        {
            return inner.to_owned();
        }
    }
    value.to_owned()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn expands_like_buildkit() {
        let mut values = BTreeMap::new();
        values.insert("V".to_owned(), Some("20".to_owned()));
        values.insert("E".to_owned(), None);
        assert_eq!(
            expand("node:${V}-alpine", &values).as_deref(),
            Some("node:20-alpine")
        );
        assert_eq!(expand("node:$V", &values).as_deref(), Some("node:20"));
        assert_eq!(expand("x:${E:-${V}}", &values).as_deref(), Some("x:20"));
        assert_eq!(expand("x:${NOPE}", &values), None);
        let deep = format!("{}x{}", "${N:-".repeat(10_000), "}".repeat(10_000));
        assert_eq!(
            expand(&deep, &values),
            None,
            "too deep: unresolved, no overflow"
        );
        let shallow = format!("{}x{}", "${N:-".repeat(10), "}".repeat(10));
        assert_eq!(expand(&shallow, &values).as_deref(), Some("x"));
    }

    #[test]
    fn splits_references() {
        assert_eq!(
            split_reference("localhost:5000/a/b:1@sha256:x"),
            (
                "localhost:5000/a/b".into(),
                Some("1".into()),
                Some("sha256:x".into())
            )
        );
        assert_eq!(
            split_reference("localhost:5000/a"),
            ("localhost:5000/a".into(), None, None)
        );
    }

    #[test]
    fn finds_commands_through_wrappers() {
        let document = crate::syntax::Document::new(
            "FROM debian\nRUN echo 'apt-get install x' && sudo -E apt-get install -y curl | tee log\n",
        );
        let model = document.model();
        let facts = Semantics::new(&model, document.text(), document.shells().trees());
        let commands = &facts.commands[1];
        let programs: Vec<&str> = commands
            .iter()
            .map(|c| c.effective().0.text.as_str())
            .collect();
        assert_eq!(programs, vec!["echo", "apt-get", "tee"]);
        assert_eq!(facts.stages[0].installs[0].packages, vec!["curl"]);
    }
}
