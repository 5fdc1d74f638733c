//! Evidence that verifies: the checks `closeout verify-evidence` runs and `verdict` applies
//! before trusting a run record. Pure: the caller reads the files and asks git, and hands
//! over what it found ([`Found`]).
//!
//! What a local check proves, and what it cannot: a record that contradicts itself or
//! whose times cannot come from one run, a log that does not match its hash, a committed
//! record that differs from the full record it names or from an earlier commit of the
//! same run, and a `git.head` that did not exist yet when the run started are all caught.
//! A forger who edits every field consistently (outcome, exit code, log, hash, timestamps)
//! before the record's first commit, with no full record around, is not: the JSON carries
//! no secret, and `verify-evidence` says so. In CI the CI run's artifact, attested by the
//! platform (docs/evidence.md), is the authority.

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
    problems.extend(timeline_problems(r));
    problems
}

/// Most a gate's `duration_ms` (a monotonic clock) may differ from its `finished_at` minus
/// `started_at` (the wall clock at the same two moments): room for a clock step.
const CLOCK_SLACK_MS: i64 = 2_000;

/// An RFC 3339 UTC time with optional milliseconds (as [`crate::evidence::timestamp`]
/// writes it), in milliseconds since 1970.
fn millis(s: &str) -> Option<i64> {
    let secs = crate::evidence::parse_timestamp(s)?;
    let frac = s.trim().trim_end_matches('Z').split_once('.').map_or("0", |(_, f)| f);
    let ms = format!("{frac:0<3}").get(..3)?.parse::<i64>().ok()?;
    Some(secs * 1_000 + ms)
}

