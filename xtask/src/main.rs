//! `cargo xtask`: this workspace's tasks. `cargo xtask closeout <args>` runs exactly what
//! `closeout <args>` runs.

use std::process::ExitCode;

const TASKS: &str = "\
Tasks:
  closeout    run the closeout CLI (`cargo xtask closeout --help`)

Usage: cargo xtask <TASK> [ARGS]...";

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    match args.next().as_deref().and_then(|a| a.to_str()) {
        Some("closeout") => {
            let argv = std::iter::once("closeout".into()).chain(args);
            ExitCode::from(closeout::cli::main(argv, "cargo xtask closeout"))
        }
        None | Some("help" | "--help" | "-h") => {
            println!("{TASKS}");
            ExitCode::SUCCESS
        }
        Some(other) => {
            eprintln!("error: unknown task `{other}`\n\n{TASKS}");
            ExitCode::from(2)
        }
    }
}
