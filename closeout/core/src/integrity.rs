//! Evidence that verifies: the checks `closeout verify-evidence` runs and `verdict` applies
//! before trusting a run record. Pure: the caller reads the files and asks git, and hands
//! over what it found ([`Found`]).
//!
//! What a local check proves, and what it cannot: a record that contradicts itself or
//! whose times cannot come from one run, a log that does not match its hash or that, re-read
//! with the gate's parser, contradicts the recorded counts or pass, a committed
//! record that differs from the full record it names or from an earlier commit of the
//! same run, and a `git.head` that did not exist yet when the run started are all caught.
//! A forger who edits every field consistently (outcome, exit code, log, hash, timestamps)
//! before the record's first commit, with no full record around, is not: the JSON carries
//! no secret, and `verify-evidence` says so. In CI the CI run's artifact, attested by the
//! platform (docs/evidence.md), is the authority.

use crate::evidence::{GateRecord, Outcome, RunRecord};

/// The sha256 of zero bytes: the hash of an empty log.
const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// Contradictions inside one gate record, each a sentence naming the gate and the field
/// (`` gate `unit`: is PASS with exit code 3; only exit code 0 passes ``).
pub fn gate_problems(g: &GateRecord) -> Vec<String> {
    gate_faults(g).into_iter().map(|m| format!("gate `{}`: {m}", g.id)).collect()
}

/// Whether a gate's record is self-consistent ([`gate_faults`] finds nothing): only then
/// may its recorded outcome be shown or counted as it is.
pub fn consistent(g: &GateRecord) -> bool {
    gate_faults(g).is_empty()
}

/// Whether the gate is `PASS` by a self-consistent record: what a count of passed gates
/// counts.
pub fn passed(g: &GateRecord) -> bool {
    g.outcome.passed() && consistent(g)
}

/// Whether the gate is `PASS` or `FLAKY` by a self-consistent record.
pub fn succeeded(g: &GateRecord) -> bool {
    g.outcome.succeeded() && consistent(g)
}

/// What to show for a gate whose record contradicts itself, instead of its outcome:
/// `INCONSISTENT (recorded PASS, exit 3)`, `INCONSISTENT (recorded PASS, signal 9)`,
/// `INCONSISTENT (recorded PASS, no exit code)`. `None` for a self-consistent record.
pub fn inconsistent_label(g: &GateRecord) -> Option<String> {
    if consistent(g) {
        return None;
    }
    let how = match (g.exit_code, g.signal) {
        (Some(c), _) => format!("exit {c}"),
        (None, Some(s)) => format!("signal {s}"),
        (None, None) => "no exit code".into(),
    };
    Some(format!("{INCONSISTENT} (recorded {}, {how})", g.outcome))
}

/// The word shown for a gate whose record contradicts itself.
pub const INCONSISTENT: &str = "INCONSISTENT";

/// Contradictions inside one gate record, each a phrase naming the field
/// (`is PASS with exit code 3; only exit code 0 passes`).
pub fn gate_faults(g: &GateRecord) -> Vec<String> {
    let mut problems = Vec::new();
    let mut say = |m: String| problems.push(m);
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
    if g.outcome.succeeded() {
        for problem in pass_problems(
            g.outcome,
            g.exit_code,
            g.signal,
            g.log.is_some(),
            g.started_at.is_some() && g.finished_at.is_some(),
            g.counts.as_ref(),
            g.failing_tests.len(),
        ) {
            say(problem);
        }
    }
    for problem in attempt_problems(g) {
        say(problem);
    }
    if g.outcome == Outcome::NotRun && (g.exit_code.is_some() || g.signal.is_some()) {
        say("is NOT_RUN but has an exit code or signal".into());
    }
    problems
}

