//! `closeout packet ID`: run one packet's review — its required tests through the
//! baseline runner, changed-file verification against its scope, the gate checklist and
//! the verdict — and write the review block into its `packet-evidence:ID` region.

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::time::Duration;

use crate::glob::{Glob, GlobSet};

use crate::cli::{Arg, Command, Context, Matches, UsageError};
use crate::docs::files;
use crate::edit::{self, Value};
use crate::error::{Error, Result};
use crate::evidence;
use crate::exit;
use crate::model::{Packet, Program, ReviewState, TestRef};
use crate::report::baseline::Live;
use crate::review::{self, PacketReview};
use crate::runner::{self, git, Cancel, Plan, PlannedGate, SignalGuard};

/// `closeout packet`'s arguments.
pub const COMMAND: Command = Command::new(
    "packet",
    "Review one packet: run its tests, verify its changed files, compute its gate checklist and verdict, \
     and write its review block",
)
.args(&[
    Arg::positional("ID", "The packet's id, as in closeout.toml"),
    Arg::option(
        "base",
        "REV",
        "Take changed files from this revision to HEAD (default: the previous packet's commit, else the \
         merge-base with the main branch)",
    ),
    Arg::switch(
        "record",
        "After an APPROVED verdict, set the packet's status, review and commit in closeout.toml",
    ),
    Arg::option("jobs", "JOBS", "Tests run at once (default: [run].jobs; 0 = one per core)").short('j'),
]);

#[derive(Debug)]
pub struct PacketArgs {
    id: String,
    base: Option<String>,
    record: bool,
    jobs: Option<usize>,
}

impl PacketArgs {
    pub fn from_matches(m: &Matches) -> std::result::Result<Self, UsageError> {
        Ok(PacketArgs {
            id: m.string("ID")?.unwrap_or_default(),
            base: m.string("base")?,
            record: m.flag("record"),
            jobs: m.parsed("jobs", crate::runner::parse_jobs)?,
        })
    }
}

