//! `dockfix check`: find Dockerfiles, lint them in parallel, report in the
//! chosen format, apply fixes.

use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use super::discover::{self, ConfigCache};
use super::files::{Input, Search};
use super::output::{self, FileError, FileReport, Run, Style};
use super::{CheckArgs, ColorChoice, Format};
use crate::config::{Config, Settings};
use crate::fix::Applicability;
use crate::knowledge::Date;
use crate::{analyze_with, Options};

/// The configuration layer of the command-line flags.
fn cli_layer(args: &CheckArgs) -> Config {
    Config {
        select: args.select.clone(),
        extend_select: args.extend_select.clone(),
        ignore: args.ignore.clone(),
        ..Config::default()
    }
}

/// What the whole run shares.
struct Context<'a> {
    args: &'a CheckArgs,
    cli: Config,
    configs: Mutex<ConfigCache>,
    stdin: Option<Result<String, String>>,
    today: Date,
    level: Applicability,
    fixing: bool,
}

/// One file's outcome.
#[derive(Default)]
struct Checked {
    report: Option<FileReport>,
    errors: Vec<FileError>,
    warnings: Vec<String>,
    /// (path, before, after) with `--diff`.
    diff: Option<(String, String, String)>,
    fixed: usize,
    /// The fixed text of standard input (printed instead of written).
    fixed_stdin: Option<String>,
    /// Changes fixes make to files beside the Dockerfile (DF404's ignore
    /// file), written after every file is checked: two Dockerfiles of one
    /// folder share the file.
    file_fixes: Vec<super::context::FileFix>,
}

impl Checked {
    fn failed(path: &str, message: impl Into<String>) -> Self {
        Checked {
            errors: vec![FileError {
                path: path.to_owned(),
                location: None,
                message: message.into(),
            }],
            ..Checked::default()
        }
    }
}

