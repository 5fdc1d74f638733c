//! The `closeout` binary, for repositories without a Cargo workspace.

fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(closeout::cli::main(std::env::args_os(), "closeout"))
}
