//! `closeout status`: print the board, the open debt and the latest run.

use std::io::Write;

use crate::cli::{Arg, Command, Context, Matches, UsageError};
use crate::error::Result;

/// `closeout status`'s flags.
pub const COMMAND: Command =
    Command::new("status", "Show the packet board, open debt and the latest baseline run")
        .args(&[Arg::switch("json", "Print the board, open debt, latest run and verdict as JSON")]);

#[derive(Debug)]
pub struct StatusArgs {
    json: bool,
}

impl StatusArgs {
    pub fn from_matches(m: &Matches) -> std::result::Result<Self, UsageError> {
        Ok(StatusArgs { json: m.flag("json") })
    }
}

impl StatusArgs {
    pub fn run(self, ctx: &Context) -> Result<u8> {
        let (program, _lock) = ctx.load_locked(crate::lock::Mode::Shared)?;
        let latest = crate::evidence::read_latest(&program.root)?;
        let verdict = crate::tasks::docs::read_verdict(&program.root)?;
        let packets = std::collections::BTreeMap::new();
        let mut evidence = crate::docs::generate::Evidence::new(latest.as_ref(), &packets);
        evidence.verdict = verdict.as_ref();
        let stale = verdict.as_ref().and_then(|recorded| {
            crate::docs::generate::stale_verdict(&program, evidence)
                .or_else(|| not_current(&program, recorded, &ctx.bin_name))
        });
        if self.json {
            let json =
                crate::report::status::json(&program, latest.as_ref(), verdict.as_ref().map(|v| (v, stale)));
            let _ = writeln!(crate::cli::stdout(), "{}", serde_json::to_string_pretty(&json).expect("json"));
            return Ok(crate::exit::SUCCESS);
        }
        let text = crate::report::status::render(
            &program,
            latest.as_ref(),
            verdict.as_ref().map(|v| (v, stale)),
            &ctx.bin_name,
            ctx.style,
        );
        let mut out = crate::cli::stdout();
        let _ = out.write_all(text.as_bytes());
        // A record left by a run that never finished (killed, or its final write failed).
        if let Some((path, run)) = crate::evidence::newest_run(&program.root) {
            if run.interrupted && !crate::lock::run_in_progress(&program.root) {
                let cut: Vec<&str> = run
                    .gates
                    .iter()
                    .filter(|g| g.outcome == crate::evidence::Outcome::Interrupted)
                    .map(|g| g.id.as_str())
                    .collect();
                let _ = writeln!(
                    out,
                    "\nthe last run {} did not finish ({path}): {} gate(s) were cut short{}; run `{} baseline` again",
                    run.run_id,
                    cut.len(),
                    if cut.is_empty() { String::new() } else { format!(" ({})", cut.join(", ")) },
                    ctx.bin_name
                );
            }
        }
        Ok(crate::exit::SUCCESS)
    }
}

/// Why the recorded verdict no longer holds, when it names the latest run and this
/// closeout.toml but the verdict computed now has another level: code changed since the
/// evidence was recorded, a doc drifted, a record stopped verifying. The first clause that
/// says so, and the commands that bring the verdict back.
fn not_current(
    program: &crate::model::Program,
    recorded: &crate::verdict::Verdict,
    bin: &str,
) -> Option<String> {
    let now = crate::tasks::verdict::compute(program, bin).ok()?;
    if now.level == recorded.level {
        return None;
    }
    let why =
        now.blockers.first().or(now.conditions.first()).map_or(String::new(), |c| format!(": {}", c.text));
    let stale_evidence = why.contains("stale evidence");
    let fix = if stale_evidence {
        format!("run `{bin} baseline` (it records the verdict)")
    } else {
        format!("run `{bin} verdict`")
    };
    Some(format!("the verdict now is {}{why}; {fix}", now.level))
}
