//! The go/no-go verdict, computed from evidence alone: the latest run record, the
//! packets, the ledger, doc sync and the performance envelope. Pure; every clause of the
//! justification points at its evidence (a run id, a gate, a packet, a debt id).

use crate::evidence::{Outcome, RunRecord};
use crate::model::{DebtStatus, PacketStatus, Program, ReviewState};

pub const SCHEMA_VERSION: u32 = 1;
/// The committed verdict record, relative to the repository root.
pub const FILE: &str = ".closeout/verdict.json";

crate::vocab::vocab!(
    /// The verdict's level, spelled as the documents spell it.
    Level {
        Go = "GO",
        GoWithConditions = "GO with conditions",
        NoGo = "NO-GO",
    }
);

/// One statement of the verdict and the evidence it rests on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    pub text: String,
    /// `run 2026…`, `gate go-build`, `packet 03`, `debt DL-009`, `docs/plan.md`.
    pub evidence: Vec<String>,
}
crate::json::json_object!(Clause { text: required, evidence: required });

/// What one of a clause's `evidence` entries points at, read from the text the verdict
/// writes (`run ID`, `gate ID`, `packet ID`, `debt ID`, `commit HASH`, a doc region as
/// [`region_ref`] names it, or a file such as `.closeout/latest.json`). The text stays
/// what verdict.json holds, so old verdicts keep loading; this is its structured reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reference<'a> {
    Run(&'a str),
    Gate(&'a str),
    Packet(&'a str),
    Debt(&'a str),
    Commit(&'a str),
    /// A generated region of a doc: (`docs/plan.md`, 3, `ledger`).
    Region {
        doc: &'a str,
        line: usize,
        name: &'a str,
    },
    File(&'a str),
}

impl<'a> Reference<'a> {
    /// The structured reading of one evidence entry; anything else is a file path.
    pub fn parse(text: &'a str) -> Reference<'a> {
        let prefixed = [
            ("run ", Reference::Run as fn(&'a str) -> Reference<'a>),
            ("gate ", Reference::Gate),
            ("packet ", Reference::Packet),
            ("debt ", Reference::Debt),
            ("commit ", Reference::Commit),
        ];
        for (prefix, make) in prefixed {
            if let Some(id) = text.strip_prefix(prefix) {
                return make(id);
            }
        }
        region(text).unwrap_or(Reference::File(text))
    }
}

/// `docs/plan.md:3 `ledger``, as [`region_ref`] writes it.
fn region(text: &str) -> Option<Reference<'_>> {
    let (place, name) = text.split_once(" `")?;
    let name = name.strip_suffix('`')?;
    let (doc, line) = place.rsplit_once(':')?;
    Some(Reference::Region { doc, line: line.parse().ok()?, name })
}

/// How a clause names a generated region: `DOC:LINE `NAME``, LINE being its begin marker's.
pub fn region_ref(doc: &str, line: usize, name: &str) -> String {
    format!("{doc}:{line} `{name}`")
}

impl Clause {
    /// The structured reading of every evidence entry, in order.
    pub fn references(&self) -> Vec<Reference<'_>> {
        self.evidence.iter().map(|e| Reference::parse(e)).collect()
    }
}

fn clause(text: impl Into<String>, evidence: &[String]) -> Clause {
    Clause { text: text.into(), evidence: evidence.to_vec() }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub schema: u32,
    pub level: Level,
    /// The run the verdict was computed from.
    pub run_id: Option<String>,
    pub head: Option<String>,
    /// Why NO-GO (empty otherwise).
    pub blockers: Vec<Clause>,
    /// What GO is conditional on (open pre-release blockers, known failures, regressions).
    pub conditions: Vec<Clause>,
    /// What holds, with evidence.
    pub justification: Vec<Clause>,
    /// [`fingerprint`] of the program the verdict was computed for; a verdict for another
    /// closeout.toml is stale.
    pub program: String,
}
crate::json::json_object!(Verdict {
    schema: required,
    level: required,
    run_id: required,
    head: required,
    blockers: required,
    conditions: required,
    justification: required,
    program: default,
});

/// A fingerprint of the program's data (gates, tracks, packets, risks, debt, waivers),
/// independent of where the repository is checked out.
pub fn fingerprint(program: &Program) -> String {
    // A confirmed gate (`trusted`, the default) without retries fingerprints as it did
    // before those keys existed, so verdicts recorded then stay current.
    let gates = format!("{:?}", program.gates).replace(", retries: 0,", ",").replace(", trusted: true", "");
    let data = format!(
        "{:?}{}{:?}{:?}{:?}{:?}{:?}",
        program.name, gates, program.tracks, program.packets, program.risks, program.debts, program.waivers
    );
    crate::sha256::Sha256::digest(data.as_bytes()).iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// Everything the verdict looks at, gathered by the caller.
pub struct Facts<'a> {
    pub program: &'a Program,
    pub latest: Option<&'a RunRecord>,
    /// Current HEAD, when in git.
    pub head: Option<String>,
    /// Non-doc files changed between the run's commit and now, when they differ.
    pub changed_since_run: Option<Vec<String>>,
    /// Regions out of sync (other than the verdict's own), or why the docs could not be checked.
    pub docs_drift: Result<Vec<String>, String>,
    /// Performance regressions: (gate, why).
    pub regressions: Vec<(String, String)>,
    /// Why the latest record is not to be trusted ([`crate::integrity::verify`]).
    pub evidence_problems: Vec<String>,
    /// The latest run's full record (`target/closeout/runs/<id>/run.json`, relative) when
    /// it is absent here, so the committed record cannot be checked against it nor its
    /// logs hashed: a condition, not a pass.
    pub unverifiable: Option<String>,
    /// How the user runs closeout (`closeout`, `cargo xtask closeout`), for the commands
    /// a condition names.
    pub bin_name: &'a str,
}

pub fn compute(facts: &Facts) -> Verdict {
    let program = facts.program;
    let mut blockers = Vec::new();
    let mut conditions = Vec::new();
    let mut justification = Vec::new();
    let mut new_debt = next_debt_ids(program);

    match facts.latest {
        None => blockers.push(clause(
            format!("no baseline evidence: {} is missing; run `closeout baseline`", crate::evidence::LATEST),
            &[crate::evidence::LATEST.to_string()],
        )),
        Some(run) => {
            let run_ref = format!("run {}", run.run_id);
            for problem in &facts.evidence_problems {
                blockers.push(clause(
                    format!("the evidence does not verify: {problem}"),
                    &[run_ref.clone(), crate::evidence::LATEST.to_string()],
                ));
            }
            if let (Some(full), true) = (&facts.unverifiable, facts.evidence_problems.is_empty()) {
                conditions.push(clause(
                    format!(
                        "the evidence cannot be verified on this machine: its full record {full} is absent, so \
                         its logs were not checked; run `{} baseline` here, or compare {} with the attested CI \
                         artifact (docs/evidence.md)",
                        facts.bin_name,
                        crate::evidence::LATEST
                    ),
                    &[run_ref.clone(), crate::evidence::LATEST.to_string()],
                ));
            }
            if run.interrupted {
                blockers.push(clause("the baseline run was interrupted", std::slice::from_ref(&run_ref)));
            }
            for gate in &program.gates {
                let ev = [run_ref.clone(), format!("gate {}", gate.id)];
                // A conditional gate is required only when the run took it.
                if gate.when.is_some() && run.gate(&gate.id).is_none() {
                    continue;
                }
                match run.gate(&gate.id).filter(|g| g.command == gate.run) {
                    None => blockers.push(clause(
                        format!(
                            "gate `{}` has no evidence in the latest run: a required check could not run",
                            gate.id
                        ),
                        &ev,
                    )),
                    Some(g) if crate::integrity::passed(g) => {}
                    Some(g) if !crate::integrity::consistent(g) => blockers.push(clause(
                        format!(
                            "gate `{}` is {}: its record contradicts itself ({})",
                            gate.id,
                            crate::integrity::inconsistent_label(g).unwrap_or_default(),
                            crate::integrity::gate_faults(g).join("; ")
                        ),
                        &ev,
                    )),
                    Some(g) if g.outcome == Outcome::Flaky => {
                        conditions.push(flaky(program, g, &ev, &mut new_debt, facts.bin_name))
                    }
                    Some(g)
                        if matches!(
                            g.outcome,
                            Outcome::NotRun | Outcome::SpawnFailed | Outcome::Interrupted
                        ) =>
                    {
                        blockers
                            .push(clause(format!("gate `{}` could not run ({})", gate.id, g.outcome), &ev))
                    }
                    Some(g) => {
                        let open = program.open_known_failure(g.known_failure.as_ref());
                        match open {
                            Some(d) => conditions.push(clause(
                                format!(
                                    "gate `{}` fails ({}) as known failure {} (open): {}",
                                    gate.id, g.outcome, d.id, d.description
                                ),
                                &[ev[0].clone(), ev[1].clone(), format!("debt {}", d.id)],
                            )),
                            None => blockers.push(clause(
                                format!(
                                    "gate `{}` failed: {} ({}), with no known failure on open debt",
                                    gate.id, g.outcome, g.reason
                                ),
                                &ev,
                            )),
                        }
                    }
                }
            }
            let passed = run.gates.iter().filter(|g| crate::integrity::passed(g)).count();
            let flaky = match run
                .gates
                .iter()
                .filter(|g| crate::integrity::succeeded(g) && !g.outcome.passed())
                .count()
            {
                0 => String::new(),
                n => format!(" and {n} FLAKY"),
            };
            justification.push(clause(
                format!("baseline: {passed}/{} gates PASS{flaky} in the latest run", run.gates.len()),
                std::slice::from_ref(&run_ref),
            ));

            match &run.git {
                None => blockers.push(clause(
                    "the evidence records no git state, so it cannot be tied to a commit",
                    std::slice::from_ref(&run_ref),
                )),
                Some(git) if git.dirty => blockers.push(clause(
                    "stale evidence: the run was recorded on a dirty tree",
                    &[run_ref.clone(), format!("commit {}", short(&git.head))],
                )),
                Some(git) => match (&facts.head, &facts.changed_since_run) {
                    // The same words whether HEAD is the run's commit or only docs and
                    // closeout's own output changed since: committing a verdict changes
                    // HEAD, and recomputing it on the same evidence must change nothing.
                    (Some(head), _) if *head == git.head => justification.push(clause(
                        format!("the evidence was recorded at {}; no code changed since", short(head)),
                        &[run_ref.clone(), format!("commit {}", short(head))],
                    )),
                    (_, Some(changed)) if !changed.is_empty() => {
                        let shown: Vec<&str> = changed.iter().take(5).map(String::as_str).collect();
                        blockers.push(clause(
                            format!(
                                "stale evidence: recorded at {} and {} non-doc file(s) changed since ({}{})",
                                short(&git.head),
                                changed.len(),
                                shown.join(", "),
                                if changed.len() > 5 { ", …" } else { "" }
                            ),
                            &[run_ref.clone(), format!("commit {}", short(&git.head))],
                        ))
                    }
                    (_, Some(_)) => justification.push(clause(
                        format!("the evidence was recorded at {}; no code changed since", short(&git.head)),
                        &[run_ref.clone(), format!("commit {}", short(&git.head))],
                    )),
                    (_, None) => blockers.push(clause(
                        format!(
                            "stale evidence: recorded at {}, and what changed since cannot be told",
                            short(&git.head)
                        ),
                        std::slice::from_ref(&run_ref),
                    )),
                },
            }
        }
    }

    // A DONE packet whose required gate failed (other than as a known failure on open
    // debt) is named with the gate.
    if let Some(run) = facts.latest {
        for p in program.packets.iter().filter(|p| p.status == PacketStatus::Done) {
            for test in &p.tests {
                let crate::model::TestRef::Gate(id) = test else { continue };
                let Some(g) = run.gate(id) else { continue };
                let known_open = program.open_known_failure(g.known_failure.as_ref()).is_some();
                // A FLAKY gate passed on a retry: a condition of its own, not a blocker.
                let excused = known_open && crate::integrity::consistent(g);
                if !crate::integrity::succeeded(g) && !excused {
                    blockers.push(clause(
                        format!(
                            "packet {} is DONE but its required gate `{id}` {} in the latest run",
                            p.id,
                            crate::integrity::inconsistent_label(g).unwrap_or_else(|| g.outcome.to_string())
                        ),
                        &[format!("packet {}", p.id), format!("gate {id}"), format!("run {}", run.run_id)],
                    ));
                }
            }
        }
    }

    let mut done = Vec::new();
    for p in &program.packets {
        if p.status == PacketStatus::Done && p.review == ReviewState::Approved {
            done.push(p.id.clone());
        } else {
            blockers.push(clause(
                format!("packet {} is {} / {}, not DONE / APPROVED", p.id, p.status, p.review),
                &[format!("packet {}", p.id)],
            ));
        }
    }
    if !done.is_empty() {
        justification.push(clause(
            format!("{}/{} packets DONE and APPROVED", done.len(), program.packets.len()),
            &done.iter().map(|p| format!("packet {p}")).collect::<Vec<_>>(),
        ));
    }

    match &facts.docs_drift {
        Ok(drift) if drift.is_empty() && program.docs.is_empty() => justification.push(clause(
            "no docs are tracked ([program] docs is empty): the verdict rests on the evidence alone",
            &[],
        )),
        Err(why) => blockers.push(clause(format!("the docs could not be checked: {why}"), &[])),
        Ok(drift) if !drift.is_empty() => {
            blockers.push(clause(format!("the docs are out of sync: {}", drift.join(", ")), drift))
        }
        Ok(_) => justification.push(clause(
            "every generated region of the docs is in sync with closeout.toml",
            &program.docs.iter().map(|d| d.display().to_string()).collect::<Vec<_>>(),
        )),
    }

    for d in program.debts.iter().filter(|d| d.is_release_blocker()) {
        if conditions.iter().any(|c| c.evidence.contains(&format!("debt {}", d.id))) {
            continue;
        }
        conditions.push(clause(
            format!("{}: open pre-release blocker: {}", d.id, d.description),
            &[format!("debt {}", d.id)],
        ));
    }
    for (gate, why) in &facts.regressions {
        conditions
            .push(clause(format!("gate `{gate}` performance regression: {why}"), &[format!("gate {gate}")]));
    }
    // Items a condition already names (a known failure) are not "other" items.
    let named = |id: &str| conditions.iter().any(|c| c.evidence.iter().any(|e| e == &format!("debt {id}")));
    let open: Vec<&str> = program
        .debts
        .iter()
        .filter(|d| d.status == DebtStatus::Open && !d.is_release_blocker() && !named(&d.id))
        .map(|d| d.id.as_str())
        .collect();
    if !open.is_empty() {
        let any_named = program.debts.iter().any(|d| named(&d.id));
        let evidence: Vec<String> = open.iter().map(|id| format!("debt {id}")).collect();
        justification.push(clause(accepted_debt(&open, any_named), &evidence));
    }

    let level = if !blockers.is_empty() {
        Level::NoGo
    } else if !conditions.is_empty() {
        Level::GoWithConditions
    } else {
        Level::Go
    };
    Verdict {
        schema: SCHEMA_VERSION,
        level,
        run_id: facts.latest.map(|r| r.run_id.clone()),
        // The commit the evidence was recorded at, not HEAD: the verdict is about that run.
        head: facts
            .latest
            .and_then(|r| r.git.as_ref())
            .map(|g| g.head.clone())
            .or_else(|| facts.head.clone()),
        blockers,
        conditions,
        justification,
        program: fingerprint(program),
    }
}

/// The condition a `FLAKY` gate sets: tracked by its open known failure, or the exact
/// `ledger add` command that opens a debt item for it (with the next free id from
/// `new_debt`), to be named as the gate's `known_failure`.
fn flaky(
    program: &Program,
    g: &crate::evidence::GateRecord,
    ev: &[String],
    new_debt: &mut impl Iterator<Item = String>,
    bin_name: &str,
) -> Clause {
    // closeout.toml as it is now decides: the `known_failure` the condition asked for may
    // have been set since the run that recorded the gate.
    let declared = program.gates.iter().find(|p| p.id == g.id).and_then(|p| p.known_failure.as_ref());
    if let Some(d) = program.open_known_failure(declared.or(g.known_failure.as_ref())) {
        return clause(
            format!("gate `{}` is FLAKY ({}), tracked as {} (open): {}", g.id, g.reason, d.id, d.description),
            &[ev[0].clone(), ev[1].clone(), format!("debt {}", d.id)],
        );
    }
    let id = new_debt.next().expect("an endless supply of ids");
    let run = ev[0].strip_prefix("run ").unwrap_or(&ev[0]);
    let description = format!("Flaky gate {}: failed, then passed on a retry in run {run}", g.id);
    let command = format!(
        "{bin_name} ledger add --id {id} --description {} --severity MEDIUM --owner OWNER --milestone Pre-release --source {}",
        shell_word(&description),
        shell_word(&format!("run {run}"))
    );
    clause(
        format!(
            "gate `{}` is FLAKY ({}); open it in the ledger with `{command}` (OWNER: who fixes it), then set `known_failure = \"{id}\"` on the gate",
            g.id, g.reason
        ),
        ev,
    )
}

/// Debt ids not yet in the program, in order: after the highest `PREFIX-NNN` (its prefix
/// and width), else from `DL-001`.
fn next_debt_ids(program: &Program) -> impl Iterator<Item = String> {
    let numbered = program.debts.iter().filter_map(|d| {
        let (prefix, digits) = d.id.rsplit_once('-')?;
        let n: u64 = digits.parse().ok().filter(|_| digits.bytes().all(|b| b.is_ascii_digit()))?;
        Some((n, prefix.to_string(), digits.len()))
    });
    let (last, prefix, width) = numbered.max().unwrap_or((0, "DL".into(), 3));
    let taken: std::collections::HashSet<String> = program.debts.iter().map(|d| d.id.clone()).collect();
    (last + 1..).map(move |n| format!("{prefix}-{n:0width$}")).filter(move |id| !taken.contains(id))
}

/// `s` as one POSIX shell word: bare when it is plain, else in single quotes.
fn shell_word(s: &str) -> String {
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_./:=@%+,".contains(&b)) {
        return s.to_string();
    }
    format!("'{}'", s.replace('\'', "'\\''"))
}

fn short(rev: &str) -> &str {
    &rev[..rev.len().min(12)]
}

/// The ids of the debt items a verdict's conditions name, sorted.
pub fn condition_debts(v: &Verdict) -> Vec<String> {
    let mut ids: Vec<String> = v
        .conditions
        .iter()
        .flat_map(|c| c.evidence.iter())
        .filter_map(|e| e.strip_prefix("debt ").map(String::from))
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

/// `2 other open debt items (DL-1, DL-2) are accepted with owners and milestones`: "other"
/// only when a condition already named a debt item, singular or plural by count.
fn accepted_debt(ids: &[&str], others_named: bool) -> String {
    let other = if others_named { "other " } else { "" };
    let list = ids.join(", ");
    match ids.len() {
        1 => format!("1 {other}open debt item ({list}) is accepted with its owner and milestone"),
        n => format!("{n} {other}open debt items ({list}) are accepted with owners and milestones"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::{fixtures, GitState};
    use std::path::Path;

    fn program(debt_status: &str) -> Program {
        let text = format!(
            "[program]\nname = \"p\"\n[[gate]]\nid = \"build\"\nrun = \"make\"\n[[gate]]\nid = \"mon\"\nrun = \"make mon\"\nknown_failure = \"DL-9\"\n\
             [[packet]]\nid = \"00\"\ntitle = \"T\"\nstatus = \"DONE\"\nreview = \"APPROVED\"\ntests = [\"build\"]\n\
             [[debt]]\nid = \"DL-9\"\ndescription = \"monitoring\"\nmilestone = \"Pre-release\"\n{debt_status}\n"
        );
        crate::config::parse(&text, Path::new("c.toml"), Path::new("/r"), &|_| true).unwrap()
    }

    fn run(mon: Outcome, dirty: bool) -> RunRecord {
        let gate = |id: &str, cmd: &str, outcome: Outcome| {
            let mut g = fixtures::gate(id, cmd, outcome, Some(if outcome == Outcome::Pass { 0 } else { 2 }));
            g.duration_ms = 1;
            g.known_failure = (id == "mon").then(|| "DL-9".to_string());
            g
        };
        let mut run = fixtures::run(vec![gate("build", "make", Outcome::Pass), gate("mon", "make mon", mon)]);
        run.git = Some(GitState { head: "abc".into(), dirty });
        run
    }

    /// The facts of clean evidence: `latest` recorded at HEAD `abc`, nothing changed since,
    /// docs in sync, no regression, evidence that verifies with its full record here.
    fn facts<'a>(program: &'a Program, latest: Option<&'a RunRecord>) -> Facts<'a> {
        Facts {
            program,
            latest,
            head: Some("abc".into()),
            changed_since_run: Some(vec![]),
            docs_drift: Ok(vec![]),
            regressions: vec![],
            evidence_problems: vec![],
            unverifiable: None,
            bin_name: "closeout",
        }
    }

    fn verdict(
        program: &Program,
        run: Option<&RunRecord>,
        head: &str,
        changed: Option<Vec<String>>,
    ) -> Verdict {
        compute(&Facts { head: Some(head.into()), changed_since_run: changed, ..facts(program, run) })
    }

    #[test]
    fn every_evidence_entry_the_verdict_writes_reads_as_a_reference() {
        let open = program("");
        let failed = run(Outcome::Fail, true);
        let v = compute(&Facts {
            head: Some("def".into()),
            changed_since_run: Some(vec!["src/a.rs".into()]),
            docs_drift: Ok(vec![region_ref("docs/plan.md", 3, "ledger")]),
            regressions: vec![("build".into(), "+50%".into())],
            evidence_problems: vec!["a problem".into()],
            ..facts(&open, Some(&failed))
        });
        let all: Vec<Reference> = v
            .blockers
            .iter()
            .chain(&v.conditions)
            .chain(&v.justification)
            .flat_map(Clause::references)
            .collect();
        for kind in ["run", "gate", "debt", "commit", "region", "file"] {
            let found = all.iter().any(|r| match r {
                Reference::Run(id) => kind == "run" && *id == "run-1",
                Reference::Gate(id) => kind == "gate" && ["build", "mon"].contains(id),
                Reference::Debt(id) => kind == "debt" && *id == "DL-9",
                Reference::Commit(c) => kind == "commit" && *c == "abc",
                Reference::Region { doc, line, name } => {
                    kind == "region" && (*doc, *line, *name) == ("docs/plan.md", 3, "ledger")
                }
                Reference::File(f) => kind == "file" && *f == crate::evidence::LATEST,
                Reference::Packet(_) => false,
            });
            assert!(found, "no {kind} reference in {all:?}");
        }
        let mut unfinished = open.clone();
        unfinished.packets[0].review = ReviewState::Pending;
        let v = verdict(&unfinished, None, "abc", None);
        assert!(v.blockers.iter().flat_map(Clause::references).any(|r| r == Reference::Packet("00")));
        assert_eq!(Reference::parse("a:b `c`"), Reference::File("a:b `c`"), "a line is a number");
    }

    #[test]
    fn levels() {
        let open = program("");
        let failing = run(Outcome::BuildFailed, false);
        let v = verdict(&open, Some(&failing), "abc", Some(vec![]));
        assert_eq!(v.level, Level::GoWithConditions);
        assert_eq!(condition_debts(&v), ["DL-9"]);

        let resolved = program("status = \"resolved\"\nresolution = \"fixed\"");
        assert_eq!(verdict(&resolved, Some(&failing), "abc", Some(vec![])).level, Level::NoGo);
        let passing = run(Outcome::Pass, false);
        let v = verdict(&resolved, Some(&passing), "abc", Some(vec![]));
        assert_eq!((v.level, v.conditions.len()), (Level::Go, 0));
        assert!(v.justification.iter().all(|c| !c.text.is_empty()));
        // This program tracks no docs: the verdict says so and rests on the evidence.
        assert!(v.justification.iter().any(|c| c.text.starts_with("no docs are tracked")), "{v:?}");
    }

    #[test]
    fn an_unconfirmed_gate_changes_the_fingerprint() {
        let p = program("");
        let mut unconfirmed = p.clone();
        unconfirmed.gates[0].trusted = false;
        assert_ne!(fingerprint(&p), fingerprint(&unconfirmed));
        assert!(!format!("{:?}", p.gates).replace(", trusted: true", "").contains("trusted"));
        let mut retried = p.clone();
        retried.gates[0].retries = 1;
        assert_ne!(fingerprint(&p), fingerprint(&retried));
        assert!(!format!("{:?}", p.gates).replace(", retries: 0,", ",").contains("retries"));
    }

    /// `build` failed on its first attempt and passed on its second.
    fn flaky_build(run: &mut RunRecord) {
        let mut failed = run.gates[0].clone();
        (failed.outcome, failed.exit_code, failed.reason) = (Outcome::Fail, Some(1), "exit 1".into());
        run.gates[0] = crate::classify::over_attempts(vec![failed, run.gates[0].clone()]);
    }

    #[test]
    fn a_flaky_gate_is_a_condition_naming_the_ledger_command() {
        let resolved = program("status = \"resolved\"\nresolution = \"fixed\"");
        let mut latest = run(Outcome::Pass, false);
        flaky_build(&mut latest);
        let v = compute(&Facts { bin_name: "cargo xtask closeout", ..facts(&resolved, Some(&latest)) });
        assert_eq!(v.level, Level::GoWithConditions, "{v:?}");
        assert!(v.blockers.is_empty(), "packet 00 requires the FLAKY gate, and is no blocker: {v:?}");
        assert_eq!(v.conditions.len(), 1, "{v:?}");
        assert_eq!(
            v.conditions[0].text,
            "gate `build` is FLAKY (exit 0 on attempt 2 of 2, after attempt 1: FAIL (exit 1)); open it in the ledger with \
             `cargo xtask closeout ledger add --id DL-10 --description 'Flaky gate build: failed, then passed on a retry in run run-1' \
             --severity MEDIUM --owner OWNER --milestone Pre-release --source 'run run-1'` (OWNER: who fixes it), \
             then set `known_failure = \"DL-10\"` on the gate"
        );
        assert_eq!(v.conditions[0].evidence, vec!["run run-1".to_string(), "gate build".into()]);
        assert_eq!(v.justification[0].text, "baseline: 1/2 gates PASS and 1 FLAKY in the latest run");
    }

    #[test]
    fn a_flaky_gate_tracked_by_an_open_known_failure_names_it() {
        let open = program("");
        let mut latest = run(Outcome::Pass, false);
        latest.gates.swap(0, 1);
        flaky_build(&mut latest);
        assert_eq!(latest.gates[0].id, "mon");
        let v = verdict(&open, Some(&latest), "abc", Some(vec![]));
        assert_eq!(v.level, Level::GoWithConditions);
        assert!(v.conditions[0].text.starts_with("gate `mon` is FLAKY (exit 0 on attempt 2 of 2"), "{v:?}");
        assert!(v.conditions[0].text.ends_with("tracked as DL-9 (open): monitoring"), "{v:?}");
        assert_eq!(v.conditions.len(), 1, "DL-9 is named once: {v:?}");
    }

    #[test]
    fn evidence_without_its_full_record_here_is_a_condition_not_a_clean_go() {
        let resolved = program("status = \"resolved\"\nresolution = \"fixed\"");
        let latest = run(Outcome::Pass, false);
        let facts = |unverifiable: Option<String>, evidence_problems: Vec<String>| Facts {
            evidence_problems,
            unverifiable,
            ..facts(&resolved, Some(&latest))
        };
        assert_eq!(compute(&facts(None, vec![])).level, Level::Go);
        let v = compute(&facts(Some("target/closeout/runs/run-1/run.json".into()), vec![]));
        assert_eq!(v.level, Level::GoWithConditions, "{v:?}");
        assert!(
            v.conditions[0].text.starts_with(
                "the evidence cannot be verified on this machine: its full record target/closeout/runs/run-1/run.json is absent"
            ),
            "{v:?}"
        );
        // Evidence that does not verify is already NO-GO; the condition adds nothing then.
        let v = compute(&facts(Some("x".into()), vec!["a problem".into()]));
        assert_eq!(v.level, Level::NoGo);
        assert!(v.conditions.iter().all(|c| !c.text.contains("cannot be verified")), "{v:?}");
    }

    #[test]
    fn a_known_failure_set_after_the_run_tracks_the_flaky_gate() {
        // `mon` declares DL-9 in closeout.toml; the run recorded it before that was set.
        let open = program("");
        let mut latest = run(Outcome::Pass, false);
        latest.gates.swap(0, 1);
        flaky_build(&mut latest);
        latest.gates[0].known_failure = None;
        let v = verdict(&open, Some(&latest), "abc", Some(vec![]));
        assert!(v.conditions[0].text.ends_with("tracked as DL-9 (open): monitoring"), "{v:?}");
        assert!(!v.conditions[0].text.contains("ledger add"), "{v:?}");
    }

    #[test]
    fn new_debt_ids_follow_the_highest_and_commands_are_shell_words() {
        let ids = |debts: &[&str]| {
            let mut text = String::from("[program]\nname = \"p\"\n");
            for id in debts {
                text.push_str(&format!("[[debt]]\nid = \"{id}\"\ndescription = \"d\"\n"));
            }
            let p = crate::config::parse(&text, Path::new("c.toml"), Path::new("/r"), &|_| true).unwrap();
            next_debt_ids(&p).take(2).collect::<Vec<_>>()
        };
        assert_eq!(ids(&[]), ["DL-001", "DL-002"]);
        assert_eq!(ids(&["DL-009", "DL-002", "TD-7"]), ["DL-010", "DL-011"]);
        assert_eq!(ids(&["R-99", "R-100x"]), ["R-100", "R-101"]);
        assert_eq!(shell_word("run-1"), "run-1");
        assert_eq!(shell_word("it's `x`"), "'it'\\''s `x`'");
    }

    #[test]
    fn evidence_that_does_not_verify_is_no_go() {
        let resolved = program("status = \"resolved\"\nresolution = \"fixed\"");
        let passing = run(Outcome::Pass, false);
        let v = compute(&Facts {
            evidence_problems: vec!["gate `build`: is PASS with exit code 1".into()],
            ..facts(&resolved, Some(&passing))
        });
        assert_eq!(v.level, Level::NoGo);
        assert!(v.blockers[0].text.contains("does not verify: gate `build`"), "{:?}", v.blockers);
    }

    #[test]
    fn a_known_failure_named_in_a_condition_is_not_counted_again_as_other_debt() {
        let mut later = program("");
        later.debts[0].milestone = Some("Next".into());
        let v = verdict(&later, Some(&run(Outcome::Fail, false)), "abc", Some(vec![]));
        assert_eq!(condition_debts(&v), ["DL-9"]);
        assert!(v.justification.iter().all(|c| !c.text.contains("other open debt")), "{v:#?}");
        let v = verdict(&later, Some(&run(Outcome::Pass, false)), "abc", Some(vec![]));
        // DL-9 is the only item: nothing else was named, so it is not "other".
        let accepted = v
            .justification
            .iter()
            .find(|c| c.text == "1 open debt item (DL-9) is accepted with its owner and milestone");
        assert_eq!(accepted.map(|c| c.references()), Some(vec![Reference::Debt("DL-9")]), "{v:#?}");
    }

    #[test]
    fn accepted_debt_is_worded_by_count() {
        assert_eq!(
            accepted_debt(&["DL-1"], false),
            "1 open debt item (DL-1) is accepted with its owner and milestone"
        );
        assert_eq!(
            accepted_debt(&["DL-1", "DL-2"], true),
            "2 other open debt items (DL-1, DL-2) are accepted with owners and milestones"
        );
    }

    #[test]
    fn missing_dirty_or_stale_evidence_is_no_go() {
        let resolved = program("status = \"resolved\"\nresolution = \"fixed\"");
        assert_eq!(verdict(&resolved, None, "abc", None).level, Level::NoGo);
        let dirty = run(Outcome::Pass, true);
        assert_eq!(verdict(&resolved, Some(&dirty), "abc", Some(vec![])).level, Level::NoGo);
        let clean = run(Outcome::Pass, false);
        let stale = verdict(&resolved, Some(&clean), "def", Some(vec!["src/a.rs".into()]));
        assert_eq!(stale.level, Level::NoGo);
        assert!(
            stale.blockers[0].text.starts_with("stale evidence: recorded at abc"),
            "{:?}",
            stale.blockers
        );
        assert_eq!(
            verdict(&resolved, Some(&clean), "def", Some(vec![])).level,
            Level::Go,
            "only docs changed"
        );
        assert_eq!(
            verdict(&resolved, Some(&clean), "def", None).level,
            Level::NoGo,
            "cannot tell what changed"
        );
    }

    #[test]
    fn out_of_sync_docs_and_unfinished_packets_are_no_go() {
        let resolved = program("status = \"resolved\"\nresolution = \"fixed\"");
        let clean = run(Outcome::Pass, false);
        let v = compute(&Facts {
            docs_drift: Ok(vec!["plan.md:3 `ledger`".into()]),
            regressions: vec![("build".into(), "+50%".into())],
            ..facts(&resolved, Some(&clean))
        });
        assert_eq!(v.level, Level::NoGo);
        assert!(v.conditions.iter().any(|c| c.text.contains("performance regression")));
        let mut unfinished = resolved.clone();
        unfinished.packets[0].review = ReviewState::Pending;
        assert_eq!(verdict(&unfinished, Some(&clean), "abc", Some(vec![])).level, Level::NoGo);
    }
}
