//! Converting a single-stage build into a multi-stage one: the existing
//! stage becomes the build stage, and a new runtime stage on a minimal image
//! of the same toolchain copies only the build's result.
//!
//! Pure, like the rest of the engine: it reads the analysed document (and the
//! context files the caller passes, such as `Cargo.toml`) and returns a
//! [`Fix`], or the reason it cannot ([`NotOffered`]), which DF310 states.
//!
//! The steps: [`Build`] views the stage (working directories, environment,
//! where context files land); a toolchain module (`go`, `rust`, `node`,
//! `python`, `java`, `dotnet`) finds the artifact and picks the runtime
//! image; [`Layout`] decides each instruction's fate (stays in the build,
//! moves to the runtime stage, or both); [`render`] writes the runtime
//! stage and the edits.

mod build;
mod command;
mod dotnet;
mod go;
mod java;
mod manifest;
mod node;
mod packages;
mod python;
mod rust;

use std::collections::BTreeSet;
use std::ops::Range;

use crate::fix::{Edit, Fix};
use crate::knowledge::Family;
use crate::rules::Context;
use crate::syntax::InstructionKind;

pub use build::Build;
use command::{render_exec, CommandLine, Entry};
use packages::RuntimeLibraries;

/// Why a build cannot be converted (a sentence fragment, e.g. "the build
/// already has 2 stages").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotOffered(pub String);

impl NotOffered {
    pub fn new(reason: impl Into<String>) -> Self {
        NotOffered(reason.into())
    }
}

impl std::fmt::Display for NotOffered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A conversion that can be applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversion {
    pub fix: Fix,
    /// The runtime stage's base image.
    pub runtime: String,
    /// `Go`, `Rust`, `Node.js`…
    pub toolchain: &'static str,
}

/// The title of the refactoring in editors.
pub const ACTION_TITLE: &str = "Convert to multi-stage build";

/// Folders a compiled program commonly reads at run time from the folder
/// it runs in (templates, static files, configuration, migrations).
pub const ASSET_FOLDERS: [&str; 11] = [
    "templates",
    "static",
    "public",
    "views",
    "assets",
    "web",
    "www",
    "config",
    "migrations",
    "locales",
    "i18n",
];

/// The context files the conversion may read, relative to the Dockerfile's
/// folder: manifests at the top and under the folders the stage copies
/// (`*.csproj` stands for every project file of that folder), and the
/// [`ASSET_FOLDERS`] at the top (a path ending in `/` asks whether that
/// folder exists). The caller reads those that exist into
/// [`crate::Options::context_files`], a folder with empty text.
pub fn wanted_files<'a>(
    instructions: impl IntoIterator<Item = &'a crate::syntax::Instruction>,
    source: &str,
) -> Vec<String> {
    const MANIFESTS: [&str; 4] = ["go.mod", "Cargo.toml", "package.json", "*.csproj"];
    let mut out: Vec<String> = MANIFESTS.iter().map(|m| (*m).to_owned()).collect();
    out.extend(ASSET_FOLDERS.iter().map(|f| format!("{f}/")));
    for instruction in instructions {
        if !matches!(
            instruction.kind,
            InstructionKind::Copy | InstructionKind::Add
        ) || instruction
            .flags
            .iter()
            .any(|f| source.get(f.name.clone()) == Some("from"))
        {
            continue;
        }
        let Some((_, sources)) = instruction.arguments.split_last() else {
            continue;
        };
        for range in sources {
            let written = crate::semantics::unquote(source.get(range.clone()).unwrap_or_default());
            if written.contains("://") || written.contains('$') {
                continue;
            }
            let path = build::clean_context_path(&written);
            if path.is_empty() || path.starts_with("..") {
                continue;
            }
            let base = build::basename(&path);
            if MANIFESTS.contains(&base) || base.ends_with(".csproj") {
                out.push(path);
            } else if !path.contains('*') && !base.contains('.') {
                out.extend(MANIFESTS.iter().map(|m| format!("{path}/{m}")));
            }
        }
    }
    let mut seen = BTreeSet::new();
    out.retain(|p| seen.insert(p.clone()));
    out.truncate(80);
    out
}

/// For a compiled program that runs in the folder the build context was
/// copied to: the asset folders of the context (templates, static files…)
/// it may read from there, to copy along with the binary.
fn asset_folders(build: &Build<'_, '_>) -> Vec<Artifact> {
    let Some(workdir) = build.final_workdir() else {
        return Vec::new();
    };
    ASSET_FOLDERS
        .iter()
        .map(|name| build::join(&workdir, name))
        .filter(|path| {
            build
                .context_paths(path)
                .iter()
                .any(|p| build.files.contains_key(&format!("{p}/")))
        })
        .map(|path| Artifact::same(&path))
        .collect()
}

