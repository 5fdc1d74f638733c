//! `closeout verdict`: compute GO / GO with conditions / NO-GO from the evidence, write
//! `.closeout/verdict.json` and the `verdict` region, and exit by it.

use std::io::Write;

use crate::cli::{Arg, Command, Context, Matches, UsageError};
use crate::docs::generate::KINDS;
use crate::docs::sync;
use crate::error::Result;
use crate::evidence;
use crate::exit;
use crate::model::Program;
use crate::runner::git;
use crate::tasks::docs::Loaded;
use crate::verdict::{self, Facts, Level, Verdict};

/// `closeout verdict`'s flags.
pub const COMMAND: Command =
    Command::new("verdict", "Compute GO / GO with conditions / NO-GO from the evidence and write it").args(
        &[
            Arg::switch("strict", "Exit 0 only for an unconditional GO"),
            Arg::switch("json", "Print the verdict as JSON instead of text"),
        ],
    );

#[derive(Debug)]
pub struct VerdictArgs {
    strict: bool,
    json: bool,
}

impl VerdictArgs {
    pub fn from_matches(m: &Matches) -> std::result::Result<Self, UsageError> {
        Ok(VerdictArgs { strict: m.flag("strict"), json: m.flag("json") })
    }
}

impl VerdictArgs {
    pub fn run(self, ctx: &Context) -> Result<u8> {
        let (program, _lock) = ctx.load_locked(crate::lock::Mode::Exclusive)?;
        let (v, notes, _) = record(&program, &ctx.bin_name)?;
        let mut out = crate::cli::stdout();
        if self.json {
            let json = serde_json::to_string_pretty(&v).expect("verdicts serialize") + "\n";
            let _ = out.write_all(json.as_bytes());
        } else {
            let _ = out.write_all(render(&v, ctx.style).as_bytes());
            for note in notes {
                let _ = writeln!(out, "{note}");
            }
        }
        Ok(match v.level {
            Level::Go => exit::SUCCESS,
            Level::GoWithConditions if !self.strict => exit::SUCCESS,
            _ => exit::FAILED,
        })
    }
}

/// Compute the verdict, write `.closeout/verdict.json` and the `verdict` regions; returns
/// the verdict and one note per doc changed. `closeout verdict` and every complete
/// `closeout baseline` call it, so no run leaves the verdict behind.
/// Also returns the notes of the `verdict` regions' refresh and whether it failed.
/// `bin_name` is how the user runs closeout, for the commands the verdict names.
pub fn record(program: &Program, bin_name: &str) -> Result<(Verdict, Vec<String>, bool)> {
    let v = compute(program, bin_name)?;
    let json = serde_json::to_string_pretty(&v).expect("verdicts serialize") + "\n";
    evidence::write_atomic(&program.root.join(verdict::FILE), json.as_bytes())?;
    let (notes, failed) = crate::tasks::docs::refresh_checked(program, Some(&["verdict"]));
    Ok((v, notes, failed))
}

/// Gather the facts and compute the verdict.
pub fn compute(program: &Program, bin_name: &str) -> Result<Verdict> {
    let gathered = gather(program)?;
    Ok(verdict::compute(&gathered.facts(program, bin_name)))
}

/// What the verdict is computed from, read from the repository: the latest record, git,
/// the docs, the perf envelope against its reference, and the evidence checks. The
/// report shows the same facts.
pub struct Gathered {
    pub latest: Option<evidence::RunRecord>,
    pub head: Option<String>,
    pub changed_since_run: Option<Vec<String>>,
    pub docs_drift: std::result::Result<Vec<String>, String>,
    /// The perf reference ([`crate::tasks::docs::reference`]).
    pub reference: Option<evidence::RunRecord>,
    /// The perf envelope of the latest run (empty without one).
    pub perf: Vec<crate::perf::Row>,
    pub evidence_problems: Vec<String>,
    /// The full record's path when it is absent here ([`Facts::unverifiable`]).
    pub unverifiable: Option<String>,
}

impl Gathered {
    pub fn facts<'a>(&'a self, program: &'a Program, bin_name: &'a str) -> Facts<'a> {
        Facts {
            program,
            latest: self.latest.as_ref(),
            head: self.head.clone(),
            changed_since_run: self.changed_since_run.clone(),
            docs_drift: self.docs_drift.clone(),
            regressions: self
                .perf
                .iter()
                .filter_map(|r| Some((r.gate.clone(), r.regression.clone()?)))
                .collect(),
            evidence_problems: self.evidence_problems.clone(),
            unverifiable: self.unverifiable.clone(),
            bin_name,
        }
    }
}

