//! `closeout status`: print the board, the open debt and the latest run.

use std::io::Write;

use crate::cli::Context;
use crate::error::Result;

#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    /// Print the board, open debt, latest run and verdict as JSON
    #[arg(long)]
    json: bool,
}

impl StatusArgs {
    pub fn run(self, ctx: &Context) -> Result<u8> {
        let program = ctx.load()?;
        let latest = crate::evidence::read_latest(&program.root)?;
        let verdict = crate::tasks::docs::read_verdict(&program.root)?;
        let packets = std::collections::BTreeMap::new();
        let mut evidence = crate::docs::generate::Evidence::new(latest.as_ref(), &packets);
        evidence.verdict = verdict.as_ref();
        let stale = verdict.as_ref().and_then(|_| crate::docs::generate::stale_verdict(&program, evidence));
        if self.json {
            let json =
                crate::report::status::json(&program, latest.as_ref(), verdict.as_ref().map(|v| (v, stale)));
            let _ =
                writeln!(std::io::stdout().lock(), "{}", serde_json::to_string_pretty(&json).expect("json"));
            return Ok(crate::exit::SUCCESS);
        }
        let text = crate::report::status::render(
            &program,
            latest.as_ref(),
            verdict.as_ref().map(|v| (v, stale)),
            &ctx.bin_name,
            ctx.style,
        );
        let _ = std::io::stdout().lock().write_all(text.as_bytes());
        Ok(crate::exit::SUCCESS)
    }
}
