//! The generators: one per region kind, each a pure function of the program and the
//! latest evidence returning the region's markdown (LF line endings, a blank line before
//! and after, no timestamps). Layouts follow the plans and trackers closeout certifies.

use std::collections::BTreeMap;

use super::render::{self, code, prose, text, Cell, Inline, Table};
use crate::evidence::{GateRecord, Outcome, RunRecord};
use crate::model::{Coverage, DebtStatus, Packet, PacketStatus, Program, ReviewState, TestRef};
use crate::review::PacketReview;
use crate::verdict::Verdict;
use crate::vocab::Vocab;

/// The evidence regions are generated from.
#[derive(Debug, Clone, Copy)]
pub struct Evidence<'a> {
    /// `.closeout/latest.json`, the latest complete baseline run.
    pub latest: Option<&'a RunRecord>,
    /// `.closeout/packets/<id>.json`, each packet's latest review.
    pub packets: &'a BTreeMap<String, PacketReview>,
    /// The performance reference run, if there is one.
    pub reference: Option<&'a RunRecord>,
    /// `.closeout/verdict.json`, from `closeout verdict`.
    pub verdict: Option<&'a Verdict>,
}

impl<'a> Evidence<'a> {
    /// Evidence with a latest run and packet reviews only.
    pub fn new(latest: Option<&'a RunRecord>, packets: &'a BTreeMap<String, PacketReview>) -> Evidence<'a> {
        Evidence { latest, packets, reference: None, verdict: None }
    }
}

/// Whether a kind takes an argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arg {
    None,
    PacketId,
}

/// Every kind a generator owns, with what it takes and the closeout.toml data behind it.
pub const KINDS: &[(&str, Arg, &str)] = &[
    ("baseline", Arg::None, "[[gate]] and the evidence in .closeout/latest.json"),
    ("packet-board", Arg::None, "[[packet]] status, implementer, reviewer, review"),
    (
        "packet-evidence",
        Arg::PacketId,
        "[[packet]] files, tests, p1, review, commit, residual_risk, rollback",
    ),
    ("packet-completeness", Arg::None, "[[packet]] status, review, commit, tests"),
    ("tracks", Arg::None, "[[track]]"),
    ("drift", Arg::None, "[[track]] classification, notes"),
    ("risks", Arg::None, "[[risk]]"),
    ("ledger", Arg::None, "[[debt]]"),
    ("blockers", Arg::None, "[[debt]] blocks_release, milestone, status"),
    ("traceability", Arg::None, "[[debt]] covers"),
    ("perf", Arg::None, "[[gate]] tolerance, count_decrease_reason, [run] reference and the evidence"),
    ("verdict", Arg::None, ".closeout/verdict.json, written by `closeout verdict`"),
];

/// The region kinds, comma-separated, for messages that tell a user to add markers.
pub fn kind_names() -> String {
    KINDS.iter().map(|(k, _, _)| *k).collect::<Vec<_>>().join(", ")
}

/// The kinds whose content comes from run evidence; `closeout baseline` refreshes them.
pub const FROM_EVIDENCE: &[&str] = &["baseline", "packet-evidence", "packet-completeness", "perf"];

/// The closeout.toml data behind a kind, for "edit closeout.toml (key …) instead".
pub fn source_of(kind: &str) -> &'static str {
    KINDS.iter().find(|(k, _, _)| *k == kind).map_or("", |(_, _, s)| s)
}

