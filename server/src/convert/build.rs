//! The single stage being converted, seen as a build: working directories,
//! the environment of each command, where build outputs end up, and which
//! file of the build context a path in the image came from.

use std::collections::BTreeMap;
use std::ops::Range;

use super::NotOffered;
use crate::knowledge::{Family, Image};
use crate::rules::Context;
use crate::semantics::shell::program_name;
use crate::semantics::{self, BaseImage, Command, StageFacts, Word};
use crate::syntax::{Instruction, InstructionKind, Stage};

/// The stage to convert and what the conversion reads from it.
pub struct Build<'a, 'c> {
    pub cx: &'a Context<'c>,
    pub stage: &'a Stage,
    pub facts: &'a StageFacts,
    pub image: &'a BaseImage,
    pub info: &'a Image,
    /// Context files the caller read (path relative to the Dockerfile's folder).
    pub files: &'a BTreeMap<String, String>,
    /// The working directory at each instruction of the stage and at its
    /// end (index − the FROM's index), computed once.
    workdirs: Vec<Option<String>>,
}

impl<'a, 'c> Build<'a, 'c> {
    pub fn new(cx: &'a Context<'c>) -> Result<Self, NotOffered> {
        let stages = &cx.model.stages;
        let stage = match stages.as_slice() {
            [only] => only,
            [] => return Err(NotOffered::new("the file has no FROM")),
            more => {
                return Err(NotOffered::new(format!(
                    "the build already has {} stages; move the build steps of the final one into its own stage by hand",
                    more.len()
                )))
            }
        };
        let facts = cx
            .semantics
            .stages
            .get(stage.index)
            .ok_or_else(|| NotOffered::new("the stage was not analysed"))?;
        let image = match &facts.base {
            semantics::Base::Image(image) => image.as_ref(),
            semantics::Base::Scratch => {
                return Err(NotOffered::new("the stage starts from scratch"))
            }
            semantics::Base::Unresolved(text) => {
                return Err(NotOffered::new(format!(
                    "the base image `{text}` depends on a build argument without a default"
                )))
            }
            semantics::Base::Stage(_) => {
                return Err(NotOffered::new("the stage starts from another stage"))
            }
        };
        let info = image.info.as_ref().ok_or_else(|| {
            NotOffered::new(format!(
                "nothing is known about the base image `{}`, so no runtime image of the same toolchain can be chosen",
                image.reference
            ))
        })?;
        if facts.family == Family::Windows {
            return Err(NotOffered::new("Windows images are not converted"));
        }
        let mut build = Build {
            cx,
            stage,
            facts,
            image,
            info,
            files: cx.files,
            workdirs: Vec::new(),
        };
        build.workdirs = build.compute_workdirs();
        Ok(build)
    }

    /// One pass over the stage: the working directory before each instruction.
    fn compute_workdirs(&self) -> Vec<Option<String>> {
        let mut current = Some(default_workdir(self.info).to_owned());
        let mut out = Vec::new();
        for i in self.stage.instructions.start..=self.stage.instructions.end {
            out.push(current.clone());
            let Some(instruction) = self.instruction(i) else {
                continue;
            };
            if instruction.kind != InstructionKind::Workdir || i == self.stage.from {
                continue;
            }
            let written = instruction
                .arguments
                .first()
                .map(|r| semantics::unquote(self.text(r)))
                .unwrap_or_default();
            let expanded = if written.contains('$') {
                let values = self
                    .cx
                    .semantics
                    .variables_at(self.cx.model, self.cx.source, i);
                semantics::expand(&written, &values)
            } else {
                Some(written)
            };
            current = match (expanded, current) {
                (Some(path), Some(cwd)) => Some(join(&cwd, &path)),
                (Some(path), None) if path.starts_with('/') => Some(normalize(&path)),
                _ => None,
            };
        }
        out
    }

