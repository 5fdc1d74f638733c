//! `cargo xtask`: this workspace's tasks. `cargo xtask closeout ARGS` runs
//! exactly what `closeout ARGS` runs. The README shows this file verbatim.

use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask closeout <COMMAND> [ARGS]...";

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    match args.next().as_deref().and_then(|a| a.to_str()) {
        Some("closeout") => {
            let argv = std::iter::once("closeout".into()).chain(args);
            let code = closeout::cli::main(argv, "cargo xtask closeout");
            ExitCode::from(code)
        }
        None | Some("help" | "--help" | "-h") => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Some(other) => {
            eprintln!("error: unknown task `{other}`\n{USAGE}");
            ExitCode::from(2)
        }
    }
}
