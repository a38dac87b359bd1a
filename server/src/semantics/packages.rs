//! Package-manager invocations of RUN instructions, read from the extracted
//! shell commands: the manager, its sub-command, its options (long, short and
//! combined short flags, in any order, up to `--`) and its operands. Shared by
//! the DF3 rules, with the helpers their fixes need (cache mounts, appending a
//! cleanup step to a statement in the RUN's own continuation style).

use std::ops::Range;

use crate::fix::Edit;
use crate::rules::Context;
use crate::syntax::InstructionKind;

use super::shell::{program_name, Command, Word};
use crate::syntax::commands::Append;

/// One package-manager command of a RUN.
#[derive(Debug, Clone)]
pub struct Invocation<'a> {
    /// Index of the RUN instruction.
    pub instruction: usize,
    pub command: &'a Command,
    /// `apt-get`, `apt`, `apk`, `yum`, `dnf`, `microdnf`, `zypper`, `pip`,
    /// `npm`, `yarn`, `gem`, `go` (`pip3`, `python -m pip` → `pip`).
    pub manager: &'static str,
    /// The program word as written (`apt-get`, `/usr/bin/apt`).
    pub name: &'a Word,
    /// The option words (before `--`), with the sub-command's options.
    pub options: Vec<&'a Word>,
    /// The values of options that take a separate word (`-o X`), by option.
    pub option_values: Vec<(&'a Word, &'a Word)>,
    pub subcommand: Option<&'a Word>,
    /// Positional words after the sub-command (packages, for installs).
    pub operands: Vec<&'a Word>,
}

/// Options that take the next word as their value, per manager.
fn options_with_value(manager: &str) -> (&'static [&'static str], &'static str) {
    match manager {
        "apt-get" | "apt" => (
            &[
                "-o",
                "--option",
                "-c",
                "--config-file",
                "-t",
                "--target-release",
                "--default-release",
                "-a",
                "--host-architecture",
            ],
            "octa",
        ),
        "apk" => (
            &[
                "-X",
                "--repository",
                "-p",
                "--root",
                "-t",
                "--virtual",
                "--arch",
                "--cache-dir",
                "--keys-dir",
                "--repositories-file",
            ],
            "Xpt",
        ),
        "yum" | "dnf" | "microdnf" => (
            &[
                "-c",
                "--config",
                "--releasever",
                "--installroot",
                "--setopt",
                "--enablerepo",
                "--disablerepo",
                "-x",
                "--exclude",
                "--repo",
                "--repoid",
                "-d",
                "-e",
                "--forcearch",
                "--rpmverbosity",
            ],
            "cxde",
        ),
        "zypper" => (
            &[
                "-r", "--repo", "--root", "-R", "-D", "-C", "--from", "-t", "--type",
            ],
            "rRDCt",
        ),
        "pip" => (
            &[
                "-r",
                "--requirement",
                "-c",
                "--constraint",
                "-i",
                "--index-url",
                "--extra-index-url",
                "-f",
                "--find-links",
                "-t",
                "--target",
                "--prefix",
                "--root",
                "--trusted-host",
                "--platform",
                "--python-version",
                "--implementation",
                "--abi",
                "--cache-dir",
                "--src",
                "--upgrade-strategy",
                "--progress-bar",
                "--log",
                "--proxy",
                "--retries",
                "--timeout",
                "--exists-action",
                "--cert",
                "--client-cert",
                "--global-option",
                "--config-settings",
                "-C",
                "--no-binary",
                "--only-binary",
            ],
            "rcift",
        ),
        "npm" => (
            &[
                "--prefix",
                "-w",
                "--workspace",
                "--registry",
                "--cache",
                "--omit",
                "--include",
                "--tag",
                "--loglevel",
            ],
            "w",
        ),
        "yarn" => (
            &[
                "--cwd",
                "--cache-folder",
                "--modules-folder",
                "--network-timeout",
                "--mutex",
            ],
            "",
        ),
        "gem" => (
            &[
                "-v",
                "--version",
                "-i",
                "--install-dir",
                "-n",
                "--bindir",
                "-s",
                "--source",
                "-P",
                "--trust-policy",
                "--platform",
            ],
            "vinsP",
        ),
        _ => (&[], ""),
    }
}

