//! The program's rules for one gate, as a pure function: how the process ended plus what
//! the parser saw gives exactly one [`Outcome`] and a one-line reason. Fail-closed: only a
//! clean exit whose output the rules accept is `PASS`.

use crate::evidence::{Attempt, GateRecord, Outcome, TestCounts};
use crate::parse::Parsed;

/// How a gate's process ended, as the runner saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    Exited(i32),
    /// Killed by a signal closeout did not send.
    Signaled(i32),
    TimedOut,
    Interrupted,
    SpawnFailed(String),
    NotRun,
}

/// Test runners print something on every run; an empty log from one is a failed gate.
fn is_test_runner(parser: &str) -> bool {
    !matches!(parser, "none" | "tsc")
}

pub fn classify(ending: &Ending, bytes: u64, log_complete: bool, parsed: &Parsed) -> (Outcome, String) {
    let code = match ending {
        Ending::SpawnFailed(e) => return (Outcome::SpawnFailed, format!("could not start: {e}")),
        Ending::NotRun => return (Outcome::NotRun, "not run".into()),
        Ending::Interrupted => return (Outcome::Interrupted, "interrupted before it finished".into()),
        Ending::TimedOut => return (Outcome::Timeout, "timed out; the process group was killed".into()),
        Ending::Signaled(sig) => return (Outcome::Fail, format!("killed by signal {sig}")),
        Ending::Exited(code) => *code,
    };
    if !log_complete {
        return (Outcome::Truncated, format!("exit {code}, but the log could not be written whole"));
    }
    // 127 is the shell's "command not found": the gate's program never ran.
    if code == 127 {
        let what = match &parsed.missing_command {
            Some(command) => format!("`{command}` is not installed or not on PATH"),
            None => "the shell could not find a command".into(),
        };
        return (
            Outcome::SpawnFailed,
            format!("exit 127: {what}; install it, or fix the gate's `run` in closeout.toml"),
        );
    }
    // `python -m X` whose interpreter has no module X: the gate's program never ran.
    if let Some(m) = parsed.missing_module.as_ref().filter(|_| code != 0 && !parsed.closing) {
        return (
            Outcome::SpawnFailed,
            format!(
                "`{}`: the module `{}` is not installed for this interpreter ({}); install it \
                 (`pip install {}`, if the package has the module's name) or activate the \
                 virtualenv that has it, or fix the gate's `run` in closeout.toml",
                m.invocation, m.module, m.interpreter, m.module
            ),
        );
    }
    if bytes == 0 && is_test_runner(parsed.parser) {
        return (Outcome::EmptyOutput, format!("exit {code} with no output at all"));
    }
    let counts = parsed.counts.clone().unwrap_or_default();
    if parsed.build_failed {
        let what = match (parsed.parser, parsed.tool) {
            ("tsc", _) | (_, Some("tsc")) => format!("{} type error(s)", counts.errors.unwrap_or(0)),
            ("go" | "go-json", _) | (_, Some("go build")) => {
                format!("{} package(s) failed to build", counts.packages_build_failed.unwrap_or(0))
            }
            (_, Some("mypy")) => format!("{} mypy error(s)", counts.errors.unwrap_or(0)),
            _ => "compile error".into(),
        };
        return (Outcome::BuildFailed, format!("exit {code}, {what}"));
    }
    // Lints fail the gate, but the code compiled: not a build failure.
    if parsed.lint_failed {
        let n = counts.lints.unwrap_or(0);
        let tool = parsed.tool.unwrap_or("lint");
        let what = match tool {
            "clippy" | "rustc" => format!("{n} {tool} warning(s) denied"),
            _ => format!("{n} {tool} finding(s)"),
        };
        return (Outcome::Fail, format!("exit {code}, {what}"));
    }
    if parsed.no_tests {
        return (Outcome::NoTests, format!("exit {code}, but no tests ran"));
    }
    // pytest's exit 5 means "no tests collected" even when the summary line is missing.
    if parsed.parser == "pytest" && code == 5 {
        return (Outcome::NoTests, "exit 5: pytest collected no tests".into());
    }
    if parsed.closing_required && !parsed.closing && is_test_runner(parsed.parser) {
        return (
            Outcome::Truncated,
            format!("exit {code}, but {}'s closing summary line is missing", parsed.parser),
        );
    }
    if let Some(stop) = parsed.stopped.as_ref().filter(|_| code == 0) {
        return (
            Outcome::Truncated,
            format!("exit 0, but {} stopped the run before its end: `{stop}`", parsed.parser),
        );
    }
    if let Some(what) = &parsed.disagreement {
        return (
            Outcome::Truncated,
            format!("exit {code}, but {}'s summary disagrees with its test lines: {what}", parsed.parser),
        );
    }
    let what = what_failed(parsed.parser, &counts);
    // Every test passed but coverage fell short: the runner fails the run for it.
    if let Some(line) = parsed.threshold_missed.as_ref().filter(|_| counts.failures() == 0) {
        return (Outcome::Fail, format!("exit {code}, coverage below its threshold: `{line}`"));
    }
    if code != 0 {
        let detail = if what.is_empty() { String::new() } else { format!(", {what}") };
        return (Outcome::Fail, format!("exit {code}{detail}"));
    }
    if counts.failures() > 0 {
        return (Outcome::Fail, format!("exit 0, but {what}"));
    }
    (Outcome::Pass, "exit 0".into())
}

