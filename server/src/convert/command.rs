//! What CMD, ENTRYPOINT and HEALTHCHECK run, read as words (exec form, or a
//! shell form that is one plain command) or as a script that needs a shell,
//! and the rewriting of a program path to where the runtime stage puts it.

use super::build::{basename, dirname, join, Build};
use crate::syntax::{CommandForm, InstructionKind};

/// Characters that make the shell do something beyond splitting words.
const SHELL_SYNTAX: &[char] = &[
    '$', '`', '&', '|', ';', '<', '>', '(', ')', '*', '?', '[', ']', '{', '}', '~', '#', '!',
];

/// Shell builtins: no program of that name exists for exec form.
const BUILTINS: [&str; 16] = [
    "cd", "set", "export", "source", ".", "eval", "trap", "ulimit", "umask", "wait", "unset",
    "readonly", "shift", "read", "exit", ":",
];

/// What a CMD or ENTRYPOINT runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandLine {
    /// Exec form, or a shell form that is one command of plain words.
    Words(Vec<String>),
    /// A shell form with shell syntax. `simple`: one command, so `exec` can
    /// hand PID 1 to the program.
    Script { text: String, simple: bool },
}

impl CommandLine {
    pub fn words(&self) -> Option<&[String]> {
        match self {
            CommandLine::Words(words) => Some(words),
            CommandLine::Script { .. } => None,
        }
    }

    /// The program: the first word, or the first word of a script.
    pub fn program(&self) -> Option<&str> {
        match self {
            CommandLine::Words(words) => words.first().map(String::as_str),
            CommandLine::Script { text, .. } => text
                .split_whitespace()
                .find(|w| !w.contains('=') && *w != "exec"),
        }
    }

    /// Exec-form items for the runtime stage (a script runs under `/bin/sh -c`).
    pub fn exec_items(&self) -> Vec<String> {
        match self {
            CommandLine::Words(words) => words.clone(),
            CommandLine::Script { text, simple } => {
                let body = if *simple && !text.starts_with("exec ") {
                    format!("exec {text}")
                } else {
                    text.clone()
                };
                vec!["/bin/sh".to_owned(), "-c".to_owned(), body]
            }
        }
    }
}

/// `["a", "b"]`.
pub fn render_exec(items: &[String]) -> String {
    let json: Vec<String> = items
        .iter()
        .map(|s| serde_json::to_string(s).unwrap_or_default())
        .collect();
    format!("[{}]", json.join(", "))
}

/// The effective CMD and ENTRYPOINT of the stage (the last of each).
pub struct Entry {
    pub entrypoint: Option<CommandLine>,
    pub cmd: Option<CommandLine>,
}

impl Entry {
    pub fn read(build: &Build<'_, '_>) -> Result<Entry, super::NotOffered> {
        let mut entry = Entry {
            entrypoint: None,
            cmd: None,
        };
        for index in build.body() {
            let Some(instruction) = build.instruction(index) else {
                continue;
            };
            let slot = match instruction.kind {
                InstructionKind::Cmd => &mut entry.cmd,
                InstructionKind::Entrypoint => &mut entry.entrypoint,
                _ => continue,
            };
            let line = read_line(build, index).ok_or_else(|| {
                super::NotOffered::new(format!(
                    "the {} on line {} cannot be read",
                    instruction.kind.keyword(),
                    instruction.start_row + 1
                ))
            })?;
            *slot = Some(line);
        }
        Ok(entry)
    }

    /// The command the container runs: ENTRYPOINT words followed by CMD words.
    pub fn argv(&self) -> Option<Vec<String>> {
        let mut out = Vec::new();
        if let Some(e) = &self.entrypoint {
            out.extend(e.words()?.iter().cloned());
        }
        if let Some(c) = &self.cmd {
            if self.entrypoint.as_ref().is_none_or(|e| e.words().is_some()) {
                out.extend(c.words()?.iter().cloned());
            }
        }
        Some(out)
    }

    /// The line that decides what runs: ENTRYPOINT when set, else CMD.
    pub fn main(&self) -> Option<&CommandLine> {
        self.entrypoint.as_ref().or(self.cmd.as_ref())
    }
}

/// Reads one CMD/ENTRYPOINT/HEALTHCHECK command.
pub fn read_line(build: &Build<'_, '_>, index: usize) -> Option<CommandLine> {
    let instruction = build.instruction(index)?;
    match instruction.command.as_ref()? {
        CommandForm::Exec { items, .. } => items
            .iter()
            .map(|r| serde_json::from_str::<String>(build.text(r)).ok())
            .collect::<Option<Vec<String>>>()
            .map(CommandLine::Words),
        CommandForm::Shell { range } => {
            if !instruction.heredocs.is_empty() {
                return None;
            }
            let text = build.cx.logical_text(range);
            let text = text.trim().to_owned();
            if text.is_empty() {
                return None;
            }
            let commands = build.commands(index);
            let simple = match commands {
                [only] => {
                    only.pipeline.is_none()
                        && !only.nested
                        && only.statement == only.range
                        && only.assignments.is_empty()
                }
                _ => false,
            };
            let plain = simple
                && !text.contains(SHELL_SYNTAX)
                && commands
                    .iter()
                    .all(|c| c.name.literal && c.arguments.iter().all(|w| w.literal));
            if plain {
                let command = commands.first()?;
                let mut words: Vec<String> = std::iter::once(&command.name)
                    .chain(&command.arguments)
                    .map(|w| w.text.clone())
                    .collect();
                if words.first().is_some_and(|w| w == "exec") {
                    words.remove(0);
                }
                if words.first().is_none_or(|w| BUILTINS.contains(&w.as_str())) {
                    return Some(CommandLine::Script {
                        text,
                        simple: false,
                    });
                }
                return Some(CommandLine::Words(words));
            }
            Some(CommandLine::Script { text, simple })
        }
    }
}

/// Directories on the build image's PATH where a program named by a bare
/// word may live.
pub fn path_dirs(build: &Build<'_, '_>) -> Vec<String> {
    let mut dirs: Vec<String> = [
        "/usr/local/sbin",
        "/usr/local/bin",
        "/usr/sbin",
        "/usr/bin",
        "/sbin",
        "/bin",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    if let Some(path) = build.written_env_at(build.stage.instructions.end, "PATH") {
        dirs.extend(
            path.split(':')
                .filter(|d| d.starts_with('/'))
                .map(super::build::normalize),
        );
    }
    // Toolchain images put their bin folders on PATH.
    dirs.extend(
        [
            "/go/bin",
            "/usr/local/go/bin",
            "/usr/local/cargo/bin",
            "/root/.cargo/bin",
        ]
        .iter()
        .map(|s| (*s).to_owned()),
    );
    dirs
}

/// The build path a program word refers to, when it is one of `candidates`:
/// an absolute path, a path relative to the working directory, or a bare
/// name found in a PATH folder.
pub fn program_match<'c>(
    word: &str,
    workdir: &str,
    path_dirs: &[String],
    candidates: &'c [String],
) -> Option<&'c String> {
    if word.contains('/') {
        let resolved = join(workdir, word);
        return candidates.iter().find(|c| **c == resolved);
    }
    candidates
        .iter()
        .find(|c| basename(c) == word && path_dirs.iter().any(|d| *d == dirname(c)))
}
