//! `closeout baseline`: run the global validation baseline and write its evidence.

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::time::Duration;

use crate::cli::{Arg, Command, Context, Matches, UsageError};
use crate::error::{Error, Result};
use crate::evidence;
use crate::exit;
use crate::report::baseline::{render_plan, render_summary, render_verdict_line, Live};
use crate::runner::{self, Cancel, SignalGuard};

/// `closeout baseline`'s flags.
pub const COMMAND: Command =
    Command::new("baseline", "Run the global validation baseline in parallel and write its evidence")
        .args(&[
        Arg::option("jobs", "JOBS", "Gates run at once (default: [run].jobs; 0 = one per core)").short('j'),
        Arg::option("only", "ID", "Run only these gates").greedy(),
        Arg::option("skip", "ID", "Skip these gates").greedy(),
        Arg::option(
            "when",
            "TEXT",
            "Also run the conditional gates (`when = \"…\"`) whose condition mentions TEXT, or whose id is \
             TEXT (repeatable); without it they are listed, not run",
        )
        .repeated(),
        Arg::switch("all", "Also run every conditional gate"),
        Arg::switch("dry-run", "Print the planned order and predicted makespan; run nothing"),
        Arg::switch(
            "json",
            "Write the run record to stdout instead of the summary (with --dry-run: the plan)",
        ),
        Arg::option(
            "shard",
            "K/N",
            "Run only share K of N, for a CI matrix; merge the records with `closeout merge`",
        ),
        Arg::option(
            "shard-by",
            "BY",
            "How shares are split: by the durations in the run record committed at HEAD (by hash when none \
             is committed), or by a stable hash of the gate ids",
        )
        .values(&["duration", "hash"])
        .default("duration"),
        Arg::option(
            "out",
            "PATH",
            "Also write the full run record here (the artifact a CI shard job uploads)",
        ),
        Arg::option(
            "junit",
            "PATH",
            "Write JUnit XML here: one testsuite per gate, one testcase per parsed test",
        ),
        Arg::option(
            "retries",
            "N",
            "Run a failed gate again up to N times (0-10), for every gate of this run, instead of each \
             gate's `retries`; a gate that fails and then passes is FLAKY",
        ),
    ]);

/// What `closeout baseline` was asked to do.
#[derive(Debug)]
pub struct BaselineArgs {
    jobs: Option<usize>,
    only: Vec<String>,
    skip: Vec<String>,
    when: Vec<String>,
    all: bool,
    dry_run: bool,
    json: bool,
    shard: Option<(usize, usize)>,
    shard_by: crate::schedule::ShardBy,
    out: Option<std::path::PathBuf>,
    junit: Option<std::path::PathBuf>,
    retries: Option<u32>,
}

impl BaselineArgs {
    /// Read from the parsed command line. Errors: a value that does not parse.
    pub fn from_matches(m: &Matches) -> std::result::Result<Self, UsageError> {
        Ok(BaselineArgs {
            jobs: m.parsed("jobs", crate::runner::parse_jobs)?,
            only: m.strings("only")?,
            skip: m.strings("skip")?,
            when: m.strings("when")?,
            all: m.flag("all"),
            dry_run: m.flag("dry-run"),
            json: m.flag("json"),
            shard: m.parsed("shard", parse_shard)?,
            shard_by: match m.string("shard-by")?.as_deref() {
                Some("hash") => crate::schedule::ShardBy::Hash,
                _ => crate::schedule::ShardBy::Duration,
            },
            out: m.path("out"),
            junit: m.path("junit"),
            retries: m.parsed("retries", crate::runner::parse_retries)?,
        })
    }
}

/// The conditional gates a run left out, and how to run them.
fn held_note(held: &[(String, String)]) -> String {
    let mut out =
        format!("conditional gates not run ({}; `--when TEXT` or `--all` runs them):\n", held.len());
    for (id, when) in held {
        out.push_str(&format!("  {id}: {when}\n"));
    }
    out
}