/// The manager a program name stands for.
pub fn manager_of(program: &str) -> Option<&'static str> {
    Some(match program {
        "apt-get" => "apt-get",
        "apt" => "apt",
        "apk" => "apk",
        "yum" => "yum",
        "dnf" | "dnf5" => "dnf",
        "microdnf" => "microdnf",
        "zypper" => "zypper",
        "npm" => "npm",
        "yarn" => "yarn",
        "gem" => "gem",
        "go" => "go",
        p if p == "pip"
            || (p.starts_with("pip") && p[3..].chars().all(|c| c.is_ascii_digit() || c == '.')) =>
        {
            "pip"
        }
        _ => return None,
    })
}

impl<'a> Invocation<'a> {
    /// Reads one command (through sudo/env/xargs, and `python -m pip`).
    pub fn of(command: &'a Command, instruction: usize) -> Option<Self> {
        let (mut name, mut args) = command.effective();
        let mut program = program_name(&name.text);
        if program.starts_with("python")
            && args.first().is_some_and(|w| w.text == "-m")
            && args
                .get(1)
                .is_some_and(|w| w.text == "pip" || manager_of(&w.text) == Some("pip"))
        {
            name = args.get(1)?;
            args = args.get(2..).unwrap_or_default();
            program = "pip";
        }
        if !name.literal {
            return None;
        }
        let manager = manager_of(program)?;
        let (with_value, short_with_value) = options_with_value(manager);
        let mut invocation = Invocation {
            instruction,
            command,
            manager,
            name,
            options: Vec::new(),
            option_values: Vec::new(),
            subcommand: None,
            operands: Vec::new(),
        };
        let mut options_done = false;
        let mut i = 0;
        while let Some(word) = args.get(i) {
            i += 1;
            let text = word.text.as_str();
            if !options_done && text == "--" {
                options_done = true;
                continue;
            }
            if !options_done && text.starts_with('-') && text.len() > 1 {
                invocation.options.push(word);
                let takes_value = with_value.contains(&text)
                    || (!text.starts_with("--")
                        && text.len() == 2
                        && short_with_value.contains(&text[1..]));
                if takes_value {
                    if let Some(value) = args.get(i) {
                        invocation.option_values.push((word, value));
                        i += 1;
                    }
                }
                continue;
            }
            if invocation.subcommand.is_none() {
                invocation.subcommand = Some(word);
            } else {
                invocation.operands.push(word);
            }
        }
        Some(invocation)
    }

    pub fn sub(&self) -> &str {
        self.subcommand.map_or("", |w| w.text.as_str())
    }

    /// `--name` or `--name=…`.
    pub fn has_long(&self, name: &str) -> bool {
        self.options.iter().any(|w| {
            w.text == name
                || w.text
                    .strip_prefix(name)
                    .is_some_and(|rest| rest.starts_with('='))
        })
    }

    /// `-x`, also inside a cluster (`-yq`) before a flag that takes a value.
    pub fn has_short(&self, flag: char) -> bool {
        let (_, short_with_value) = options_with_value(self.manager);
        self.options.iter().any(|w| {
            let Some(cluster) = w.text.strip_prefix('-') else {
                return false;
            };
            if cluster.starts_with('-') {
                return false;
            }
            for c in cluster.chars() {
                if c == flag {
                    return true;
                }
                if short_with_value.contains(c) {
                    return false;
                }
            }
            false
        })
    }

