//! Evidence that verifies: the checks `closeout verify-evidence` runs and `verdict` applies
//! before trusting a run record. Pure: the caller reads the files and asks git, and hands
//! over what it found ([`Found`]).
//!
//! What a local check proves, and what it cannot: a record that contradicts itself, a log
//! that does not match its hash, a committed record that differs from the full record it
//! names, and a `git.head` that did not exist yet when the run started are all caught. A
//! forger who edits every field consistently (outcome, exit code, log, hash, timestamps)
//! and has no full record around is not: the JSON carries no secret. In CI the CI run's
//! artifact, attested by the platform (docs/evidence.md), is the authority.

use crate::evidence::{GateRecord, Outcome, RunRecord};

/// The sha256 of zero bytes: the hash of an empty log.
const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// Contradictions inside one gate record, each a sentence naming the field.
pub fn gate_problems(g: &GateRecord) -> Vec<String> {
    let mut problems = Vec::new();
    let mut say = |m: String| problems.push(format!("gate `{}`: {m}", g.id));
    if g.exit_code.is_some() && g.signal.is_some() {
        say(format!(
            "has both exit code {} and signal {}; a process ends one way",
            g.exit_code.unwrap_or_default(),
            g.signal.unwrap_or_default()
        ));
    }
    if let Some(log) = &g.log {
        if log.sha256.len() != 64 || !log.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            if !(g.outcome == Outcome::Interrupted && log.sha256.is_empty()) {
                say(format!("log sha256 `{}` is not a sha256", log.sha256));
            }
        } else if log.bytes == 0 && log.sha256 != EMPTY_SHA256 {
            say("log is 0 bytes but its sha256 is not that of an empty log".into());
        }
    }
    if g.outcome == Outcome::Pass {
        if g.exit_code != Some(0) {
            let how = match (g.exit_code, g.signal) {
                (Some(c), _) => format!("exit code {c}"),
                (None, Some(s)) => format!("signal {s}"),
                (None, None) => "no exit code".to_string(),
            };
            say(format!("is PASS with {how}; only exit code 0 passes"));
        }
        if g.log.is_none() {
            say("is PASS without a log".into());
        }
        if g.started_at.is_none() || g.finished_at.is_none() {
            say("is PASS without start and finish times".into());
        }
        if let Some(c) = &g.counts {
            if c.failed > 0
                || c.errors.is_some_and(|n| n > 0)
                || c.packages_failed.is_some_and(|n| n > 0)
                || c.packages_build_failed.is_some_and(|n| n > 0)
            {
                say(format!("is PASS with failures counted ({})", c.summary()));
            }
        }
        if !g.failing_tests.is_empty() {
            say(format!("is PASS with {} failing test(s) listed", g.failing_tests.len()));
        }
    }
    if g.outcome == Outcome::NotRun && (g.exit_code.is_some() || g.signal.is_some()) {
        say("is NOT_RUN but has an exit code or signal".into());
    }
    problems
}

/// Contradictions inside a run record.
pub fn record_problems(r: &RunRecord) -> Vec<String> {
    let mut problems: Vec<String> = r.gates.iter().flat_map(gate_problems).collect();
    let mut seen = std::collections::HashSet::new();
    for g in &r.gates {
        if !seen.insert(g.id.as_str()) {
            problems.push(format!("gate `{}` appears twice", g.id));
        }
    }
    if r.interrupted && r.passed() && !r.gates.is_empty() {
        problems.push("the run is marked interrupted although every gate passed".into());
    }
    problems
}

/// A log named by a full record, as found on disk.
pub enum LogFound {
    Missing,
    Present { bytes: u64, sha256: String },
}

/// What the caller found beside a compact record.
pub struct Found<'a> {
    /// The full record under `target/closeout/runs/<run_id>/run.json`, when present.
    pub full: Option<&'a RunRecord>,
    /// Each gate's log, by gate id, for the full record's log paths.
    pub logs: &'a [(String, LogFound)],
    /// The unix time (seconds) at which `git.head` was committed, when git knows the commit;
    /// `Some(None)` when git does not know it.
    pub head_committed: Option<Option<i64>>,
    /// Whether `git.head` is an ancestor of (or is) the commit that last changed the
    /// committed record, when the record is committed.
    pub head_before_record: Option<bool>,
}

/// Every reason not to trust `latest`, given what was found around it.
pub fn verify(latest: &RunRecord, found: &Found) -> Vec<String> {
    let mut problems = record_problems(latest);
    if let Some(full) = found.full {
        problems.extend(record_problems(full).into_iter().map(|p| format!("full record: {p}")));
        if full.compact() != *latest {
            problems.push(format!(
                "{} differs from the full record {}/{}/run.json it names ({}); it was edited after the run",
                crate::evidence::LATEST,
                crate::evidence::RUNS_DIR,
                latest.run_id,
                first_difference(&full.compact(), latest)
            ));
        }
        for g in &full.gates {
            let Some(log) = &g.log else { continue };
            if log.path.is_none() || g.outcome == Outcome::Interrupted {
                continue;
            }
            match found.logs.iter().find(|(id, _)| *id == g.id).map(|(_, f)| f) {
                Some(LogFound::Missing) => problems.push(format!(
                    "gate `{}`: its log {} is missing; the record cannot be checked against it",
                    g.id,
                    log.path.as_deref().unwrap_or_default()
                )),
                Some(LogFound::Present { bytes, sha256 }) if *bytes != log.bytes || *sha256 != log.sha256 => {
                    problems.push(format!(
                        "gate `{}`: its log {} does not match the record (sha256 {}…, {} bytes; recorded {}…, {} bytes)",
                        g.id,
                        log.path.as_deref().unwrap_or_default(),
                        &sha256[..sha256.len().min(12)],
                        bytes,
                        &log.sha256[..log.sha256.len().min(12)],
                        log.bytes
                    ))
                }
                _ => {}
            }
        }
    }
    if let Some(git) = &latest.git {
        match found.head_committed {
            Some(None) => problems.push(format!(
                "git.head {} is not a commit of this repository",
                &git.head[..git.head.len().min(12)]
            )),
            Some(Some(committed)) => {
                let started = crate::evidence::parse_timestamp(&latest.started_at);
                match started {
                    None => problems.push(format!("started_at `{}` is not a time", latest.started_at)),
                    Some(s) if s < committed => problems.push(format!(
                        "git.head {} was committed after the run started ({}); the run cannot have run on it",
                        &git.head[..git.head.len().min(12)],
                        latest.started_at
                    )),
                    Some(_) => {}
                }
            }
            None => {}
        }
        if found.head_before_record == Some(false) {
            problems.push(format!(
                "git.head {} is not an ancestor of the commit that recorded {}",
                &git.head[..git.head.len().min(12)],
                crate::evidence::LATEST
            ));
        }
    }
    problems
}