    pub fn instruction(&self, index: usize) -> Option<&'a Instruction> {
        self.cx.model.instructions.get(index)
    }

    /// Instruction indices after the FROM.
    pub fn body(&self) -> Range<usize> {
        self.stage.from + 1..self.stage.instructions.end
    }

    pub fn text(&self, range: &Range<usize>) -> &'c str {
        let source: &'c str = self.cx.source;
        source.get(range.clone()).unwrap_or_default()
    }

    pub fn indices_of(&self, kind: InstructionKind) -> Vec<usize> {
        self.body()
            .filter(|&i| self.instruction(i).is_some_and(|x| x.kind == kind))
            .collect()
    }

    /// The tag as written after ARG substitution (`""` when untagged).
    pub fn tag(&self) -> &str {
        self.image.tag.as_deref().unwrap_or("")
    }

    pub fn commands(&self, index: usize) -> &'a [Command] {
        self.cx
            .semantics
            .commands
            .get(index)
            .map_or(&[][..], |c| &c[..])
    }

    /// Every command of every RUN, with the RUN's index.
    pub fn run_commands(&self) -> Vec<(usize, &'a Command)> {
        self.indices_of(InstructionKind::Run)
            .into_iter()
            .flat_map(|i| self.commands(i).iter().map(move |c| (i, c)))
            .collect()
    }

    pub fn last_run(&self) -> Option<usize> {
        self.indices_of(InstructionKind::Run).last().copied()
    }

    /// The working directory when instruction `index` runs (`None` when a
    /// WORKDIR uses a variable whose value is unknown).
    pub fn workdir_at(&self, index: usize) -> Option<String> {
        let at = index
            .clamp(self.stage.instructions.start, self.stage.instructions.end)
            .checked_sub(self.stage.instructions.start)?;
        self.workdirs.get(at).cloned().flatten()
    }

    /// The working directory at the end of the stage (where CMD runs).
    pub fn final_workdir(&self) -> Option<String> {
        self.workdir_at(self.stage.instructions.end)
    }

    /// True when the stage sets a WORKDIR.
    pub fn sets_workdir(&self) -> bool {
        !self.indices_of(InstructionKind::Workdir).is_empty()
    }

    /// The directory a command runs in: the RUN's working directory, changed
    /// by literal `cd` commands before it in the same RUN.
    pub fn cwd_of(&self, index: usize, command: &Command) -> Option<String> {
        let mut cwd = self.workdir_at(index)?;
        for earlier in self.commands(index) {
            if earlier.range.start >= command.range.start {
                break;
            }
            let (name, args) = earlier.effective();
            if program_name(&name.text) != "cd" || earlier.nested != command.nested {
                continue;
            }
            let target = args.iter().find(|w| !w.text.starts_with('-'))?;
            if !target.literal {
                return None;
            }
            cwd = join(&cwd, &target.text);
        }
        Some(cwd)
    }

    /// The value of an environment variable for a command: its own prefix
    /// assignments, `env NAME=value`, an earlier `export NAME=value` in the
    /// RUN, then the ARG/ENV values in scope. `None`: not set (or unknown).
    pub fn env_of(&self, index: usize, command: &Command, name: &str) -> Option<String> {
        if let Some((_, value)) = command.assignments.iter().rev().find(|(n, _)| n == name) {
            return Some(value.clone());
        }
        if program_name(&command.name.text) == "env" {
            let prefix = format!("{name}=");
            if let Some(w) = command
                .arguments
                .iter()
                .find(|w| w.text.starts_with(&prefix))
            {
                return Some(w.text[prefix.len()..].to_owned());
            }
        }
        let prefix = format!("{name}=");
        let exported = self
            .commands(index)
            .iter()
            .filter(|c| c.range.start < command.range.start && c.name.text == "export")
            .flat_map(|c| c.arguments.iter())
            .filter_map(|w| w.text.strip_prefix(&prefix))
            .next_back();
        if let Some(value) = exported {
            return Some(value.to_owned());
        }
        self.cx
            .semantics
            .variables_at(self.cx.model, self.cx.source, index)
            .get(name)
            .cloned()
            .flatten()
    }

    /// The value the last ENV before `index` gives a variable, as written
    /// (unquoted, variables not expanded: `/opt/venv/bin:$PATH`).
    pub fn written_env_at(&self, index: usize, name: &str) -> Option<String> {
        self.body()
            .take_while(|&i| i < index)
            .filter_map(|i| self.instruction(i))
            .filter(|i| i.kind == InstructionKind::Env)
            .flat_map(|i| i.pairs.iter())
            .filter(|p| self.text(&p.name) == name)
            .filter_map(|p| p.value.as_ref().map(|v| semantics::unquote(self.text(v))))
            .last()
    }

    /// The system packages the stage installs and keeps (apt, apk, rpm…).
    pub fn system_packages(&self) -> Vec<(usize, &'a Word, String)> {
        crate::semantics::packages::final_image_system_packages(self.cx)
            .into_iter()
            .flat_map(|(invocation, packages)| {
                packages
                    .into_iter()
                    .map(move |(word, base)| (invocation.instruction, word, base))
            })
            .collect()
    }

    /// True when a RUN has a cache mount over `path` (its content is not in the image).
    pub fn in_cache_mount(&self, path: &str) -> Option<String> {
        for index in self.indices_of(InstructionKind::Run) {
            for target in crate::semantics::packages::cache_mounts(self.cx, index) {
                let Some(cwd) = self.workdir_at(index) else {
                    continue;
                };
                let target = join(&cwd, &target);
                if is_under(path, &target) {
                    return Some(target);
                }
            }
        }
        None
    }

    /// The files of the build context that may be `path` in the image,
    /// following the stage's COPY/ADD instructions (a source folder's
    /// content lands in the destination; a file lands in a destination
    /// folder under its own name, or becomes the destination).
    pub fn context_paths(&self, path: &str) -> Vec<String> {
        let mut out = Vec::new();
        for index in self.body() {
            let Some(instruction) = self.instruction(index) else {
                continue;
            };
            if !matches!(
                instruction.kind,
                InstructionKind::Copy | InstructionKind::Add
            ) || instruction
                .flags
                .iter()
                .any(|f| self.text(&f.name) == "from")
            {
                continue;
            }
            let Some((dest_range, sources)) = instruction.arguments.split_last() else {
                continue;
            };
            let Some(cwd) = self.workdir_at(index) else {
                continue;
            };
            let written_dest = semantics::unquote(self.text(dest_range));
            let dest = join(&cwd, &written_dest);
            let dest_is_dir =
                written_dest.ends_with('/') || sources.len() > 1 || written_dest == ".";
            for source in sources {
                let source = semantics::unquote(self.text(source));
                if source.contains("://") || source.contains('$') {
                    continue;
                }
                let source = clean_context_path(&source);
                // A folder (or the context root): its content lands in `dest`.
                if let Some(rest) = strip_dir(path, &dest) {
                    out.push(if source.is_empty() {
                        rest.to_owned()
                    } else {
                        format!("{source}/{rest}")
                    });
                }
                // A file: into the destination folder, or as the destination.
                let base = source.rsplit('/').next().unwrap_or(&source);
                if !source.is_empty() && (path == dest && !dest_is_dir || path == join(&dest, base))
                {
                    out.push(source.clone());
                }
            }
        }
        out.sort();
        out.dedup();
        out
    }

    /// Adds where later RUNs copy or move a built file (`cp target/release/app
    /// /usr/local/bin/`): the image may run it from there.
    pub fn follow_copies(&self, paths: &mut Vec<String>) {
        for (index, command) in self.run_commands() {
            let (name, args) = command.effective();
            let program = program_name(&name.text);
            if !matches!(program, "cp" | "mv" | "install" | "ln") {
                continue;
            }
            let mut operands = Vec::new();
            let mut skip = false;
            for word in args {
                if skip {
                    skip = false;
                    continue;
                }
                if word.text.starts_with('-') {
                    // `install -m 0755`, `install -o root`, `cp -t dir`.
                    skip = program == "install" && matches!(word.text.as_str(), "-m" | "-o" | "-g");
                    continue;
                }
                operands.push(word);
            }
            let [source, dest] = operands.as_slice() else {
                continue;
            };
            if !source.literal || !dest.literal {
                continue;
            }
            let Some(cwd) = self.cwd_of(index, command) else {
                continue;
            };
            let source = join(&cwd, &source.text);
            if !paths.contains(&source) {
                continue;
            }
            let into_dir = dest.text.ends_with('/') || basename(&dest.text) == "bin";
            let target = if into_dir {
                join(&join(&cwd, &dest.text), basename(&source))
            } else {
                join(&cwd, &dest.text)
            };
            if !paths.contains(&target) {
                paths.push(target);
            }
        }
    }

    /// The text of a context file that is `path` in the image, if the caller read it.
    pub fn context_file(&self, path: &str) -> Option<(String, &'a str)> {
        self.context_paths(path)
            .into_iter()
            .find_map(|p| self.files.get(&p).map(|text| (p, text.as_str())))
    }
}

