//! The program's rules for one gate, as a pure function: how the process ended plus what
//! the parser saw gives exactly one [`Outcome`] and a one-line reason. Fail-closed: only a
//! clean exit whose output the rules accept is `PASS`.

use crate::evidence::Outcome;
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
    if bytes == 0 && is_test_runner(parsed.parser) {
        return (Outcome::EmptyOutput, format!("exit {code} with no output at all"));
    }
    if parsed.build_failed {
        let what = match parsed.parser {
            "tsc" => format!("{} type error(s)", parsed.counts.as_ref().and_then(|c| c.errors).unwrap_or(0)),
            "go" | "go-json" => format!(
                "{} package(s) failed to build",
                parsed.counts.as_ref().and_then(|c| c.packages_build_failed).unwrap_or(0)
            ),
            _ => "compile error".into(),
        };
        return (Outcome::BuildFailed, format!("exit {code}, {what}"));
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
    let failed = parsed.counts.as_ref().map_or(0, |c| c.failed + c.errors.unwrap_or(0));
    if code != 0 {
        let detail = if failed > 0 { format!(", {failed} failed") } else { String::new() };
        return (Outcome::Fail, format!("exit {code}{detail}"));
    }
    if failed > 0 {
        return (Outcome::Fail, format!("exit 0, but {failed} failure(s) in the output"));
    }
    (Outcome::Pass, "exit 0".into())
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
        assert_eq!(reason, "exit 0, but 2 failure(s) in the output");
    }

    #[test]
    fn pytest_exit_5_is_no_tests() {
        let mut p = runner("pytest");
        p.closing = false;
        assert_eq!(classify(&Ending::Exited(5), 10, true, &p).0, Outcome::NoTests);
    }
}