/// What a toolchain module decided.
#[derive(Debug, Clone)]
struct Plan {
    toolchain: &'static str,
    runtime: String,
    /// The runtime image's family (for user creation and package installs).
    family: Family,
    libraries: RuntimeLibraries,
    artifacts: Vec<Artifact>,
    /// Extra `ENV` values for the runtime stage (`PATH="/opt/venv/bin:$PATH"`).
    env: Vec<String>,
    workdir: Option<String>,
    user: RuntimeUser,
    /// What the runtime stage runs; `None` keeps the runtime image's default.
    entrypoint: Option<Vec<String>>,
    cmd: Option<Vec<String>>,
    /// Lines added to the build stage.
    build_lines: Vec<BuildLines>,
    /// Replaces the EXPOSE ports (nginx listens on 8080).
    expose: Option<String>,
}

/// One `COPY --from=build`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Artifact {
    /// In the build stage (may end in a `*` pattern).
    from: String,
    /// In the runtime stage (a folder ends with `/`).
    to: String,
}

impl Artifact {
    fn same(path: &str) -> Artifact {
        Artifact {
            from: path.to_owned(),
            to: path.to_owned(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum RuntimeUser {
    /// A non-root user the runtime image has.
    Existing(String),
    /// Create one (DF101's commands for the runtime's distribution).
    Create,
}

/// Lines added to the build stage, before or after an instruction.
#[derive(Debug, Clone)]
struct BuildLines {
    instruction: usize,
    before: bool,
    lines: Vec<String>,
}

/// The toolchains, by the commands that give them away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Toolchain {
    Go,
    Rust,
    Node,
    Python,
    Java,
    Dotnet,
}

impl Toolchain {
    fn name(self) -> &'static str {
        match self {
            Toolchain::Go => "Go",
            Toolchain::Rust => "Rust",
            Toolchain::Node => "Node.js",
            Toolchain::Python => "Python",
            Toolchain::Java => "Java",
            Toolchain::Dotnet => ".NET",
        }
    }

    /// The toolchain a build image is for.
    fn of_image(short: &str) -> Option<Toolchain> {
        Some(match short {
            "golang" => Toolchain::Go,
            "rust" => Toolchain::Rust,
            "node" => Toolchain::Node,
            "python" => Toolchain::Python,
            "maven" | "gradle" | "eclipse-temurin" | "openjdk" | "amazoncorretto"
            | "sapmachine" => Toolchain::Java,
            "mcr.microsoft.com/dotnet/sdk" => Toolchain::Dotnet,
            _ => return None,
        })
    }
}

/// Which toolchains the stage's commands use.
fn toolchains_used(build: &Build<'_, '_>) -> Vec<Toolchain> {
    let mut found = Vec::new();
    for (index, command) in build.run_commands() {
        let (name, args) = command.effective();
        let program = crate::semantics::shell::program_name(&name.text);
        let first = args
            .iter()
            .find(|w| !w.text.starts_with('-'))
            .map_or("", |w| w.text.as_str());
        let toolchain = match program {
            "go" if first == "build" => Some(Toolchain::Go),
            "cargo" if first == "build" || first == "install" => Some(Toolchain::Rust),
            "dotnet" if matches!(first, "publish" | "build") => Some(Toolchain::Dotnet),
            "mvn" | "mvnw" | "gradle" | "gradlew" => Some(Toolchain::Java),
            "npm" | "yarn" | "pnpm" => Some(Toolchain::Node),
            _ => crate::semantics::packages::Invocation::of(command, index)
                .filter(|i| i.manager == "pip" && i.installs())
                .map(|_| Toolchain::Python),
        };
        if let Some(t) = toolchain {
            if !found.contains(&t) {
                found.push(t);
            }
        }
    }
    found
}

fn detect(build: &Build<'_, '_>) -> Result<Toolchain, NotOffered> {
    let used = toolchains_used(build);
    let short = if build.info.name.registry == "docker.io" {
        build.info.name.short.clone()
    } else {
        build.info.name.full()
    };
    let hinted = Toolchain::of_image(&short);
    if let Some(t) = hinted.filter(|t| used.contains(t)) {
        return Ok(t);
    }
    match used.as_slice() {
        [one] => Ok(*one),
        [] => Err(NotOffered::new(
            "no Go, Rust, Node.js, Python, Java or .NET build found",
        )),
        more => {
            let names: Vec<&str> = more.iter().map(|t| t.name()).collect();
            Err(NotOffered::new(format!(
                "the stage builds with several toolchains ({})",
                names.join(", ")
            )))
        }
    }
}

/// Converts the document's single stage into a build stage and a runtime
/// stage, or says why it cannot.
pub fn multistage(cx: &Context<'_>) -> Result<Conversion, NotOffered> {
    // The conversion copies instructions into the runtime stage: a broken one
    // would be broken twice (found by fuzzing: an ENV with a stray word).
    if !cx.syntax_errors().is_empty() {
        return Err(NotOffered::new(
            "the Dockerfile has syntax errors (DF001); fix them first",
        ));
    }
    let build = Build::new(cx)?;
    for index in build.body() {
        if let Some(instruction) = build.instruction(index) {
            if instruction.kind == InstructionKind::Onbuild {
                return Err(NotOffered::new(
                    "the stage has ONBUILD triggers, which belong to images other builds start from",
                ));
            }
        }
    }
    let entry = Entry::read(&build)?;
    let toolchain = detect(&build)?;
    let plan = match toolchain {
        Toolchain::Go => go::plan(&build, &entry)?,
        Toolchain::Rust => rust::plan(&build, &entry)?,
        Toolchain::Node => node::plan(&build, &entry)?,
        Toolchain::Python => python::plan(&build, &entry)?,
        Toolchain::Java => java::plan(&build, &entry)?,
        Toolchain::Dotnet => dotnet::plan(&build, &entry)?,
    };
    for artifact in &plan.artifacts {
        let probe = artifact.from.split('*').next().unwrap_or(&artifact.from);
        if let Some(mount) = build
            .in_cache_mount(build::dirname(probe).as_str())
            .or_else(|| build.in_cache_mount(probe))
        {
            return Err(NotOffered::new(format!(
                "`{}` is in the cache mount `{mount}`, so it is not in the build stage's image",
                artifact.from
            )));
        }
    }
    let layout = Layout::new(&build, &plan)?;
    let fix = render(&build, &plan, &layout)?;
    Ok(Conversion {
        fix,
        runtime: plan.runtime.clone(),
        toolchain: plan.toolchain,
    })
}

/// Environment variables that configure compilers, package managers and
/// build tools, or name the build image's own versions and paths: they stay
/// in the build stage.
fn is_build_env(name: &str) -> bool {
    const EXACT: &[&str] = &[
        "GOOS",
        "GOARCH",
        "GOARM",
        "GOAMD64",
        "GOFLAGS",
        "GOPROXY",
        "GOPRIVATE",
        "GONOSUMDB",
        "GONOPROXY",
        "GOSUMDB",
        "GO111MODULE",
        "GOPATH",
        "GOROOT",
        "GOCACHE",
        "GOMODCACHE",
        "GOBIN",
        "GOTOOLCHAIN",
        "GOEXPERIMENT",
        "GOWORK",
        "GOINSECURE",
        "GOLANG_VERSION",
        "RUSTFLAGS",
        "RUSTUP_HOME",
        "RUSTUP_TOOLCHAIN",
        "RUSTC_WRAPPER",
        "RUST_VERSION",
        "NODE_VERSION",
        "YARN_VERSION",
        "PNPM_HOME",
        "PYTHON_VERSION",
        "PYTHON_SHA256",
        "PYTHON_PIP_VERSION",
        "PYTHON_GET_PIP_URL",
        "PYTHON_GET_PIP_SHA256",
        "PYTHON_SETUPTOOLS_VERSION",
        "GPG_KEY",
        "JAVA_HOME",
        "JAVA_VERSION",
        "M2_HOME",
        "DOTNET_NOLOGO",
        "DOTNET_SKIP_FIRST_TIME_EXPERIENCE",
        "DOTNET_SDK_VERSION",
        "DOTNET_GENERATE_ASPNET_CERTIFICATE",
        "DOTNET_USE_POLLING_FILE_WATCHER",
        "DEBIAN_FRONTEND",
        "CC",
        "CXX",
        "CFLAGS",
        "CXXFLAGS",
        "CPPFLAGS",
        "LDFLAGS",
        "PKG_CONFIG_PATH",
        "MAKEFLAGS",
        "VIRTUAL_ENV",
    ];
    const PREFIXES: &[&str] = &[
        "CGO_",
        "CARGO_",
        "NPM_CONFIG_",
        "npm_config_",
        "YARN_",
        "PIP_",
        "PIPENV_",
        "POETRY_",
        "UV_",
        "MAVEN_",
        "GRADLE_",
        "DOTNET_CLI_",
        "NUGET_",
    ];
    EXACT.contains(&name) || PREFIXES.iter().any(|p| name.starts_with(p))
}

/// What happens to an instruction of the build stage.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Fate {
    Keep,
    /// Removed here, written in the runtime stage (with its comments).
    Move,
    /// Kept, and these ENV pairs are written in the runtime stage too.
    Duplicate(Vec<Range<usize>>),
    /// Removed; the runtime stage writes its own version (CMD, ENTRYPOINT,
    /// EXPOSE replaced by the plan).
    Replace,
}

/// Each instruction's fate, and the runtime stage's sections.
struct Layout {
    fates: Vec<(usize, Fate)>,
}

impl Layout {
    fn new(build: &Build<'_, '_>, plan: &Plan) -> Result<Layout, NotOffered> {
        let copied: Vec<&str> = plan
            .artifacts
            .iter()
            .map(|a| a.to.trim_end_matches('/'))
            .collect();
        let last_run = build.last_run();
        // For each instruction: does one after it stay in the build stage?
        let body: Vec<usize> = build.body().collect();
        let mut kept_after = vec![false; body.len()];
        let mut any = false;
        for (slot, &index) in body.iter().enumerate().rev() {
            kept_after[slot] = any;
            any = any || stays_in_build(build, index, last_run, &copied);
        }
        let mut fates: Vec<(usize, Fate)> = Vec::new();
        for (slot, &index) in body.iter().enumerate() {
            let Some(instruction) = build.instruction(index) else {
                continue;
            };
            let after_build = last_run.is_none_or(|r| index > r);
            let fate = match instruction.kind {
                InstructionKind::Label | InstructionKind::Maintainer => Fate::Move,
                InstructionKind::Volume
                | InstructionKind::Stopsignal
                | InstructionKind::Healthcheck => Fate::Move,
                InstructionKind::Expose if plan.expose.is_some() => Fate::Replace,
                InstructionKind::Expose => Fate::Move,
                InstructionKind::Cmd | InstructionKind::Entrypoint => Fate::Replace,
                InstructionKind::Copy | InstructionKind::Add if after_build => {
                    // Files no build step used: the program needs them at run time,
                    // unless an artifact copy already carries them.
                    let dest = instruction
                        .arguments
                        .last()
                        .map(|r| crate::semantics::unquote(build.text(r)))
                        .unwrap_or_default();
                    let dest = build.workdir_at(index).map(|cwd| build::join(&cwd, &dest));
                    match dest {
                        Some(dest) if copied.iter().any(|c| build::is_under(&dest, c)) => {
                            Fate::Keep
                        }
                        Some(_)
                            if instruction
                                .flags
                                .iter()
                                .any(|f| build.text(&f.name) == "chown") =>
                        {
                            return Err(NotOffered::new(format!(
                                "the COPY on line {} sets an owner the runtime image may not have",
                                instruction.start_row + 1
                            )))
                        }
                        Some(_) => Fate::Move,
                        None => {
                            return Err(NotOffered::new(format!(
                                "the destination of the {} on line {} is not known",
                                instruction.kind.keyword(),
                                instruction.start_row + 1
                            )))
                        }
                    }
                }
                InstructionKind::Env => {
                    let runtime: Vec<Range<usize>> = instruction
                        .pairs
                        .iter()
                        .filter(|p| !is_build_env(build.text(&p.name)))
                        .map(|p| p.range.clone())
                        .collect();
                    if runtime.is_empty() {
                        Fate::Keep
                    } else if runtime.len() == instruction.pairs.len()
                        && !kept_after.get(slot).copied().unwrap_or(true)
                    {
                        Fate::Move
                    } else {
                        Fate::Duplicate(runtime)
                    }
                }
                _ => Fate::Keep,
            };
            fates.push((index, fate));
        }
        Ok(Layout { fates })
    }