/// Where a drifted cell comes from: `[[debt]] id = "DL-001", key severity`.
pub fn key_for(kind: &str, row: &str, column: &str) -> Option<String> {
    let (table, id_is_name, columns): (&str, bool, &[(&str, &str)]) = match kind {
        "ledger" => (
            "debt",
            false,
            &[
                ("Description", "description"),
                ("Severity", "severity"),
                ("Owner", "owner"),
                ("Target Milestone", "milestone"),
                ("Source", "source"),
                ("Status", "status / resolution"),
            ],
        ),
        "risks" => (
            "risk",
            false,
            &[
                ("Surface", "surface"),
                ("Description", "description"),
                ("Severity", "severity"),
                ("Mapped Packet", "packets"),
                ("Mitigation", "mitigation"),
            ],
        ),
        "packet-board" => (
            "packet",
            false,
            &[
                ("Title", "title"),
                ("Status", "status"),
                ("Implementer", "implementer"),
                ("Reviewer", "reviewer"),
                ("Review State", "review"),
            ],
        ),
        "packet-completeness" => (
            "packet",
            false,
            &[
                ("Status", "status"),
                ("Verdict", "review"),
                ("Checkpoint Commit", "commit"),
                ("Evidence Complete", "status, review, commit and tests"),
            ],
        ),
        "tracks" => (
            "track",
            true,
            &[
                ("Plan File", "plan"),
                ("Plan Status", "plan_status"),
                ("Progress File", "progress"),
                ("Progress Status", "progress_status"),
                ("Final Checkpoint", "checkpoint"),
            ],
        ),
        "drift" => ("track", true, &[("Classification", "classification"), ("Notes", "notes")]),
        "baseline" => (
            "gate",
            false,
            &[
                ("Result", "evidence: run `closeout baseline`"),
                ("Evidence", "evidence: run `closeout baseline`"),
            ],
        ),
        _ => return None,
    };
    let key = columns.iter().find(|(c, _)| *c == column)?.1;
    let row = row.trim_matches('`');
    let selector = if id_is_name { format!("name = {row:?}") } else { format!("id = {row:?}") };
    Some(format!("[[{table}]] {selector}, key {key}"))
}

/// Check a region name: a kind some generator owns, with the argument it needs.
pub fn check_name(kind: &str, arg: Option<&str>, program: &Program) -> Result<(), String> {
    let Some((_, takes, _)) = KINDS.iter().find(|(k, _, _)| *k == kind) else {
        let names: Vec<&str> = KINDS.iter().map(|(k, _, _)| *k).collect();
        let hint = crate::vocab::did_you_mean(kind, names.iter().copied())
            .map_or(String::new(), |s| format!(" (did you mean `{s}`?)"));
        return Err(format!("no generator owns region kind `{kind}`{hint}; kinds: {}", names.join(", ")));
    };
    match (takes, arg) {
        (Arg::None, Some(a)) => Err(format!("region `{kind}` takes no argument, found `{kind}:{a}`")),
        (Arg::PacketId, None) => Err(format!("region `{kind}` needs a packet id, like `{kind}:00`")),
        (Arg::PacketId, Some(id)) if program.packet(id).is_none() => {
            let ids: Vec<&str> = program.packets.iter().map(|p| p.id.as_str()).collect();
            Err(format!(
                "region `{kind}:{id}` names no [[packet]] in closeout.toml; packets: {}",
                ids.join(", ")
            ))
        }
        _ => Ok(()),
    }
}

/// Generate one region's content.
pub fn generate(
    kind: &str,
    arg: Option<&str>,
    program: &Program,
    evidence: Evidence,
) -> Result<String, String> {
    check_name(kind, arg, program)?;
    let body = match kind {
        "baseline" => baseline(program, evidence)?,
        "packet-board" => packet_board(program),
        "packet-evidence" => {
            packet_evidence(program.packet(arg.unwrap_or_default()).expect("checked"), program, evidence)
        }
        "packet-completeness" => packet_completeness(program, evidence),
        "tracks" => tracks(program),
        "drift" => drift(program),
        "risks" => risks(program),
        "ledger" => ledger(program),
        "blockers" => blockers(program),
        "traceability" => traceability(program),
        "perf" => perf(program, evidence)?,
        "verdict" => verdict(program, evidence)?,
        _ => unreachable!("check_name knows every kind"),
    };
    Ok(render::block(&body))
}

/// A table with this header and these rows.
fn table(header: &[&str], rows: Vec<Vec<Cell>>) -> String {
    render::table(&Table { header: header.iter().map(|h| h.to_string()).collect(), rows })
}

