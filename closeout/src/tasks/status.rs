//! `closeout status`: print the board, the open debt and the latest run.

use std::io::Write;

use crate::cli::Context;
use crate::error::Result;

#[derive(Debug, clap::Args)]
pub struct StatusArgs {}

impl StatusArgs {
    pub fn run(self, ctx: &Context) -> Result<u8> {
        let (program, _lock) = ctx.load_locked(crate::lock::Mode::Shared)?;
        let latest = crate::evidence::read_latest(&program.root)?;
        let text = crate::report::status::render(&program, latest.as_ref(), ctx.style);
        let mut out = std::io::stdout().lock();
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
