//! `closeout verify-docs` (CI: fail on drift, write nothing) and `closeout update-docs`
//! (rewrite regions in place, atomically).

use std::io::Write;

use crate::cli::{Arg, Command, Context, Matches, UsageError};
use crate::docs::generate::Evidence;
use crate::docs::{files, rules, sync};
use crate::error::{Error, Result};
use crate::evidence;
use crate::exit;
use crate::model::Program;
use crate::report::docs::{self as report, Verification};

/// `closeout verify-docs`'s flags.
pub const VERIFY_DOCS: Command = Command::new(
    "verify-docs",
    "Fail when the generated regions of the docs drift from closeout.toml (writes nothing)",
)
.args(&[
    Arg::option("format", "FORMAT", "Output format; github adds ::error annotations for GitHub Actions")
        .values(&["human", "json", "github"])
        .default("human"),
    Arg::switch("json", "Print the result as JSON, as `--format json` does").conflicts(&["format"]),
    Arg::switch("strict", "Fail on formatting-only differences and on waivers that accept no finding"),
]);

/// `closeout update-docs`'s flags.
pub const UPDATE_DOCS: Command =
    Command::new("update-docs", "Regenerate the docs' regions in place from closeout.toml and the evidence")
        .args(&[Arg::switch("force", "Overwrite regions that were edited by hand")]);

/// How verify-docs prints its findings.
#[derive(Debug, Clone, Copy)]
pub enum Format {
    Human,
    Json,
    Github,
}

#[derive(Debug)]
pub struct VerifyDocsArgs {
    format: Format,
    strict: bool,
}

impl VerifyDocsArgs {
    pub fn from_matches(m: &Matches) -> std::result::Result<Self, UsageError> {
        let format = match m.string("format")?.as_deref() {
            _ if m.flag("json") => Format::Json,
            Some("json") => Format::Json,
            Some("github") => Format::Github,
            _ => Format::Human,
        };
        Ok(VerifyDocsArgs { format, strict: m.flag("strict") })
    }
}

#[derive(Debug)]
pub struct UpdateDocsArgs {
    force: bool,
}

impl UpdateDocsArgs {
    pub fn from_matches(m: &Matches) -> std::result::Result<Self, UsageError> {
        Ok(UpdateDocsArgs { force: m.flag("force") })
    }
}

/// The docs and evidence of a program, read once.
pub struct Loaded {
    pub docs: Vec<files::DocFile>,
    pub latest: Option<evidence::RunRecord>,
    pub packets: std::collections::BTreeMap<String, crate::review::PacketReview>,
    pub reference: Option<evidence::RunRecord>,
    pub verdict: Option<crate::verdict::Verdict>,
}

impl Loaded {
    /// The program's docs (none for `docs = []`, a program whose verdict rests on its
    /// evidence alone) and its evidence. Errors: a doc or a record that cannot be read.
    pub fn read(program: &Program) -> Result<Loaded> {
        let docs = program.docs.iter().map(|d| files::read(&program.root, d)).collect::<Result<Vec<_>>>()?;
        let latest = evidence::read_latest(&program.root)?;
        Ok(Loaded {
            docs,
            reference: reference(program, latest.as_ref())?,
            latest,
            packets: files::packet_records(&program.root)?,
            verdict: read_verdict(&program.root)?,
        })
    }

    pub fn evidence(&self) -> Evidence<'_> {
        Evidence {
            latest: self.latest.as_ref(),
            packets: &self.packets,
            reference: self.reference.as_ref(),
            verdict: self.verdict.as_ref(),
        }
    }

    /// Check every doc; all marker and data problems across all docs, or the reports.
    pub fn check(&self, program: &Program, force: bool) -> Result<Vec<(usize, sync::DocCheck)>> {
        let mut problems = Vec::new();
        let mut checks = Vec::new();
        for (i, doc) in self.docs.iter().enumerate() {
            match sync::check(&doc.text, program, self.evidence(), force) {
                Ok(c) => checks.push((i, c)),
                Err(errors) => problems
                    .extend(errors.into_iter().map(|e| format!("{}:{}: {}", doc.shown, e.line, e.message))),
            }
        }
        if !problems.is_empty() {
            problems.push("nothing was written; fix the markers or the data and run again".into());
            return Err(Error::Docs { problems });
        }
        Ok(checks)
    }
}