    /// The value of an option (`-o X`, `-oX`, `--opt=X`, `--opt X`).
    pub fn option_values(&self, long: &str, short: Option<char>) -> Vec<String> {
        let mut out = Vec::new();
        for (option, value) in &self.option_values {
            if option.text == long || short.is_some_and(|s| option.text == format!("-{s}")) {
                out.push(value.text.clone());
            }
        }
        for w in &self.options {
            if let Some(v) = w.text.strip_prefix(&format!("{long}=")) {
                out.push(v.to_owned());
            }
            if let Some(s) = short {
                if let Some(v) = w.text.strip_prefix(&format!("-{s}")) {
                    if !v.is_empty() && !w.text.starts_with("--") {
                        out.push(v.to_owned());
                    }
                }
            }
        }
        out
    }

    /// Where a flag goes: right after the sub-command (or the program name).
    pub fn flag_position(&self) -> usize {
        self.subcommand.unwrap_or(self.name).range.end
    }

    /// True for the sub-commands that install packages.
    pub fn installs(&self) -> bool {
        let sub = self.sub();
        match self.manager {
            "apt-get" | "apt" => sub == "install",
            "apk" => sub == "add",
            "yum" | "dnf" => matches!(sub, "install" | "groupinstall" | "localinstall"),
            "microdnf" => sub == "install",
            "zypper" => matches!(sub, "install" | "in"),
            "pip" => sub == "install",
            "npm" => matches!(sub, "install" | "i" | "ci" | "add" | "isntall" | "in"),
            "yarn" => matches!(sub, "" | "install" | "add"),
            "gem" => sub == "install",
            "go" => sub == "install",
            _ => false,
        }
    }
}

/// The package-manager invocations of instruction `index`, when it is a RUN.
///
/// Read once per analysis (a dozen rules ask) and kept in the context.
pub fn invocations<'c, 'a>(context: &'c Context<'a>, index: usize) -> &'c [Invocation<'a>] {
    context
        .invocations
        .get_or_init(|| {
            (0..context.model.instructions.len())
                .map(|i| read_invocations(context.model, context.semantics, i))
                .collect()
        })
        .get(index)
        .map_or(&[], Vec::as_slice)
}

fn read_invocations<'a>(
    model: &'a crate::syntax::Dockerfile,
    semantics: &'a crate::semantics::Semantics,
    index: usize,
) -> Vec<Invocation<'a>> {
    let is_run = model
        .instructions
        .get(index)
        .is_some_and(|i| i.kind == InstructionKind::Run);
    if !is_run {
        return Vec::new();
    }
    let (Some(commands), Some(which)) = (
        semantics.commands.get(index),
        semantics.package_commands.get(index),
    ) else {
        return Vec::new();
    };
    which
        .iter()
        .filter_map(|&k| Invocation::of(commands.get(k)?, index))
        .collect()
}

/// Every RUN's invocations, with the RUN's index.
pub fn all_invocations<'c, 'a>(
    context: &'c Context<'a>,
) -> impl Iterator<Item = &'c Invocation<'a>> {
    (0..context.model.instructions.len()).flat_map(|i| invocations(context, i))
}

/// The targets of the RUN's `--mount=type=cache` flags.
pub fn cache_mounts(context: &Context<'_>, index: usize) -> Vec<String> {
    let Some(instruction) = context.model.instructions.get(index) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for flag in &instruction.flags {
        if context.text(&flag.name) != "mount" {
            continue;
        }
        let value = flag
            .value
            .as_ref()
            .map(|v| crate::semantics::unquote(context.text(v)))
            .unwrap_or_default();
        let mut is_cache = false;
        let mut target = None;
        for part in value.split(',') {
            let (key, v) = part.split_once('=').unwrap_or((part, ""));
            match key.trim() {
                "type" => is_cache = v.trim() == "cache",
                "target" | "dst" | "destination" => {
                    target = Some(v.trim().trim_end_matches('/').to_owned())
                }
                _ => {}
            }
        }
        if let (true, Some(target)) = (is_cache, target) {
            out.push(target);
        }
    }
    out
}