    fn fate(&self, index: usize) -> Option<&Fate> {
        self.fates.iter().find(|(i, _)| *i == index).map(|(_, f)| f)
    }
}

/// Whether an instruction stays in the build stage in a way that may need
/// the ENV values before it.
fn stays_in_build(
    build: &Build<'_, '_>,
    index: usize,
    last_run: Option<usize>,
    copied: &[&str],
) -> bool {
    let Some(instruction) = build.instruction(index) else {
        return false;
    };
    match instruction.kind {
        InstructionKind::Label
        | InstructionKind::Maintainer
        | InstructionKind::Volume
        | InstructionKind::Stopsignal
        | InstructionKind::Healthcheck
        | InstructionKind::Expose
        | InstructionKind::Cmd
        | InstructionKind::Entrypoint => false,
        // An ENV that is itself only for run time does not hold one back.
        InstructionKind::Env => instruction
            .pairs
            .iter()
            .any(|p| is_build_env(build.text(&p.name))),
        InstructionKind::Copy | InstructionKind::Add => {
            if last_run.is_some_and(|r| index < r) {
                return true;
            }
            let dest = instruction
                .arguments
                .last()
                .map(|r| crate::semantics::unquote(build.text(r)))
                .unwrap_or_default();
            build
                .workdir_at(index)
                .map(|cwd| build::join(&cwd, &dest))
                .is_none_or(|dest| copied.iter().any(|c| build::is_under(&dest, c)))
        }
        _ => true,
    }
}

/// The comment lines right above an instruction (no blank line between),
/// as the offset where the first one's line starts.
fn attached_comments_start(build: &Build<'_, '_>, index: usize) -> usize {
    let cx = build.cx;
    let Some(instruction) = build.instruction(index) else {
        return 0;
    };
    let floor = index
        .checked_sub(1)
        .and_then(|i| build.instruction(i))
        .map_or(0, |previous| previous.range.end);
    let mut start = cx.line_start(instruction.range.start);
    while start > floor {
        let previous_start = cx.line_start(start - 1);
        if previous_start < floor {
            break;
        }
        let line = cx.text(&(previous_start..start));
        let comments = &cx.model.comments;
        let first = comments.partition_point(|c| c.start < previous_start);
        let is_comment = line.trim_start().starts_with('#')
            && comments.get(first).is_some_and(|c| c.start < start);
        if !is_comment {
            break;
        }
        start = previous_start;
    }
    start
}

/// The text of an instruction for the runtime stage: its attached comments
/// and the instruction, without their indentation, ending with a newline.
fn moved_text(build: &Build<'_, '_>, index: usize, eol: &str) -> String {
    let cx = build.cx;
    let Some(instruction) = build.instruction(index) else {
        return String::new();
    };
    let mut out = String::new();
    let first = attached_comments_start(build, index);
    let line_start = cx.line_start(instruction.range.start);
    if first < line_start {
        for line in cx.text(&(first..line_start)).lines() {
            out.push_str(line.trim());
            out.push_str(eol);
        }
    }
    let body = cx.text(&instruction.range);
    out.push_str(body);
    if !body.ends_with('\n') {
        out.push_str(eol);
    }
    out
}

/// The comments attached to an instruction, one per line.
fn comments_text(build: &Build<'_, '_>, index: usize, eol: &str) -> String {
    let cx = build.cx;
    let Some(instruction) = build.instruction(index) else {
        return String::new();
    };
    let first = attached_comments_start(build, index);
    let line_start = cx.line_start(instruction.range.start);
    cx.text(&(first..line_start))
        .lines()
        .map(|l| format!("{}{eol}", l.trim()))
        .collect()
}

/// The range that removing an instruction (and its comments) deletes; a
/// blank line after it goes too when one is before it, so no gap doubles.
fn removal_range(build: &Build<'_, '_>, index: usize) -> Option<Range<usize>> {
    let cx = build.cx;
    let instruction = build.instruction(index)?;
    let start = attached_comments_start(build, index);
    let mut end = instruction.range.end;
    if !cx.text(&instruction.range).ends_with('\n') {
        return Some(start..end);
    }
    let blank_before = start == 0 || {
        let before = cx.line_start(start - 1);
        cx.text(&(before..start)).trim().is_empty()
    };
    if blank_before {
        let rest = cx.source.get(end..).unwrap_or_default();
        if let Some(newline) = rest.find('\n') {
            if rest[..newline].trim().is_empty() {
                end += newline + 1;
            }
        }
    }
    Some(start..end)
}

/// `$NAME` and `${NAME…}` references in a text: the names BuildKit reads
/// (Unicode letters) and the names a shell reads in RUN (ASCII only, so
/// `$TOKENé` reads TOKEN), both, since the text holds both kinds of line.
fn variable_references(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(dollar) = rest.find('$') {
        let after = &rest[dollar + 1..];
        let body = after.strip_prefix('{').unwrap_or(after);
        let buildkit = &body[..crate::syntax::variable_name_len(body)];
        if crate::syntax::is_ordinary_variable_name(buildkit) {
            out.push(buildkit.to_owned());
        }
        let shell_end = body
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(body.len());
        let shell = &body[..shell_end];
        if shell != buildkit && crate::syntax::is_ordinary_variable_name(shell) {
            out.push(shell.to_owned());
        }
        rest = after;
    }
    out
}

/// Writes the runtime stage and the edits of the build stage.
fn render(build: &Build<'_, '_>, plan: &Plan, layout: &Layout) -> Result<Fix, NotOffered> {
    let cx = build.cx;
    let eol = cx.line_ending();
    let mut edits: Vec<Edit> = Vec::new();

    // The FROM names the stage.
    let from = build
        .instruction(build.stage.from)
        .ok_or_else(|| NotOffered::new("the FROM cannot be read"))?;
    let stage_name = match &from.stage_name {
        Some(name) => build.text(name).to_owned(),
        None => {
            let image = from
                .image
                .as_ref()
                .ok_or_else(|| NotOffered::new("the FROM has no image"))?;
            edits.push(Edit::insert(image.range.end, " AS build"));
            "build".to_owned()
        }
    };

    // Lines added to the build stage.
    for lines in &plan.build_lines {
        let instruction = build
            .instruction(lines.instruction)
            .ok_or_else(|| NotOffered::new("an instruction of the plan is missing"))?;
        let indent = cx.indentation(instruction).to_owned();
        let text: String = lines
            .lines
            .iter()
            .map(|l| format!("{indent}{l}{eol}"))
            .collect();
        if lines.before {
            let at = attached_comments_start(build, lines.instruction);
            edits.push(Edit::insert(at, text));
        } else {
            edits.extend(cx.insert_lines_after(instruction, &text));
        }
    }

    // The runtime stage's sections.
    let mut meta = String::new();
    let mut env = String::new();
    let mut files = String::new();
    let mut runtime = String::new();
    let mut command_comments = String::new();
    for (index, fate) in &layout.fates {
        let Some(instruction) = build.instruction(*index) else {
            continue;
        };
        match fate {
            Fate::Keep => {}
            Fate::Duplicate(pairs) => {
                let values: Vec<&str> = pairs.iter().map(|r| build.text(r)).collect();
                env.push_str(&format!("ENV {}{eol}", values.join(" ")));
            }
            Fate::Move | Fate::Replace => {
                if let Some(range) = removal_range(build, *index) {
                    edits.push(Edit::delete(range));
                }
                let text = moved_text(build, *index, eol);
                match (fate, instruction.kind) {
                    (Fate::Replace, _) => {
                        command_comments.push_str(&comments_text(build, *index, eol))
                    }
                    (_, InstructionKind::Label | InstructionKind::Maintainer) => {
                        meta.push_str(&text)
                    }
                    (_, InstructionKind::Env) => env.push_str(&text),
                    (_, InstructionKind::Copy | InstructionKind::Add) => {
                        files.push_str(&absolute_copy(build, *index, eol)?)
                    }
                    _ => runtime.push_str(&text),
                }
            }
        }
    }
    // An escape character that continues the file's last instruction into
    // the end would join the runtime stage to it.
    if let Some(last) = cx.model.instructions.last() {
        let last_index = cx.model.instructions.len() - 1;
        if layout
            .fate(last_index)
            .is_none_or(|f| matches!(f, Fate::Keep | Fate::Duplicate(_)))
        {
            if let Some(escape) = cx.dangling_escape(last) {
                edits.push(Edit::delete(escape..escape + cx.model.escape.len_utf8()));
            }
        }
    }

    let mut stage = String::new();
    stage.push_str(&format!("FROM {}{eol}", plan.runtime));
    let mut body = String::new();
    body.push_str(&meta);
    body.push_str(&env);
    for value in &plan.env {
        body.push_str(&format!("ENV {value}{eol}"));
    }
    if let Some(workdir) = plan.workdir.as_ref().filter(|w| *w != "/") {
        body.push_str(&format!("WORKDIR {workdir}{eol}"));
    }
    for artifact in &plan.artifacts {
        body.push_str(&format!(
            "COPY --from={stage_name} {} {}{eol}",
            quote_path(&artifact.from),
            quote_path(&artifact.to)
        ));
    }
    body.push_str(&files);
    let programs = programs_run(build, plan);
    let packages = packages::runtime_packages(build, &plan.libraries, plan.family, &programs)?;
    let mut packages = packages;
    if plan.libraries.installs {
        for tool in ["curl", "wget"] {
            let busybox = plan.family == Family::Alpine && tool == "wget";
            if programs.iter().any(|p| p == tool) && !busybox && !packages.iter().any(|p| p == tool)
            {
                packages.push(tool.to_owned());
            }
        }
    }
    if let Some(line) = packages::install_line(plan.family, &packages) {
        body.push_str(&line);
        body.push_str(eol);
    } else if !packages.is_empty() {
        return Err(NotOffered::new(
            "the runtime image's package manager is not known",
        ));
    }
    let user = match &plan.user {
        RuntimeUser::Existing(user) => user.clone(),
        RuntimeUser::Create => {
            let settings = &cx.settings.user;
            body.push_str(&format!(
                "RUN {}{eol}",
                crate::rules::root_user::create_user(plan.family, &settings.name, settings.uid)
            ));
            settings.name.clone()
        }
    };
    if let Some(ports) = &plan.expose {
        body.push_str(&format!("EXPOSE {ports}{eol}"));
    }
    body.push_str(&runtime);
    body.push_str(&format!("USER {user}{eol}"));
    body.push_str(&command_comments);
    if let Some(items) = &plan.entrypoint {
        body.push_str(&format!("ENTRYPOINT {}{eol}", render_exec(items)));
    }
    if let Some(items) = &plan.cmd {
        body.push_str(&format!("CMD {}{eol}", render_exec(items)));
    }
    // Build arguments the moved instructions use are declared again (an ARG
    // is scoped to its stage).
    let mut args = String::new();
    let mut declared = BTreeSet::new();
    for name in variable_references(&body) {
        if !declared.insert(name.clone()) {
            continue;
        }
        if let Some(text) = stage_arg(build, &name) {
            args.push_str(&format!("ARG {text}{eol}"));
        } else if cx.semantics.global_args.contains_key(&name) {
            args.push_str(&format!("ARG {name}{eol}"));
        }
    }
    stage.push_str(&args);
    stage.push_str(&body);

    // One blank line before the runtime stage (the removals may leave one).
    let edits = merge(edits)?;
    let (before, _) = crate::fix::apply(cx.source, [&Fix::unsafe_("", edits.clone())]);
    let end = cx.source.len();
    let mut appended = String::new();
    if !before.is_empty() && !before.ends_with('\n') {
        appended.push_str(eol);
    }
    if !before.trim_end_matches(['\n', '\r']).is_empty()
        && !before.ends_with(&format!("{eol}{eol}"))
    {
        appended.push_str(eol);
    }
    appended.push_str(&stage);
    let mut edits = edits;
    edits.push(Edit::insert(end, appended));
    let edits = one_region(cx.source, merge(edits)?, from.line_range.end);
    Ok(Fix::unsafe_(
        format!(
            "Convert to a multi-stage build: {} build stage, runtime on `{}`",
            plan.toolchain, plan.runtime
        ),
        edits,
    ))
}

/// Keeps the edits on the FROM line and joins the others into one edit from
/// the first of them to the end of the file. The conversion rewrites the
/// stage as a whole: another rule's fix inside it (DF101 adding a user to
/// what becomes the build stage) must wait for the next round and see the
/// converted file, so the fix claims the whole region.
fn one_region(source: &str, edits: Vec<Edit>, from_line_end: usize) -> Vec<Edit> {
    let (head, tail): (Vec<Edit>, Vec<Edit>) = edits
        .into_iter()
        .partition(|e| e.range.end <= from_line_end);
    let Some(start) = tail.first().map(|e| e.range.start) else {
        return head;
    };
    let mut content = String::new();
    let mut cursor = start;
    for edit in &tail {
        content.push_str(source.get(cursor..edit.range.start).unwrap_or_default());
        content.push_str(&edit.content);
        cursor = edit.range.end;
    }
    content.push_str(source.get(cursor..).unwrap_or_default());
    let mut out = head;
    out.push(Edit::replace(start..source.len(), content));
    out
}

/// The ARG text (`NAME=default`) of a stage's build argument.
fn stage_arg(build: &Build<'_, '_>, name: &str) -> Option<String> {
    build
        .indices_of(InstructionKind::Arg)
        .into_iter()
        .filter_map(|i| build.instruction(i))
        .flat_map(|i| i.pairs.iter())
        .find(|p| build.text(&p.name) == name)
        .map(|p| build.text(&p.range).to_owned())
}

/// A COPY/ADD moved to the runtime stage, its destination made absolute
/// (the runtime stage's working directory may differ).
fn absolute_copy(build: &Build<'_, '_>, index: usize, eol: &str) -> Result<String, NotOffered> {
    let instruction = build
        .instruction(index)
        .ok_or_else(|| NotOffered::new("a COPY is missing"))?;
    let unreadable = || {
        NotOffered::new(format!(
            "the {} on line {} cannot be moved",
            instruction.kind.keyword(),
            instruction.start_row + 1
        ))
    };
    if instruction.json_arguments.is_some() || !instruction.heredocs.is_empty() {
        return Err(unreadable());
    }
    let dest_range = instruction.arguments.last().ok_or_else(unreadable)?;
    let written = crate::semantics::unquote(build.text(dest_range));
    let cwd = build.workdir_at(index).ok_or_else(unreadable)?;
    let mut dest = build::join(&cwd, &written);
    if (written.ends_with('/') || written == "." || instruction.arguments.len() > 2) && dest != "/"
    {
        dest.push('/');
    }
    let comments = comments_text(build, index, eol);
    let cx = build.cx;
    let before = cx.logical_text(&(instruction.range.start..dest_range.start));
    Ok(format!(
        "{comments}{}{}{eol}",
        before.trim_end().to_owned() + " ",
        quote_path(&dest)
    ))
}

/// A path as a COPY argument (quoted when it has blanks).
fn quote_path(path: &str) -> String {
    if path.contains([' ', '\t']) {
        serde_json::to_string(path).unwrap_or_else(|_| path.to_owned())
    } else {
        path.to_owned()
    }
}

/// The programs CMD, ENTRYPOINT and HEALTHCHECK run.
fn programs_run(build: &Build<'_, '_>, plan: &Plan) -> Vec<String> {
    let mut out = Vec::new();
    for items in [&plan.entrypoint, &plan.cmd].into_iter().flatten() {
        if let Some(first) = items.first() {
            out.push(build::basename(first).to_owned());
        }
        if items.first().is_some_and(|f| f == "/bin/sh") {
            if let Some(script) = items.get(2) {
                out.extend(
                    script
                        .split_whitespace()
                        .map(|w| build::basename(w).to_owned()),
                );
            }
        }
    }
    for index in build.indices_of(InstructionKind::Healthcheck) {
        for command in build.commands(index) {
            let (name, _) = command.effective();
            out.push(crate::semantics::shell::program_name(&name.text).to_owned());
        }
        if let Some(CommandLine::Words(words)) = command::read_line(build, index) {
            if let Some(first) = words.first() {
                out.push(build::basename(first).to_owned());
            }
        }
    }
    out
}

/// Sorts the edits and merges those that start at one offset (an insertion
/// before a removal there).
fn merge(mut edits: Vec<Edit>) -> Result<Vec<Edit>, NotOffered> {
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    let mut out: Vec<Edit> = Vec::new();
    for edit in edits {
        if let Some(last) = out.last_mut() {
            if edit.range.start == last.range.start {
                last.range.end = last.range.end.max(edit.range.end);
                last.content.push_str(&edit.content);
                continue;
            }
            if edit.range.start < last.range.end {
                return Err(NotOffered::new("the edits of the conversion overlap"));
            }
        }
        out.push(edit);
    }
    Ok(out)
}

/// Checks shared by the toolchains that run on a distroless image: the
/// command must be plain words (there is no shell), and a HEALTHCHECK cannot
/// run there.
fn distroless_checks(build: &Build<'_, '_>, entry: &Entry) -> Result<(), NotOffered> {
    for line in [&entry.entrypoint, &entry.cmd].into_iter().flatten() {
        if let CommandLine::Script { text, .. } = line {
            return Err(NotOffered::new(format!(
                "`{text}` needs a shell, and the distroless runtime image has none"
            )));
        }
    }
    for index in build.indices_of(InstructionKind::Healthcheck) {
        let none = build
            .instruction(index)
            .is_some_and(|i| i.command.is_none());
        if !none {
            return Err(NotOffered::new(
                "the HEALTHCHECK runs a command, and the distroless runtime image has no shell or tools to run it",
            ));
        }
    }
    Ok(())
}

/// The rewritten ENTRYPOINT and CMD items and the binary's copy.
type BinaryCommand = (Option<Vec<String>>, Option<Vec<String>>, Artifact);

/// For a compiled program: rewrites the ENTRYPOINT/CMD whose program is the
/// binary to the binary's path in the runtime stage, and returns the copy.
/// The program must be the binary.
fn binary_command(
    build: &Build<'_, '_>,
    entry: &Entry,
    binaries: &[String],
    what: &str,
) -> Result<BinaryCommand, NotOffered> {
    let workdir = build
        .final_workdir()
        .ok_or_else(|| NotOffered::new("the working directory is not known"))?;
    let dirs = command::path_dirs(build);
    let main = entry
        .main()
        .ok_or_else(|| NotOffered::new("no CMD or ENTRYPOINT says what the image runs"))?;
    let words = main
        .words()
        .ok_or_else(|| NotOffered::new("the command needs a shell"))?;
    let program = words.first().map(String::as_str).unwrap_or_default();
    let Some(binary) = command::program_match(program, &workdir, &dirs, binaries) else {
        return Err(NotOffered::new(format!(
            "the image runs `{program}`, not the binary {what} makes"
        )));
    };
    let artifact = Artifact {
        from: binary.clone(),
        to: runtime_binary_path(binary),
    };
    let rewrite = |line: &Option<CommandLine>, is_main: bool| -> Option<Vec<String>> {
        let mut items = line.as_ref()?.exec_items();
        if is_main {
            if let Some(first) = items.first_mut() {
                first.clone_from(&artifact.to);
            }
        }
        Some(items)
    };
    let entrypoint_is_main = entry.entrypoint.is_some();
    Ok((
        rewrite(&entry.entrypoint, entrypoint_is_main),
        rewrite(&entry.cmd, !entrypoint_is_main),
        artifact,
    ))
}

/// Where a binary goes in the runtime stage: where it was when that is a
/// bin folder or the root, else `/usr/local/bin` (a binary in the build's
/// source or output tree would leave that tree's folders in the runtime).
fn runtime_binary_path(path: &str) -> String {
    const BIN: [&str; 7] = [
        "/",
        "/usr/local/bin",
        "/usr/local/sbin",
        "/usr/bin",
        "/usr/sbin",
        "/bin",
        "/sbin",
    ];
    if BIN.contains(&build::dirname(path).as_str()) {
        path.to_owned()
    } else {
        format!("/usr/local/bin/{}", build::basename(path))
    }
}