fn or_dash(v: &Option<String>) -> Cell {
    prose(v.as_deref().unwrap_or("N/A"))
}

fn baseline(program: &Program, evidence: Evidence) -> Result<String, String> {
    let Some(run) = evidence.latest else {
        return Err(format!(
            "no baseline evidence: {} does not exist; run `closeout baseline` and commit it",
            crate::evidence::LATEST
        ));
    };
    let rows = program
        .gates
        .iter()
        .map(|gate| {
            let record = run.gate(&gate.id).filter(|r| r.command == gate.run);
            let (result, detail) = match (record, &gate.when) {
                (None, Some(when)) => (
                    "CONDITIONAL".to_string(),
                    format!(
                        "not run in the latest run: run only {when} (`closeout baseline --when` or `--all`)"
                    ),
                ),
                (None, None) => (
                    "NOT_RUN".to_string(),
                    "no evidence for this command in the latest run; run `closeout baseline`".to_string(),
                ),
                (Some(r), _) => (result_text(r), evidence_text(r, program)),
            };
            vec![code(gate.run.clone()), text(result), prose(&detail)]
        })
        .collect();
    Ok(table(&["Command", "Result", "Evidence"], rows))
}

/// `PASS (exit 0)`, `FAIL (exit 1)`, `TIMEOUT`; `INCONSISTENT (recorded PASS, exit 3)`
/// for a record that contradicts itself ([`crate::integrity::inconsistent_label`]).
fn result_text(r: &GateRecord) -> String {
    if let Some(label) = crate::integrity::inconsistent_label(r) {
        return label;
    }
    match r.exit_code {
        Some(code) if r.outcome != Outcome::Timeout && r.outcome != Outcome::Interrupted => {
            format!("{} (exit {code})", r.outcome)
        }
        _ => r.outcome.to_string(),
    }
}

/// Counts, the known failure, and why a gate failed; for a record that contradicts
/// itself, what contradicts what and the command that checks it.
fn evidence_text(r: &GateRecord, program: &Program) -> String {
    let faults = crate::integrity::gate_faults(r);
    if !faults.is_empty() {
        return format!(
            "the record contradicts itself: {}; run `closeout verify-evidence`, then `closeout baseline`",
            faults.join("; ")
        );
    }
    let mut parts = Vec::new();
    if let Some(c) = &r.counts {
        let summary = c.summary();
        if !summary.is_empty() {
            parts.push(summary);
        }
    }
    if !r.outcome.passed() {
        if let Some(id) = &r.known_failure {
            let open = program.open_known_failure(Some(id)).is_some();
            parts.push(match (open, r.outcome) {
                (true, _) => format!("known failure {id}"),
                (false, Outcome::Flaky) => format!("{id} is resolved, yet the gate is flaky"),
                (false, _) => format!("{id} is resolved, yet the gate fails"),
            });
        }
        parts.push(r.reason.clone());
    }
    if parts.is_empty() {
        parts.push(r.reason.clone());
    }
    parts.join("; ")
}

fn packet_board(program: &Program) -> String {
    let rows = program.packets.iter().map(|p| board_row(p)[..6].to_vec()).collect();
    table(&BOARD_COLUMNS[..6], rows)
}

/// The packet board's columns: the default layout shows the first six (so a new board
/// fits markdownlint's 80 columns once prettier aligns it); a document's own board may
/// also show an evidence pointer and the checkpoint commit.
const BOARD_COLUMNS: [&str; 8] =
    ["Packet", "Title", "Status", "Implementer", "Reviewer", "Review State", "Evidence Link", "Commit"];

fn board_row(p: &Packet) -> Vec<Cell> {
    vec![
        text(p.id.clone()),
        prose(&p.title),
        text(p.status.as_str()),
        or_dash(&p.implementer),
        or_dash(&p.reviewer),
        text(p.review.as_str()),
        text(format!("See Packet {} Review Evidence below", p.id)),
        p.commit.as_deref().map_or_else(|| text("N/A"), code),
    ]
}

