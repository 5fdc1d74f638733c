//! The command-line front end shared by the `closeout` binary and `cargo xtask closeout`:
//! parses flags, builds one [`Context`], dispatches to a task, maps the result to an exit code.

use std::ffi::OsString;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand, ValueEnum};

use crate::error::{Error, Result};
use crate::exit;
use crate::report::Style;

#[derive(Debug, Parser)]
#[command(
    name = "closeout",
    version,
    about = "Make a release's closeout and certification program executable and checkable",
    after_help = "Exit codes: 0 success, 1 a gate or check failed, 2 bad input or usage, 130 interrupted.\n\
                  The program is read from closeout.toml, found by walking up from the current folder."
)]
pub struct Cli {
    /// Folder holding closeout.toml (default: the nearest one at or above the current folder)
    #[arg(long, global = true, value_name = "DIR")]
    root: Option<PathBuf>,
    /// When to use colour
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Scaffold closeout.toml and plan/progress docs in the current repository
    Init(crate::tasks::init::InitArgs),
    /// Run the global validation baseline in parallel and write its evidence
    Baseline(crate::tasks::baseline::BaselineArgs),
    /// Fail when the generated regions of the docs drift from closeout.toml (writes nothing)
    VerifyDocs(crate::tasks::docs::VerifyDocsArgs),
    /// Regenerate the docs' regions in place from closeout.toml and the evidence
    UpdateDocs(crate::tasks::docs::UpdateDocsArgs),
    /// Review one packet: run its tests, verify its changed files, compute its gate
    /// checklist and verdict, and write its review block
    Packet(crate::tasks::packet::PacketArgs),
    /// List the debt ledger (pre-release blockers first), check it, or add, resolve and
    /// reopen items
    Ledger(crate::tasks::ledger::LedgerArgs),
    /// Compute GO / GO with conditions / NO-GO from the evidence and write it
    Verdict(crate::tasks::verdict::VerdictArgs),
    /// Check that the evidence verifies: each record self-consistent, logs matching their
    /// sha256, .closeout/latest.json matching its full record, git.head possible
    VerifyEvidence(crate::tasks::evidence::VerifyEvidenceArgs),
    /// Merge shard run records (`baseline --shard K/N --out PATH`) into one run
    Merge(crate::tasks::merge::MergeArgs),
    /// Adopt an existing plan and progress tracker: write closeout.toml from them and wrap
    /// the tables closeout can regenerate in region markers
    Import(crate::tasks::import::ImportArgs),
    /// Print the JSON Schema of closeout.toml (for editors using taplo / Even Better TOML),
    /// or write it with --out
    Schema(crate::tasks::schema::SchemaArgs),
    /// Show the packet board, open debt and the latest baseline run
    Status(crate::tasks::status::StatusArgs),
}

/// What every task gets: where it runs and how to print.
pub struct Context {
    pub cwd: PathBuf,
    pub root: Option<PathBuf>,
    pub style: Style,
    pub stdout_is_tty: bool,
    /// How the user runs closeout (`closeout`, `cargo xtask closeout`), for fix commands.
    pub bin_name: String,
}

impl Context {
    /// The folder holding closeout.toml.
    pub fn program_root(&self) -> Result<PathBuf> {
        crate::discover::find_root(&self.cwd, self.root.as_deref())
    }

    pub fn load(&self) -> Result<crate::model::Program> {
        crate::discover::load(&self.program_root()?)
    }

    /// Lock the repository at `root` ([`crate::lock`]), saying on stderr when it waits.
    pub fn lock_at(&self, root: &Path, mode: crate::lock::Mode) -> Result<crate::lock::Lock> {
        crate::lock::repository(root, mode, &|| {
            eprintln!("waiting for another closeout writing in {}", root.display());
        })
    }

    /// Lock the program's repository, then load the program under the lock, so that what
    /// the task reads is what it later compares and replaces. Bind the lock to a named
    /// variable (`_lock`): it is released when dropped.
    pub fn load_locked(&self, mode: crate::lock::Mode) -> Result<(crate::model::Program, crate::lock::Lock)> {
        let root = self.program_root()?;
        let lock = self.lock_at(&root, mode)?;
        // Readers too: evidence from outside the repository is not this program's.
        crate::evidence::check_evidence_dir(&root)?;
        Ok((crate::discover::load(&root)?, lock))
    }
}

/// Run the CLI on `args` (the first is the program name) and return the exit code.
/// `bin_name` is how the user invoked it, shown in help and usage.
pub fn main(args: impl IntoIterator<Item = OsString>, bin_name: &str) -> u8 {
    use clap::{CommandFactory, FromArgMatches};
    let parsed =
        Cli::command().bin_name(bin_name).try_get_matches_from(args).and_then(|m| Cli::from_arg_matches(&m));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { exit::USAGE } else { exit::SUCCESS };
        }
    };
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let stdout_is_tty = std::io::stdout().is_terminal();
    let color = match cli.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => stdout_is_tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    };
    let root = cli.root.map(|r| absolute(&cwd, &r));
    let ctx = Context { cwd, root, style: Style { color }, stdout_is_tty, bin_name: bin_name.to_string() };
    let result = match cli.command {
        Command::Init(args) => args.run(&ctx),
        Command::Baseline(args) => args.run(&ctx),
        Command::VerifyDocs(args) => args.run(&ctx),
        Command::Packet(args) => args.run(&ctx),
        Command::Ledger(args) => args.run(&ctx),
        Command::Verdict(args) => args.run(&ctx),
        Command::Merge(args) => args.run(&ctx),
        Command::VerifyEvidence(args) => args.run(&ctx),
        Command::Import(args) => args.run(&ctx),
        Command::Schema(args) => args.run(&ctx),
        Command::UpdateDocs(args) => args.run(&ctx),
        Command::Status(args) => args.run(&ctx),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            report_error(&e);
            e.exit_code()
        }
    }
}

fn report_error(e: &Error) {
    match e {
        // Config errors already carry their location on every line.
        Error::Config(_) | Error::Docs { .. } => {
            for line in e.to_string().lines() {
                eprintln!("error: {line}");
            }
        }
        other => eprintln!("error: {other}"),
    }
}

fn absolute(cwd: &Path, path: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    }
}
