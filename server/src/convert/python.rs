//! Python: the packages pip installs (a virtualenv, `--prefix`, `--target`;
//! a plain system install is moved into a new virtualenv at `/opt/venv`)
//! and the app's folder run on the same Python's slim image (or the same
//! Alpine image), as a created non-root user.

use super::build::{clean_context_path, is_under, join, Build};
use super::command::{CommandLine, Entry};
use super::packages::RuntimeLibraries;
use super::{Artifact, BuildLines, NotOffered, Plan, RuntimeUser};
use crate::knowledge::{runtime_variant_tag, Family};
use crate::semantics::packages::Invocation;
use crate::semantics::shell::program_name;
use crate::syntax::InstructionKind;

/// Development packages whose libraries the python images keep (CPython's
/// own extension modules link them).
const PROVIDED: &[&str] = &[
    "python3-dev",
    "python-dev",
    "libpython3-dev",
    "libpython3*-dev",
    "libssl-dev",
    "openssl-dev",
    "libffi-dev",
    "zlib-dev",
    "libbz2-dev",
    "bzip2-dev",
    "liblzma-dev",
    "xz-dev",
    "libsqlite3-dev",
    "sqlite-dev",
    "libreadline-dev",
    "readline-dev",
    "libncurses-dev",
    "libncurses5-dev",
    "libncursesw5-dev",
    "ncurses-dev",
    "libgdbm-dev",
    "gdbm-dev",
    "uuid-dev",
    "util-linux-dev",
    "libexpat1-dev",
    "expat-dev",
    "libstdc++*-dev",
    "libgcc*-dev",
];

/// Installers the conversion does not follow.
const OTHER_INSTALLERS: &[&str] = &[
    "poetry",
    "pipenv",
    "uv",
    "pdm",
    "conda",
    "mamba",
    "micromamba",
    "hatch",
];

/// Where pip puts packages.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    System,
    Venv(String),
    Prefix(String),
    Folder(String),
}

const NEW_VENV: &str = "/opt/venv";