/// A table region's content with every column closeout can fill, for laying out in a
/// document's own columns (`docs::layout`); the default layout for the other kinds.
pub fn generate_for_layout(
    kind: &str,
    arg: Option<&str>,
    program: &Program,
    evidence: Evidence,
) -> Result<String, String> {
    match kind {
        "packet-board" => {
            check_name(kind, arg, program)?;
            let rows = program.packets.iter().map(board_row).collect();
            Ok(render::block(&table(&BOARD_COLUMNS, rows)))
        }
        "ledger" => {
            // A document's ledger may show each item's status in a column of its own.
            let body = ledger(program);
            let status: Vec<&str> = program.debts.iter().map(|d| d.status.as_str()).collect();
            let mut lines: Vec<String> = body.lines().map(String::from).collect();
            for (i, line) in lines.iter_mut().enumerate() {
                let cell = match i {
                    0 => "Status",
                    1 => "---",
                    n => status.get(n - 2).copied().unwrap_or_default(),
                };
                line.push_str(&format!(" {cell} |"));
            }
            Ok(render::block(&lines.join("\n")))
        }
        _ => generate(kind, arg, program, evidence),
    }
}

/// A required test's evidence: the gate record (latest baseline) or the packet's own run.
fn test_evidence<'a>(
    test: &TestRef,
    packet: &Packet,
    program: &Program,
    evidence: Evidence<'a>,
) -> (String, Option<&'a GateRecord>) {
    match test {
        TestRef::Gate(id) => {
            let command = program.gate(id).map_or(id.clone(), |g| g.run.clone());
            let record = evidence
                .packets
                .get(&packet.id)
                .and_then(|r| r.run.gate(id))
                .or_else(|| evidence.latest.and_then(|r| r.gate(id)))
                .filter(|r| r.command == command);
            (command, record)
        }
        TestRef::Command(command) => {
            let record = evidence
                .packets
                .get(&packet.id)
                .and_then(|r| r.run.gates.iter().find(|g| &g.command == command));
            (command.clone(), record)
        }
    }
}

/// Whether a failed gate is a known failure on an open debt item.
fn known_open(r: &GateRecord, program: &Program) -> bool {
    program.open_known_failure(r.known_failure.as_ref()).is_some()
}

/// P0: every required test passed, or failed only as a known failure on open debt.
pub fn p0(packet: &Packet, program: &Program, evidence: Evidence) -> Result<(), Vec<String>> {
    let mut reasons = Vec::new();
    if packet.tests.is_empty() {
        reasons.push("no required tests".to_string());
    }
    for test in &packet.tests {
        let (command, record) = test_evidence(test, packet, program, evidence);
        match record {
            None => reasons.push(format!("`{command}` not run")),
            Some(r)
                if crate::integrity::succeeded(r)
                    || known_open(r, program) && crate::integrity::consistent(r) => {}
            Some(r) => reasons.push(format!(
                "`{command}` {}",
                crate::integrity::inconsistent_label(r).unwrap_or_else(|| r.outcome.to_string())
            )),
        }
    }
    if reasons.is_empty() {
        Ok(())
    } else {
        Err(reasons)
    }
}