pub(super) fn run(args: &CheckArgs) -> ExitCode {
    let cli = cli_layer(args);
    if let Some(bad) = cli
        .select
        .iter()
        .flatten()
        .chain(&cli.extend_select)
        .chain(&cli.ignore)
        .find(|s| !crate::rules::is_selector(s))
    {
        eprintln!("error: unknown rule selector `{bad}` (`dockfix rule` lists the rules)");
        return ExitCode::from(2);
    }
    let search = match Search::new(&args.include, &args.exclude, !args.no_ignore) {
        Ok(search) => search,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let found = search.find(&paths);
    for (path, message) in &found.warnings {
        eprintln!("warning: {path}: {message}");
    }
    let mut errors: Vec<FileError> = found
        .errors
        .into_iter()
        .map(|(path, message)| FileError {
            path,
            location: None,
            message,
        })
        .collect();
    let has_stdin = found.inputs.contains(&Input::Stdin);
    if found.inputs.is_empty() && errors.is_empty() {
        eprintln!(
            "warning: no Dockerfiles found (names: Dockerfile, Dockerfile.*, *.Dockerfile, \
             Containerfile, Containerfile.*; add others with --include)"
        );
    }
    let context = Context {
        args,
        cli,
        configs: Mutex::new(ConfigCache::default()),
        stdin: has_stdin.then(|| super::read_source(Path::new("-"))),
        today: discover::today(),
        level: if args.unsafe_fixes {
            Applicability::Unsafe
        } else {
            Applicability::Safe
        },
        fixing: args.fix || args.unsafe_fixes || args.diff,
    };
    if args.show_settings {
        return show_settings(&context, &found.inputs, errors);
    }

    let outcomes = parallel_map(&found.inputs, |input| {
        let path = display_path(&context, input);
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check_one(&context, input)))
            .unwrap_or_else(|_| {
                Checked::failed(
                    &path,
                    "internal error while checking this file (please report it)",
                )
            })
    });

    let mut reports = Vec::new();
    let mut diffs = Vec::new();
    let mut fixed = 0;
    let mut fixed_stdin = None;
    let mut written = std::collections::HashSet::new();
    for outcome in outcomes {
        for warning in &outcome.warnings {
            eprintln!("warning: {warning}");
        }
        errors.extend(outcome.errors);
        reports.extend(outcome.report);
        diffs.extend(outcome.diff);
        fixed += outcome.fixed;
        for change in outcome.file_fixes {
            // The first change of a file wins; the next run sees the rest.
            if !written.insert(change.path.clone()) {
                continue;
            }
            let shown = change.path.display().to_string();
            if args.diff {
                diffs.push((shown, change.before, change.after));
            } else if let Err(e) = std::fs::write(&change.path, &change.after) {
                errors.push(FileError {
                    path: shown,
                    location: None,
                    message: format!("cannot write: {}", super::io_message(&e)),
                });
                continue;
            }
            fixed += 1;
        }
        if outcome.fixed_stdin.is_some() {
            fixed_stdin = outcome.fixed_stdin;
        }
    }
    // A broken configuration is reported once, not once per file under it.
    let mut seen = std::collections::HashSet::new();
    errors.retain(|e| seen.insert((e.path.clone(), e.location, e.message.clone())));
    for error in &errors {
        eprintln!("error: {error}");
    }

    let failed = !errors.is_empty();
    let stdout = std::io::stdout();
    if args.diff {
        let mut out = BufWriter::new(stdout.lock());
        for (path, before, after) in &diffs {
            output::diff(&mut out, path, before, after);
        }
        let _ = out.flush();
        eprintln!(
            "{fixed} fix{} would be applied to {} file{}.",
            if fixed == 1 { "" } else { "es" },
            diffs.len(),
            output::plural(diffs.len())
        );
        return exit_code(failed, !diffs.is_empty() && !args.exit_zero);
    }

    // With fixed standard input on stdout, the report goes to stderr.
    let stdin_fixed = context.fixing && has_stdin;
    if let Some(text) = &fixed_stdin {
        let mut out = stdout.lock();
        let _ = out.write_all(text.as_bytes());
        let _ = out.flush();
    } else if stdin_fixed {
        // Nothing to fix: standard input goes through unchanged.
        if let Some(Ok(text)) = &context.stdin {
            let _ = stdout.lock().write_all(text.as_bytes());
        }
    }
    let to_terminal = args.output_file.is_none() && !stdin_fixed && std::io::stdout().is_terminal();
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            to_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    let mut sink: Box<dyn Write> = match &args.output_file {
        Some(path) => match std::fs::File::create(path) {
            Ok(file) => Box::new(BufWriter::new(file)),
            Err(e) => {
                eprintln!(
                    "error: {}: cannot write the report: {}",
                    path.display(),
                    super::io_message(&e)
                );
                return ExitCode::from(2);
            }
        },
        None if stdin_fixed => Box::new(std::io::stderr()),
        None => Box::new(BufWriter::new(stdout.lock())),
    };
    let run = Run {
        reports: &reports,
        errors: &errors,
        level: context.level,
        fixed,
        fixing: context.fixing,
    };
    let out: &mut dyn Write = &mut sink;
    let style = Style::new(color);
    if args.statistics {
        output::statistics(out, &run, args.format == Format::Json);
    } else {
        match args.format {
            Format::Text => {
                for report in &reports {
                    output::text(out, report, &style, context.level);
                }
                output::summary(out, &run);
            }
            Format::Concise => {
                output::concise(out, &run, &style);
                output::summary(out, &run);
            }
            Format::Json => output::json(out, &reports),
            Format::Sarif => output::sarif(out, &run),
            Format::Github => output::github(out, &run),
            Format::Checkstyle => output::checkstyle(out, &run),
            Format::Junit => output::junit(out, &run),
        }
    }
    if let Err(e) = sink.flush() {
        // A closed pipe (`dockfix check | head`) is not an error of ours.
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("error: cannot write the report: {}", super::io_message(&e));
            return ExitCode::from(2);
        }
    }
    let threshold = args.severity_threshold.severity();
    let failing = reports
        .iter()
        .flat_map(|r| &r.diagnostics)
        .any(|d| d.severity >= threshold);
    exit_code(failed, failing && !args.exit_zero)
}

fn exit_code(failed: bool, problems: bool) -> ExitCode {
    if failed {
        ExitCode::from(2)
    } else if problems {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Runs `f` on every item on all cores (a shared counter hands out the next
/// item) and returns the results in the items' order.
fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len());
    if threads <= 1 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let slots: Vec<Mutex<Option<R>>> = items.iter().map(|_| Mutex::new(None)).collect();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = items.get(index) else {
                    break;
                };
                let result = f(item);
                if let Ok(mut slot) = slots[index].lock() {
                    *slot = Some(result);
                }
            });
        }
    });
    slots
        .into_iter()
        .filter_map(|slot| slot.into_inner().ok().flatten())
        .collect()
}