/// Read everything the verdict looks at.
pub fn gather(program: &Program) -> Result<Gathered> {
    let root = &program.root;
    let latest = evidence::read_latest(root)?;
    let head = git::rev_parse(root, "HEAD");
    let changed_since_run = latest.as_ref().and_then(|r| r.git.as_ref()).and_then(|g| {
        if Some(&g.head) == head.as_ref() {
            return Some(Vec::new());
        }
        let changed = git::changed_files(root, &g.head).ok()?;
        Some(changed.into_iter().filter(|f| !is_doc(program, f)).collect())
    });
    let kinds: Vec<&str> = KINDS.iter().map(|(k, _, _)| *k).filter(|k| *k != "verdict").collect();
    // A program without docs has nothing to drift: its verdict rests on the evidence.
    let docs_drift = if program.docs.is_empty() { Ok(Vec::new()) } else { docs_drift(program, &kinds) };
    let reference = crate::tasks::docs::reference(program, latest.as_ref())?;
    let perf = latest
        .as_ref()
        .map(|now| crate::perf::envelope(program, now, reference.as_ref()))
        .unwrap_or_default();
    let evidence_problems =
        latest.as_ref().map(|l| crate::tasks::evidence::problems(root, l)).unwrap_or_default();
    let unverifiable = latest.as_ref().and_then(|l| {
        let full = format!("{}/{}/run.json", evidence::RUNS_DIR, l.run_id);
        (!root.join(&full).is_file()).then_some(full)
    });
    Ok(Gathered {
        latest,
        head,
        changed_since_run,
        docs_drift,
        reference,
        perf,
        evidence_problems,
        unverifiable,
    })
}

/// Docs, markdown files and closeout's own outputs (evidence, run logs, history; committed
/// or not) do not make evidence stale.
fn is_doc(program: &Program, file: &str) -> bool {
    evidence::is_own_output(file)
        || file.ends_with(".md")
        || program.docs.iter().any(|d| d.as_os_str() == file)
}

fn docs_drift(program: &Program, kinds: &[&str]) -> std::result::Result<Vec<String>, String> {
    // A program without docs has no region to drift.
    if program.docs.is_empty() {
        return Ok(Vec::new());
    }
    let regions = regions(program, kinds)?;
    if regions.is_empty() {
        return Err(format!(
            "the docs hold no generated region, so nothing shows they match closeout.toml; add `<!-- closeout:begin KIND -->` / `<!-- closeout:end KIND -->` markers (KIND is one of: {}) or run `closeout import`",
            crate::docs::generate::kind_names()
        ));
    }
    Ok(regions.into_iter().filter(|r| !r.state.matches()).map(|r| r.reference()).collect())
}

/// Every generated region of `kinds` in the program's docs with its state, or why the docs
/// could not be checked (a marker or data problem, as `DOC:LINE: message`).
pub fn regions(program: &Program, kinds: &[&str]) -> std::result::Result<Vec<sync::DocRegion>, String> {
    let loaded = Loaded::read(program).map_err(|e| e.to_string())?;
    let mut regions = Vec::new();
    for doc in &loaded.docs {
        let check = sync::check_kinds(&doc.text, program, loaded.evidence(), false, Some(kinds)).map_err(
            |errors| {
                errors
                    .iter()
                    .map(|e| format!("{}:{}: {}", doc.shown, e.line, e.message))
                    .collect::<Vec<_>>()
                    .join("; ")
            },
        )?;
        regions.extend(check.regions.into_iter().map(|r| sync::DocRegion {
            doc: doc.shown.clone(),
            line: r.begin_line,
            name: r.name,
            state: r.state,
        }));
    }
    Ok(regions)
}

pub fn render(v: &Verdict, style: crate::report::Style) -> String {
    let mut out = format!("Verdict: {}\n", style.bold(&style.level(v.level)));
    for (title, clauses) in
        [("Blocking", &v.blockers), ("Conditions", &v.conditions), ("Justification", &v.justification)]
    {
        if clauses.is_empty() {
            continue;
        }
        out.push_str(&format!("\n{}\n", style.bold(&format!("{title}:"))));
        for c in clauses.iter() {
            let ev =
                if c.evidence.is_empty() { String::new() } else { format!("  [{}]", c.evidence.join(", ")) };
            out.push_str(&format!("- {}{ev}\n", c.text));
        }
    }
    out.push_str(&format!("\nrecorded in {}\n", verdict::FILE));
    out
}
