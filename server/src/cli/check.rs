//! `dockfix check`: lint files, report diagnostics, apply fixes.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::discover::{self, ConfigCache};
use super::output::{self, FileReport, Style};
use super::{CheckArgs, Format};
use crate::config::Config;
use crate::fix::Applicability;
use crate::{analyze_with, Options};

/// File names that are Dockerfiles.
pub fn is_dockerfile_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower == "dockerfile"
        || lower.starts_with("dockerfile.")
        || lower.ends_with(".dockerfile")
        || lower == "containerfile"
        || lower.starts_with("containerfile.")
}

fn collect(path: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for entry in entries {
            if entry.is_dir() {
                if entry
                    .file_name()
                    .is_some_and(|n| n == ".git" || n == "target" || n == "node_modules")
                {
                    continue;
                }
                collect(&entry, out)?;
            } else if entry
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(is_dockerfile_name)
            {
                out.push(entry);
            }
        }
    } else {
        out.push(path.to_path_buf());
    }
    Ok(())
}

/// The configuration layer of the command-line flags.
fn cli_layer(args: &CheckArgs) -> Config {
    Config {
        select: args.select.clone(),
        extend_select: args.extend_select.clone(),
        ignore: args.ignore.clone(),
        ..Config::default()
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
    let mut files = Vec::new();
    let mut failed = false;
    for path in &args.paths {
        if path.as_os_str() != "-" && !path.exists() {
            eprintln!("error: {}: no such file or directory", path.display());
            failed = true;
            continue;
        }
        if let Err(e) = collect(path, &mut files) {
            eprintln!("error: {}: {e}", path.display());
            failed = true;
        }
    }
    let level = if args.unsafe_fixes {
        Applicability::Unsafe
    } else {
        Applicability::Safe
    };
    let fixing = args.fix || args.unsafe_fixes || args.diff;
    let today = discover::today();
    let mut configs = ConfigCache::default();
    let mut reports = Vec::new();
    let mut diffs = Vec::new();
    let mut fixed = 0usize;
    let mut stdout = std::io::stdout().lock();
    for file in &files {
        let stdin = file.as_os_str() == "-";
        let display = if stdin {
            args.stdin_filename
                .as_ref()
                .map_or("-".to_owned(), |p| p.display().to_string())
        } else {
            file.display().to_string()
        };
        let source = match super::read_source(file) {
            Ok(source) => source,
            Err(message) => {
                eprintln!("error: {message}");
                failed = true;
                continue;
            }
        };
        let config_path: PathBuf = if stdin {
            args.stdin_filename
                .clone()
                .unwrap_or_else(|| PathBuf::from("Dockerfile"))
        } else {
            file.clone()
        };
        let (config, base) = match configs.for_file(&config_path, args.config.as_deref()) {
            Ok(Some((config, base))) => (config, Some(base)),
            Ok(None) => (Config::default(), None),
            Err(error) => {
                eprintln!("error: {error}");
                failed = true;
                continue;
            }
        };
        let relative = base.map(|b| discover::relative_to(&config_path, &b));
        let settings = config.layered(&cli).settings_for(relative.as_deref());
        let mut options = Options {
            settings,
            today,
            digests: Default::default(),
            tags: Default::default(),
            context_files: Default::default(),
        };
        // The manifests beside the Dockerfile, for the multi-stage conversion.
        let folder = if stdin {
            args.stdin_filename.as_deref().and_then(Path::parent)
        } else {
            file.parent()
        };
        if let Some(folder) = folder {
            let folder = if folder.as_os_str().is_empty() {
                Path::new(".")
            } else {
                folder
            };
            options.context_files = discover::read_context_files(folder, &source);
        }
        if options.settings.online {
            let selection = options.settings.selection.clone();
            let enabled = |rule| crate::rules::is_enabled(rule, &selection);
            if enabled(&crate::rules::unpinned_digest::RULE) {
                resolve_digests(&source, &display, &mut options);
            }
            if enabled(&crate::rules::latest_tag::RULE)
                || enabled(&crate::rules::untagged_image::RULE)
            {
                list_tags(&source, &display, &mut options);
            }
        }
        let mut text = source.clone();
        if fixing {
            let outcome = crate::fix_all(&source, &options, level);
            if !outcome.converged {
                eprintln!(
                    "warning: {display}: fixes did not converge after {} rounds",
                    outcome.rounds
                );
            }
            if outcome.text != source {
                if args.diff {
                    diffs.push((display.clone(), source.clone(), outcome.text.clone()));
                } else if stdin {
                    let _ = write!(stdout, "{}", outcome.text);
                } else if let Err(e) = std::fs::write(file, &outcome.text) {
                    eprintln!("error: {display}: cannot write the fixed file: {e}");
                    failed = true;
                    continue;
                }
                fixed += outcome.applied.len();
                if !args.diff {
                    text = outcome.text;
                }
            }
        }
        let diagnostics = analyze_with(&text, &options);
        reports.push(FileReport {
            path: display,
            source: text,
            diagnostics,
        });
    }
    let count: usize = reports.iter().map(|r| r.diagnostics.len()).sum();
    if args.diff {
        for (path, before, after) in &diffs {
            output::diff(&mut stdout, path, before, after);
        }
        let _ = stdout.flush();
        eprintln!(
            "{} fix{} would be applied to {} file{}.",
            fixed,
            if fixed == 1 { "" } else { "es" },
            diffs.len(),
            if diffs.len() == 1 { "" } else { "s" }
        );
        return if failed {
            ExitCode::from(2)
        } else if diffs.is_empty() || args.exit_zero {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        };
    }
    // With fixed standard input on stdout, the report goes to stderr.
    let stdin_fixed = fixing && files.iter().any(|f| f.as_os_str() == "-");
    let mut stderr = std::io::stderr().lock();
    let out: &mut dyn Write = if stdin_fixed {
        &mut stderr
    } else {
        &mut stdout
    };
    match args.format {
        Format::Json => output::json(out, &reports),
        Format::Text => {
            let color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && !stdin_fixed
                && std::io::stdout().is_terminal();
            let style = Style::new(color);
            for report in &reports {
                output::text(out, report, &style, level);
            }
            summary(out, &reports, fixed, fixing);
        }
    }
    if failed {
        ExitCode::from(2)
    } else if count > 0 && !args.exit_zero {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Online lookups (opt-in): the digest each tag points to today, for DF203's
/// fix. A lookup that fails is reported and leaves the image unpinned.
fn resolve_digests(source: &str, display: &str, options: &mut Options) {
    let client = crate::registry::shared_client();
    for reference in crate::digest_candidates(source) {
        match client.resolve_digest(&reference) {
            Ok(digest) => {
                options.digests.insert(reference, digest);
            }
            Err(error) => eprintln!("warning: {display}: cannot pin `{reference}`: {error}"),
        }
    }
}

/// Online lookups (opt-in): the tags of each image that DF201/DF202 would
/// pin, so the fix pins the newest listed version.
fn list_tags(source: &str, display: &str, options: &mut Options) {
    let client = crate::registry::shared_client();
    for name in crate::tag_candidates(source) {
        match client.list_tags(&name) {
            Ok(tags) => {
                options.tags.insert(name, tags);
            }
            Err(error) => {
                eprintln!("warning: {display}: cannot list the tags of `{name}`: {error}")
            }
        }
    }
}

fn summary(out: &mut dyn Write, reports: &[FileReport], fixed: usize, fixing: bool) {
    let count: usize = reports.iter().map(|r| r.diagnostics.len()).sum();
    let fixable = |level: Applicability| {
        reports
            .iter()
            .flat_map(|r| &r.diagnostics)
            .filter(|d| d.fix.as_ref().is_some_and(|f| f.applicability == level))
            .count()
    };
    let (safe, unsafe_) = (fixable(Applicability::Safe), fixable(Applicability::Unsafe));
    if fixing && fixed > 0 {
        let _ = writeln!(
            out,
            "Fixed {fixed} problem{}.",
            if fixed == 1 { "" } else { "s" }
        );
    }
    if count == 0 {
        if !fixing || fixed == 0 {
            let _ = writeln!(out, "No problems found.");
        }
        return;
    }
    let mut line = format!("Found {count} problem{}", if count == 1 { "" } else { "s" });
    let mut parts = Vec::new();
    if safe > 0 {
        parts.push(format!("{safe} fixable with `--fix`"));
    }
    if unsafe_ > 0 {
        parts.push(format!("{unsafe_} more with `--unsafe-fixes`"));
    }
    if !parts.is_empty() {
        line.push_str(&format!(" ({})", parts.join(", ")));
    }
    let _ = writeln!(out, "{line}.");
}
