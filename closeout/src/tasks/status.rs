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
        let _ = std::io::stdout().lock().write_all(text.as_bytes());
        Ok(crate::exit::SUCCESS)
    }
}
