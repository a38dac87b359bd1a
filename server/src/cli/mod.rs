//! The command line: `dockfix check`, `dockfix rule`, `dockfix parse`,
//! `dockfix server`. The CLI and the language server are the only IO.

mod check;
pub mod context;
pub mod discover;
mod output;
mod parse;
mod rule;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

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
    Check(CheckArgs),
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
}

#[derive(Args, Debug, Clone)]
pub struct CheckArgs {
    /// Files or directories to check (`-` reads standard input).
    #[arg(required = true)]
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
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Rules to run (codes, prefixes like DF2, names, or ALL), replacing the configuration's.
    #[arg(long, value_delimiter = ',')]
    pub select: Option<Vec<String>>,
    /// Rules to run in addition.
    #[arg(long, value_delimiter = ',')]
    pub extend_select: Vec<String>,
    /// Rules not to run.
    #[arg(long, value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// The configuration file to use instead of the nearest `.dockfix.toml`.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Exit 0 even when problems are found.
    #[arg(long)]
    pub exit_zero: bool,
    /// The file name to report (and match overrides against) for standard input.
    #[arg(long)]
    pub stdin_filename: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
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
    }
}

/// Reads a file (or standard input for `-`) as UTF-8.
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
    result.map_err(|e| format!("{}: {e}", path.display()))?;
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "{}: not valid UTF-8 (at byte {})",
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })
}