fn packet_evidence(packet: &Packet, program: &Program, evidence: Evidence) -> String {
    let review = evidence.packets.get(&packet.id);
    let mut out = String::from("Files changed:\n");
    match review {
        Some(r) => {
            if r.changed.is_empty() {
                out.push_str(&format!("- none since `{}`\n", short(&r.base)));
            }
            for f in &r.changed {
                let reason = f.reason.as_deref().map_or("<reason missing>".to_string(), inline);
                let scope = if f.in_scope { "" } else { " (outside the packet's scope)" };
                let reason = if f.reason.is_none() { render::escape_text(&reason) } else { reason };
                out.push_str(&format!("- {}: {reason}{scope}\n", render::code_span_plain(&f.path)));
            }
        }
        None => {
            if packet.files.is_empty() {
                out.push_str("- none recorded\n");
            }
            for f in &packet.files {
                let reason = f.reason.as_deref().map_or(render::escape_text("<reason missing>"), inline);
                out.push_str(&format!("- {}: {reason}\n", render::code_span_plain(&f.path)));
            }
        }
    }
    out.push_str("\nCommands run + exit codes:\n");
    if packet.tests.is_empty() {
        out.push_str("- none required\n");
    }
    for (n, test) in packet.tests.iter().enumerate() {
        let (command, record) = test_evidence(test, packet, program, evidence);
        let result = match record {
            None => "not run".to_string(),
            Some(r) => {
                let head = match r.exit_code {
                    Some(code) => format!("exit {code}"),
                    None => format!("{} (no exit code)", r.outcome),
                };
                let shown = crate::integrity::inconsistent_label(r);
                let mut detail = vec![shown.unwrap_or_else(|| r.outcome.to_string())];
                if let Some(c) = r.counts.as_ref().map(|c| c.summary()).filter(|s| !s.is_empty()) {
                    detail.push(c);
                }
                if let Some(id) = r.known_failure.as_ref().filter(|_| !r.outcome.passed()) {
                    detail.push(format!("known failure {id}"));
                }
                format!("{head} ({})", detail.join(", "))
            }
        };
        out.push_str(&format!("{}. {} -> {result}\n", n + 1, render::code_span_plain(&command)));
    }
    out.push_str("\nGate checklist:\n");
    match review {
        Some(r) => {
            for (name, gate) in [("P0", &r.p0), ("P1", &r.p1), ("P2", &r.p2)] {
                out.push_str(&format!("- {name}: {} ({})\n", gate.result, inline(&gate.reasons.join("; "))));
            }
            out.push_str(&format!("\nVerdict: {}\n", r.verdict));
        }
        None => {
            match p0(packet, program, evidence) {
                Ok(()) => out
                    .push_str("- P0: PASS (every required test passed or is a known failure on open debt)\n"),
                Err(reasons) => out.push_str(&format!("- P0: FAIL ({})\n", inline(&reasons.join("; ")))),
            }
            match packet.p1 {
                Some(j) => out.push_str(&format!(
                    "- P1: {j} ({})\n",
                    inline(packet.p1_reason.as_deref().unwrap_or("no reason recorded"))
                )),
                None => out.push_str("- P1: PENDING (record p1 and p1_reason in closeout.toml)\n"),
            }
            out.push_str(&format!("- P2: PENDING (run `closeout packet {}`)\n", packet.id));
            out.push_str(&format!("\nVerdict: {}\n", packet.review));
        }
    }
    out.push_str("\nCommit:\n");
    match (&packet.commit, review.and_then(|r| r.head.as_ref())) {
        (Some(c), _) => out.push_str(&format!("- {}\n", render::code_span_plain(c))),
        (None, Some(head)) => out
            .push_str(&format!("- reviewed at {}, not yet recorded\n", render::code_span_plain(short(head)))),
        (None, None) => out.push_str("- none recorded\n"),
    }
    out.push_str("\nResidual risk:\n");
    list(&mut out, &packet.residual_risk, "none");
    out.push_str("\nRollback:\n");
    list(&mut out, &packet.rollback, "none recorded");
    out
}

fn short(rev: &str) -> &str {
    &rev[..rev.len().min(12)]
}

fn list(out: &mut String, items: &[String], empty: &str) {
    if items.is_empty() {
        out.push_str(&format!("- {empty}\n"));
    }
    for item in items {
        out.push_str(&format!("- {}\n", inline(item)));
    }
}

/// Free text on one list line: code spans kept, the rest markdown-escaped.
fn inline(s: &str) -> String {
    render::line(&prose(s))
}

/// Placeholders that stand where a commit hash should be.
pub fn is_placeholder_commit(commit: &str) -> bool {
    let c = commit.trim().trim_matches('`').to_ascii_lowercase();
    c.is_empty()
        || ["(this commit)", "this commit", "tbd", "n/a", "na", "todo", "-", "pending", "none"]
            .contains(&c.as_str())
        || !c.chars().all(|ch| ch.is_ascii_hexdigit())
        || c.len() < 7
}