/// The path shown for an input.
fn display_path(context: &Context<'_>, input: &Input) -> String {
    match input {
        Input::File(path) => path.display().to_string(),
        Input::Stdin => context
            .args
            .stdin_filename
            .as_ref()
            .map_or("-".to_owned(), |p| p.display().to_string()),
    }
}

/// The configuration file (if any) and settings for one input.
fn settings_for(
    context: &Context<'_>,
    input: &Input,
) -> Result<(Option<PathBuf>, Settings), crate::config::ConfigError> {
    // Standard input is configured as if it were `--stdin-filename`.
    let config_path: PathBuf = match input {
        Input::File(path) => path.clone(),
        Input::Stdin => context
            .args
            .stdin_filename
            .clone()
            .unwrap_or_else(|| PathBuf::from("Dockerfile")),
    };
    let resolved = match context.configs.lock() {
        Ok(mut cache) => cache.for_file(&config_path, context.args.config.as_deref())?,
        Err(poisoned) => poisoned
            .into_inner()
            .for_file(&config_path, context.args.config.as_deref())?,
    };
    Ok(match resolved {
        Some(resolved) => {
            let relative = discover::relative_to(&config_path, &resolved.base);
            let settings = resolved
                .config
                .layered(&context.cli)
                .settings_for(Some(&relative));
            (Some(resolved.path), settings)
        }
        None => (
            None,
            Config::default().layered(&context.cli).settings_for(None),
        ),
    })
}

fn config_error(error: crate::config::ConfigError) -> FileError {
    FileError {
        path: error.path,
        location: (error.line > 0).then_some((error.line, error.column)),
        message: error.message,
    }
}

fn check_one(context: &Context<'_>, input: &Input) -> Checked {
    let args = context.args;
    let display = display_path(context, input);
    let source = match input {
        Input::File(path) => super::read_source(path),
        Input::Stdin => context
            .stdin
            .clone()
            .unwrap_or_else(|| Err("standard input was not read".to_owned())),
    };
    let source = match source {
        Ok(source) => source,
        Err(message) => return Checked::failed(&display, message),
    };
    let settings = match settings_for(context, input) {
        Ok((_, settings)) => settings,
        Err(error) => {
            return Checked {
                errors: vec![config_error(error)],
                ..Checked::default()
            }
        }
    };
    let mut checked = Checked::default();
    let mut options = Options {
        settings,
        today: context.today,
        digests: Default::default(),
        tags: Default::default(),
        context_files: Default::default(),
        build_context: match input {
            Input::File(path) => super::context::build_context(path),
            Input::Stdin => args
                .stdin_filename
                .as_deref()
                .and_then(super::context::build_context),
        },
    };
    // Without fixes, the document is parsed once, for the context files it
    // wants and the report; fixing parses it anyway.
    let document = (!context.fixing).then(|| crate::syntax::Document::new(&source));
    // The manifests beside the Dockerfile, for the multi-stage conversion.
    let folder = match input {
        Input::File(path) => path.parent(),
        Input::Stdin => args.stdin_filename.as_deref().and_then(Path::parent),
    };
    if let Some(folder) = folder {
        let folder = if folder.as_os_str().is_empty() {
            Path::new(".")
        } else {
            folder
        };
        let wanted = match &document {
            Some(document) => crate::context_files_wanted_in(document.tree(), &source),
            None => crate::context_files_wanted(&source),
        };
        options.context_files = discover::read_context_files(folder, wanted);
    }
    if options.settings.online {
        online_lookups(&source, &display, &mut options, &mut checked.warnings);
    }
    let mut text = source.clone();
    let mut reported = None;
    if context.fixing {
        let outcome = crate::fix_all(&source, &options, context.level);
        if !outcome.converged {
            checked.warnings.push(format!(
                "{display}: fixes did not converge after {} rounds",
                outcome.rounds
            ));
        }
        if outcome.text != source {
            checked.fixed = outcome.applied.len();
            if args.diff {
                checked.diff = Some((display.clone(), source.clone(), outcome.text.clone()));
            } else {
                match input {
                    Input::Stdin => checked.fixed_stdin = Some(outcome.text.clone()),
                    Input::File(path) => {
                        if let Err(e) = std::fs::write(path, &outcome.text) {
                            return Checked::failed(
                                &display,
                                format!("cannot write the fixed file: {}", super::io_message(&e)),
                            );
                        }
                    }
                }
                text = outcome.text.clone();
            }
        }
        // Fixes of files beside the Dockerfile (DF404's ignore file); the
        // report already sees the file as it will be.
        if let Input::File(path) = input {
            let after = analyze_with(&outcome.text, &options);
            checked.file_fixes = super::context::file_fixes(path, &after, context.level);
            if !args.diff {
                for change in &checked.file_fixes {
                    let name = change.path.file_name().map(|n| n.to_string_lossy());
                    if let (Some(context), Some(name)) = (options.build_context.as_mut(), name) {
                        context.set_ignore_file(name, change.after.as_str());
                    }
                }
                // The report is of the fixed text: unless an ignore file
                // changed, this analysis is it.
                if checked.file_fixes.is_empty() {
                    reported = Some(after);
                }
            }
        }
    }
    let diagnostics = reported.unwrap_or_else(|| match &document {
        Some(document) if text == source => crate::analyze_document(document, &options),
        _ => analyze_with(&text, &options),
    });
    checked.report = Some(FileReport::new(display, text, diagnostics));
    checked
}