/// True when the RUN has a cache mount on one of `paths` (or on a folder holding one).
pub fn has_cache_mount(context: &Context<'_>, index: usize, paths: &[&str]) -> bool {
    cache_mounts(context, index).iter().any(|target| {
        paths.iter().any(|p| {
            let p = p.trim_end_matches('/');
            p == target || p.starts_with(&format!("{target}/"))
        })
    })
}

/// True when `command` is `rm` of a path under one of `prefixes`.
pub fn removes(command: &Command, prefixes: &[&str]) -> bool {
    let (name, args) = command.effective();
    program_name(&name.text) == "rm"
        && args.iter().any(|w| {
            !w.text.starts_with('-')
                && prefixes.iter().any(|p| {
                    w.text
                        .trim_end_matches('/')
                        .starts_with(p.trim_end_matches('/'))
                })
        })
}

/// The commands of instruction `index` that start after `offset`.
pub fn commands_after<'a>(
    context: &'a Context<'_>,
    index: usize,
    offset: usize,
) -> impl Iterator<Item = &'a Command> {
    context
        .semantics
        .commands
        .get(index)
        .into_iter()
        .flatten()
        .filter(move |c| c.range.start >= offset)
}

/// True when `offset` lies in a heredoc body of instruction `index`.
fn in_heredoc(context: &Context<'_>, index: usize, offset: usize) -> bool {
    context
        .model
        .instructions
        .get(index)
        .is_some_and(|i| i.heredocs.iter().any(|h| h.body.contains(&offset)))
}

/// An edit that chains `step` (`rm -rf /var/lib/apt/lists/*`) with `&&` at
/// the end of the statement holding `command`, in the statement's style: on
/// a new continued line (escape, newline, the indentation and operator
/// placement of the statement's own continued lines) when it spans lines,
/// else on the same line. After a heredoc, on the line that starts it; `None`
/// when a comment ends that line.
pub fn append_step(
    context: &Context<'_>,
    index: usize,
    command: &Command,
    step: &str,
) -> Option<Edit> {
    match command.append {
        // After a heredoc the step goes on the line that starts it.
        Append::At(at) => return Some(Edit::insert(at, format!(" && {step}"))),
        Append::Nowhere => return None,
        Append::AtEnd => {}
    }
    let statement = command.statement.clone();
    // A statement that runs into a Dockerfile heredoc that bash did not read
    // as ending it: no place is known to be right.
    let instruction = context.model.instructions.get(index);
    if instruction.is_some_and(|i| {
        i.heredocs
            .iter()
            .any(|h| statement.start < h.body.start && statement.end > h.body.start)
    }) {
        return None;
    }
    let text = context.text(&statement);
    // A one-line statement on a line that continues a `&&` chain (the shell
    // tree splits chains continued with a backtick escape) continues it too.
    let continues_chain = {
        let line = context.line_start(statement.start);
        let before = context
            .source
            .get(line..statement.start)
            .unwrap_or_default();
        let op = before.trim_matches([' ', '\t']);
        line > 0 && matches!(op, "&&" | "||")
    };
    if !text.contains('\n') && !continues_chain {
        return Some(Edit::insert(statement.end, format!(" && {step}")));
    }
    let escape = if in_heredoc(context, index, statement.start) {
        '\\'
    } else {
        context.model.escape
    };
    let eol = context.line_ending();
    // A command of the statement that starts a line: its indentation and
    // whether the line starts with the operator.
    let starts_a_line = context
        .semantics
        .commands
        .get(index)
        .into_iter()
        .flatten()
        .filter(|c| {
            (c.range.start > statement.start || continues_chain)
                && c.range.start >= statement.start
                && c.range.end <= statement.end
        })
        .filter_map(|c| {
            let line = context.line_start(c.range.start);
            let before = context.source.get(line..c.range.start)?;
            let trimmed = before.trim_start_matches([' ', '\t']);
            let indent = &before[..before.len() - trimmed.len()];
            let op = trimmed.trim_end_matches([' ', '\t']);
            if op.is_empty() {
                Some((indent.to_owned(), false))
            } else if matches!(op, "&&" | "||" | ";" | "|") {
                Some((indent.to_owned(), true))
            } else {
                None
            }
        })
        .next_back();
    let space = first_line_space(text, escape);
    Some(match starts_a_line {
        Some((indent, false)) => Edit::insert(
            statement.end,
            format!(" &&{space}{escape}{eol}{indent}{step}"),
        ),
        Some((indent, true)) => Edit::insert(
            statement.end,
            format!("{space}{escape}{eol}{indent}&& {step}"),
        ),
        None => {
            // The commands all start on the first line: indent like the last line.
            let last = text.rfind('\n').map_or("", |i| &text[i + 1..]);
            let indent: String = last
                .chars()
                .take_while(|c| *c == ' ' || *c == '\t')
                .collect();
            Edit::insert(
                statement.end,
                format!("{space}{escape}{eol}{indent}&& {step}"),
            )
        }
    })
}