/// Times that cannot come from one run: a run named after another start than its own
/// (`run_id` is the start time, then the pid, or `-merged`), a run or a gate that ends
/// before it starts, a gate outside its run's window, a duration that does not match the
/// gate's start and finish. Records whose times do not parse are left to other checks.
pub fn timeline_problems(r: &RunRecord) -> Vec<String> {
    let mut problems = Vec::new();
    let stamp: String = r.started_at.chars().filter(|c| !matches!(c, '-' | ':')).collect();
    // Only a run_id in closeout's form (`20260101T000000.000Z-PID`) is judged.
    let looks_like_stamp = |n: &str| {
        n.len() == 20
            && n.bytes().enumerate().all(|(i, b)| match i {
                8 => b == b'T',
                15 => b == b'.',
                19 => b == b'Z',
                _ => b.is_ascii_digit(),
            })
    };
    if let Some((named, pid)) = r.run_id.rsplit_once('-') {
        let by_pid = !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit());
        if by_pid && looks_like_stamp(named) && millis(&r.started_at).is_some() && named != stamp {
            problems.push(format!(
                "run_id `{}` does not name the run's start {}; closeout names a run after its start",
                r.run_id, r.started_at
            ));
        }
    }
    let (Some(start), Some(end)) = (millis(&r.started_at), millis(&r.finished_at)) else { return problems };
    if end < start {
        problems.push(format!("the run finishes ({}) before it starts ({})", r.finished_at, r.started_at));
    }
    for g in &r.gates {
        let (Some(gs), Some(gf)) =
            (g.started_at.as_deref().and_then(millis), g.finished_at.as_deref().and_then(millis))
        else {
            continue;
        };
        if gs < start || gf > end || gf < gs {
            problems.push(format!(
                "gate `{}`: runs from {} to {}, outside its run ({} to {})",
                g.id,
                g.started_at.as_deref().unwrap_or_default(),
                g.finished_at.as_deref().unwrap_or_default(),
                r.started_at,
                r.finished_at
            ));
        } else if (i128::from(gf - gs) - i128::from(g.duration_ms)).abs() > i128::from(CLOCK_SLACK_MS) {
            problems.push(format!(
                "gate `{}`: duration_ms {} does not match its start and finish, {} ms apart",
                g.id,
                g.duration_ms,
                gf - gs
            ));
        }
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
    /// Earlier committed versions of the compact record that name the same run, as
    /// (commit, record): closeout writes a run's record once, so each must equal it.
    pub earlier: &'a [(String, RunRecord)],
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
    for (commit, earlier) in found.earlier {
        if earlier.run_id == latest.run_id && earlier.compact() != *latest {
            problems.push(format!(
                "{} records run {} differently from commit {} ({}); closeout records a run once, so it was edited after the run",
                crate::evidence::LATEST,
                latest.run_id,
                &commit[..commit.len().min(12)],
                first_difference(&earlier.compact(), latest)
            ));
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
        let found = Found {
            full: Some(&full),
            logs: &[],
            head_committed: None,
            head_before_record: None,
            earlier: &[],
        };
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
            let found = Found {
                full: Some(&full),
                logs: &logs,
                head_committed: None,
                head_before_record: None,
                earlier: &[],
            };
            let problems = verify(&latest, &found).join("; ");
            assert!(problems.contains(expected), "{problems}");
        }
    }

    #[test]
    fn a_run_recorded_twice_differently_is_caught() {
        let honest = run(vec![passing("a")]).compact();
        let mut forged = honest.clone();
        forged.gates[0].reason = "edited".into();
        let earlier = [("0123456789abcdef".to_string(), honest.clone())];
        let found = |earlier| Found {
            full: None,
            logs: &[],
            head_committed: None,
            head_before_record: None,
            earlier,
        };
        assert!(verify(&honest, &found(&earlier)).is_empty());
        let problems = verify(&forged, &found(&earlier)).join("; ");
        assert!(problems.contains("differently from commit 0123456789ab (gate `a`)"), "{problems}");
        // Another run committed earlier is no evidence against this one.
        let other = [("0123456789abcdef".to_string(), RunRecord { run_id: "run-2".into(), ..honest })];
        assert!(verify(&forged, &found(&other)).is_empty());
    }

    #[test]
    fn times_that_cannot_come_from_one_run_are_caught() {
        let mut r = run(vec![passing("a")]);
        r.run_id = "20260101T000000.000Z-4242".into();
        r.started_at = "2026-01-01T00:00:00.000Z".into();
        r.finished_at = "2026-01-01T00:00:02.000Z".into();
        r.gates[0].duration_ms = 1_000;
        assert!(record_problems(&r).is_empty(), "{:?}", record_problems(&r));
        type Edit = Box<dyn Fn(&mut RunRecord)>;
        let cases: Vec<(Edit, &str)> = vec![
            (Box::new(|r| r.run_id = "20250101T000000.000Z-4242".into()), "does not name the run's start"),
            (
                Box::new(|r| r.finished_at = "2025-12-31T23:59:59.000Z".into()),
                "finishes (2025-12-31T23:59:59.000Z) before",
            ),
            (
                Box::new(|r| r.gates[0].finished_at = Some("2026-01-01T00:00:03.000Z".into())),
                "outside its run",
            ),
            (
                Box::new(|r| r.gates[0].duration_ms = 60_000),
                "duration_ms 60000 does not match its start and finish, 1000 ms apart",
            ),
        ];
        for (edit, expected) in cases {
            let mut bad = r.clone();
            edit(&mut bad);
            let problems = record_problems(&bad).join("; ");
            assert!(problems.contains(expected), "{expected}: {problems}");
        }
        // A merged record is named after the merge, and a run without times is not judged.
        let merged = RunRecord { run_id: "20260102T000000.000Z-merged".into(), ..r.clone() };
        assert!(record_problems(&merged).is_empty());
        assert_eq!(millis("2026-01-01T00:00:00.5Z"), millis("2026-01-01T00:00:00.500Z"));
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
                    earlier: &[],
                },
            )
        };
        let t0 = 1_767_225_610; // 2026-01-01T00:00:10Z
        assert!(at(t0, Some(true)).is_empty());
        assert!(at(t0 + 1, None)[0].contains("was committed after the run started"));
        assert!(at(t0, Some(false))[0].contains("is not an ancestor"));
        let unknown = verify(
            &r,
            &Found {
                full: None,
                logs: &[],
                head_committed: Some(None),
                head_before_record: None,
                earlier: &[],
            },
        );
        assert!(unknown[0].contains("is not a commit"));
    }
}