/// The notice for docs without generated regions.
pub fn no_regions(loaded: &Loaded) -> String {
    if loaded.docs.is_empty() {
        return "note: closeout.toml lists no docs ([program] docs = []), so there is no region to check; \
                list the plan and progress docs there to have closeout keep them in sync"
            .into();
    }
    format!(
        "note: no generated regions in {}: only the consistency rules were checked; add `<!-- closeout:begin KIND -->` / `<!-- closeout:end KIND -->` markers to have closeout regenerate tables (KIND is one of: {})",
        loaded.docs.iter().map(|d| d.shown.as_str()).collect::<Vec<_>>().join(", "),
        crate::docs::generate::kind_names()
    )
}

impl VerifyDocsArgs {
    pub fn run(self, ctx: &Context) -> Result<u8> {
        let (program, _lock) = ctx.load_locked(crate::lock::Mode::Shared)?;
        let loaded = Loaded::read(&program)?;
        let checks = loaded.check(&program, false)?;
        if checks.iter().all(|(_, c)| c.regions.is_empty()) {
            // A program whose docs hold no table closeout regenerates is still checked
            // against the consistency rules; say what was not checked.
            eprintln!("{}", no_regions(&loaded));
        }
        let files: Vec<(String, Vec<sync::RegionReport>)> =
            checks.into_iter().map(|(i, c)| (loaded.docs[i].shown.clone(), c.regions)).collect();

        let docs: Vec<rules::Doc> =
            loaded.docs.iter().map(|d| rules::Doc { path: &d.shown, text: &d.text }).collect();
        let checked = check_rules(&program, &docs, loaded.evidence());

        let verification = Verification {
            files: &files,
            findings: &checked.findings,
            waived: &checked.waived,
            unused: &checked.unused,
            strict: self.strict,
            fix: format!("{} update-docs", ctx.bin_name),
            verdict_fix: crate::docs::generate::stale_verdict(&program, loaded.evidence())
                .map(|_| format!("{} verdict", ctx.bin_name)),
        };
        let text = match self.format {
            Format::Human => report::human(&verification, ctx.style),
            Format::Json => report::json(&verification),
            Format::Github => report::github(&verification),
        };
        let _ = crate::cli::stdout().write_all(text.as_bytes());
        Ok(if verification.failed() { exit::FAILED } else { exit::SUCCESS })
    }
}

impl UpdateDocsArgs {
    pub fn run(self, ctx: &Context) -> Result<u8> {
        let (program, _lock) = ctx.load_locked(crate::lock::Mode::Exclusive)?;
        let loaded = Loaded::read(&program)?;
        let checks = loaded.check(&program, self.force)?;
        let mut out = crate::cli::stdout();
        let docs = &loaded.docs;
        let hand_edited: Vec<String> = checks
            .iter()
            .flat_map(|(i, c)| {
                c.regions
                    .iter()
                    .filter(|r| r.state == sync::RegionState::HandEdited)
                    .map(move |r| format!("{}:{}: region `{}`", docs[*i].shown, r.begin_line, r.name))
            })
            .collect();
        if !hand_edited.is_empty() && !self.force {
            for region in &hand_edited {
                let _ = writeln!(out, "{region} was edited by hand; not overwriting it");
            }
            let _ = writeln!(
                out,
                "nothing was written: move the edits into closeout.toml, or run `{} update-docs --force` to discard them",
                ctx.bin_name
            );
            return Ok(exit::FAILED);
        }
        let mut written = 0;
        for (i, check) in &checks {
            let doc = &loaded.docs[*i];
            if files::write(doc, &check.updated)? {
                written += 1;
                let changed = check.regions.iter().filter(|r| r.state != sync::RegionState::InSync).count();
                let _ =
                    writeln!(out, "updated {} ({changed} of {} region(s))", doc.shown, check.regions.len());
            }
        }
        if written == 0 {
            let _ = writeln!(out, "docs already in sync; nothing written");
        }
        Ok(exit::SUCCESS)
    }
}

/// The consistency rules on `docs`, asking git and the file system under the program's root.
pub fn check_rules(program: &Program, docs: &[rules::Doc], evidence: Evidence) -> rules::Checked {
    let root = &program.root;
    let commit_exists = |c: &str| crate::runner::git::commit_exists(root, c);
    let path_exists = |p: &str| root.join(p).exists();
    let oracle = rules::Oracle { commit_exists: &commit_exists, path_exists: &path_exists };
    rules::check(program, crate::discover::FILE_NAME, docs, evidence, &oracle)
}