fn parse_shard(s: &str) -> std::result::Result<(usize, usize), String> {
    let bad = || format!("`{s}` is not a share: write K/N with 1 <= K <= N, like 2/4");
    let (k, n) = s.split_once('/').ok_or_else(bad)?;
    let (k, n): (usize, usize) = (k.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
    if k == 0 || n == 0 || k > n {
        return Err(bad());
    }
    Ok((k, n))
}

impl BaselineArgs {
    pub fn run(self, ctx: &Context) -> Result<u8> {
        let program = ctx.load()?;
        // A bad output path is refused before anything runs, not after the whole baseline.
        crate::tasks::ci::check_outputs(self.out.as_deref(), self.junit.as_deref())?;
        if program.gates.is_empty() {
            return Err(Error::Usage(
                "closeout.toml has no [[gate]]; add the baseline's commands first".into(),
            ));
        }
        let (history, _) = runner::load_history(&program.root);
        let conditional = runner::Conditional { when: self.when.clone(), all: self.all };
        let mut plan = runner::plan(&program, &history, self.jobs, &self.only, &self.skip, &conditional)?;
        if let Some((k, n)) = self.shard {
            if !self.only.is_empty() || !self.skip.is_empty() {
                return Err(Error::Usage(
                    "--shard splits the whole baseline; it cannot be combined with --only or --skip".into(),
                ));
            }
            let committed = runner::committed_durations(&program.root);
            plan = runner::shard_plan(plan, k, n, self.shard_by, committed.as_ref());
        }
        if let Some(n) = self.retries {
            plan.set_retries(n);
        }
        let mut stdout = crate::cli::stdout();
        if self.dry_run && self.json {
            let json = crate::report::baseline::plan_json(&plan);
            let _ = writeln!(stdout, "{}", serde_json::to_string_pretty(&json).expect("json"));
            return Ok(exit::SUCCESS);
        }
        if self.dry_run {
            let _ = stdout.write_all(render_plan(&plan, ctx.style).as_bytes());
            if !plan.held.is_empty() {
                let _ = stdout.write_all(held_note(&plan.held).as_bytes());
            }
            return Ok(exit::SUCCESS);
        }

        runner::refuse_untrusted(&program, &plan)?;
        evidence::check_evidence_dir(&program.root)?;
        let _run_lock = crate::lock::run(&program.root)?;
        let cancel = Arc::new(Cancel::default());
        let guard = SignalGuard::install(cancel.clone())
            .map_err(|e| Error::Usage(format!("cannot install the Ctrl-C handler: {e}")))?;
        let tty = std::io::stderr().is_terminal();
        let live = Live::new(plan.gates.len(), tty, ctx.style);
        let heartbeat = live.heartbeat(heartbeat_interval());
        let result = runner::execute(&program, &plan, &cancel, live.as_ref());
        drop(heartbeat);
        live.finish();
        drop(guard);
        let output = result?;

        // The run held only the run lock; the writes below read again under the repository
        // lock (history, closeout.toml for the docs), so nothing written meanwhile is lost.
        let _lock = ctx.lock_at(&program.root, crate::lock::Mode::Exclusive)?;
        let (mut history, corrupt) = runner::load_history(&program.root);
        runner::learn(&mut history, &output.record);
        if let Some(note) = runner::save_history(&program.root, &history, corrupt.as_deref())? {
            let _ = writeln!(std::io::stderr().lock(), "{note}");
        }
        crate::tasks::ci::write_outputs(&output.record, self.out.as_deref(), self.junit.as_deref())?;
        let github = crate::tasks::ci::github_actions();
        let mut docs_note = None;
        let mut verdict = None;
        // Docs or a verdict that could not be written after the evidence was: exit 2.
        let mut unwritten = false;
        if plan.complete && !output.record.interrupted {
            let compact = output.record.compact();
            evidence::write_atomic(&program.root.join(evidence::LATEST), compact.to_json().as_bytes())?;
            // closeout.toml as it is now, read under the repository lock: a `ledger add`
            // made during the run is in the docs and in the verdict, which is computed for
            // this very version of the file.
            let mut notes = Vec::new();
            match crate::discover::load(&program.root) {
                Ok(now) => {
                    let (more, failed) =
                        crate::tasks::docs::refresh_checked(&now, Some(crate::docs::generate::FROM_EVIDENCE));
                    notes.extend(more);
                    unwritten |= failed;
                    // The verdict follows the evidence it is computed from, so a run never
                    // leaves the verdict (or a `verdict` region) behind.
                    match crate::tasks::verdict::record(&now, &ctx.bin_name) {
                        Ok((v, more, failed)) => {
                            notes.extend(more);
                            unwritten |= failed;
                            verdict = Some(v);
                        }
                        Err(e) => {
                            notes.push(format!("verdict: {e}"));
                            unwritten = true;
                        }
                    }
                }
                Err(e) => {
                    notes.push(format!("docs: not updated: {e}"));
                    notes.push("verdict: not recorded: closeout.toml did not load".into());
                    unwritten = true;
                }
            }
            docs_note = (!notes.is_empty()).then(|| notes.join("\n"));
        }

        let record_path = output.run_dir.join("run.json");
        let shown = record_path.strip_prefix(&program.root).unwrap_or(&record_path).display().to_string();
        if github {
            let _ =
                stdout.write_all(crate::tasks::ci::github_output(&output.record, &program.root).as_bytes());
        }
        if self.json {
            let _ = stdout.write_all(output.record.to_json().as_bytes());
        } else {
            let summary = render_summary(&program, &output.record, &output.tails, &shown, ctx.style);
            let _ = stdout.write_all(summary.as_bytes());
            if let Some(shard) = &output.record.shard {
                let _ = writeln!(
                    stdout,
                    "share {}/{} ({} gates): merge the shard records with `closeout merge` to update {}",
                    shard.index,
                    shard.total,
                    output.record.gates.len(),
                    evidence::LATEST
                );
            } else if !plan.complete {
                let _ = writeln!(stdout, "partial run (--only/--skip): {} was not updated", evidence::LATEST);
            }
            if !plan.held.is_empty() {
                let _ = stdout.write_all(held_note(&plan.held).as_bytes());
            }
            if let Some(note) = docs_note {
                let _ = writeln!(stdout, "{note}");
            }
            if let Some(v) = &verdict {
                let _ = stdout.write_all(render_verdict_line(v, &ctx.bin_name, ctx.style).as_bytes());
            }
        }
        if unwritten {
            eprintln!(
                "the evidence was written but the docs or the verdict were not; fix the problem above and run `{} update-docs` and `{} verdict`",
                ctx.bin_name, ctx.bin_name
            );
        }
        Ok(if output.record.interrupted {
            exit::INTERRUPTED
        } else if unwritten {
            exit::USAGE
        } else if output.record.succeeded() {
            exit::SUCCESS
        } else {
            exit::FAILED
        })
    }
}

/// Seconds between "still running" lines without a TTY: 60, or `CLOSEOUT_HEARTBEAT_SECS`.
fn heartbeat_interval() -> Duration {
    let secs =
        std::env::var("CLOSEOUT_HEARTBEAT_SECS").ok().and_then(|s| s.parse::<f64>().ok()).unwrap_or(60.0);
    Duration::from_secs_f64(secs.clamp(0.05, 60.0))
}