impl PacketArgs {
    pub fn run(self, ctx: &Context) -> Result<u8> {
        let program = ctx.load()?;
        let Some(packet) = program.packet(&self.id).cloned() else {
            let ids: Vec<&str> = program.packets.iter().map(|p| p.id.as_str()).collect();
            return Err(Error::Usage(format!(
                "no [[packet]] with id `{}` in closeout.toml; packets: {}",
                self.id,
                ids.join(", ")
            )));
        };
        runner::refuse_untrusted(&program, &test_plan(&program, &packet, self.jobs))?;
        let root = program.root.clone();
        let base = match &self.base {
            Some(rev) => git::rev_parse(&root, rev)
                .ok_or_else(|| Error::Usage(format!("--base `{rev}` is not a commit of this repository")))?,
            None => default_base(&program, &packet).ok_or_else(|| {
                Error::Usage(format!(
                    "cannot tell which files packet {} changed: no earlier packet has a commit and there is no main branch to diff against; pass --base REV",
                    packet.id
                ))
            })?,
        };
        let changed: Vec<String> = git::changed_files(&root, &base)
            .map_err(Error::Usage)?
            .into_iter()
            .filter(|f| !std::path::Path::new(f).starts_with(evidence::EVIDENCE_DIR))
            // The program's own docs are closeout's to write (this review writes them): a
            // packet's changed files are the rest.
            .filter(|f| !program.docs.iter().any(|d| std::path::Path::new(f) == d.as_path()))
            .collect();
        let scope = scope_matcher(&packet)?;

        // Regions other than this packet's own block must be in sync for P2.
        let docs_drift = docs_drift(&program, &packet)?;
        let open_boxes = open_boxes_once_done(&program, &packet.id);

        let plan = test_plan(&program, &packet, self.jobs);
        let cancel = Arc::new(Cancel::default());
        let guard = SignalGuard::install(cancel.clone())
            .map_err(|e| Error::Usage(format!("cannot install the Ctrl-C handler: {e}")))?;
        let live = Live::new(plan.gates.len(), std::io::stderr().is_terminal(), ctx.style);
        let heartbeat = live.heartbeat(Duration::from_secs(60));
        let output = runner::execute(&program, &plan, &cancel, live.as_ref());
        drop(heartbeat);
        live.finish();
        drop(guard);
        let output = output?;
        if output.record.interrupted {
            return Ok(exit::INTERRUPTED);
        }
        // The tests ran unlocked; what is written next is read again under the lock, so an
        // edit made meanwhile (`ledger add`) is kept.
        let (program, _lock) = ctx.load_locked(crate::lock::Mode::Exclusive)?;

        let head = git::rev_parse(&root, "HEAD");
        let in_scope = |p: &str| scope.is_match(p);
        let inputs = review::Inputs {
            run: output.record.compact(),
            base,
            head: head.clone(),
            changed: &changed,
            in_scope: &in_scope,
            docs_drift: &docs_drift,
            open_boxes: &open_boxes,
        };
        let review = review::review(&packet, &program, inputs);
        let path = root.join(evidence::PACKETS_DIR).join(format!("{}.json", packet.id));
        let json = serde_json::to_string_pretty(&review).expect("reviews serialize") + "\n";
        evidence::write_atomic(&path, json.as_bytes())?;

        let mut out = crate::cli::stdout();
        let mut notes = Vec::new();
        let mut program = program;
        if self.record && review.verdict == ReviewState::Approved {
            let commit = head.as_deref().map(|h| h[..h.len().min(8)].to_string()).unwrap_or_default();
            program = record(&program, &packet.id, &commit)?;
            notes.push(format!(
                "recorded packet {}: status DONE, review APPROVED, commit {commit}",
                packet.id
            ));
            notes.extend(crate::tasks::docs::refresh(&program, None));
        } else {
            if self.record {
                notes.push(format!("not recorded: the verdict is {}, not APPROVED", review.verdict));
            }
            notes.extend(crate::tasks::docs::refresh(&program, Some(crate::docs::generate::FROM_EVIDENCE)));
        }
        let _ = out.write_all(render(&program, &packet, &review, ctx.style).as_bytes());
        for note in notes {
            let _ = writeln!(out, "{note}");
        }
        let _ = writeln!(out, "evidence: {}", path.strip_prefix(&root).unwrap_or(&path).display());
        Ok(if review.verdict == ReviewState::Approved { exit::SUCCESS } else { exit::FAILED })
    }
}

/// The previous packet's commit (in closeout.toml order), else the merge-base with main.
fn default_base(program: &Program, packet: &Packet) -> Option<String> {
    let index = program.packets.iter().position(|p| p.id == packet.id)?;
    program.packets[..index]
        .iter()
        .rev()
        .filter_map(|p| p.commit.as_deref())
        .find_map(|c| git::rev_parse(&program.root, c))
        .or_else(|| git::merge_base_with_main(&program.root))
}

fn scope_matcher(packet: &Packet) -> Result<GlobSet> {
    let mut globs = Vec::new();
    for pattern in &packet.scope {
        // A scope entry may carry a note after the path: "plan.md (appendix updates)".
        let glob = pattern.split(" (").next().unwrap_or(pattern).trim().trim_matches('`');
        let glob = Glob::new(glob).map_err(|e| {
            Error::Usage(format!("packet {} scope `{pattern}` is not a valid glob: {e}", packet.id))
        })?;
        globs.push(glob);
    }
    Ok(GlobSet::new(globs))
}

fn docs_drift(program: &Program, packet: &Packet) -> Result<Vec<String>> {
    if program.docs.is_empty() {
        return Ok(Vec::new());
    }
    let loaded = crate::tasks::docs::Loaded::read(program)?;
    let own = format!("packet-evidence:{}", packet.id);
    let mut drift = Vec::new();
    for (i, check) in loaded.check(program, false)? {
        for r in check.regions {
            if r.name != own
                && !matches!(
                    r.state,
                    crate::docs::sync::RegionState::InSync | crate::docs::sync::RegionState::FormattingOnly
                )
            {
                drift.push(format!("`{}` in {}", r.name, loaded.docs[i].shown));
            }
        }
    }
    Ok(drift)
}