/// The whitespace before the escape that ends the statement's first line.
fn first_line_space(text: &str, escape: char) -> &'static str {
    let first = text.split('\n').next().unwrap_or("").trim_end_matches('\r');
    match first.strip_suffix(escape) {
        Some(body) if !body.ends_with([' ', '\t']) => "",
        _ => " ",
    }
}

/// The range of text between two offsets when it is only `&&` with blanks
/// and continuations (a chain link that can be removed with its command).
pub fn is_and_link(context: &Context<'_>, between: Range<usize>) -> bool {
    let text = context.text(&between);
    let escape = context.model.escape;
    let mut rest = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == escape && matches!(chars.peek(), Some('\n') | Some('\r')) {
            continue;
        }
        if !c.is_whitespace() {
            rest.push(c);
        }
    }
    rest == "&&"
}

/// Package operands that are names from a registry (no paths, URLs, variables).
pub fn package_names<'a>(invocation: &Invocation<'a>) -> Vec<&'a Word> {
    invocation
        .operands
        .iter()
        .copied()
        .filter(|w| {
            w.literal
                && !w.text.is_empty()
                && !w.text.starts_with(['.', '/', '~'])
                && !w.text.contains("://")
                && !w.text.ends_with(".deb")
                && !w.text.ends_with(".rpm")
                && !w.text.ends_with(".whl")
                && !w.text.ends_with(".tar.gz")
        })
        .collect()
}

/// The base name of a package operand (`curl=7.88*` → `curl`, `gcc~12` → `gcc`).
pub fn package_base(manager: &str, text: &str) -> String {
    let cut = match manager {
        "pip" => text.find(['=', '<', '>', '!', '~', '[', ';', '@', ' ']),
        "npm" | "yarn" => text.get(1..).and_then(|t| t.find('@')).map(|i| i + 1),
        "apk" => text.find(['=', '<', '>', '~']),
        "yum" | "dnf" | "microdnf" | "zypper" => text.find(['=', '<', '>']),
        _ => text.find(['=', ':']),
    };
    let base = cut.map_or(text, |i| &text[..i]);
    base.to_ascii_lowercase()
}

