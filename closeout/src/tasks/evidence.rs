//! `closeout verify-evidence`: whether the committed evidence can be trusted (see
//! [`crate::integrity`] for what that proves). `verdict` applies the same checks.

use std::io::{Read, Write};
use std::path::Path;

use crate::cli::{Arg, Command, Context, Matches, UsageError};
use crate::error::{Error, Result};
use crate::evidence::{self, RunRecord};
use crate::exit;
use crate::integrity::{self, Found, LogFound};
use crate::runner::git;

/// `closeout verify-evidence`'s flags.
pub const COMMAND: Command = Command::new(
    "verify-evidence",
    "Check that the evidence verifies: each record self-consistent, logs matching their sha256, \
     .closeout/latest.json matching its full record and its earlier commits, git.head possible",
)
.args(&[
    Arg::switch(
        "json",
        "Print the result as JSON: `{verifies, verifiable_here, run_id, gates, logs_checked, problems}`",
    ),
    Arg::switch(
        "require-full-record",
        "Exit 1 when the run's full record is not on this machine (it cannot be verified)",
    ),
]);

#[derive(Debug)]
pub struct VerifyEvidenceArgs {
    json: bool,
    require_full_record: bool,
}

impl VerifyEvidenceArgs {
    pub fn from_matches(m: &Matches) -> std::result::Result<Self, UsageError> {
        Ok(VerifyEvidenceArgs { json: m.flag("json"), require_full_record: m.flag("require-full-record") })
    }
}

impl VerifyEvidenceArgs {
    pub fn run(self, ctx: &Context) -> Result<u8> {
        let (program, _lock) = ctx.load_locked(crate::lock::Mode::Shared)?;
        let root = &program.root;
        let Some(latest) = evidence::read_latest(root)? else {
            return Err(Error::Usage(format!(
                "no evidence to verify: {} is missing; run `{} baseline`",
                evidence::LATEST,
                ctx.bin_name
            )));
        };
        let mut problems = problems(root, &latest);
        for (id, review) in crate::docs::files::packet_records(root)? {
            problems.extend(integrity::record_problems(&review.run).into_iter().map(|p| {
                crate::redact::escape_controls(&format!("{}/{id}.json: {p}", evidence::PACKETS_DIR))
                    .into_owned()
            }));
        }
        let full = root.join(evidence::RUNS_DIR).join(&latest.run_id).join("run.json");
        let mut out = crate::cli::stdout();
        let unverified = problems.is_empty() && !full.exists() && self.require_full_record;
        let code = if problems.is_empty() && !unverified { exit::SUCCESS } else { exit::FAILED };
        if self.json {
            let json = serde_json::json!({
                "verifies": problems.is_empty(),
                "verifiable_here": full.exists(),
                "run_id": latest.run_id,
                "gates": latest.gates.len(),
                "logs_checked": full.exists(),
                "problems": problems,
            });
            let _ = writeln!(out, "{}", serde_json::to_string_pretty(&json).expect("json"));
            return Ok(code);
        }
        for p in &problems {
            let _ = writeln!(out, "{p}");
        }
        if problems.is_empty() && full.exists() {
            let head = ctx.style.green("evidence verifies");
            let _ = writeln!(
                out,
                "{head}: run {} ({} gates); the full record and its logs checked",
                latest.run_id,
                latest.gates.len()
            );
            Ok(exit::SUCCESS)
        } else if problems.is_empty() {
            let _ = writeln!(out, "{}", unverifiable(&latest, &full, root, &ctx.bin_name));
            Ok(if self.require_full_record { exit::FAILED } else { exit::SUCCESS })
        } else {
            let _ = writeln!(
                out,
                "{}: {} problem(s); run `{} baseline` to record trustworthy evidence",
                ctx.style.red("evidence does not verify"),
                problems.len(),
                ctx.bin_name
            );
            Ok(exit::FAILED)
        }
    }
}