/// The open checklist boxes the `done-open-box` rule would find in the packet's sections
/// once it is DONE, so a review does not approve what `verify-docs` would then reject.
fn open_boxes_once_done(program: &Program, id: &str) -> Vec<String> {
    let mut done = program.clone();
    if let Some(p) = done.packets.iter_mut().find(|p| p.id == id) {
        p.status = crate::model::PacketStatus::Done;
    }
    let Ok(loaded) = crate::tasks::docs::Loaded::read(&done) else { return Vec::new() };
    let docs: Vec<crate::docs::rules::Doc> =
        loaded.docs.iter().map(|d| crate::docs::rules::Doc { path: &d.shown, text: &d.text }).collect();
    crate::tasks::docs::check_rules(&done, &docs, loaded.evidence())
        .findings
        .into_iter()
        .filter(|f| f.rule == "done-open-box" && f.subject == id)
        .map(|f| format!("{}:{}: once DONE, {}", f.file, f.line, f.message))
        .collect()
}

/// The packet's tests as gates: a gate id runs that gate as configured; a command runs
/// with the program's defaults.
fn test_plan(program: &Program, packet: &Packet, jobs: Option<usize>) -> Plan {
    let gates: Vec<PlannedGate> = packet
        .tests
        .iter()
        .enumerate()
        .map(|(n, test)| match test {
            TestRef::Gate(id) => {
                PlannedGate::from_gate(program.gate(id).expect("validated reference"), program, None)
            }
            TestRef::Command(command) => PlannedGate {
                id: format!("test-{}", n + 1),
                command: command.clone(),
                timeout: program.run.timeout,
                parser: crate::model::ParserKind::Auto,
                exclusive: None,
                known_failure: None,
                predicted: None,
                retries: 0,
            },
        })
        .collect();
    let jobs = runner::effective_jobs(jobs.unwrap_or(program.run.jobs), gates.len());
    Plan {
        order: (0..gates.len()).collect(),
        gates,
        jobs,
        grace: program.run.grace,
        predicted_makespan: Duration::ZERO,
        complete: false,
        held: Vec::new(),
        shard: None,
    }
}

/// Set status DONE, review APPROVED and the commit in closeout.toml, keeping its comments.
fn record(program: &Program, id: &str, commit: &str) -> Result<Program> {
    let file = files::read(&program.root, std::path::Path::new(crate::discover::FILE_NAME))?;
    let text = edit::set(
        &file.text,
        "packet",
        id,
        &[
            ("status", Value::Str("DONE".into())),
            ("review", Value::Str("APPROVED".into())),
            ("commit", Value::Str(commit.into())),
        ],
    )?;
    let updated = edit::validate(&text, &program.root)?;
    files::write(&file, &text)?;
    Ok(updated)
}

/// The packet's review block as the progress doc shows it, under a bold title, then its
/// verdict in colour (APPROVED green, anything else red).
fn render(program: &Program, packet: &Packet, review: &PacketReview, style: crate::report::Style) -> String {
    let packets = std::collections::BTreeMap::from([(packet.id.clone(), review.clone())]);
    let evidence = crate::docs::generate::Evidence::new(None, &packets);
    let block = crate::docs::generate::generate("packet-evidence", Some(&packet.id), program, evidence)
        .unwrap_or_default();
    let verdict = review.verdict.to_string();
    let verdict =
        if review.verdict == ReviewState::Approved { style.green(&verdict) } else { style.red(&verdict) };
    let title = style.bold(&format!("Packet {}: {}", packet.id, packet.title));
    format!("{title}\n{block}\nreview verdict: {verdict}\n")
}