fn packet_completeness(program: &Program, evidence: Evidence) -> String {
    let rows = program
        .packets
        .iter()
        .map(|p| {
            let mut missing = Vec::new();
            if p.status != PacketStatus::Done {
                missing.push(format!("status {}", p.status));
            }
            if p.review != ReviewState::Approved {
                missing.push(format!("review {}", p.review));
            }
            match &p.commit {
                None => missing.push("no checkpoint commit".to_string()),
                Some(c) if is_placeholder_commit(c) => missing.push(format!("commit `{c}` is a placeholder")),
                _ => {}
            }
            for test in &p.tests {
                let (command, record) = test_evidence(test, p, program, evidence);
                if record.and_then(|r| r.exit_code).is_none() {
                    missing.push(format!("no exit code for `{command}`"));
                }
            }
            let complete =
                if missing.is_empty() { "Yes".to_string() } else { format!("No ({})", missing.join("; ")) };
            let commit: Cell = match &p.commit {
                Some(c) => code(c.clone()),
                None => text("N/A"),
            };
            vec![
                text(p.id.clone()),
                text(p.status.as_str()),
                text(p.review.as_str()),
                commit,
                prose(&complete),
            ]
        })
        .collect();
    table(&["Packet", "Status", "Verdict", "Checkpoint Commit", "Evidence Complete"], rows)
}

fn file_cell(v: &Option<String>) -> Cell {
    match v {
        Some(f) => code(f.clone()),
        None => text("N/A"),
    }
}

fn tracks(program: &Program) -> String {
    let rows = program
        .tracks
        .iter()
        .map(|t| {
            vec![
                prose(&t.name),
                file_cell(&t.plan),
                or_dash(&t.plan_status),
                file_cell(&t.progress),
                or_dash(&t.progress_status),
                or_dash(&t.checkpoint),
            ]
        })
        .collect();
    table(
        &["Track", "Plan File", "Plan Status", "Progress File", "Progress Status", "Final Checkpoint"],
        rows,
    )
}

fn drift(program: &Program) -> String {
    let rows = program
        .tracks
        .iter()
        .map(|t| {
            vec![
                prose(&t.name),
                code(t.classification.as_str()),
                prose(t.notes.as_deref().unwrap_or_default()),
            ]
        })
        .collect();
    table(&["Track", "Classification", "Notes"], rows)
}

fn risks(program: &Program) -> String {
    let rows = program
        .risks
        .iter()
        .filter(|r| !r.listed)
        .map(|r| {
            vec![
                text(r.id.clone()),
                prose(r.surface.as_deref().unwrap_or_default()),
                prose(&r.description),
                text(r.severity.map_or("", |s| s.as_str())),
                text(r.packets.join(", ")),
                prose(r.mitigation.as_deref().unwrap_or_default()),
            ]
        })
        .collect();
    table(&["Risk ID", "Surface", "Description", "Severity", "Mapped Packet", "Mitigation"], rows)
}

fn ledger(program: &Program) -> String {
    // A resolved item keeps its history struck out, as hand-kept ledgers do:
    // `~~description~~ RESOLVED — how`, `~~MEDIUM~~ CLOSED`, `~~Pre-release~~ Done`.
    let struck = |v: Option<String>, now: &str| -> Cell {
        match v.filter(|v| !v.is_empty()) {
            Some(v) => vec![Inline::Struck(v), Inline::Text(format!(" {now}"))],
            None => text(now),
        }
    };
    let rows = program
        .debts
        .iter()
        .map(|d| {
            let resolved = d.status == DebtStatus::Resolved;
            let severity = d.severity.map(|s| s.to_string());
            if resolved {
                let how = d.resolution.clone().unwrap_or_default();
                vec![
                    text(d.id.clone()),
                    struck(Some(d.description.clone()), &format!("RESOLVED — {how}")),
                    struck(severity, "CLOSED"),
                    prose(d.owner.as_deref().unwrap_or_default()),
                    struck(d.milestone.clone(), "Done"),
                    prose(d.source.as_deref().unwrap_or_default()),
                ]
            } else {
                vec![
                    text(d.id.clone()),
                    prose(&d.description),
                    text(severity.unwrap_or_default()),
                    prose(d.owner.as_deref().unwrap_or_default()),
                    prose(d.milestone.as_deref().unwrap_or_default()),
                    prose(d.source.as_deref().unwrap_or_default()),
                ]
            }
        })
        .collect();
    table(&["ID", "Description", "Severity", "Owner", "Target Milestone", "Source"], rows)
}