/// One gate's record from the records of its attempts (`runs`, first to last, each as
/// [`classify`] and the runner made it): the last attempt's fields, and
/// - outcome: `FLAKY` when the last attempt passed after a failed one, else the last
///   attempt's (a gate that failed every attempt keeps its failing outcome);
/// - reason: the last attempt's, with its number and the earlier attempts' outcomes;
/// - `started_at` of the first attempt, `duration_ms` of all together;
/// - `attempts`: every attempt, when there was more than one.
///
/// One attempt is returned as it is. Panics on no attempt (the runner always makes one).
pub fn over_attempts(mut runs: Vec<GateRecord>) -> GateRecord {
    if runs.len() == 1 {
        return runs.pop().expect("one attempt");
    }
    let attempts: Vec<Attempt> = runs.iter().zip(1..).map(|(r, n)| Attempt::of(n, r)).collect();
    let first_started = runs.first().and_then(|r| r.started_at.clone());
    let total_ms = runs.iter().map(|r| r.duration_ms).sum();
    let mut gate = runs.pop().expect("attempts");
    let n = attempts.len();
    let earlier: Vec<String> = attempts[..n - 1].iter().map(Attempt::short).collect();
    let failed_before = attempts[..n - 1].iter().any(|a| !a.outcome.passed());
    if gate.outcome.passed() && failed_before {
        gate.outcome = Outcome::Flaky;
        gate.reason = format!("{} on attempt {n} of {n}, after {}", gate.reason, earlier.join(", "));
    } else {
        gate.reason = format!("{} on attempt {n} of {n}; before: {}", gate.reason, earlier.join(", "));
    }
    gate.started_at = first_started;
    gate.duration_ms = total_ms;
    gate.attempts = attempts;
    gate
}

