//! The command line: `dockfix check`, `dockfix rule`, `dockfix parse`,
//! `dockfix server`, `dockfix completions`. The CLI and the language server
//! are the only IO.

mod check;
pub mod context;
pub mod discover;
mod files;
mod output;
mod parse;
mod rule;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(
    name = "dockfix",
    version,
    about = "A Dockerfile security linter, language server and autofixer"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Lint Dockerfiles, report problems and fix them.
    Check(Box<CheckArgs>),
    /// Explain a rule, or list every rule.
    Rule {
        /// A rule code (DF101) or name (root-user).
        code: Option<String>,
    },
    /// Run the language server over standard input and output.
    Server {
        /// Accepted for clients that always pass it (vscode-languageclient);
        /// stdio is the only transport.
        #[arg(long)]
        stdio: bool,
    },
    /// Print the syntax model of a Dockerfile.
    Parse {
        /// The Dockerfile (`-` reads standard input).
        file: PathBuf,
        /// Output format: `json` is BuildKit's instruction list (the fields of
        /// the official parser's Python binding); `tree` is the syntax tree.
        #[arg(long, value_enum, default_value_t = ParseFormat::Json)]
        format: ParseFormat,
    },
    /// Print a shell completion script (e.g. `dockfix completions bash > /etc/bash_completion.d/dockfix`).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Args, Debug, Clone)]
pub struct CheckArgs {
    /// Files or directories to check (`-` reads standard input); the current
    /// directory when none is given. Directories are searched recursively for
    /// Dockerfiles, honouring `.gitignore` and `.ignore`.
    pub paths: Vec<PathBuf>,
    /// Apply the safe fixes in place.
    #[arg(long)]
    pub fix: bool,
    /// Also apply unsafe fixes (implies `--fix` unless `--diff` is given).
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Print the fixes as a unified diff instead of writing them (exit 1 when there is one).
    #[arg(long)]
    pub diff: bool,
    /// How to report the problems.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write the report to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output_file: Option<PathBuf>,
    /// Rules to run (codes, prefixes like DF2, names, or ALL), replacing the configuration's.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub select: Option<Vec<String>>,
    /// Rules to run in addition.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub extend_select: Vec<String>,
    /// Rules not to run.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub ignore: Vec<String>,
    /// The configuration file to use instead of the nearest `.dockfix.toml`.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Also check files matching this glob when searching directories
    /// (`--include '*.docker'`; matched against the file name and the path
    /// below the searched directory).
    #[arg(long, value_name = "GLOB")]
    pub include: Vec<String>,
    /// Skip files and directories matching this glob when searching directories.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Search directories without honouring `.gitignore`, `.ignore` and git's excludes.
    #[arg(long)]
    pub no_ignore: bool,
    /// The lowest severity that makes the exit status 1 (everything is still reported).
    #[arg(long, value_enum, default_value_t = Level::Hint, value_name = "SEVERITY")]
    pub severity_threshold: Level,
    /// Exit 0 even when problems are found.
    #[arg(long)]
    pub exit_zero: bool,
    /// Print how often each rule fired instead of each problem.
    #[arg(long)]
    pub statistics: bool,
    /// Print the settings each file is checked with (configuration file,
    /// rules and severities), then exit.
    #[arg(long)]
    pub show_settings: bool,
    /// The file name to report (and match overrides against) for standard input.
    #[arg(long, value_name = "PATH")]
    pub stdin_filename: Option<PathBuf>,
    /// When to colour the text report.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
}

/// Report formats of `dockfix check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Each problem with a code frame and its fix, then a summary.
    Text,
    /// One line per problem, then a summary.
    Concise,
    /// A JSON array of diagnostics (docs/output-formats.md).
    Json,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
    /// GitHub Actions workflow annotations.
    Github,
    /// Checkstyle XML.
    Checkstyle,
    /// JUnit XML.
    Junit,
}

/// A severity on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Level {
    Hint,
    Info,
    Warning,
    Error,
}

impl Level {
    pub fn severity(self) -> crate::Severity {
        match self {
            Level::Hint => crate::Severity::Hint,
            Level::Info => crate::Severity::Info,
            Level::Warning => crate::Severity::Warning,
            Level::Error => crate::Severity::Error,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when standard output is a terminal and `NO_COLOR` is unset.
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum ParseFormat {
    Json,
    Tree,
}

/// Runs the command line and returns the process exit code.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Rule { code } => rule::run(code.as_deref()),
        Command::Parse { file, format } => parse::run(&file, matches!(format, ParseFormat::Tree)),
        Command::Server { stdio: _ } => crate::lsp::run_stdio(),
        Command::Completions { shell } => {
            let mut command = Cli::command();
            clap_complete::generate(shell, &mut command, "dockfix", &mut std::io::stdout());
            ExitCode::SUCCESS
        }
    }
}

/// Reads a file (or standard input for `-`) as UTF-8; the error message
/// does not repeat the path.
fn read_source(path: &std::path::Path) -> Result<String, String> {
    use std::io::Read;
    let mut bytes = Vec::new();
    let result = if path.as_os_str() == "-" {
        std::io::stdin().read_to_end(&mut bytes).map(|_| ())
    } else {
        std::fs::File::open(path)
            .and_then(|mut f| f.read_to_end(&mut bytes))
            .map(|_| ())
    };
    result.map_err(|e| io_message(&e))?;
    String::from_utf8(bytes)
        .map_err(|e| format!("not valid UTF-8 (at byte {})", e.utf8_error().valid_up_to()))
}

/// An IO error in words, without Rust's `(os error N)` suffix.
fn io_message(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        std::io::ErrorKind::IsADirectory => "is a directory".to_owned(),
        _ => {
            let text = error.to_string();
            match text.find(" (os error") {
                Some(at) => text[..at].to_owned(),
                None => text,
            }
        }
    }
}