fn first_difference(a: &RunRecord, b: &RunRecord) -> String {
    if a.git != b.git {
        return "git".into();
    }
    for (x, y) in a.gates.iter().zip(&b.gates) {
        if x != y {
            return format!("gate `{}`", y.id);
        }
    }
    if a.gates.len() != b.gates.len() {
        return "the gates".into();
    }
    "run fields".into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::fixtures::{gate, run};
    use crate::evidence::{LogRecord, TestCounts};

    fn passing(id: &str) -> GateRecord {
        let mut g = gate(id, "true", Outcome::Pass, Some(0));
        g.started_at = Some("2026-01-01T00:00:00.000Z".into());
        g.finished_at = Some("2026-01-01T00:00:01.000Z".into());
        g.log = Some(LogRecord { path: None, sha256: "ab".repeat(32), bytes: 3 });
        g
    }

    #[test]
    fn an_honest_pass_has_no_problems() {
        assert!(gate_problems(&passing("a")).is_empty(), "{:?}", gate_problems(&passing("a")));
    }

    #[test]
    fn self_contradictory_passes_are_named() {
        type Edit = Box<dyn Fn(&mut GateRecord)>;
        let cases: Vec<(Edit, &str)> = vec![
            (Box::new(|g| g.exit_code = Some(1)), "is PASS with exit code 1"),
            (
                Box::new(|g| {
                    g.exit_code = None;
                    g.signal = Some(9)
                }),
                "is PASS with signal 9",
            ),
            (Box::new(|g| g.signal = Some(9)), "has both exit code 0 and signal 9"),
            (Box::new(|g| g.log = None), "is PASS without a log"),
            (Box::new(|g| g.failing_tests = vec!["t".into()]), "1 failing test(s)"),
            (
                Box::new(|g| g.counts = Some(TestCounts { passed: 1, failed: 2, ..Default::default() })),
                "failures counted (1 passed, 2 failed)",
            ),
            (Box::new(|g| g.log.as_mut().unwrap().sha256 = "x".into()), "is not a sha256"),
        ];
        for (edit, expected) in cases {
            let mut g = passing("a");
            edit(&mut g);
            let problems = gate_problems(&g).join("; ");
            assert!(problems.contains(expected), "{expected}: {problems}");
        }
    }

    #[test]
    fn edited_compact_records_and_bad_logs_are_caught() {
        let full = run(vec![passing("a")]);
        let mut latest = full.compact();
        let found = Found { full: Some(&full), logs: &[], head_committed: None, head_before_record: None };
        assert!(verify(&latest, &found).is_empty());
        latest.gates[0].reason = "edited".into();
        assert!(verify(&latest, &found)[0].contains("differs from the full record"));

        let mut with_path = passing("a");
        with_path.log.as_mut().unwrap().path = Some("target/closeout/runs/x/000-a.log".into());
        let full = run(vec![with_path]);
        let latest = full.compact();
        for (found_log, expected) in [
            (LogFound::Missing, "is missing"),
            (LogFound::Present { bytes: 3, sha256: "cd".repeat(32) }, "does not match the record"),
        ] {
            let logs = [("a".to_string(), found_log)];
            let found =
                Found { full: Some(&full), logs: &logs, head_committed: None, head_before_record: None };
            let problems = verify(&latest, &found).join("; ");
            assert!(problems.contains(expected), "{problems}");
        }
    }

    #[test]
    fn a_head_committed_after_the_run_started_is_caught() {
        let mut r = run(vec![passing("a")]);
        r.started_at = "2026-01-01T00:00:10.000Z".into();
        r.git = Some(crate::evidence::GitState { head: "abc".repeat(13) + "a", dirty: false });
        let at = |secs: i64, before: Option<bool>| {
            verify(
                &r,
                &Found {
                    full: None,
                    logs: &[],
                    head_committed: Some(Some(secs)),
                    head_before_record: before,
                },
            )
        };
        let t0 = 1_767_225_610; // 2026-01-01T00:00:10Z
        assert!(at(t0, Some(true)).is_empty());
        assert!(at(t0 + 1, None)[0].contains("was committed after the run started"));
        assert!(at(t0, Some(false))[0].contains("is not an ancestor"));
        let unknown = verify(
            &r,
            &Found { full: None, logs: &[], head_committed: Some(None), head_before_record: None },
        );
        assert!(unknown[0].contains("is not a commit"));
    }
}
