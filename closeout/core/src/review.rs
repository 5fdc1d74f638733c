//! A packet's review, as data: the gate checklist (P0 evidence, P1 the reviewer's
//! judgement, P2 the docs) and the verdict, computed from the packet's test run, the
//! files it changed and the state of the docs. Pure. "No APPROVED without explicit exit
//! codes, changed-file verification and gate outcomes."

use crate::evidence::{Outcome, RunRecord};
use crate::model::{Judgement, Packet, Program, ReviewState, TestRef};
use crate::vocab::Vocab;

pub const SCHEMA_VERSION: u32 = 1;

/// One file the packet changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangedFile {
    pub path: String,
    pub in_scope: bool,
    /// From the packet's `files` in closeout.toml; `None` shows as `<reason missing>`.
    pub reason: Option<String>,
}
crate::json::json_object!(ChangedFile { path: required, in_scope: required, reason: required });

/// A gate of the checklist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gate {
    /// `PASS`, `FAIL`, `N/A` or `PENDING`.
    pub result: String,
    pub reasons: Vec<String>,
}
crate::json::json_object!(Gate { result: required, reasons: required });

impl Gate {
    fn from(reasons: Vec<String>, pass_reason: &str) -> Gate {
        if reasons.is_empty() {
            Gate { result: "PASS".into(), reasons: vec![pass_reason.into()] }
        } else {
            Gate { result: "FAIL".into(), reasons }
        }
    }

    pub fn passed(&self) -> bool {
        self.result == "PASS" || self.result == "N/A"
    }
}

/// `.closeout/packets/<id>.json`: one packet's latest review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PacketReview {
    pub schema: u32,
    pub packet: String,
    /// The revision the changed files were taken from, and HEAD when reviewed.
    pub base: String,
    pub head: Option<String>,
    pub changed: Vec<ChangedFile>,
    pub p0: Gate,
    pub p1: Gate,
    pub p2: Gate,
    pub verdict: ReviewState,
    pub run: RunRecord,
}
crate::json::json_object!(PacketReview {
    schema: required,
    packet: required,
    base: required,
    head: required,
    changed: required,
    p0: required,
    p1: required,
    p2: required,
    verdict: required,
    run: required,
});

/// Whether a `files` entry names `path`: the same path, or a glob (`closeout/src/**`)
/// that matches it.
pub fn file_matches(entry: &str, path: &str) -> bool {
    if entry == path {
        return true;
    }
    entry.contains(['*', '?', '[', '{']) && crate::glob::Glob::new(entry).is_ok_and(|g| g.is_match(path))
}

/// The command a required test runs.
pub fn command_of(test: &TestRef, program: &Program) -> String {
    match test {
        TestRef::Gate(id) => program.gate(id).map_or(id.clone(), |g| g.run.clone()),
        TestRef::Command(c) => c.clone(),
    }
}

/// What a review is computed from, besides the packet and the program.
pub struct Inputs<'a> {
    /// The run of the packet's required tests.
    pub run: RunRecord,
    /// The revision changed files are taken from, and HEAD.
    pub base: String,
    pub head: Option<String>,
    pub changed: &'a [String],
    /// Whether a path matches the packet's scope.
    pub in_scope: &'a dyn Fn(&str) -> bool,
    /// Regions out of sync, other than the packet's own review block.
    pub docs_drift: &'a [String],
    /// The packet's open checklist boxes as `FILE:LINE: - [ ] text`: what the
    /// `done-open-box` rule would find once the packet is DONE.
    pub open_boxes: &'a [String],
}

