//! `closeout merge RECORD...`: combine shard run records into one run that the docs and
//! the verdict treat exactly as a local run.

use std::io::Write;
use std::path::PathBuf;
use std::time::SystemTime;

use crate::cli::{Arg, Command, Context, Matches, UsageError};
use crate::error::{Error, Result};
use crate::evidence::{self, Outcome, RunRecord};
use crate::exit;
use crate::report::baseline::render_summary;

/// `closeout merge`'s arguments.
pub const COMMAND: Command = Command::new(
    "merge",
    "Merge shard run records (`baseline --shard K/N --out PATH`) into one run",
)
.args(&[
    Arg::positional("RECORD", "Shard run records (`closeout baseline --shard K/N --out PATH`)").greedy(),
    Arg::option("out", "PATH", "Also write the merged full record here"),
    Arg::option("junit", "PATH", "Write JUnit XML for the merged run here"),
    Arg::switch("json", "Write the merged record to stdout instead of the summary"),
]);

#[derive(Debug)]
pub struct MergeArgs {
    records: Vec<PathBuf>,
    out: Option<PathBuf>,
    junit: Option<PathBuf>,
    json: bool,
}

impl MergeArgs {
    pub fn from_matches(m: &Matches) -> std::result::Result<Self, UsageError> {
        Ok(MergeArgs {
            records: m.paths("RECORD"),
            out: m.path("out"),
            junit: m.path("junit"),
            json: m.flag("json"),
        })
    }
}

impl MergeArgs {
    pub fn run(self, ctx: &Context) -> Result<u8> {
        let (program, _lock) = ctx.load_locked(crate::lock::Mode::Exclusive)?;
        crate::tasks::ci::check_outputs(self.out.as_deref(), self.junit.as_deref())?;
        let mut records = Vec::new();
        for path in &self.records {
            let full = ctx.cwd.join(path);
            let text = crate::evidence::read_file(&full)
                .map_err(|source| Error::Read { path: full.clone(), source })?;
            records.push((path.display().to_string(), RunRecord::from_json(&text, &full)?));
        }
        let mut merged = crate::merge::merge(&program, &records, SystemTime::now()).map_err(Error::Usage)?;
        crate::redact::Redactor::from_env().record(&mut merged);

        let root = &program.root;
        let run_dir = root.join(evidence::RUNS_DIR).join(&merged.run_id);
        evidence::write_atomic(&run_dir.join("run.json"), merged.to_json().as_bytes())?;
        evidence::write_atomic(&root.join(evidence::LATEST), merged.compact().to_json().as_bytes())?;
        let (mut history, corrupt) = crate::runner::load_history(root);
        crate::runner::learn(&mut history, &merged);
        if let Some(note) = crate::runner::save_history(root, &history, corrupt.as_deref())? {
            let _ = writeln!(std::io::stderr().lock(), "{note}");
        }
        crate::tasks::ci::write_outputs(&merged, self.out.as_deref(), self.junit.as_deref())?;
        let (mut notes, mut unwritten) =
            crate::tasks::docs::refresh_checked(&program, Some(crate::docs::generate::FROM_EVIDENCE));
        // Like a complete baseline, a merged run records its verdict.
        let verdict = match crate::tasks::verdict::record(&program, &ctx.bin_name) {
            Ok((v, more, failed)) => {
                notes.extend(more);
                unwritten |= failed;
                Some(v)
            }
            Err(e) => {
                notes.push(format!("verdict: {e}"));
                unwritten = true;
                None
            }
        };

        let mut out = crate::cli::stdout();
        if crate::tasks::ci::github_actions() {
            let _ = out.write_all(crate::tasks::ci::github_output(&merged, root).as_bytes());
        }
        if self.json {
            let _ = out.write_all(merged.to_json().as_bytes());
        } else {
            let shown = format!("{}/{}/run.json", evidence::RUNS_DIR, merged.run_id);
            let _ = out.write_all(
                render_summary(&program, &merged, &Default::default(), &shown, ctx.style).as_bytes(),
            );
            let _ = writeln!(out, "merged {} shard record(s) into {}", records.len(), evidence::LATEST);
            let missing: Vec<&str> =
                merged.gates.iter().filter(|g| g.outcome == Outcome::NotRun).map(|g| g.id.as_str()).collect();
            if !missing.is_empty() {
                let _ = writeln!(out, "no shard ran: {}", missing.join(", "));
            }
            for note in notes {
                let _ = writeln!(out, "{note}");
            }
            if let Some(v) = &verdict {
                let line = crate::report::baseline::render_verdict_line(v, &ctx.bin_name, ctx.style);
                let _ = out.write_all(line.as_bytes());
            }
        }
        // The evidence is written; docs or a verdict that could not follow are an
        // environment problem, not a pass.
        Ok(if unwritten {
            exit::USAGE
        } else if merged.succeeded() {
            exit::SUCCESS
        } else {
            exit::FAILED
        })
    }
}
