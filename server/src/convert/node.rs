//! Node.js: a server runs on the same Node.js version's slim (or the same
//! Alpine) image with production dependencies only (`npm prune --omit=dev`
//! in the build stage); a static site (`npm run build` with no server
//! behind it) is served by unprivileged nginx.

use super::build::{basename, is_under, join, positionals, Build};
use super::command::{CommandLine, Entry};
use super::manifest::{self, PackageJson};
use super::packages::RuntimeLibraries;
use super::{Artifact, BuildLines, NotOffered, Plan, RuntimeUser};
use crate::knowledge::{nginx_unprivileged, runtime_variant_tag, Family};
use crate::semantics::shell::program_name;
use crate::semantics::Command;

/// Programs that serve files or run a development server: behind them the
/// app is a static site.
const STATIC_SERVERS: &[&str] = &[
    "serve",
    "http-server",
    "live-server",
    "vite",
    "react-scripts",
    "react-app-rewired",
    "craco",
    "ng",
    "vue-cli-service",
    "webpack-dev-server",
    "parcel",
    "gatsby",
];

/// Folders a build writes and a server may run from.
const OUTPUT_FOLDERS: &[&str] = &["dist", "build", "out", "lib", ".next", "server", ".output"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Manager {
    Npm,
    Yarn,
    Pnpm,
}

/// What the image runs.
enum Runs {
    Nothing,
    /// `node <script>` (relative to the app folder), or a program in the app.
    Server(Option<String>),
    /// A file server or dev server, maybe with the folder it serves.
    Static(Option<String>),
}

fn manager_of(program: &str) -> Option<Manager> {
    match program {
        "npm" => Some(Manager::Npm),
        "yarn" => Some(Manager::Yarn),
        "pnpm" => Some(Manager::Pnpm),
        _ => None,
    }
}

/// `npm ci`, `npm install` (not global), `yarn [install]`, `pnpm install`.
fn is_install(manager: Manager, command: &Command) -> bool {
    let (_, args) = command.effective();
    if args
        .iter()
        .any(|w| matches!(w.text.as_str(), "-g" | "--global"))
    {
        return false;
    }
    let first = positionals(args).first().map_or("", |w| w.text.as_str());
    let with_packages = positionals(args).len() > 1;
    match manager {
        Manager::Npm => matches!(first, "ci" | "install" | "i") && !with_packages,
        Manager::Yarn => matches!(first, "" | "install") && !with_packages,
        Manager::Pnpm => matches!(first, "install" | "i") && !with_packages,
    }
}

/// The script a `npm run x` / `yarn x` / `pnpm x` runs.
fn script_of(manager: Manager, args: &[String]) -> Option<String> {
    let positional: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    match (manager, positional.as_slice()) {
        (_, [first, name, ..]) if matches!(first.as_str(), "run" | "run-script") => {
            Some((*name).clone())
        }
        (Manager::Npm, [first, ..]) if matches!(first.as_str(), "start" | "test") => {
            Some((*first).clone())
        }
        (Manager::Yarn | Manager::Pnpm, [first, ..])
            if !matches!(
                first.as_str(),
                "install" | "add" | "remove" | "exec" | "dlx"
            ) =>
        {
            Some((*first).clone())
        }
        _ => None,
    }
}

/// `node [options] script …` → the script.
fn node_script(args: &[String]) -> Option<String> {
    let mut i = 0;
    while let Some(arg) = args.get(i) {
        i += 1;
        if arg == "-e" || arg == "--eval" || arg == "-p" || arg == "--print" {
            return None;
        }
        if matches!(
            arg.as_str(),
            "-r" | "--require" | "--import" | "--loader" | "--experimental-loader"
        ) {
            i += 1;
            continue;
        }
        if arg.starts_with('-') {
            continue;
        }
        return Some(arg.clone());
    }
    None
}

/// What a command line (as words) runs.
fn classify(
    words: &[String],
    package: Option<&PackageJson>,
    depth: usize,
) -> Result<Runs, NotOffered> {
    let Some(first) = words.first() else {
        return Ok(Runs::Nothing);
    };
    let program = basename(first);
    let rest: Vec<String> = words.iter().skip(1).cloned().collect();
    // An init process in front of the server (`tini --`).
    if matches!(program, "tini" | "dumb-init" | "catatonit") {
        let after: Vec<String> = rest
            .iter()
            .skip_while(|w| w.starts_with('-'))
            .cloned()
            .collect();
        return classify(&after, package, depth + 1);
    }
    if program == "node" || program == "nodejs" {
        return Ok(Runs::Server(node_script(&rest)));
    }
    if program == "npx" {
        return classify(
            &rest
                .iter()
                .filter(|w| !w.starts_with('-'))
                .cloned()
                .collect::<Vec<_>>(),
            package,
            depth,
        );
    }
    if let Some(manager) = manager_of(program) {
        let script = script_of(manager, &rest)
            .ok_or_else(|| NotOffered::new(format!("the image runs `{}`", words.join(" "))))?;
        let package = package.ok_or_else(|| {
            NotOffered::new(format!(
                "the image runs `{}`, and package.json (beside the Dockerfile) says what that is",
                words.join(" ")
            ))
        })?;
        let text = package
            .scripts
            .get(&script)
            .ok_or_else(|| NotOffered::new(format!("package.json has no `{script}` script")))?;
        let commands = manifest::script_commands(text);
        let last = commands.last().cloned().unwrap_or_default();
        if depth > 3 {
            return Err(NotOffered::new("npm scripts call each other too deeply"));
        }
        return classify(&last, Some(package), depth + 1);
    }
    if STATIC_SERVERS.contains(&program) {
        let folder = match program {
            "serve" | "http-server" | "live-server" => rest
                .iter()
                .find(|a| !a.starts_with('-') && !a.chars().all(|c| c.is_ascii_digit()))
                .cloned(),
            _ => None,
        };
        return Ok(Runs::Static(folder));
    }
    // A dependency's program (`next start`): it stays after pruning only
    // when it is a production dependency.
    if let Some(package) = package {
        let name = if program == "next" { "next" } else { program };
        if package.dependencies.iter().any(|d| d == name) {
            return Ok(Runs::Server(None));
        }
        if package.dev_dependencies.iter().any(|d| d == name) {
            return Err(NotOffered::new(format!(
                "the image runs `{program}`, a development dependency that production installs leave out"
            )));
        }
    }
    if first.contains('/') {
        return Ok(Runs::Server(Some(first.clone())));
    }
    Err(NotOffered::new(format!(
        "the image runs `{program}`, which the runtime stage would not have"
    )))
}

/// The folder a bundler writes (from the build script's commands).
fn output_folder(package: &PackageJson, build_script: &str) -> Option<String> {
    let text = package.scripts.get(build_script)?;
    for words in manifest::script_commands(text).iter().rev() {
        let Some(first) = words.first() else { continue };
        let program = basename(first);
        let option = |names: &[&str]| -> Option<String> {
            words.iter().enumerate().find_map(|(i, w)| {
                names.iter().find_map(|n| {
                    w.strip_prefix(&format!("{n}="))
                        .map(str::to_owned)
                        .or_else(|| (w == n).then(|| words.get(i + 1).cloned()).flatten())
                })
            })
        };
        let sub = words.get(1).map(String::as_str);
        let folder = match (program, sub) {
            ("react-scripts" | "react-app-rewired" | "craco", Some("build")) => {
                Some("build".to_owned())
            }
            ("vite", Some("build")) => {
                Some(option(&["--outDir"]).unwrap_or_else(|| "dist".to_owned()))
            }
            ("vue-cli-service", Some("build")) => {
                Some(option(&["--dest"]).unwrap_or_else(|| "dist".to_owned()))
            }
            ("gatsby", Some("build")) => Some("public".to_owned()),
            ("astro", Some("build")) => Some("dist".to_owned()),
            ("parcel", Some("build")) => {
                Some(option(&["--dist-dir", "-d"]).unwrap_or_else(|| "dist".to_owned()))
            }
            ("next", Some("export")) => {
                Some(option(&["-o", "--outdir"]).unwrap_or_else(|| "out".to_owned()))
            }
            ("npm" | "yarn" | "pnpm", _) => {
                let manager = manager_of(program)?;
                let script = script_of(manager, &words[1..])?;
                output_folder(package, &script)
            }
            _ => None,
        };
        if folder.is_some() {
            return folder;
        }
    }
    None
}

pub(super) fn plan(build: &Build<'_, '_>, entry: &Entry) -> Result<Plan, NotOffered> {
    if build.info.name.short != "node" {
        return Err(NotOffered::new(format!(
            "the runtime needs the build's Node.js version, and `{}` is not a node image",
            build.image.reference
        )));
    }
    let mut install: Option<(usize, &Command, Manager)> = None;
    let mut build_script: Option<(usize, String)> = None;
    for (index, command) in build.run_commands() {
        let (name, args) = command.effective();
        let Some(manager) = manager_of(program_name(&name.text)) else {
            continue;
        };
        if is_install(manager, command) {
            install = Some((index, command, manager));
            continue;
        }
        let words: Vec<String> = args.iter().map(|w| w.text.clone()).collect();
        if let Some(script) = script_of(manager, &words) {
            if script.starts_with("build") {
                build_script = Some((index, script));
            }
        }
    }
    let (install_index, install_command, manager) = install.ok_or_else(|| {
        NotOffered::new("no `npm ci`, `npm install`, `yarn install` or `pnpm install` of the app")
    })?;
    let app = build
        .cwd_of(install_index, install_command)
        .ok_or_else(|| NotOffered::new("the app's folder is not known"))?;
    if app == "/" {
        return Err(NotOffered::new(
            "the app is installed in `/`, so its files cannot be told from the system's",
        ));
    }
    let package = build
        .context_file(&join(&app, "package.json"))
        .and_then(|(_, text)| manifest::package_json(text));
    let runs = match entry.main() {
        None => Runs::Nothing,
        Some(CommandLine::Words(_)) => {
            let argv = entry.argv().unwrap_or_default();
            classify(&argv, package.as_ref(), 0)?
        }
        Some(CommandLine::Script { text, .. }) => {
            let words: Vec<String> = text.split_whitespace().map(str::to_owned).collect();
            classify(&words, package.as_ref(), 0)?
        }
    };
    let workdir = build.final_workdir();
    let served = match &runs {
        Runs::Static(folder) => folder
            .clone()
            .or_else(|| folder_of_static(&entry.argv().unwrap_or_default())),
        _ => None,
    };
    match (runs, &build_script) {
        (Runs::Static(_) | Runs::Nothing, Some((_, script))) => {
            let folder = served
                .or_else(|| output_folder(package.as_ref()?, script))
                .ok_or_else(|| {
                    NotOffered::new(
                        "the build's output folder is not known (keep package.json beside the Dockerfile, or serve a named folder)",
                    )
                })?;
            static_site(build, &app, &folder)
        }
        (Runs::Nothing, None) => Err(NotOffered::new(
            "no CMD or ENTRYPOINT says what the image runs",
        )),
        (Runs::Static(_), None) => Err(NotOffered::new(
            "the image serves files, and no `npm run build` makes them",
        )),
        (Runs::Server(script), _) => {
            let tag = runtime_variant_tag(build.info, build.tag()).ok_or_else(|| {
                NotOffered::new(format!(
                    "no slim variant of `{}` is known",
                    build.image.reference
                ))
            })?;
            let runtime = format!("{}:{tag}", build.image.name);
            let omitted = install_omits_dev(build, install_index, install_command);
            let major = build
                .info
                .version
                .as_deref()
                .and_then(|v| v.split('.').next())
                .and_then(|v| v.parse::<u32>().ok());
            let mut build_lines = Vec::new();
            if !omitted {
                let prune = match manager {
                    Manager::Npm if major.is_some_and(|m| m < 16) => "RUN npm prune --production",
                    Manager::Npm => "RUN npm prune --omit=dev",
                    Manager::Pnpm => "RUN pnpm prune --prod",
                    Manager::Yarn => {
                        let berry = package
                            .as_ref()
                            .and_then(|p| p.package_manager.as_deref())
                            .is_some_and(|m| m.starts_with("yarn@") && !m.starts_with("yarn@1"));
                        if berry {
                            return Err(NotOffered::new(
                                "Yarn 2+ has no command that removes development dependencies in place",
                            ));
                        }
                        "RUN yarn install --production --ignore-scripts --prefer-offline"
                    }
                };
                let last = build.last_run().unwrap_or(install_index);
                build_lines.push(BuildLines {
                    instruction: last,
                    before: false,
                    lines: vec![prune.to_owned()],
                });
            }
            // The server's files: the output folder it runs from with the
            // production dependencies, or the whole app when it runs from
            // its own sources.
            let folder = script.as_deref().and_then(|s| {
                let path = join(workdir.as_deref().unwrap_or(&app), s);
                let relative = path.strip_prefix(&format!("{app}/"))?.to_owned();
                let top = relative.split('/').next()?.to_owned();
                (relative.contains('/')
                    && OUTPUT_FOLDERS.contains(&top.as_str())
                    && build_script.is_some())
                .then_some(top)
            });
            if let Some(s) = script.as_deref() {
                let path = join(workdir.as_deref().unwrap_or(&app), s);
                if !is_under(&path, &app) {
                    return Err(NotOffered::new(format!(
                        "the server `{s}` is outside the app folder `{app}`"
                    )));
                }
            }
            let artifacts = match folder {
                Some(top) => vec![
                    Artifact::same(&join(&app, "package.json")),
                    Artifact::same(&join(&app, "node_modules")),
                    Artifact::same(&join(&app, &top)),
                ],
                None => vec![Artifact::same(&app)],
            };
            Ok(Plan {
                toolchain: "Node.js",
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
                artifacts,
                env: Vec::new(),
                workdir: workdir.or(Some(app)),
                user: RuntimeUser::Existing("node".to_owned()),
                entrypoint: entry.entrypoint.as_ref().map(CommandLine::exec_items),
                cmd: entry.cmd.as_ref().map(CommandLine::exec_items),
                build_lines,
                expose: None,
            })
        }
    }
}

/// `serve -s build` → `build`.
fn folder_of_static(words: &[String]) -> Option<String> {
    let program = words.first().map(|w| basename(w))?;
    let rest = if program == "npx" { &words[1..] } else { words };
    let program = rest.first().map(|w| basename(w))?;
    if !matches!(program, "serve" | "http-server" | "live-server") {
        return None;
    }
    rest.iter()
        .skip(1)
        .find(|a| !a.starts_with('-') && !a.chars().all(|c| c.is_ascii_digit()))
        .cloned()
}

/// Whether the install left development dependencies out already.
fn install_omits_dev(build: &Build<'_, '_>, index: usize, command: &Command) -> bool {
    let (_, args) = command.effective();
    let flag = args.iter().any(|w| {
        matches!(
            w.text.as_str(),
            "--omit=dev" | "--production" | "--only=prod" | "--only=production" | "--prod"
        ) || w.text == "--production=true"
    });
    flag || build.env_of(index, command, "NODE_ENV").as_deref() == Some("production")
}

fn static_site(build: &Build<'_, '_>, app: &str, folder: &str) -> Result<Plan, NotOffered> {
    if !build
        .indices_of(crate::syntax::InstructionKind::Healthcheck)
        .is_empty()
    {
        return Err(NotOffered::new(
            "the HEALTHCHECK was written for the Node.js server, not for nginx",
        ));
    }
    let output = join(app, folder);
    if !is_under(&output, app) || output == app {
        return Err(NotOffered::new(format!(
            "the build's output folder `{folder}` is not inside the app"
        )));
    }
    Ok(Plan {
        toolchain: "Node.js static site",
        runtime: nginx_unprivileged(build.cx.today),
        family: Family::Alpine,
        libraries: RuntimeLibraries {
            installs: false,
            provided: &[],
            static_binary: true,
        },
        artifacts: vec![Artifact {
            from: format!("{output}/"),
            to: "/usr/share/nginx/html/".to_owned(),
        }],
        env: Vec::new(),
        workdir: None,
        user: RuntimeUser::Existing("nginx".to_owned()),
        entrypoint: None,
        cmd: None,
        build_lines: Vec::new(),
        expose: Some("8080".to_owned()),
    })
}
