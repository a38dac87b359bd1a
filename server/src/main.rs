use std::process::ExitCode;

fn main() -> ExitCode {
    dockfix::cli::run()
}
