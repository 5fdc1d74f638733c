//! `closeout history`: the recorded runs and each gate's flips and trends.

use std::io::Write;
use std::path::Path;

use crate::cli::{Arg, Command, Context, Matches, UsageError};
use crate::error::{Error, Result};
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
        let runs = recorded_runs(&program.root)?;
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

/// The runs of the repository at `root`, oldest first: those `target/closeout/history.json`
/// summarises, and any full record under `target/closeout/runs/` it does not (runs made
/// before the history kept summaries), at most [`history::KEEP_RUNS`], the newest.
/// Errors: a history file that is not one (`BadEvidence`, with serde's line and column).
pub fn recorded_runs(root: &Path) -> Result<Vec<RunSummary>> {
    let path = root.join(evidence::HISTORY);
    if let Ok(text) = evidence::read_file(&path) {
        serde_json::from_str::<crate::schedule::History>(&text)
            .map_err(|e| Error::BadEvidence { path, message: e.to_string() })?;
    }
    let mut runs = crate::runner::load_history(root).runs;
    let Ok(entries) = std::fs::read_dir(root.join(evidence::RUNS_DIR)) else { return Ok(runs) };
    let mut dirs: Vec<String> = entries.flatten().filter_map(|e| e.file_name().into_string().ok()).collect();
    dirs.sort();
    for dir in dirs.iter().rev().take(history::KEEP_RUNS) {
        if runs.iter().any(|r| &r.run_id == dir) {
            continue;
        }
        let path = root.join(evidence::RUNS_DIR).join(dir).join("run.json");
        let Ok(text) = evidence::read_file(&path) else { continue };
        if let Ok(record) = RunRecord::from_json(&text, &path) {
            history::add(&mut runs, RunSummary::of(&record));
        }
    }
    Ok(runs)
}