/// What failed, in the runner's terms: `1 failed, 1 suite(s) failed to load, 1 unhandled error(s)`.
fn what_failed(parser: &str, c: &TestCounts) -> String {
    let mut parts = Vec::new();
    if c.failed > 0 {
        parts.push(format!("{} failed", c.failed));
    }
    if let Some(n) = c.packages_failed.filter(|n| *n > c.failed) {
        parts.push(format!("{n} package(s) failed"));
    }
    if let Some(n) = c.cancelled.filter(|n| *n > 0) {
        parts.push(format!("{n} cancelled"));
    }
    if let Some(n) = c.subtests.as_ref().map(|s| s.failed).filter(|n| *n > 0) {
        parts.push(format!("{n} subtest(s) failed"));
    }
    if let Some(n) = c.suites_failed.filter(|n| *n > 0) {
        parts.push(format!("{n} suite(s) failed to load"));
    }
    if let Some(n) = c.errors.filter(|n| *n > 0) {
        let noun = if parser == "vitest" { "unhandled error(s)" } else { "error(s)" };
        parts.push(format!("{n} {noun}"));
    }
    if let Some(n) = c.lints.filter(|n| *n > 0) {
        parts.push(format!("{n} lint finding(s)"));
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::TestCounts;

    fn runner(parser: &'static str) -> Parsed {
        Parsed { parser, closing: true, closing_required: true, recognised: true, ..Parsed::default() }
    }

    #[test]
    fn process_endings_win() {
        let p = runner("go");
        assert_eq!(classify(&Ending::TimedOut, 10, true, &p).0, Outcome::Timeout);
        assert_eq!(classify(&Ending::Interrupted, 10, true, &p).0, Outcome::Interrupted);
        assert_eq!(classify(&Ending::SpawnFailed("x".into()), 0, true, &p).0, Outcome::SpawnFailed);
        assert_eq!(classify(&Ending::Signaled(9), 10, true, &p).0, Outcome::Fail);
        assert_eq!(classify(&Ending::NotRun, 0, true, &p).0, Outcome::NotRun);
    }

    #[test]
    fn empty_output_fails_test_runners_only() {
        assert_eq!(classify(&Ending::Exited(0), 0, true, &runner("cargo")).0, Outcome::EmptyOutput);
        let build = Parsed { parser: "none", ..Parsed::default() };
        assert_eq!(classify(&Ending::Exited(0), 0, true, &build).0, Outcome::Pass);
        assert_eq!(classify(&Ending::Exited(1), 0, true, &build).0, Outcome::Fail);
    }

    #[test]
    fn missing_closing_line_is_truncated() {
        let mut p = runner("vitest");
        p.closing = false;
        assert_eq!(classify(&Ending::Exited(0), 10, true, &p).0, Outcome::Truncated);
        assert_eq!(classify(&Ending::Exited(0), 10, false, &runner("go")).0, Outcome::Truncated);
    }

    #[test]
    fn failures_found_despite_exit_zero() {
        let mut p = runner("go");
        p.counts = Some(TestCounts { failed: 2, ..TestCounts::default() });
        let (outcome, reason) = classify(&Ending::Exited(0), 10, true, &p);
        assert_eq!(outcome, Outcome::Fail);
        assert_eq!(reason, "exit 0, but 2 failed");
        // go marks a package FAIL with no failing test (TestMain exits 1 after m.Run, a
        // -timeout panic, a goroutine's panic after its test returned): behind a pipe the
        // exit code says 0.
        p.counts = Some(TestCounts {
            passed: Some(1),
            packages_ok: Some(1),
            packages_failed: Some(1),
            ..TestCounts::default()
        });
        assert_eq!(
            classify(&Ending::Exited(0), 10, true, &p),
            (Outcome::Fail, "exit 0, but 1 package(s) failed".into())
        );
        assert_eq!(p.counts.as_ref().unwrap().summary(), "1 passed, 1 package failed");
    }

    #[test]
    fn a_missed_coverage_threshold_fails_even_behind_a_pipe() {
        let mut p = runner("jest");
        p.counts = Some(TestCounts { passed: Some(1), ..TestCounts::default() });
        p.threshold_missed =
            Some("Jest: Coverage for functions (50%) does not meet \"global\" threshold (100%)".into());
        let (outcome, reason) = classify(&Ending::Exited(0), 10, true, &p);
        assert_eq!(outcome, Outcome::Fail);
        assert!(reason.starts_with("exit 0, coverage below its threshold: `Jest: Coverage"), "{reason}");
    }

    #[test]
    fn a_run_stopped_early_is_not_a_pass() {
        let mut p = runner("pytest");
        p.counts = Some(TestCounts { passed: Some(1), ..TestCounts::default() });
        p.stopped = Some("_pytest.outcomes.Exit: stop here".into());
        assert_eq!(
            classify(&Ending::Exited(0), 10, true, &p),
            (
                Outcome::Truncated,
                "exit 0, but pytest stopped the run before its end: `_pytest.outcomes.Exit: stop here`"
                    .into()
            )
        );
    }

    #[test]
    fn reasons_say_what_failed() {
        let mut p = runner("vitest");
        p.counts = Some(TestCounts { passed: Some(129), suites_failed: Some(1), ..TestCounts::default() });
        assert_eq!(classify(&Ending::Exited(1), 10, true, &p).1, "exit 1, 1 suite(s) failed to load");
        p.counts = Some(TestCounts { passed: Some(2), errors: Some(1), ..TestCounts::default() });
        assert_eq!(classify(&Ending::Exited(1), 10, true, &p).1, "exit 1, 1 unhandled error(s)");
        let mut jest = runner("jest");
        jest.counts = Some(TestCounts { suites_failed: Some(24), ..TestCounts::default() });
        assert_eq!(
            classify(&Ending::Exited(1), 10, true, &jest),
            (Outcome::Fail, "exit 1, 24 suite(s) failed to load".into())
        );
    }

    #[test]
    fn lints_fail_without_a_build_failure() {
        let p = Parsed {
            parser: "none",
            tool: Some("clippy"),
            lint_failed: true,
            counts: Some(TestCounts { lints: Some(9), ..TestCounts::default() }),
            ..Parsed::default()
        };
        assert_eq!(
            classify(&Ending::Exited(101), 10, true, &p),
            (Outcome::Fail, "exit 101, 9 clippy warning(s) denied".into())
        );
        let mypy = Parsed {
            parser: "none",
            tool: Some("mypy"),
            build_failed: true,
            counts: Some(TestCounts { errors: Some(3), ..TestCounts::default() }),
            ..Parsed::default()
        };
        assert_eq!(
            classify(&Ending::Exited(2), 10, true, &mypy),
            (Outcome::BuildFailed, "exit 2, 3 mypy error(s)".into())
        );
    }

    fn attempt(outcome: Outcome, exit: i32, ms: u64) -> GateRecord {
        let mut g = crate::evidence::fixtures::gate("g", "t", outcome, Some(exit));
        g.duration_ms = ms;
        g.started_at = Some(format!("2026-01-01T00:00:0{ms}.000Z"));
        g
    }

    #[test]
    fn a_pass_after_a_failure_is_flaky_never_pass() {
        let g = over_attempts(vec![attempt(Outcome::Fail, 1, 3), attempt(Outcome::Pass, 0, 2)]);
        assert_eq!(g.outcome, Outcome::Flaky);
        assert_eq!(g.reason, "exit 0 on attempt 2 of 2, after attempt 1: FAIL (exit 1)");
        assert_eq!((g.exit_code, g.duration_ms, g.measured_ms()), (Some(0), 5, 2));
        assert_eq!(g.started_at.as_deref(), Some("2026-01-01T00:00:03.000Z"), "the first attempt's");
        let seen: Vec<(u32, Outcome)> = g.attempts.iter().map(|a| (a.attempt, a.outcome)).collect();
        assert_eq!(seen, vec![(1, Outcome::Fail), (2, Outcome::Pass)]);
        let timeout = over_attempts(vec![
            attempt(Outcome::Timeout, 0, 1),
            attempt(Outcome::NoTests, 0, 1),
            attempt(Outcome::Pass, 0, 1),
        ]);
        assert_eq!(timeout.outcome, Outcome::Flaky);
        assert!(timeout.reason.ends_with("after attempt 1: TIMEOUT, attempt 2: NO_TESTS (exit 0)"));
    }

    #[test]
    fn a_gate_failing_every_attempt_keeps_its_last_outcome() {
        let g = over_attempts(vec![attempt(Outcome::Fail, 1, 1), attempt(Outcome::Timeout, 0, 1)]);
        assert_eq!(g.outcome, Outcome::Timeout);
        assert_eq!(g.attempts.len(), 2);
        assert!(g.reason.ends_with("on attempt 2 of 2; before: attempt 1: FAIL (exit 1)"), "{}", g.reason);
        let once = over_attempts(vec![attempt(Outcome::Pass, 0, 4)]);
        assert_eq!((once.outcome, once.attempts.len(), once.reason.as_str()), (Outcome::Pass, 0, "exit 0"));
    }

    #[test]
    fn which_outcomes_are_retried() {
        use crate::vocab::Vocab;
        let retried: Vec<Outcome> = Outcome::ALL.iter().map(|(_, o)| *o).filter(|o| o.retried()).collect();
        assert_eq!(
            retried,
            [
                Outcome::Fail,
                Outcome::BuildFailed,
                Outcome::NoTests,
                Outcome::EmptyOutput,
                Outcome::Timeout,
                Outcome::Truncated
            ]
        );
    }

    #[test]
    fn a_missing_command_is_spawn_failed_and_named() {
        let mut p = runner("pytest");
        p.closing = false;
        p.missing_command = Some("pytest".into());
        assert_eq!(
            classify(&Ending::Exited(127), 30, true, &p),
            (
                Outcome::SpawnFailed,
                "exit 127: `pytest` is not installed or not on PATH; install it, or fix the gate's `run` in closeout.toml"
                    .into()
            )
        );
        p.missing_command = None;
        assert_eq!(classify(&Ending::Exited(127), 30, true, &p).0, Outcome::SpawnFailed);
    }

    #[test]
    fn a_missing_python_module_is_spawn_failed_and_named() {
        let mut p = runner("pytest");
        p.closing = false;
        p.missing_module = Some(crate::parse::MissingModule {
            invocation: "python3 -m pytest".into(),
            interpreter: "/usr/bin/python3".into(),
            module: "pytest".into(),
        });
        let (outcome, reason) = classify(&Ending::Exited(1), 40, true, &p);
        assert_eq!(outcome, Outcome::SpawnFailed);
        assert!(
            reason.starts_with(
                "`python3 -m pytest`: the module `pytest` is not installed for this interpreter (/usr/bin/python3); install it (`pip install pytest`"
            ),
            "{reason}"
        );
        // pytest ran after all (a test printed the line): its own verdict stands.
        p.closing = true;
        assert_ne!(classify(&Ending::Exited(1), 40, true, &p).0, Outcome::SpawnFailed);
        p.closing = false;
        assert_ne!(classify(&Ending::Exited(0), 40, true, &p).0, Outcome::SpawnFailed);
    }

    #[test]
    fn a_summary_that_disagrees_with_its_lines_is_not_a_pass() {
        let mut p = runner("node-test");
        p.counts = Some(TestCounts { passed: Some(3), ..TestCounts::default() });
        p.disagreement = Some("pass 3 in the summary, 2 in the test lines".into());
        let (outcome, reason) = classify(&Ending::Exited(0), 10, true, &p);
        assert_eq!(outcome, Outcome::Truncated);
        assert!(reason.contains("pass 3 in the summary, 2 in the test lines"), "{reason}");
    }

    #[test]
    fn cancelled_tests_fail_the_gate() {
        let mut p = runner("node-test");
        p.counts = Some(TestCounts { passed: Some(1), cancelled: Some(2), ..TestCounts::default() });
        assert_eq!(
            classify(&Ending::Exited(0), 10, true, &p),
            (Outcome::Fail, "exit 0, but 2 cancelled".into())
        );
    }

    #[test]
    fn pytest_exit_5_is_no_tests() {
        let mut p = runner("pytest");
        p.closing = false;
        assert_eq!(classify(&Ending::Exited(5), 10, true, &p).0, Outcome::NoTests);
    }
}
