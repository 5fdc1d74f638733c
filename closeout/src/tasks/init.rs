//! `closeout init`: write closeout.toml and the plan/progress doc skeletons.

use std::io::Write;

use crate::cli::Context;
use crate::error::{Error, Result};
use crate::init::{scaffold, Ecosystem};

#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// Program name (default: the repository folder's name)
    #[arg(long)]
    name: Option<String>,
    /// Overwrite files that already exist
    #[arg(long)]
    force: bool,
}

impl InitArgs {
    pub fn run(self, ctx: &Context) -> Result<u8> {
        let root = ctx.root.clone().unwrap_or_else(|| ctx.cwd.clone());
        let _lock = ctx.lock_at(&root, crate::lock::Mode::Exclusive)?;
        let name = self.name.unwrap_or_else(|| {
            let folder = root.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            format!("{folder} closeout and certification")
        });
        let ecosystems = Ecosystem::detect(&|p| root.join(p).exists());
        let files = scaffold(&name, &ecosystems);
        if !self.force {
            // Check every file first so that nothing is written when one exists.
            if let Some((path, _)) = files.iter().find(|(p, _)| root.join(p).exists()) {
                return Err(Error::AlreadyExists { path: root.join(path) });
            }
        }
        let mut out = std::io::stdout().lock();
        for (path, content) in &files {
            crate::evidence::write_atomic(&root.join(path), content.as_bytes())?;
            let _ = writeln!(out, "wrote {}", path.display());
        }
        let _ = writeln!(out, "next: edit closeout.toml, then run `closeout status`");
        Ok(crate::exit::SUCCESS)
    }
}