/// `sudo ` when the invocation runs through sudo (a cleanup step needs it too).
pub fn sudo_prefix(invocation: &Invocation<'_>) -> &'static str {
    if program_name(&invocation.command.name.text) == "sudo" {
        "sudo "
    } else {
        ""
    }
}

/// A note for messages about stages that are not part of the final image.
pub fn stage_note(context: &Context<'_>, index: usize) -> &'static str {
    match context.model.stage_of(index) {
        Some(stage)
            if !context
                .semantics
                .needed_by_final
                .get(stage.index)
                .copied()
                .unwrap_or(false) =>
        {
            " (in a stage the final image does not use: it still costs build time and cache space)"
        }
        Some(stage) if !context.semantics.is_final(stage.index) => {
            " (in a build stage: it still costs build time and cache space)"
        }
        _ => "",
    }
}

/// The stages whose layers end up in the final image: the final stage and
/// the stages it is built `FROM`.
pub fn final_image_stages(context: &Context<'_>) -> Vec<usize> {
    let mut out = Vec::new();
    let mut next = context.semantics.final_stage;
    while let Some(stage) = next {
        if out.contains(&stage) {
            break;
        }
        out.push(stage);
        next = match context.semantics.stages.get(stage).map(|s| &s.base) {
            Some(super::Base::Stage(parent)) => Some(*parent),
            _ => None,
        };
    }
    out
}

/// True when instruction `index` is in a stage whose layers are in the final image.
pub fn in_final_image(context: &Context<'_>, index: usize) -> bool {
    context
        .model
        .stage_of(index)
        .is_some_and(|s| final_image_stages(context).contains(&s.index))
}

/// The system packages (apt/apk/rpm/zypper) installed into the final image
/// and not removed again later in their stage: each install with its
/// package words and their base names.
pub fn final_image_system_packages<'c>(
    context: &'c Context<'_>,
) -> Vec<(&'c Invocation<'c>, Vec<(&'c Word, String)>)> {
    let invocations: Vec<&Invocation<'_>> = all_invocations(context).collect();
    let removals: Vec<&Invocation<'_>> = invocations
        .iter()
        .copied()
        .filter(|i| is_removal(i))
        .collect();
    let mut out = Vec::new();
    for &invocation in &invocations {
        let system = matches!(
            invocation.manager,
            "apt-get" | "apt" | "apk" | "yum" | "dnf" | "microdnf" | "zypper"
        );
        if !system || !invocation.installs() || !in_final_image(context, invocation.instruction) {
            continue;
        }
        let kept: Vec<(&Word, String)> = package_names(invocation)
            .into_iter()
            .map(|w| (w, package_base(invocation.manager, &w.text)))
            .filter(|(_, base)| !removed_later(context, &removals, invocation, base))
            .collect();
        out.push((invocation, kept));
    }
    out
}

/// Whether an invocation removes packages (`apt-get purge`, `apk del`…).
pub fn is_removal(inv: &Invocation<'_>) -> bool {
    match inv.manager {
        "apt-get" | "apt" => matches!(inv.sub(), "purge" | "remove" | "autoremove"),
        "apk" => inv.sub() == "del",
        "yum" | "dnf" | "microdnf" => matches!(inv.sub(), "remove" | "erase" | "autoremove"),
        "zypper" => matches!(inv.sub(), "remove" | "rm"),
        _ => false,
    }
}

/// Whether `package`, installed by `install`, is removed again later in the
/// same stage by one of `removals` (the file's [`is_removal`] invocations,
/// collected once: checking each install against every later command would
/// be quadratic on long files). An `apk add --virtual <group>` is removed by
/// `apk del <group>`.
pub fn removed_later(
    context: &Context<'_>,
    removals: &[&Invocation<'_>],
    install: &Invocation<'_>,
    package: &str,
) -> bool {
    let Some(stage) = context.model.stage_of(install.instruction) else {
        return false;
    };
    let groups: Vec<String> = if install.manager == "apk" {
        install.option_values("--virtual", Some('t'))
    } else {
        Vec::new()
    };
    removals
        .iter()
        .filter(|inv| stage.instructions.contains(&inv.instruction))
        .filter(|inv| {
            inv.instruction > install.instruction
                || (inv.instruction == install.instruction
                    && inv.command.range.start > install.command.range.start)
        })
        .any(|inv| {
            inv.operands.iter().any(|w| {
                let base = package_base(inv.manager, &w.text);
                base == package
                    || groups.contains(&w.text)
                    || (w.text.contains('*') && glob_match(&w.text, package))
            })
        })
}

/// `*` wildcards only.
fn glob_match(pattern: &str, text: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == text,
        Some((head, tail)) => {
            text.starts_with(head)
                && (0..=text.len() - head.len()).any(|i| {
                    text.get(head.len() + i..)
                        .is_some_and(|rest| glob_match(tail, rest))
                })
        }
    }
}