/// What contradicts a passing outcome (`PASS`, `FLAKY`, or a passing attempt): an exit
/// code other than 0, no log, no times, failures counted or listed.
fn pass_problems(
    outcome: Outcome,
    exit_code: Option<i32>,
    signal: Option<i32>,
    has_log: bool,
    timed: bool,
    counts: Option<&crate::evidence::TestCounts>,
    failing: usize,
) -> Vec<String> {
    let mut problems = Vec::new();
    if exit_code != Some(0) {
        let how = match (exit_code, signal) {
            (Some(c), _) => format!("exit code {c}"),
            (None, Some(s)) => format!("signal {s}"),
            (None, None) => "no exit code".to_string(),
        };
        problems.push(format!("is {outcome} with {how}; only exit code 0 passes"));
    }
    if !has_log {
        problems.push(format!("is {outcome} without a log"));
    }
    if !timed {
        problems.push(format!("is {outcome} without start and finish times"));
    }
    if let Some(c) = counts {
        if c.failed > 0
            || c.errors.is_some_and(|n| n > 0)
            || c.packages_failed.is_some_and(|n| n > 0)
            || c.packages_build_failed.is_some_and(|n| n > 0)
        {
            problems.push(format!("is {outcome} with failures counted ({})", c.summary()));
        }
    }
    if failing > 0 {
        problems.push(format!("is {outcome} with {failing} failing test(s) listed"));
    }
    problems
}