/// What is said of a consistent record whose full record is not here: what was checked,
/// and that a consistent edit cannot be told from the truth on this machine.
fn unverifiable(latest: &RunRecord, full: &Path, root: &Path, bin: &str) -> String {
    let full = full.strip_prefix(root).unwrap_or(full).display();
    format!(
        "evidence is consistent but cannot be verified on this machine: the full record {full} is absent\n\
         checked: run {} ({} gates) self-consistent, its times, git.head against the commits, the earlier commits of {}\n\
         not checked: the logs, and an edit of {} made consistently before it was first committed; \
         run `{bin} baseline` here, or compare it with the attested CI artifact (docs/evidence.md)",
        latest.run_id,
        latest.gates.len(),
        evidence::LATEST,
        evidence::LATEST
    )
}

/// Every reason not to trust `latest` in the repository at `root`.
pub fn problems(root: &Path, latest: &RunRecord) -> Vec<String> {
    let full_path = root.join(evidence::RUNS_DIR).join(&latest.run_id).join("run.json");
    let mut extra = Vec::new();
    let full = match crate::evidence::read_file(&full_path) {
        Ok(text) => match RunRecord::from_json(&text, &full_path) {
            Ok(r) => Some(r),
            Err(e) => {
                extra.push(e.to_string());
                None
            }
        },
        Err(_) => None,
    };
    let logs: Vec<(String, LogFound)> = full
        .iter()
        .flat_map(|r| &r.gates)
        .flat_map(|g| {
            let logs = g.log.iter().chain(g.attempts.iter().filter_map(|a| a.log.as_ref()));
            logs.map(move |log| (g, log))
        })
        .filter_map(|(g, log)| {
            let recorded = log.path.as_ref()?;
            let path = root.join(recorded);
            // A merged record names its shards' logs, which live on the shard machines: a
            // log is missing only when the run folder it was written to is here.
            path.parent().is_some_and(Path::is_dir).then(|| (recorded.clone(), read_log(&path, g)))
        })
        .collect();
    let head = latest.git.as_ref().map(|g| g.head.as_str());
    let head_committed = head.and_then(|h| git::commit_time(root, h));
    let head_before_record = head.and_then(|h| {
        let recorded = git::recorded_in(root, evidence::LATEST)?;
        git::is_ancestor(root, h, &recorded)
    });
    let earlier: Vec<(String, RunRecord)> = git::versions_mentioning(root, evidence::LATEST, &latest.run_id)
        .into_iter()
        .filter_map(|(commit, text)| {
            Some((commit, RunRecord::from_json(&text, Path::new(evidence::LATEST)).ok()?))
        })
        .collect();
    let found =
        Found { full: full.as_ref(), logs: &logs, head_committed, head_before_record, earlier: &earlier };
    let mut problems = integrity::verify(latest, &found);
    problems.extend(extra);
    // Ids and texts in the problems come from the record, which anyone can edit: shown on
    // one line, controls escaped, so none starts a workflow command or drives a terminal.
    problems.into_iter().map(|p| crate::redact::escape_controls(&p).into_owned()).collect()
}

/// The log at `path` as found: its size, its sha256 and what `gate`'s recorded parser reads
/// in it, in one streamed pass (64 KiB at a time, lines capped as the runner caps them, so
/// time is linear in the log's size and memory bounded by the parser's own caps).
fn read_log(path: &Path, gate: &crate::evidence::GateRecord) -> LogFound {
    use crate::vocab::Vocab;
    let Ok(mut file) = std::fs::File::open(path) else { return LogFound::Missing };
    let kind = crate::model::ParserKind::parse(&gate.parser);
    let mut parser = kind.map(|k| crate::parse::for_gate(k, &gate.command));
    let mut lines = crate::parse::lines::Lines::default();
    let mut take = |line: &str| {
        if let Some(p) = parser.as_mut() {
            p.line(line);
        }
    };
    let mut hasher = crate::sha256::Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut bytes = 0u64;
    loop {
        match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                hasher.update(&buf[..n]);
                lines.feed(&buf[..n], &mut take);
                bytes += n as u64;
            }
            Err(_) => return LogFound::Missing,
        }
    }
    lines.finish(&mut take);
    let sha256 = crate::runner::process::hex(&hasher.finalize());
    LogFound::Present { bytes, sha256, parsed: parser.map(|p| Box::new(p.finish())) }
}
