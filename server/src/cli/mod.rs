//! The command line: `dockfix check`, `dockfix parse`.

mod check;
mod parse;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

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
    /// Lint Dockerfiles and report problems.
    Check {
        /// Files or directories to check (`-` reads standard input).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
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

#[derive(Clone, Copy, Debug, ValueEnum)]
enum ParseFormat {
    Json,
    Tree,
}

/// Runs the command line and returns the process exit code.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check { paths } => check::run(&paths),
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