/// The working directory an image starts in (only golang sets one among
/// the build images converted here).
fn default_workdir(info: &Image) -> &'static str {
    if info.name.short == "golang" {
        "/go"
    } else {
        "/"
    }
}

/// `./a/b/` → `a/b`; `.` → ``.
pub fn clean_context_path(source: &str) -> String {
    let joined = normalize(&format!("/{source}"));
    joined.trim_start_matches('/').to_owned()
}

/// `path` below `dir`: the rest after `dir/`.
fn strip_dir<'p>(path: &'p str, dir: &str) -> Option<&'p str> {
    if dir == "/" {
        return path.strip_prefix('/').filter(|r| !r.is_empty());
    }
    path.strip_prefix(dir)?
        .strip_prefix('/')
        .filter(|r| !r.is_empty())
}

/// True when `path` is `dir` or inside it.
pub fn is_under(path: &str, dir: &str) -> bool {
    path == dir || strip_dir(path, dir).is_some()
}

/// `cwd` joined with `path` (absolute paths replace it), normalised.
pub fn join(cwd: &str, path: &str) -> String {
    if path.starts_with('/') {
        normalize(path)
    } else {
        normalize(&format!("{cwd}/{path}"))
    }
}

/// Removes `.`, `..`, repeated and trailing slashes of an absolute path.
pub fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    format!("/{}", parts.join("/"))
}

