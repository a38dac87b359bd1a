//! .NET: the folder `dotnet publish -o` writes runs on the same release's
//! ASP.NET runtime image (or the plain runtime for a console app, when the
//! project file says so), as the image's `app` user (.NET 8 and later).

use super::build::{is_under, join, positionals, Build};
use super::command::{CommandLine, Entry};
use super::manifest;
use super::packages::RuntimeLibraries;
use super::{Artifact, NotOffered, Plan, RuntimeUser};
use crate::knowledge::{dotnet_major, dotnet_runtime, Family};
use crate::semantics::shell::program_name;

pub(super) fn plan(build: &Build<'_, '_>, entry: &Entry) -> Result<Plan, NotOffered> {
    let mut output: Option<String> = None;
    let mut project: Option<String> = None;
    let mut found = false;
    for (index, command) in build.run_commands() {
        let (name, args) = command.effective();
        if program_name(&name.text) != "dotnet" {
            continue;
        }
        let first = positionals(args)
            .first()
            .map(|w| w.text.clone())
            .unwrap_or_default();
        if first == "build" && !found {
            continue;
        }
        if first != "publish" {
            continue;
        }
        found = true;
        let cwd = build
            .cwd_of(index, command)
            .ok_or_else(|| NotOffered::new("the folder `dotnet publish` runs in is not known"))?;
        let mut i = 0;
        output = None;
        project = None;
        while let Some(word) = args.get(i) {
            i += 1;
            let text = word.text.as_str();
            let takes_value = matches!(
                text,
                "-o" | "--output"
                    | "-c"
                    | "--configuration"
                    | "-r"
                    | "--runtime"
                    | "-f"
                    | "--framework"
                    | "-a"
                    | "--arch"
                    | "--os"
                    | "-v"
                    | "--verbosity"
                    | "--version-suffix"
                    | "--self-contained"
                    | "--sc"
            );
            let value = if takes_value {
                let v = args.get(i).map(|w| w.text.clone());
                i += 1;
                v
            } else {
                None
            };
            if matches!(text, "-o" | "--output") {
                output = value.map(|o| join(&cwd, &o));
            } else if let Some(o) = text
                .strip_prefix("--output=")
                .or_else(|| text.strip_prefix("-o:"))
            {
                output = Some(join(&cwd, o));
            } else if !text.starts_with('-') && text != "publish" && !takes_value {
                project = Some(join(&cwd, text));
            }
        }
    }
    if !found {
        return Err(NotOffered::new(
            "no `dotnet publish` (its output is what a runtime image runs)",
        ));
    }
    let output = output.ok_or_else(|| {
        NotOffered::new("`dotnet publish` has no `-o`, so its output folder depends on the project")
    })?;
    let main = entry
        .main()
        .ok_or_else(|| NotOffered::new("no CMD or ENTRYPOINT says what the image runs"))?;
    let workdir = build
        .final_workdir()
        .ok_or_else(|| NotOffered::new("the working directory is not known"))?;
    let words = main
        .words()
        .ok_or_else(|| NotOffered::new("the command needs a shell"))?;
    let argv = entry.argv().unwrap_or_else(|| words.to_vec());
    let program = argv.first().cloned().unwrap_or_default();
    let app = if program_name(&program) == "dotnet" {
        let dll = argv.get(1).filter(|a| a.ends_with(".dll")).ok_or_else(|| {
            NotOffered::new(format!(
                "the image runs `{}`, not a published app",
                argv.join(" ")
            ))
        })?;
        join(&workdir, dll)
    } else {
        join(&workdir, &program)
    };
    if !is_under(&app, &output) {
        return Err(NotOffered::new(format!(
            "the image runs `{app}`, which is not in the publish folder `{output}`"
        )));
    }
    // A console app needs no ASP.NET Core; without the project file, assume a web app.
    let web = csproj(build, project.as_deref())
        .and_then(manifest::csproj_is_web)
        .unwrap_or(true);
    let runtime = dotnet_runtime(build.info, web).ok_or_else(|| {
        NotOffered::new(format!(
            "the .NET release of `{}` is not known",
            build.image.reference
        ))
    })?;
    let user = match dotnet_major(build.info) {
        Some(major) if major >= 8 => RuntimeUser::Existing("app".to_owned()),
        _ => RuntimeUser::Create,
    };
    Ok(Plan {
        toolchain: ".NET",
        runtime,
        family: if build.facts.family == Family::Alpine {
            Family::Alpine
        } else {
            Family::Debian
        },
        libraries: RuntimeLibraries {
            installs: true,
            provided: &[],
            static_binary: false,
        },
        artifacts: vec![Artifact::same(&output)],
        env: Vec::new(),
        workdir: Some(workdir).filter(|_| build.sets_workdir()),
        user,
        entrypoint: entry.entrypoint.as_ref().map(CommandLine::exec_items),
        cmd: entry.cmd.as_ref().map(CommandLine::exec_items),
        build_lines: Vec::new(),
        expose: None,
    })
}

/// The project file: the one `dotnet publish` names, else the only one the
/// caller passed.
fn csproj<'a>(build: &Build<'a, '_>, named: Option<&str>) -> Option<&'a str> {
    if let Some(path) = named.filter(|p| p.ends_with(".csproj")) {
        if let Some((_, text)) = build.context_file(path) {
            return Some(text);
        }
    }
    let projects: Vec<&String> = build
        .files
        .keys()
        .filter(|k| k.ends_with(".csproj"))
        .collect();
    match projects.as_slice() {
        [one] => build.files.get(*one).map(String::as_str),
        _ => None,
    }
}