/// Rewrite the regions of `kinds` (all when `None`) in every doc from the current data and
/// evidence, leaving hand-edited regions alone. Returns one line per doc changed or
/// skipped; never fails, since it runs after the real work is recorded.
pub fn refresh(program: &Program, kinds: Option<&[&str]>) -> Vec<String> {
    refresh_checked(program, kinds).0
}

/// [`refresh`], and whether a doc could not be read, checked or written (a failure the
/// caller turns into exit 2; regions edited by hand and left alone are not one).
pub fn refresh_checked(program: &Program, kinds: Option<&[&str]>) -> (Vec<String>, bool) {
    let loaded = match Loaded::read(program) {
        Ok(l) => l,
        Err(e) => return (vec![format!("docs: {e}")], true),
    };
    let mut notes = Vec::new();
    let mut failed = false;
    for doc in &loaded.docs {
        match sync::check_kinds(&doc.text, program, loaded.evidence(), false, kinds) {
            Ok(check) => {
                let hand: Vec<&str> = check
                    .regions
                    .iter()
                    .filter(|r| r.state == sync::RegionState::HandEdited)
                    .map(|r| r.name.as_str())
                    .collect();
                if !hand.is_empty() {
                    notes.push(format!(
                        "docs: {} region(s) {} of {} were edited by hand; not overwritten (update-docs --force)",
                        hand.len(),
                        hand.join(", "),
                        doc.shown
                    ));
                }
                match files::write(doc, &check.updated) {
                    Ok(true) => {
                        let changed: Vec<&str> = check
                            .regions
                            .iter()
                            .filter(|r| {
                                !matches!(r.state, sync::RegionState::InSync | sync::RegionState::HandEdited)
                            })
                            .map(|r| r.name.as_str())
                            .collect();
                        notes.push(format!("docs: updated {} in {}", changed.join(", "), doc.shown));
                    }
                    Ok(false) => {}
                    Err(e) => {
                        failed = true;
                        notes.push(format!("docs: {e}"))
                    }
                }
            }
            Err(errors) => {
                failed = true;
                let first = &errors[0];
                notes.push(format!(
                    "docs: {}:{}: {}; regions not updated",
                    doc.shown, first.line, first.message
                ))
            }
        }
    }
    (notes, failed)
}

/// The performance reference: `[run] reference` when set, else the newest passing run
/// recorded on the main branch before the latest one; in both cases only a run from the
/// latest run's machine (durations from another machine are not comparable).
pub fn reference(
    program: &Program,
    latest: Option<&evidence::RunRecord>,
) -> Result<Option<evidence::RunRecord>> {
    let comparable =
        |r: &evidence::RunRecord| latest.is_none_or(|l| l.host.not_comparable(&r.host).is_none());
    if let Some(path) = &program.run.reference {
        let full = program.root.join(path);
        crate::evidence::check_inside(&program.root, &full, "[run] reference")?;
        let text =
            crate::evidence::read_file(&full).map_err(|source| Error::Read { path: full.clone(), source })?;
        return evidence::RunRecord::from_json(&text, &full).map(|r| comparable(&r).then_some(r));
    }
    let Some(branch) = crate::runner::git::main_branch(&program.root) else { return Ok(None) };
    let history = crate::runner::git::file_history(&program.root, &branch, evidence::LATEST, 20);
    Ok(history.into_iter().find_map(|(_, text)| {
        let record = evidence::RunRecord::from_json(&text, std::path::Path::new(evidence::LATEST)).ok()?;
        let newer = latest.is_some_and(|l| l.run_id == record.run_id);
        (!newer && record.succeeded() && comparable(&record)).then_some(record)
    }))
}

/// `.closeout/verdict.json`, if `closeout verdict` wrote one.
pub fn read_verdict(root: &std::path::Path) -> Result<Option<crate::verdict::Verdict>> {
    let path = root.join(crate::verdict::FILE);
    match crate::evidence::read_file(&path) {
        Ok(text) => serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| Error::BadEvidence { path, message: e.to_string() }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(Error::Read { path, source }),
    }
}
