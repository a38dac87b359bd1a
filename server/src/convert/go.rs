//! Go: the binary of `go build` runs on distroless `static` when cgo is off
//! (`CGO_ENABLED=0`, or an Alpine image without a C compiler, where Go
//! turns cgo off itself), else on distroless `base` (glibc).

use super::build::{basename, join, positionals, Build};
use super::command::Entry;
use super::packages::RuntimeLibraries;
use super::{binary_command, distroless_checks, manifest, NotOffered, Plan, RuntimeUser};
use crate::knowledge::{distroless_image, Distroless, Family};
use crate::semantics::shell::program_name;
use crate::semantics::Command;

/// `go build` options that take the next word as their value.
const WITH_VALUE: &[&str] = &[
    "-o",
    "-p",
    "-C",
    "-ldflags",
    "-gcflags",
    "-asmflags",
    "-gccgoflags",
    "-tags",
    "-mod",
    "-modfile",
    "-pkgdir",
    "-buildmode",
    "-buildvcs",
    "-compiler",
    "-installsuffix",
    "-overlay",
    "-pgo",
    "-toolexec",
    "-coverpkg",
    "-covermode",
];

/// One `go build` and the binary it writes.
struct GoBuild<'a> {
    index: usize,
    command: &'a Command,
    binary: Option<String>,
}

fn read_build<'a>(
    build: &Build<'_, '_>,
    index: usize,
    command: &'a Command,
) -> Result<GoBuild<'a>, NotOffered> {
    let (_, args) = command.effective();
    let mut output = None;
    let mut chdir = None;
    let mut packages = Vec::new();
    let start = args
        .iter()
        .position(|w| w.text == "build")
        .map_or(0, |p| p + 1);
    let args: Vec<_> = args.get(start..).unwrap_or_default().iter().collect();
    let mut i = 0;
    while let Some(word) = args.get(i) {
        i += 1;
        let text = word.text.trim_start_matches('-');
        let dashed = format!("-{}", text.split('=').next().unwrap_or(text));
        if word.text.starts_with('-') {
            let inline = text.split_once('=').map(|(_, v)| v.to_owned());
            let value = if WITH_VALUE.contains(&dashed.as_str()) {
                match inline {
                    Some(v) => Some(v),
                    None => {
                        let v = args.get(i).map(|w| w.text.clone());
                        i += 1;
                        v
                    }
                }
            } else {
                None
            };
            match dashed.as_str() {
                "-o" => output = value,
                "-C" => chdir = value,
                _ => {}
            }
            continue;
        }
        packages.push(word.text.clone());
    }
    let cwd = build
        .cwd_of(index, command)
        .ok_or_else(|| NotOffered::new("the folder `go build` runs in is not known"))?;
    let cwd = match &chdir {
        Some(dir) => join(&cwd, dir),
        None => cwd,
    };
    if packages.iter().any(|p| p.contains("...")) || packages.len() > 1 && output.is_none() {
        return Ok(GoBuild {
            index,
            command,
            binary: None,
        });
    }
    // The name `go build` gives the binary: the package's last path element,
    // or for the module's root package the module's name.
    let package_name = || -> Option<String> {
        match packages.first().map(String::as_str) {
            None | Some(".") | Some("./") => build
                .context_file(&join(&cwd, "go.mod"))
                .and_then(|(_, text)| manifest::go_binary_name(text)),
            Some(p) if p.ends_with(".go") => Some(basename(p).trim_end_matches(".go").to_owned()),
            Some(p) => Some(basename(p).to_owned()),
        }
    };
    let binary = match output {
        Some(o) if o.contains('$') => None,
        Some(o) if o.ends_with('/') => package_name().map(|n| join(&join(&cwd, &o), &n)),
        Some(o) => Some(join(&cwd, &o)),
        None => package_name().map(|n| join(&cwd, &n)),
    };
    Ok(GoBuild {
        index,
        command,
        binary,
    })
}

pub(super) fn plan(build: &Build<'_, '_>, entry: &Entry) -> Result<Plan, NotOffered> {
    let mut builds = Vec::new();
    for (index, command) in build.run_commands() {
        let (name, args) = command.effective();
        if program_name(&name.text) == "go"
            && positionals(args).first().is_some_and(|w| w.text == "build")
        {
            builds.push(read_build(build, index, command)?);
        }
    }
    // The CMD names the binary when `go build` leaves the name to the module.
    let workdir = build.final_workdir();
    let mut binaries: Vec<String> = builds.iter().filter_map(|b| b.binary.clone()).collect();
    if binaries.is_empty() {
        let named = entry
            .main()
            .and_then(|m| m.words())
            .and_then(|w| w.first())
            .filter(|p| p.contains('/'));
        if let (Some(program), Some(workdir), Some(last)) = (named, &workdir, builds.last()) {
            let path = join(workdir, program);
            let cwd = build.cwd_of(last.index, last.command);
            if cwd.is_some_and(|c| super::build::dirname(&path) == c) {
                binaries.push(path);
            }
        }
    }
    build.follow_copies(&mut binaries);
    if binaries.is_empty() {
        return Err(NotOffered::new(
            "the binary `go build` writes has no name the conversion can find (use `-o`, or pass go.mod)",
        ));
    }
    let (entrypoint, cmd, artifact) = binary_command(build, entry, &binaries, "`go build`")?;
    distroless_checks(build, entry)?;
    let source = builds
        .iter()
        .rev()
        .find(|b| b.binary.as_deref() == Some(artifact.from.as_str()))
        .or(builds.last())
        .ok_or_else(|| NotOffered::new("no `go build`"))?;
    if let Some(os) = build.env_of(source.index, source.command, "GOOS") {
        if os != "linux" {
            return Err(NotOffered::new(format!("`go build` targets `GOOS={os}`")));
        }
    }
    let cgo = build.env_of(source.index, source.command, "CGO_ENABLED");
    let compiler = build.system_packages().iter().any(|(_, _, p)| {
        matches!(
            p.as_str(),
            "gcc" | "build-base" | "clang" | "musl-dev" | "build-essential"
        )
    });
    let cgo_off = match cgo.as_deref() {
        Some("0") => true,
        Some(_) => false,
        None => build.facts.family == Family::Alpine && !compiler,
    };
    let runtime = if cgo_off {
        distroless_image(Distroless::Static, Some(build.info))
    } else if build.facts.family == Family::Alpine {
        return Err(NotOffered::new(
            "cgo links the binary against musl, and no distroless image has musl (set `CGO_ENABLED=0` for a static binary)",
        ));
    } else {
        distroless_image(Distroless::Base, Some(build.info))
    };
    Ok(Plan {
        toolchain: "Go",
        runtime,
        family: Family::Distroless,
        libraries: RuntimeLibraries {
            installs: false,
            provided: &["libssl-dev"],
            static_binary: cgo_off,
        },
        artifacts: std::iter::once(artifact)
            .chain(super::asset_folders(build))
            .collect(),
        env: Vec::new(),
        workdir: workdir.filter(|_| build.sets_workdir()),
        user: RuntimeUser::Existing("nonroot:nonroot".to_owned()),
        entrypoint,
        cmd,
        build_lines: Vec::new(),
        expose: None,
    })
}
