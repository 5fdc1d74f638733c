//! The exit codes every subcommand uses. Documented in docs/cli.md.

/// Success: every gate passed, docs in sync, verdict GO.
pub const SUCCESS: u8 = 0;
/// A gate or check failed, including a NO-GO verdict.
pub const FAILED: u8 = 1;
/// Bad input or usage: invalid closeout.toml, missing file, unknown flag.
pub const USAGE: u8 = 2;
/// Interrupted by SIGINT or SIGTERM.
pub const INTERRUPTED: u8 = 130;
