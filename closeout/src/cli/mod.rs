//! The command-line front end shared by the `closeout` binary and `cargo xtask closeout`:
//! parses flags against the grammar in [`spec`], builds one [`Context`], dispatches to a
//! task, maps the result to an exit code. Help and usage errors come from [`help`].

use std::ffi::OsString;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::exit;
use crate::report::Style;

#[cfg(feature = "completions")]
pub mod clap;
pub mod help;
pub mod parse;
pub mod spec;

pub use parse::{Matches, Parsed, UsageError};
pub use spec::{Arg, Command};

/// Standard output for tasks. A write that fails (a full disk, a closed pipe) is
/// remembered, so that the command ends with exit 1 and says so instead of claiming a
/// success nobody saw ([`stdout_failure`]).
pub fn stdout() -> Stdout {
    Stdout(std::io::stdout().lock())
}

/// [`stdout`]'s writer.
pub struct Stdout(std::io::StdoutLock<'static>);

static STDOUT_FAILURE: std::sync::Mutex<Option<std::io::ErrorKind>> = std::sync::Mutex::new(None);

impl Stdout {
    fn note<T>(result: std::io::Result<T>) -> std::io::Result<T> {
        if let Err(e) = &result {
            STDOUT_FAILURE.lock().unwrap_or_else(|p| p.into_inner()).get_or_insert(e.kind());
        }
        result
    }
}

impl std::io::Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        Self::note(self.0.write(buf))
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Self::note(self.0.flush())
    }
}

/// The kind of the first failed write to [`stdout`] in this process, after flushing it.
pub fn stdout_failure() -> Option<std::io::ErrorKind> {
    use std::io::Write;
    let _ = stdout().flush();
    *STDOUT_FAILURE.lock().unwrap_or_else(|p| p.into_inner())
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
    let matches = match parse::parse(&spec::ROOT, args) {
        Ok(Parsed::Run(matches)) => matches,
        Ok(Parsed::Help(path)) => return printed(&help::help(bin_name, &path), exit::SUCCESS),
        Ok(Parsed::Version) => return printed(&help::version(), exit::SUCCESS),
        Err(e) => return usage_error(bin_name, &e),
    };
    let ctx = match context(&matches, bin_name) {
        Ok(ctx) => ctx,
        Err(e) => return usage_error(bin_name, &e),
    };
    let task = matches.sub.as_deref().expect("the grammar requires a command");
    let code = match dispatch(task, &ctx) {
        Err(e) => return usage_error(bin_name, &e),
        Ok(Ok(code)) => code,
        Ok(Err(e)) => {
            report_error(&e);
            e.exit_code()
        }
    };
    printed("", code)
}

/// Print `text` on [`stdout`], then end with `code`, or with 1 when standard output could
/// not be written (said on stderr, except for a reader that went away: `| head`).
fn printed(text: &str, code: u8) -> u8 {
    use std::io::Write;
    let _ = stdout().write_all(text.as_bytes());
    match stdout_failure() {
        None => code,
        Some(std::io::ErrorKind::BrokenPipe) => code.max(exit::FAILED),
        Some(kind) => {
            eprintln!("error: cannot write to standard output ({kind}); the output above is incomplete");
            code.max(exit::FAILED)
        }
    }
}

fn usage_error(bin_name: &str, e: &UsageError) -> u8 {
    eprint!("{}", help::error(bin_name, e));
    exit::USAGE
}

/// The context from the global flags: `--color` (with `NO_COLOR`) and `--root`.
fn context(matches: &Matches, bin_name: &str) -> std::result::Result<Context, UsageError> {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let stdout_is_tty = std::io::stdout().is_terminal();
    let color = match matches.string("color")?.as_deref() {
        Some("always") => true,
        Some("never") => false,
        _ => stdout_is_tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    };
    let root = matches.path("root").map(|r| absolute(&cwd, &r));
    Ok(Context { cwd, root, style: Style { color }, stdout_is_tty, bin_name: bin_name.to_string() })
}

/// Read the task's arguments (a usage error is the outer error) and run it.
fn dispatch(task: &Matches, ctx: &Context) -> std::result::Result<Result<u8>, UsageError> {
    Ok(read(task)?.run_boxed(ctx))
}

/// A task with its arguments read, ready to run.
trait Task {
    fn run_boxed(self: Box<Self>, ctx: &Context) -> Result<u8>;
}