/// The last path component.
pub fn basename(path: &str) -> &str {
    path.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(path)
}

/// The folder holding `path`.
pub fn dirname(path: &str) -> String {
    let trimmed = path.trim_end_matches('/');
    match trimmed.rfind('/') {
        Some(0) | None => "/".to_owned(),
        Some(i) => trimmed[..i].to_owned(),
    }
}

/// The words of a command after its program (through `sudo`/`env`…) that
/// are not options.
pub fn positionals(args: &[Word]) -> Vec<&Word> {
    args.iter().filter(|w| !w.text.starts_with('-')).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_join_like_the_shell() {
        assert_eq!(join("/src", "bin/app"), "/src/bin/app");
        assert_eq!(join("/src", "./app"), "/src/app");
        assert_eq!(join("/src", "../app"), "/app");
        assert_eq!(join("/src", "/usr/local/bin/"), "/usr/local/bin");
        assert_eq!(join("/", "."), "/");
        assert_eq!(clean_context_path("./backend/"), "backend");
        assert_eq!(clean_context_path("."), "");
        assert_eq!(dirname("/app/server"), "/app");
        assert_eq!(dirname("/server"), "/");
        assert!(is_under("/app/target/x", "/app/target"));
        assert!(!is_under("/app/targetx", "/app/target"));
        assert!(is_under("/x", "/"));
    }
}