/// Online lookups (opt-in): the digest each tag points to today, for DF203's
/// fix, and the tags of images DF201/DF202 would pin. A lookup that fails
/// is reported and leaves the image as it is.
fn online_lookups(source: &str, display: &str, options: &mut Options, warnings: &mut Vec<String>) {
    let selection = options.settings.selection.clone();
    let enabled = |rule| crate::rules::is_enabled(rule, &selection);
    let client = crate::registry::shared_client();
    if enabled(&crate::rules::unpinned_digest::RULE) {
        for reference in crate::digest_candidates(source) {
            match client.resolve_digest(&reference) {
                Ok(digest) => {
                    options.digests.insert(reference, digest);
                }
                Err(error) => {
                    warnings.push(format!("{display}: cannot pin `{reference}`: {error}"))
                }
            }
        }
    }
    if enabled(&crate::rules::latest_tag::RULE) || enabled(&crate::rules::untagged_image::RULE) {
        for name in crate::tag_candidates(source) {
            match client.list_tags(&name) {
                Ok(tags) => {
                    options.tags.insert(name, tags);
                }
                Err(error) => warnings.push(format!(
                    "{display}: cannot list the tags of `{name}`: {error}"
                )),
            }
        }
    }
}

/// `--show-settings`: the settings of every input, inputs with the same
/// settings grouped.
fn show_settings(context: &Context<'_>, inputs: &[Input], mut errors: Vec<FileError>) -> ExitCode {
    let mut groups: Vec<(Option<PathBuf>, Settings, Vec<String>)> = Vec::new();
    for input in inputs {
        let display = display_path(context, input);
        match settings_for(context, input) {
            Ok((path, settings)) => {
                match groups
                    .iter_mut()
                    .find(|(p, s, _)| *p == path && *s == settings)
                {
                    Some(group) => group.2.push(display),
                    None => groups.push((path, settings, vec![display])),
                }
            }
            Err(error) => errors.push(config_error(error)),
        }
    }
    let mut out = BufWriter::new(std::io::stdout().lock());
    for (path, settings, files) in &groups {
        let _ = writeln!(out, "Settings for {}:", files.join(", "));
        let _ = writeln!(
            out,
            "  configuration: {}",
            path.as_ref()
                .map_or("none (built-in defaults)".to_owned(), |p| p
                    .display()
                    .to_string())
        );
        let _ = writeln!(out, "  date for end-of-life checks: {}", context.today);
        let _ = writeln!(
            out,
            "  trusted-registries: {}",
            if settings.trusted_registries.is_empty() {
                "(not set: every registry is trusted)".to_owned()
            } else {
                settings.trusted_registries.join(", ")
            }
        );
        let _ = writeln!(
            out,
            "  user: {} (uid {})",
            settings.user.name, settings.user.uid
        );
        let _ = writeln!(out, "  online: {}", settings.online);
        let _ = writeln!(out, "  fix-all: {}", settings.fix_all);
        let enabled: Vec<_> = crate::rules::RULES
            .iter()
            .filter(|r| crate::rules::is_enabled(r, &settings.selection))
            .collect();
        let _ = writeln!(
            out,
            "  rules ({} of {}):",
            enabled.len(),
            crate::rules::RULES.len()
        );
        for rule in enabled {
            let _ = writeln!(
                out,
                "    {} {:<30} {}",
                rule.code,
                rule.name,
                crate::rules::severity_of(rule, &settings.selection).as_str()
            );
        }
    }
    let _ = out.flush();
    for error in &errors {
        eprintln!("error: {error}");
    }
    exit_code(!errors.is_empty(), false)
}
