//! `closeout init`: write closeout.toml and the plan/progress doc skeletons.

use std::io::Write;

use crate::cli::{Arg, Command, Context, Matches, UsageError};
use crate::docs::generate::{FROM_EVIDENCE, KINDS};
use crate::error::{Error, Result};
use crate::init::{scaffold, Ecosystem};

/// `closeout init`'s flags.
pub const COMMAND: Command =
    Command::new("init", "Scaffold closeout.toml and plan/progress docs in the current repository").args(&[
        Arg::option("name", "NAME", "Program name (default: the repository folder's name)"),
        Arg::switch("force", "Overwrite files that already exist"),
    ]);

#[derive(Debug)]
pub struct InitArgs {
    name: Option<String>,
    force: bool,
}

impl InitArgs {
    pub fn from_matches(m: &Matches) -> std::result::Result<Self, UsageError> {
        Ok(InitArgs { name: m.string("name")?, force: m.flag("force") })
    }
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
        // Unreadable or absent: the `npm test` gate reads its output with `auto`.
        let package_json = std::fs::read_to_string(root.join("package.json")).ok();
        let files = scaffold(&name, &ecosystems, package_json.as_deref());
        if !self.force {
            // Check every file first so that nothing is written when one exists.
            if let Some((path, _)) = files.iter().find(|(p, _)| root.join(p).exists()) {
                return Err(Error::AlreadyExists { path: root.join(path) });
            }
        }
        crate::evidence::check_evidence_dir(&root)?;
        let mut out = crate::cli::stdout();
        for (path, content) in &files {
            crate::evidence::write_atomic(&root.join(path), content.as_bytes())?;
            let _ = writeln!(out, "wrote {}", path.display());
        }
        // closeout's own output, not the user's: rewritten whatever was there, so that
        // the directive `scaffold` writes resolves to this closeout's keys.
        crate::tasks::schema::write_beside(&root)?;
        let _ = writeln!(out, "wrote {}", crate::schema::PATH);
        // The regions built from closeout.toml alone, so the docs start in sync; the ones
        // built from evidence are filled by the first baseline.
        let program = crate::discover::load(&root)?;
        let kinds: Vec<&str> = KINDS
            .iter()
            .map(|(k, _, _)| *k)
            .filter(|k| !FROM_EVIDENCE.contains(k) && *k != "verdict")
            .collect();
        for note in crate::tasks::docs::refresh(&program, Some(&kinds)) {
            if !note.starts_with("docs: updated") {
                let _ = writeln!(out, "{note}");
            }
        }
        let ignore = root.join(".gitignore");
        let existing = match std::fs::read_to_string(&ignore) {
            Ok(text) => Some(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(source) => return Err(Error::Read { path: ignore, source }),
        };
        if let Some(text) = crate::init::gitignore(existing.as_deref()) {
            crate::evidence::write_atomic(&ignore, text.as_bytes())?;
            let _ = writeln!(out, "added {} to .gitignore", crate::init::IGNORE);
        }
        let bin = &ctx.bin_name;
        let _ = writeln!(
            out,
            "\ncommit: closeout.toml, {}, .gitignore and .closeout/ (the schema editors read; after each run, the evidence and the verdict)\n\
             local: target/closeout/ (full run records and logs; ignored)\n\
             next: edit the [[gate]]s in closeout.toml, commit (evidence from a dirty tree is stale), then `{bin} baseline --dry-run`, `{bin} baseline`, `{bin} status`\n\
             then: the verdict stays NO-GO until packet 00 is done: list its tests in closeout.toml, tick its checklist in {}progress.md, record `p1 = \"PASS\"` on the packet, run `{bin} verdict` (the docs follow closeout.toml), commit, and run `{bin} packet 00 --record`",
            crate::init::DOCS_DIR,
            crate::init::DOCS_DIR
        );
        Ok(crate::exit::SUCCESS)
    }
}