fn blockers(program: &Program) -> String {
    let open: Vec<_> = program.debts.iter().filter(|d| d.is_release_blocker()).collect();
    if open.is_empty() {
        return "No open pre-release blockers.\n".into();
    }
    let mut out = String::from("Pre-release blockers (open):\n");
    for d in open {
        out.push_str(&debt_line(d));
    }
    out
}

/// `` - `DL-009`: description (MEDIUM; owner X; milestone Y) ``
fn debt_line(d: &crate::model::Debt) -> String {
    let facts: Vec<String> = [
        d.severity.map(|s| s.to_string()),
        d.owner.as_ref().map(|o| format!("owner {o}")),
        d.milestone.as_ref().map(|m| format!("milestone {m}")),
    ]
    .into_iter()
    .flatten()
    .collect();
    format!(
        "- {}: {} ({})\n",
        render::code_span_plain(&d.id),
        inline(&d.description),
        inline(&facts.join("; "))
    )
}

fn covering(program: &Program, target: &Coverage) -> Vec<String> {
    program
        .debts
        .iter()
        .filter(|d| d.covers.contains(target))
        .map(|d| render::code_span_plain(&d.id))
        .collect()
}

fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [a, b] => format!("{a} and {b}"),
        [rest @ .., last] => format!("{}, and {last}", rest.join(", ")),
    }
}

fn traceability(program: &Program) -> String {
    let mut out = String::new();
    let mut any = false;
    for t in &program.tracks {
        let debts = covering(program, &Coverage::Track(t.id.clone()));
        if t.classification != crate::model::Classification::Deferred && debts.is_empty() {
            continue;
        }
        any = true;
        let coverage = if debts.is_empty() {
            "not covered by any debt item".to_string()
        } else {
            format!("covered by {}", and_list(&debts))
        };
        out.push_str(&format!(
            "- Track {} ({}): {coverage}.\n",
            inline(&t.name),
            render::code_span_plain(t.classification.as_str())
        ));
    }
    for p in &program.packets {
        let debts = covering(program, &Coverage::Packet(p.id.clone()));
        if p.open_residual_risks().is_empty() && debts.is_empty() {
            continue;
        }
        any = true;
        let coverage = if debts.is_empty() {
            "not covered by any debt item".to_string()
        } else {
            format!("covered by {}", and_list(&debts))
        };
        out.push_str(&format!("- Packet {} residual risk: {coverage}.\n", inline(&p.id)));
    }
    if !any {
        out.push_str("No deferred tracks or residual risks to trace.\n");
    }
    out
}

/// Why the recorded verdict does not describe the latest run and this closeout.toml, if
/// it does not.
pub fn stale_verdict(program: &Program, evidence: Evidence) -> Option<String> {
    let latest = evidence.latest.map(|r| r.run_id.as_str());
    match evidence.verdict {
        None => {
            Some(format!("No verdict yet: run `closeout verdict` ({} does not exist).", crate::verdict::FILE))
        }
        Some(v) if v.program != crate::verdict::fingerprint(program) => Some(format!(
            "The verdict in {} was computed for another version of closeout.toml: run `closeout verdict`.",
            crate::verdict::FILE
        )),
        Some(v) if v.run_id.is_some() && latest.is_none() => Some(format!(
            "The verdict in {} was computed from run {}, but there is no baseline evidence ({} does not exist): run `closeout baseline`.",
            crate::verdict::FILE,
            v.run_id.as_deref().unwrap_or("none"),
            crate::evidence::LATEST
        )),
        Some(v) if v.run_id.as_deref() != latest => Some(format!(
            "The verdict in {} was computed from run {}, but the latest run is {}: run `closeout verdict`.",
            crate::verdict::FILE,
            v.run_id.as_deref().unwrap_or("none"),
            latest.unwrap_or("none")
        )),
        Some(_) => None,
    }
}