pub(super) fn plan(build: &Build<'_, '_>, entry: &Entry) -> Result<Plan, NotOffered> {
    if build.info.name.short != "python" {
        return Err(NotOffered::new(format!(
            "the runtime needs the build's Python, and `{}` is not a python image",
            build.image.reference
        )));
    }
    let mut venvs: Vec<String> = Vec::new();
    let mut targets: Vec<(usize, Target)> = Vec::new();
    let mut first_pip: Option<usize> = None;
    for (index, command) in build.run_commands() {
        let (name, args) = command.effective();
        let program = program_name(&name.text);
        let sub = args
            .iter()
            .find(|w| !w.text.starts_with('-'))
            .map_or("", |w| w.text.as_str());
        if OTHER_INSTALLERS.contains(&program)
            && matches!(sub, "install" | "sync" | "add" | "pip" | "create" | "env")
        {
            return Err(NotOffered::new(format!(
                "the build installs with `{program}`; the conversion follows pip only"
            )));
        }
        let cwd = build.cwd_of(index, command);
        // `python -m venv V`, `virtualenv V`.
        let venv = if program.starts_with("python")
            && args.first().is_some_and(|w| w.text == "-m")
            && args
                .get(1)
                .is_some_and(|w| w.text == "venv" || w.text == "virtualenv")
        {
            args.iter().skip(2).find(|w| !w.text.starts_with('-'))
        } else if program == "virtualenv" {
            args.iter().find(|w| !w.text.starts_with('-'))
        } else {
            None
        };
        if let Some(folder) = venv {
            let cwd = cwd
                .clone()
                .ok_or_else(|| NotOffered::new("the virtualenv's folder is not known"))?;
            if !folder.literal {
                return Err(NotOffered::new("the virtualenv's folder is not known"));
            }
            venvs.push(join(&cwd, &folder.text));
            continue;
        }
        let Some(invocation) = Invocation::of(command, index) else {
            continue;
        };
        if invocation.manager != "pip" || !invocation.installs() {
            continue;
        }
        first_pip.get_or_insert(index);
        let tooling = !invocation.has_long("--requirement")
            && !invocation.has_short('r')
            && !invocation.operands.is_empty()
            && invocation.operands.iter().all(|w| {
                matches!(
                    crate::semantics::packages::package_base("pip", &w.text).as_str(),
                    "pip" | "setuptools" | "wheel"
                )
            });
        if tooling {
            continue;
        }
        if invocation.has_long("--user") {
            return Err(NotOffered::new(
                "`pip install --user` installs into root's home, which the runtime user cannot read",
            ));
        }
        let cwd = cwd.ok_or_else(|| NotOffered::new("the folder pip runs in is not known"))?;
        let target = if let Some(prefix) = invocation.option_values("--prefix", None).pop() {
            Target::Prefix(join(&cwd, &prefix))
        } else if let Some(folder) = invocation.option_values("--target", Some('t')).pop() {
            Target::Folder(join(&cwd, &folder))
        } else {
            let pip = invocation.name.text.as_str();
            if venvs.is_empty() {
                if pip.starts_with('/') {
                    return Err(NotOffered::new(format!(
                        "pip runs as `{pip}`, which a new virtualenv would not replace"
                    )));
                }
                targets.push((index, Target::System));
                continue;
            }
            let path = build
                .env_of(index, command, "PATH")
                .or_else(|| build.written_env_at(index, "PATH"))
                .unwrap_or_default();
            let virtual_env = build.env_of(index, command, "VIRTUAL_ENV");
            let in_venv = venvs.iter().find(|v| {
                pip.starts_with(&format!("{v}/"))
                    || path.split(':').any(|d| d == format!("{v}/bin"))
                    || virtual_env.as_deref() == Some(v.as_str())
            });
            match in_venv {
                Some(v) => Target::Venv(v.clone()),
                None if pip.starts_with('/') => {
                    return Err(NotOffered::new(format!(
                        "pip runs as `{pip}`, which a new virtualenv would not replace"
                    )))
                }
                None => Target::System,
            }
        };
        targets.push((index, target));
    }
    let mut kinds: Vec<&Target> = Vec::new();
    for (_, target) in &targets {
        if !kinds.contains(&target) {
            kinds.push(target);
        }
    }
    let target = match kinds.as_slice() {
        [one] => (*one).clone(),
        [] => {
            return Err(NotOffered::new(
                "pip installs nothing but itself, so there is nothing to copy",
            ))
        }
        _ => {
            return Err(NotOffered::new(
                "pip installs into several places (system, virtualenv, `--prefix`, `--target`)",
            ))
        }
    };
    let app = app_folder(build)?;
    let mut artifacts = Vec::new();
    let mut env = Vec::new();
    let mut build_lines = Vec::new();
    match &target {
        Target::System => {
            let before = first_pip.ok_or_else(|| NotOffered::new("no pip install"))?;
            build_lines.push(BuildLines {
                instruction: before,
                before: true,
                lines: vec![
                    format!("RUN python -m venv {NEW_VENV}"),
                    format!("ENV PATH=\"{NEW_VENV}/bin:$PATH\""),
                ],
            });
            artifacts.push(Artifact::same(NEW_VENV));
            env.push(format!("PATH=\"{NEW_VENV}/bin:$PATH\""));
        }
        Target::Venv(folder) | Target::Folder(folder) => {
            if !is_under(folder, &app) {
                artifacts.push(Artifact::same(folder));
            }
            if let Target::Venv(folder) = &target {
                let on_path = build
                    .written_env_at(build.stage.instructions.end, "PATH")
                    .is_some_and(|p| p.split(':').any(|d| d == format!("{folder}/bin")));
                let set_by_env = build
                    .indices_of(InstructionKind::Env)
                    .into_iter()
                    .filter_map(|i| build.instruction(i))
                    .flat_map(|i| i.pairs.iter())
                    .any(|p| build.text(&p.name) == "PATH");
                if on_path && !set_by_env {
                    env.push(format!("PATH=\"{folder}/bin:$PATH\""));
                }
            }
        }
        Target::Prefix(prefix) => {
            if prefix == "/usr/local" || prefix == "/usr" {
                return Err(NotOffered::new(format!(
                    "pip installs into `{prefix}`, mixed with Python itself"
                )));
            }
            artifacts.push(Artifact {
                from: prefix.clone(),
                to: "/usr/local".to_owned(),
            });
        }
    }
    artifacts.push(Artifact::same(&app));
    let tag = runtime_variant_tag(build.info, build.tag()).ok_or_else(|| {
        NotOffered::new(format!(
            "no slim variant of `{}` is known",
            build.image.reference
        ))
    })?;
    Ok(Plan {
        toolchain: "Python",
        runtime: format!("{}:{tag}", build.image.name),
        family: if build.facts.family == Family::Alpine {
            Family::Alpine
        } else {
            Family::Debian
        },
        libraries: RuntimeLibraries {
            installs: true,
            provided: PROVIDED,
            static_binary: false,
        },
        artifacts,
        env,
        workdir: build
            .final_workdir()
            .filter(|_| build.sets_workdir())
            .or(Some(app)),
        user: RuntimeUser::Create,
        entrypoint: entry.entrypoint.as_ref().map(CommandLine::exec_items),
        cmd: entry.cmd.as_ref().map(CommandLine::exec_items),
        build_lines,
        expose: None,
    })
}

/// The folder the app's files are copied to: the destination of `COPY .`,
/// else the working directory.
fn app_folder(build: &Build<'_, '_>) -> Result<String, NotOffered> {
    for index in build
        .indices_of(InstructionKind::Copy)
        .into_iter()
        .chain(build.indices_of(InstructionKind::Add))
    {
        let Some(instruction) = build.instruction(index) else {
            continue;
        };
        if instruction
            .flags
            .iter()
            .any(|f| build.text(&f.name) == "from")
        {
            continue;
        }
        let Some((dest, sources)) = instruction.arguments.split_last() else {
            continue;
        };
        let whole = sources
            .iter()
            .any(|s| clean_context_path(&crate::semantics::unquote(build.text(s))).is_empty());
        if whole {
            let cwd = build
                .workdir_at(index)
                .ok_or_else(|| NotOffered::new("the app's folder is not known"))?;
            let folder = join(&cwd, &crate::semantics::unquote(build.text(dest)));
            return if folder == "/" {
                Err(NotOffered::new(
                    "the app is copied to `/`, so its files cannot be told from the system's",
                ))
            } else {
                Ok(folder)
            };
        }
    }
    match build.final_workdir() {
        Some(folder) if build.sets_workdir() && folder != "/" => Ok(folder),
        _ => Err(NotOffered::new(
            "the app's folder is not known (copy the app with `COPY . <folder>` or set a WORKDIR)",
        )),
    }
}
