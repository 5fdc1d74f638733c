//! `closeout history`: the recorded runs and each gate's flips and trends.

use std::io::Write;
use std::path::Path;

use crate::cli::{Arg, Command, Context, Matches, UsageError};
use crate::error::Result;
use crate::evidence::{self, RunRecord};
use crate::history::{self, RunSummary};

/// `closeout history`'s flags.
pub const COMMAND: Command = Command::new(
    "history",
    "List the recorded runs and, per gate, its pass/fail flip rate and duration and test-count trends",
)
.args(&[Arg::switch("json", "Print the runs and the gates' trends as JSON")]);

#[derive(Debug)]
pub struct HistoryArgs {
    json: bool,
}

impl HistoryArgs {
    pub fn from_matches(m: &Matches) -> std::result::Result<Self, UsageError> {
        Ok(HistoryArgs { json: m.flag("json") })
    }
}

impl HistoryArgs {
    pub fn run(self, ctx: &Context) -> Result<u8> {
        let (program, _lock) = ctx.load_locked(crate::lock::Mode::Shared)?;
        let recorded = recorded_runs(&program.root, &ctx.bin_name);
        recorded.warn();
        let runs = recorded.runs;
        let trends = history::trends(&runs);
        let mut out = crate::cli::stdout();
        let text = if self.json {
            let json = crate::report::history::json(&runs, &trends);
            serde_json::to_string_pretty(&json).expect("json") + "\n"
        } else {
            crate::report::history::render(&runs, &trends, &ctx.bin_name, ctx.style)
        };
        let _ = out.write_all(text.as_bytes());
        Ok(crate::exit::SUCCESS)
    }
}

/// The recorded runs of a repository, oldest first, and what to warn about on stderr.
#[derive(Debug)]
pub struct Recorded {
    pub runs: Vec<RunSummary>,
    /// Set when `target/closeout/history.json` did not read as a history and the runs
    /// were rebuilt from the run records: names the file, the problem and what was done.
    pub warning: Option<String>,
}

impl Recorded {
    /// Write the warning, if any, to stderr.
    pub fn warn(&self) {
        if let Some(w) = &self.warning {
            let _ = writeln!(std::io::stderr().lock(), "{w}");
        }
    }
}

/// The runs of the repository at `root`, oldest first: those `target/closeout/history.json`
/// summarises, and any finished record under `target/closeout/runs/` it does not (runs
/// made before the history kept summaries, or all of them when the file does not read as
/// a history: then with a warning naming it), at most [`history::KEEP_RUNS`], the newest.
/// A run in progress or killed (its record is still a checkpoint, [`history::finished`])
/// is left out. `bin_name` is for the warning's fix command.
pub fn recorded_runs(root: &Path, bin_name: &str) -> Recorded {
    let (history, corrupt) = crate::runner::load_history(root);
    let mut runs = history.runs;
    let kept = runs.len();
    let mut rebuilt = 0;
    if let Ok(entries) = std::fs::read_dir(root.join(evidence::RUNS_DIR)) {
        let mut dirs: Vec<String> =
            entries.flatten().filter_map(|e| e.file_name().into_string().ok()).collect();
        dirs.sort();
        for dir in dirs.iter().rev().take(history::KEEP_RUNS) {
            if runs.iter().any(|r| &r.run_id == dir) {
                continue;
            }
            let path = root.join(evidence::RUNS_DIR).join(dir).join("run.json");
            let Ok(text) = evidence::read_file(&path) else { continue };
            if let Ok(record) = RunRecord::from_json(&text, &path) {
                if history::finished(&record) {
                    history::add(&mut runs, RunSummary::of(&record));
                    rebuilt += 1;
                }
            }
        }
    }
    let warning = corrupt.map(|problem| {
        format!(
            "warning: {} did not read as a history ({problem}); showing {} run(s) rebuilt from the records \
             under {}/ and {kept} summary(ies) still readable in the file; the next `{bin_name} baseline` \
             replaces the file and keeps the old one as {}",
            evidence::HISTORY,
            rebuilt,
            evidence::RUNS_DIR,
            crate::runner::HISTORY_BACKUP
        )
    });
    Recorded { runs, warning }
}