macro_rules! tasks {
    ($($args:ty),* $(,)?) => {
        $(impl Task for $args {
            fn run_boxed(self: Box<Self>, ctx: &Context) -> Result<u8> {
                (*self).run(ctx)
            }
        })*
    };
}

use crate::tasks::{
    baseline, docs, evidence, generate, history, import, init, ledger, merge, packet, report, schema, status,
    verdict,
};

tasks!(
    init::InitArgs,
    baseline::BaselineArgs,
    docs::VerifyDocsArgs,
    docs::UpdateDocsArgs,
    packet::PacketArgs,
    ledger::LedgerArgs,
    verdict::VerdictArgs,
    evidence::VerifyEvidenceArgs,
    merge::MergeArgs,
    import::ImportArgs,
    status::StatusArgs,
    history::HistoryArgs,
    report::ReportArgs,
    schema::SchemaArgs,
    generate::CompletionsArgs,
    generate::ManArgs,
);

/// The task `task` names, its arguments read. Errors: a value that does not parse.
fn read(task: &Matches) -> std::result::Result<Box<dyn Task>, UsageError> {
    Ok(match task.command().name {
        "init" => Box::new(init::InitArgs::from_matches(task)?),
        "baseline" => Box::new(baseline::BaselineArgs::from_matches(task)?),
        "verify-docs" => Box::new(docs::VerifyDocsArgs::from_matches(task)?),
        "update-docs" => Box::new(docs::UpdateDocsArgs::from_matches(task)?),
        "packet" => Box::new(packet::PacketArgs::from_matches(task)?),
        "ledger" => Box::new(ledger::LedgerArgs::from_matches(task)?),
        "verdict" => Box::new(verdict::VerdictArgs::from_matches(task)?),
        "verify-evidence" => Box::new(evidence::VerifyEvidenceArgs::from_matches(task)?),
        "merge" => Box::new(merge::MergeArgs::from_matches(task)?),
        "import" => Box::new(import::ImportArgs::from_matches(task)?),
        "status" => Box::new(status::StatusArgs::from_matches(task)?),
        "history" => Box::new(history::HistoryArgs::from_matches(task)?),
        "report" => Box::new(report::ReportArgs::from_matches(task)?),
        "schema" => Box::new(schema::SchemaArgs::from_matches(task)?),
        "completions" => Box::new(generate::CompletionsArgs::from_matches(task)?),
        "man" => Box::new(generate::ManArgs::from_matches(task)?),
        other => unreachable!("`{other}` is in the grammar but not dispatched"),
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every command, with every flag it has: a task reading a flag its grammar does not
    /// declare panics here, not in a user's hands.
    #[test]
    fn every_task_reads_only_the_flags_its_grammar_declares() {
        fn full_line(cmd: &'static Command) -> Vec<String> {
            let mut line = Vec::new();
            for a in cmd.args {
                let value = a.values.first().copied().unwrap_or(match a.value {
                    Some("JOBS") => "2",
                    Some("K/N") => "1/2",
                    Some("N") => "1",
                    Some("HIGH|MEDIUM|LOW") => "low",
                    _ => "x",
                });
                match (a.positional, a.value) {
                    (true, _) => line.push(value.to_string()),
                    (false, None) if !a.conflicts.is_empty() => {}
                    (false, None) => line.push(format!("--{}", a.name)),
                    (false, Some(_)) => line.extend([format!("--{}", a.name), value.to_string()]),
                }
            }
            line
        }
        let mut checked = 0;
        for cmd in spec::ROOT.subcommands {
            let commands: Vec<Vec<&'static Command>> = if cmd.subcommands.is_empty() {
                vec![vec![cmd]]
            } else {
                std::iter::once(vec![cmd]).chain(cmd.subcommands.iter().map(|s| vec![cmd, s])).collect()
            };
            for path in commands {
                let mut argv = vec!["closeout".to_string()];
                for c in &path {
                    argv.push(c.name.to_string());
                    argv.extend(full_line(c));
                }
                let parsed = parse::parse(&spec::ROOT, argv.iter().map(OsString::from));
                let Ok(Parsed::Run(m)) = parsed else { panic!("{argv:?}: {parsed:?}") };
                let task = m.sub.as_deref().expect("a command");
                assert!(read(task).is_ok(), "{argv:?}");
                checked += 1;
            }
        }
        assert!(checked > spec::ROOT.subcommands.len(), "ledger's actions too");
    }
}