/// Compute the review.
pub fn review(packet: &Packet, program: &Program, inputs: Inputs) -> PacketReview {
    let Inputs { run, base, head, changed, in_scope, docs_drift, open_boxes } = inputs;
    let changed: Vec<ChangedFile> = changed
        .iter()
        .map(|path| ChangedFile {
            path: path.clone(),
            in_scope: in_scope(path),
            reason: packet.files.iter().find(|f| file_matches(&f.path, path)).and_then(|f| f.reason.clone()),
        })
        .collect();

    let mut p0 = Vec::new();
    let mut could_not_run = false;
    for test in &packet.tests {
        let command = command_of(test, program);
        match run.gates.iter().find(|g| g.command == command) {
            None => {
                could_not_run = true;
                p0.push(format!("`{command}` was not run"));
            }
            // A FLAKY gate passed on a retry: the verdict makes it a condition, not P0.
            Some(g) if crate::integrity::succeeded(g) => {}
            Some(g) => {
                let known = program.open_known_failure(g.known_failure.as_ref());
                if let Some(label) = crate::integrity::inconsistent_label(g) {
                    p0.push(format!("`{command}` {label}: its record contradicts itself"));
                } else if known.is_none() {
                    let exit = g.exit_code.map_or("no exit code".into(), |c| format!("exit {c}"));
                    p0.push(format!("`{command}` {} ({exit})", g.outcome));
                }
                if matches!(g.outcome, Outcome::SpawnFailed | Outcome::NotRun | Outcome::Interrupted) {
                    could_not_run = true;
                }
            }
        }
    }
    if packet.tests.is_empty() {
        p0.push("the packet has no required tests".into());
    }
    for f in changed.iter().filter(|f| !f.in_scope) {
        p0.push(format!("`{}` is outside the packet's scope", f.path));
    }
    let p0 = Gate::from(
        p0,
        "every required test passed with an explicit exit code; every changed file is in scope",
    );

    let p1 = match packet.p1 {
        Some(j) => Gate {
            result: j.as_str().into(),
            reasons: vec![packet.p1_reason.clone().unwrap_or_else(|| "no reason recorded".into())],
        },
        None => Gate {
            result: "PENDING".into(),
            reasons: vec!["the reviewer has not recorded p1 in closeout.toml".into()],
        },
    };

    let mut p2: Vec<String> = changed
        .iter()
        .filter(|f| f.reason.is_none())
        .map(|f| format!("`{}` has no reason", f.path))
        .collect();
    p2.extend(docs_drift.iter().map(|r| format!("region {r} is out of sync")));
    p2.extend(open_boxes.iter().cloned());
    let p2 = Gate::from(p2, "docs in sync; every changed file has a reason");

    let p1_ok = matches!(packet.p1, Some(Judgement::Pass | Judgement::NotApplicable));
    let verdict = if could_not_run {
        ReviewState::Blocked
    } else if p0.passed() && p2.passed() && p1_ok {
        ReviewState::Approved
    } else {
        ReviewState::ChangesRequested
    };
    PacketReview {
        schema: SCHEMA_VERSION,
        packet: packet.id.clone(),
        base,
        head,
        changed,
        p0,
        p1,
        p2,
        verdict,
        run,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::fixtures;
    use std::path::Path;

    fn program(extra: &str) -> Program {
        let text = format!(
            "[program]\nname = \"p\"\n[[gate]]\nid = \"build\"\nrun = \"make\"\nknown_failure = \"DL-1\"\n\
             [[packet]]\nid = \"00\"\ntitle = \"T\"\ntests = [\"build\", \"make test\"]\nscope = [\"src/**\"]\n\
             files = [{{ path = \"src/**\", reason = \"the code\" }}]\n{extra}\n[[debt]]\nid = \"DL-1\"\ndescription = \"d\"\n"
        );
        crate::config::parse(&text, Path::new("closeout.toml"), Path::new("/r"), &|_| true).unwrap()
    }

    fn run(outcomes: &[(&str, Outcome, Option<i32>)]) -> RunRecord {
        fixtures::run(
            outcomes
                .iter()
                .map(|(command, outcome, exit)| {
                    let mut g = fixtures::gate(command, command, *outcome, *exit);
                    g.known_failure = (*command == "make").then(|| "DL-1".to_string());
                    g
                })
                .collect(),
        )
    }

    fn verdict(p1: &str, outcomes: &[(&str, Outcome, Option<i32>)], changed: &[&str]) -> PacketReview {
        let program = program(p1);
        let changed: Vec<String> = changed.iter().map(|s| s.to_string()).collect();
        let in_scope = |p: &str| p.starts_with("src/");
        let inputs = Inputs {
            run: run(outcomes),
            base: "b".into(),
            head: None,
            changed: &changed,
            in_scope: &in_scope,
            docs_drift: &[],
            open_boxes: &[],
        };
        review(&program.packets[0], &program, inputs)
    }

    #[test]
    fn approved_only_with_evidence_scope_reasons_and_p1() {
        let ok = [("make", Outcome::Pass, Some(0)), ("make test", Outcome::Pass, Some(0))];
        assert_eq!(verdict("p1 = \"PASS\"", &ok, &["src/a.rs"]).verdict, ReviewState::Approved);
        assert_eq!(verdict("p1 = \"N/A\"", &ok, &[]).verdict, ReviewState::Approved);
        // No P1 recorded: never invented, so not approved.
        let r = verdict("", &ok, &["src/a.rs"]);
        assert_eq!((r.verdict, r.p1.result.as_str()), (ReviewState::ChangesRequested, "PENDING"));
        // A file outside scope fails P0; a file without a reason fails P2.
        let r = verdict("p1 = \"PASS\"", &ok, &["docs/x.md"]);
        assert_eq!(r.verdict, ReviewState::ChangesRequested);
        assert_eq!(r.p0.reasons, ["`docs/x.md` is outside the packet's scope"]);
        assert_eq!(r.p2.reasons, ["`docs/x.md` has no reason"]);
    }

    #[test]
    fn known_failures_on_open_debt_pass_p0_and_missing_runs_block() {
        let known = [("make", Outcome::Fail, Some(2)), ("make test", Outcome::Pass, Some(0))];
        assert!(verdict("p1 = \"PASS\"", &known, &[]).p0.passed());
        let failing = [("make", Outcome::Pass, Some(0)), ("make test", Outcome::Fail, Some(1))];
        let r = verdict("p1 = \"PASS\"", &failing, &[]);
        assert_eq!(r.p0.reasons, ["`make test` FAIL (exit 1)"]);
        assert_eq!(r.verdict, ReviewState::ChangesRequested);
        let spawn = [("make", Outcome::Pass, Some(0)), ("make test", Outcome::SpawnFailed, None)];
        assert_eq!(verdict("p1 = \"PASS\"", &spawn, &[]).verdict, ReviewState::Blocked);
        assert_eq!(
            verdict("p1 = \"PASS\"", &[("make", Outcome::Pass, Some(0))], &[]).verdict,
            ReviewState::Blocked
        );
    }

    #[test]
    fn open_checklist_boxes_keep_a_packet_from_approval() {
        let program = program("p1 = \"PASS\"");
        let ok = [("make", Outcome::Pass, Some(0)), ("make test", Outcome::Pass, Some(0))];
        let in_scope = |_: &str| true;
        let boxes =
            ["docs/progress.md:27: once DONE, packet 00 is DONE but its checklist has an open box"
                .to_string()];
        let inputs = Inputs {
            run: run(&ok),
            base: "b".into(),
            head: None,
            changed: &[],
            in_scope: &in_scope,
            docs_drift: &[],
            open_boxes: &boxes,
        };
        let r = review(&program.packets[0], &program, inputs);
        assert_eq!(r.verdict, ReviewState::ChangesRequested);
        assert_eq!(r.p2.reasons, boxes);
    }
}