fn perf(program: &Program, evidence: Evidence) -> Result<String, String> {
    let Some(now) = evidence.latest else {
        return Err(format!(
            "no baseline evidence: {} does not exist; run `closeout baseline`",
            crate::evidence::LATEST
        ));
    };
    let rows = crate::perf::envelope(program, now, evidence.reference);
    let ms = |v: u64| crate::duration::human(std::time::Duration::from_millis(v));
    let cells = rows
        .iter()
        .map(|r| {
            vec![
                text(r.gate.clone()),
                text(ms(r.now_ms)),
                text(r.reference_ms.map_or("none".into(), ms)),
                text(r.change_pct.map_or("-".into(), |p| format!("{p:+.0}%"))),
                text(r.tolerance_pct.map_or("off".into(), |t| format!("{t}%"))),
                text(r.count_now.map_or("-".into(), |n| n.to_string())),
                text(r.count_reference.map_or("-".into(), |n| n.to_string())),
                text(r.regression.clone().unwrap_or_else(|| "no".into())),
            ]
        })
        .collect();
    let header =
        ["Gate", "Duration", "Reference", "Change", "Tolerance", "Tests", "Reference Tests", "Regression"];
    let mut out = render::table(&Table { header: header.map(String::from).to_vec(), rows: cells });
    match evidence.reference {
        Some(r) => out.push_str(&format!("\nReference: run `{}`.\n", r.run_id)),
        None => {
            out.push_str("\nNo comparable reference run: the newest passing run on the main branch from the same machine (`host` in its record) becomes one; runs from other machines are never compared.\n")
        }
    }
    Ok(out)
}

fn verdict(program: &Program, evidence: Evidence) -> Result<String, String> {
    // The message is closeout's own text; its code spans are meant as markdown.
    if let Some(stale) = stale_verdict(program, evidence) {
        return Ok(format!("**Verdict: not current.** {}\n", stale));
    }
    let v = evidence.verdict.expect("checked by stale_verdict");
    // Only the level is bold: a paragraph that is all emphasis reads as a heading to
    // markdownlint (MD036).
    let mut out = format!("Verdict: **{}**\n\n", v.level);
    if let (Some(run), Some(head)) = (&v.run_id, &v.head) {
        out.push_str(&format!("Computed from run `{run}` at `{}`.\n", short(head)));
    }
    let clauses = |title: &str, items: &[crate::verdict::Clause], out: &mut String| {
        if items.is_empty() {
            return;
        }
        out.push_str(&format!("\n{title}:\n"));
        for (n, c) in items.iter().enumerate() {
            let ev = if c.evidence.is_empty() {
                String::new()
            } else {
                format!(" ({})", render::escape_text(&format!("evidence: {}", c.evidence.join(", "))))
            };
            out.push_str(&format!("{}. {}{ev}\n", n + 1, inline(&c.text)));
        }
    };
    clauses("Blocking (NO-GO)", &v.blockers, &mut out);
    clauses("Conditions", &v.conditions, &mut out);
    clauses("Justification", &v.justification, &mut out);
    if evidence.latest.is_some() {
        out.push_str("\nBaseline results:\n\n");
        out.push_str(&baseline(program, evidence)?);
    }
    out.push_str("\nPacket evidence completeness:\n\n");
    out.push_str(&packet_completeness(program, evidence));
    out.push_str("\nResidual risks (open debt):\n");
    let open: Vec<_> = program.debts.iter().filter(|d| d.status == DebtStatus::Open).collect();
    if open.is_empty() {
        out.push_str("- none\n");
    }
    for d in open {
        out.push_str(&debt_line(d));
    }
    Ok(out)
}