/// Contradictions between a gate's outcome and its attempts: `FLAKY` is a last attempt
/// that passed after an earlier one failed; `PASS` is one attempt; a gate that ran more
/// than once has its last attempt's exit, counts and log, attempts numbered 1, 2, …, each
/// failed one retried (no attempt after a pass), and each passing attempt as honest as a
/// `PASS`.
fn attempt_problems(g: &GateRecord) -> Vec<String> {
    let mut problems = Vec::new();
    let attempts = &g.attempts;
    match (g.outcome, attempts.last()) {
        (Outcome::Flaky, None) => {
            problems.push("is FLAKY with no attempts recorded; FLAKY is a pass after a failed attempt".into())
        }
        (Outcome::Flaky, Some(last)) if !last.outcome.passed() => problems
            .push(format!("is FLAKY but its last attempt is {}; FLAKY is a last attempt that passed", last.outcome)),
        (Outcome::Flaky, Some(_)) if attempts.iter().all(|a| a.outcome.passed()) => {
            problems.push("is FLAKY but no attempt failed; a gate that passed every attempt is PASS".into())
        }
        (Outcome::Pass, Some(_)) => problems.push(format!(
            "is PASS with {} attempts; a gate that needed a retry to pass is FLAKY",
            attempts.len()
        )),
        (outcome, Some(last)) if !outcome.succeeded() && last.outcome != outcome => problems.push(format!(
            "is {outcome} but its last attempt is {}; a gate that failed every attempt keeps its last outcome",
            last.outcome
        )),
        _ => {}
    }
    let Some(last) = attempts.last() else { return problems };
    if attempts.len() == 1 {
        problems.push("records one attempt; a gate that ran once records none".into());
    }
    if (last.exit_code, last.signal, &last.log, &last.counts) != (g.exit_code, g.signal, &g.log, &g.counts) {
        problems.push(format!(
            "its exit, counts or log differ from those of its last attempt ({})",
            last.attempt
        ));
    }
    for (n, a) in attempts.iter().enumerate() {
        if a.attempt as usize != n + 1 {
            problems.push(format!("attempt {} is recorded as number {}", n + 1, a.attempt));
        }
        if n + 1 < attempts.len() && !a.outcome.retried() {
            problems.push(format!(
                "{} was followed by another attempt; only a failed attempt is retried",
                a.short()
            ));
        }
        if a.outcome.passed() {
            let timed = a.started_at.is_some() && a.finished_at.is_some();
            let why = pass_problems(
                a.outcome,
                a.exit_code,
                a.signal,
                a.log.is_some(),
                timed,
                a.counts.as_ref(),
                a.failing_tests.len(),
            );
            problems.extend(why.into_iter().map(|p| format!("attempt {}: {p}", a.attempt)));
        }
        if let Some(log) = &a.log {
            let blank = a.outcome == Outcome::Interrupted && log.sha256.is_empty();
            if !blank && (log.sha256.len() != 64 || !log.sha256.bytes().all(|b| b.is_ascii_hexdigit())) {
                problems.push(format!("attempt {}: log sha256 `{}` is not a sha256", a.attempt, log.sha256));
            }
        }
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
    /// The log's size in bytes and sha256, and what the gate's recorded parser read in it
    /// (cut into lines as the runner cuts them, [`crate::parse::lines`]); `parsed` is
    /// `None` when the recorded parser is not one closeout knows.
    Present {
        bytes: u64,
        sha256: String,
        parsed: Option<Box<crate::parse::Parsed>>,
    },
}

/// What the caller found beside a compact record.
pub struct Found<'a> {
    /// The full record under `target/closeout/runs/<run_id>/run.json`, when present.
    pub full: Option<&'a RunRecord>,
    /// Each log the full record names (gates' and attempts'), by its recorded path.
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
            problems.extend(log_problems(g, found.logs));
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

/// A gate's logs (each attempt's, else its own) that are missing, differ from the record,
/// or, re-read, contradict it ([`reread_problems`]).
fn log_problems(g: &GateRecord, logs: &[(String, LogFound)]) -> Vec<String> {
    let own = [(g.outcome, g.log.as_ref(), g.counts.as_ref(), String::new())];
    let attempts: Vec<_> = g
        .attempts
        .iter()
        .map(|a| (a.outcome, a.log.as_ref(), a.counts.as_ref(), format!(" (attempt {})", a.attempt)))
        .collect();
    let checked = if attempts.is_empty() { &own[..] } else { &attempts[..] };
    let mut problems = Vec::new();
    for (outcome, log, counts, which) in checked {
        let Some((log, path)) = log.and_then(|l| Some((l, l.path.as_deref()?))) else { continue };
        if *outcome == Outcome::Interrupted {
            continue;
        }
        match logs.iter().find(|(p, _)| p == path).map(|(_, f)| f) {
            Some(LogFound::Missing) => problems.push(format!(
                "gate `{}`: its log {path}{which} is missing; the record cannot be checked against it",
                g.id
            )),
            Some(LogFound::Present { bytes, sha256, .. }) if *bytes != log.bytes || *sha256 != log.sha256 => {
                problems.push(format!(
                    "gate `{}`: its log {path}{which} does not match the record (sha256 {}…, {} bytes; recorded {}…, {} bytes)",
                    g.id,
                    &sha256[..sha256.len().min(12)],
                    bytes,
                    &log.sha256[..log.sha256.len().min(12)],
                    log.bytes
                ))
            }
            Some(LogFound::Present { bytes, parsed: Some(parsed), .. }) => problems.extend(
                reread_problems(*outcome, *counts, *bytes, parsed)
                    .into_iter()
                    .map(|p| format!("gate `{}`: its log {path}{which} {p}", g.id)),
            ),
            Some(LogFound::Present { parsed: None, .. }) => problems.push(format!(
                "gate `{}`: records parser `{}`, which closeout does not know, so its log {path}{which} cannot be re-read",
                g.id, g.parser
            )),
            None => {}
        }
    }
    problems
}

/// What a log (`bytes` long, `parsed` by the gate's recorded parser) says against the
/// record of the run that wrote it, each a phrase following "its log …": counts other than
/// the recorded `counts` (the runner records exactly what its parser read), or, for a
/// passing `outcome`, output that [`crate::classify::classify`] would not pass even with
/// exit code 0 (failed tests, a build failure, no tests, no output, a missing summary).
pub fn reread_problems(
    outcome: Outcome,
    counts: Option<&crate::evidence::TestCounts>,
    bytes: u64,
    parsed: &crate::parse::Parsed,
) -> Vec<String> {
    let mut problems = Vec::new();
    if parsed.counts.as_ref() != counts {
        let say =
            |c: Option<&crate::evidence::TestCounts>| c.map_or("no counts".to_string(), |c| c.summary());
        problems.push(format!(
            "counts {} when re-read with parser `{}`, but the record says {}",
            say(parsed.counts.as_ref()),
            parsed.parser,
            say(counts)
        ));
    }
    if outcome.succeeded() {
        let ending = crate::classify::Ending::Exited(0);
        let (reread, reason) = crate::classify::classify(&ending, bytes, true, parsed);
        if !reread.passed() {
            problems.push(format!(
                "is {reread} when re-read with parser `{}` ({}), but the record says {outcome}",
                parsed.parser,
                reason.trim_start_matches("exit 0, but ").trim_start_matches("exit 0, ")
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

    /// A log found on disk whose output (`ok`) the `none` parser of [`passing`] reads as a pass.
    fn present(bytes: u64, sha256: &str) -> LogFound {
        let parsed = crate::parse::parse_text(crate::model::ParserKind::None, "true", "ok\n");
        LogFound::Present { bytes, sha256: sha256.into(), parsed: Some(Box::new(parsed)) }
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
                Box::new(|g| {
                    g.counts = Some(TestCounts { passed: Some(1), failed: 2, ..Default::default() })
                }),
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
    fn a_record_that_contradicts_itself_is_shown_inconsistent_and_not_counted() {
        let honest = passing("a");
        assert!(passed(&honest) && succeeded(&honest) && consistent(&honest));
        assert_eq!(inconsistent_label(&honest), None);
        let mut forged = honest.clone();
        forged.exit_code = Some(3);
        assert!(!passed(&forged) && !succeeded(&forged));
        assert_eq!(inconsistent_label(&forged).as_deref(), Some("INCONSISTENT (recorded PASS, exit 3)"));
        assert_eq!(gate_faults(&forged), ["is PASS with exit code 3; only exit code 0 passes"]);
        forged.exit_code = None;
        forged.signal = Some(9);
        assert_eq!(inconsistent_label(&forged).as_deref(), Some("INCONSISTENT (recorded PASS, signal 9)"));
        let mut flaky = flaky("b");
        assert!(succeeded(&flaky) && !passed(&flaky));
        flaky.attempts.clear();
        assert!(!succeeded(&flaky));
        assert_eq!(inconsistent_label(&flaky).as_deref(), Some("INCONSISTENT (recorded FLAKY, exit 0)"));
        // An honest failure is shown as recorded.
        let failed = gate("c", "false", Outcome::Fail, Some(1));
        assert_eq!(inconsistent_label(&failed), None);
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
        for (found_log, expected) in
            [(LogFound::Missing, "is missing"), (present(3, &"cd".repeat(32)), "does not match the record")]
        {
            let logs = [("target/closeout/runs/x/000-a.log".to_string(), found_log)];
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

    /// A gate that failed on its first attempt and passed on its second, as the runner
    /// records it, with each attempt's log at its own path.
    fn flaky(id: &str) -> GateRecord {
        let mut failed = passing(id);
        (failed.outcome, failed.exit_code) = (Outcome::Fail, Some(1));
        failed.log =
            Some(LogRecord { path: Some(format!("r/000-{id}.log")), sha256: "cd".repeat(32), bytes: 4 });
        let mut passed = passing(id);
        passed.log.as_mut().unwrap().path = Some(format!("r/000-{id}.attempt-2.log"));
        crate::classify::over_attempts(vec![failed, passed])
    }

    #[test]
    fn an_honest_flaky_gate_has_no_problems_and_inconsistent_ones_are_named() {
        assert_eq!(gate_problems(&flaky("a")), Vec::<String>::new());
        type Edit = Box<dyn Fn(&mut GateRecord)>;
        let cases: Vec<(Edit, &str)> = vec![
            (Box::new(|g| g.attempts.clear()), "is FLAKY with no attempts recorded"),
            (Box::new(|g| g.attempts[0].outcome = Outcome::Pass), "is FLAKY but no attempt failed"),
            (Box::new(|g| g.outcome = Outcome::Pass), "is PASS with 2 attempts"),
            (Box::new(|g| g.attempts.swap(0, 1)), "is FLAKY but its last attempt is FAIL"),
            (Box::new(|g| g.attempts[1].attempt = 3), "attempt 2 is recorded as number 3"),
            (Box::new(|g| g.exit_code = Some(1)), "is FLAKY with exit code 1"),
            (Box::new(|g| g.log = g.attempts[0].log.clone()), "differ from those of its last attempt (2)"),
            (
                Box::new(|g| g.attempts[1].failing_tests = vec!["t".into()]),
                "attempt 2: is PASS with 1 failing test(s) listed",
            ),
            (Box::new(|g| g.attempts[0].log.as_mut().unwrap().sha256 = "x".into()), "attempt 1: log sha256"),
            (
                Box::new(|g| {
                    g.outcome = Outcome::Fail;
                    g.attempts[1].outcome = Outcome::Timeout;
                }),
                "is FAIL but its last attempt is TIMEOUT",
            ),
            (
                Box::new(|g| {
                    g.attempts.insert(0, g.attempts[1].clone());
                    g.attempts[0].attempt = 1;
                    g.attempts[1].attempt = 2;
                    g.attempts[2].attempt = 3;
                }),
                "attempt 1: PASS (exit 0) was followed by another attempt",
            ),
        ];
        for (edit, expected) in cases {
            let mut g = flaky("a");
            edit(&mut g);
            let problems = gate_problems(&g).join("; ");
            assert!(problems.contains(expected), "{expected}: {problems}");
        }
    }

    #[test]
    fn every_attempt_log_is_checked_against_its_own_hash() {
        let full = run(vec![flaky("a")]);
        let latest = full.compact();
        assert!(latest.gates[0].attempts.iter().all(|a| a.log.as_ref().unwrap().path.is_none()));
        let present = |sha: &str, bytes| present(bytes, &sha.repeat(32));
        let check = |logs: &[(String, LogFound)]| {
            verify(
                &latest,
                &Found {
                    full: Some(&full),
                    logs,
                    head_committed: None,
                    head_before_record: None,
                    earlier: &[],
                },
            )
        };
        let honest = [
            ("r/000-a.log".to_string(), present("cd", 4)),
            ("r/000-a.attempt-2.log".into(), present("ab", 3)),
        ];
        assert_eq!(check(&honest), Vec::<String>::new());
        let edited = [
            ("r/000-a.log".to_string(), present("ef", 4)),
            ("r/000-a.attempt-2.log".into(), present("ab", 3)),
        ];
        let problems = check(&edited).join("; ");
        assert!(problems.contains("its log r/000-a.log (attempt 1) does not match the record"), "{problems}");
        let gone = [
            ("r/000-a.log".to_string(), present("cd", 4)),
            ("r/000-a.attempt-2.log".into(), LogFound::Missing),
        ];
        assert!(check(&gone).join("; ").contains("r/000-a.attempt-2.log (attempt 2) is missing"));
    }

    /// `go test` output for one failing test, as `go test` prints it (go's `testing` docs).
    const GO_FAIL: &str = "=== RUN   TestA\n--- FAIL: TestA (0.00s)\nFAIL\nFAIL\texample.com/x\t0.01s\n";

    /// `log` found on disk for a gate whose parser is `kind`, as `verify-evidence` reads it.
    fn read_as(kind: crate::model::ParserKind, log: &str) -> LogFound {
        let parsed = crate::parse::parse_text(kind, "go test ./...", log);
        LogFound::Present { bytes: log.len() as u64, sha256: "ab".repeat(32), parsed: Some(Box::new(parsed)) }
    }

    /// A gate that ran `go test` once and wrote `GO_FAIL`, recorded as the runner records it
    /// (outcome and counts from the classification of that output with exit 1).
    fn go_failure() -> GateRecord {
        let parsed = crate::parse::parse_text(crate::model::ParserKind::Go, "go test ./...", GO_FAIL);
        let ending = crate::classify::Ending::Exited(1);
        let (outcome, reason) = crate::classify::classify(&ending, GO_FAIL.len() as u64, true, &parsed);
        let mut g = passing("go");
        (g.command, g.parser, g.outcome, g.reason, g.exit_code) =
            ("go test ./...".into(), "go".into(), outcome, reason, Some(1));
        (g.counts, g.failing_tests) = (parsed.counts, parsed.failing);
        g.log = Some(LogRecord { path: Some("r/000-go.log".into()), sha256: "ab".repeat(32), bytes: 0 });
        g.log.as_mut().unwrap().bytes = GO_FAIL.len() as u64;
        g
    }

    fn verify_full(full: &RunRecord, logs: &[(String, LogFound)]) -> Vec<String> {
        let found =
            Found { full: Some(full), logs, head_committed: None, head_before_record: None, earlier: &[] };
        verify(&full.compact(), &found)
    }

    #[test]
    fn a_log_that_contradicts_its_record_is_named() {
        let logs = [("r/000-go.log".to_string(), read_as(crate::model::ParserKind::Go, GO_FAIL))];
        let honest = go_failure();
        assert_eq!(honest.outcome, Outcome::Fail);
        assert_eq!(verify_full(&run(vec![honest.clone()]), &logs), Vec::<String>::new());

        // Every field edited to a pass, consistently, the log left as the gate wrote it.
        let mut forged = honest.clone();
        (forged.outcome, forged.reason, forged.exit_code) = (Outcome::Pass, "exit 0".into(), Some(0));
        forged.counts = Some(TestCounts::default());
        forged.failing_tests.clear();
        assert_eq!(gate_problems(&forged), Vec::<String>::new(), "the record alone is consistent");
        let problems = verify_full(&run(vec![forged.clone()]), &logs).join("; ");
        assert!(problems.contains("gate `go`: its log r/000-go.log counts 0 passed, 1 failed"), "{problems}");
        assert!(problems.contains("but the record says 0 passed;"), "{problems}");
        assert!(
            problems.contains("its log r/000-go.log is FAIL when re-read with parser `go`"),
            "{problems}"
        );
        assert!(problems.contains("but the record says PASS"), "{problems}");

        // Counts alone edited (the outcome left FAIL) are caught too.
        let mut fewer = honest.clone();
        fewer.counts.as_mut().unwrap().failed = 2;
        let problems = verify_full(&run(vec![fewer]), &logs).join("; ");
        assert!(
            problems.contains("counts 0 passed, 1 failed")
                && problems.contains("record says 0 passed, 2 failed"),
            "{problems}"
        );

        // A parser closeout does not know cannot hide a log from the re-read.
        let mut unknown = forged;
        unknown.parser = "mine".into();
        let logs = [(
            "r/000-go.log".to_string(),
            LogFound::Present { bytes: GO_FAIL.len() as u64, sha256: "ab".repeat(32), parsed: None },
        )];
        let problems = verify_full(&run(vec![unknown]), &logs).join("; ");
        assert!(problems.contains("records parser `mine`, which closeout does not know"), "{problems}");
    }

    #[test]
    fn a_flaky_gate_whose_passing_attempt_logged_a_failure_is_named() {
        let mut g = flaky("a");
        let honest = [
            ("r/000-a.log".to_string(), present(4, &"cd".repeat(32))),
            ("r/000-a.attempt-2.log".into(), present(3, &"ab".repeat(32))),
        ];
        assert_eq!(verify_full(&run(vec![g.clone()]), &honest), Vec::<String>::new());
        // The passing attempt's log holds `go test` failing; the record says it passed.
        g.parser = "go".into();
        let mut failing = read_as(crate::model::ParserKind::Go, GO_FAIL);
        if let LogFound::Present { bytes, sha256, .. } = &mut failing {
            (*bytes, *sha256) = (3, "ab".repeat(32));
        }
        let logs = [
            ("r/000-a.log".to_string(), present(4, &"cd".repeat(32))),
            ("r/000-a.attempt-2.log".into(), failing),
        ];
        let problems = verify_full(&run(vec![g]), &logs).join("; ");
        assert!(
            problems
                .contains("its log r/000-a.attempt-2.log (attempt 2) is FAIL when re-read with parser `go`"),
            "{problems}"
        );
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
