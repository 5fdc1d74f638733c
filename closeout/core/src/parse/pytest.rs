//! pytest: the closing `N failed, N passed in 0.03s` line (with or without `=` rules),
//! `FAILED`/`ERROR`/`SUBFAILED` short-summary lines, `no tests ran`, and under `-v` one
//! `path::test STATUS` line per test.
//!
//! The closing line's categories are pytest's own (`_pytest/terminal.py`: passed, failed,
//! skipped, deselected, xfailed, xpassed, warnings, error) plus pytest 9's subtests
//! (`subtests passed`, `subtests failed`, `subtests skipped`, `subtests xfailed`,
//! `subtests xpassed`) and pytest-rerunfailures' `rerun`. A line with any other word is
//! not the closing line.

use super::{Parsed, RunnerParser, TestStatus};
use crate::evidence::{Subtests, TestCounts};

#[derive(Default)]
pub struct Pytest {
    session: bool,
    summary: Option<TestCounts>,
    /// xfailed and xpassed tests: they ran, but pytest counts them as neither passed nor
    /// skipped.
    expected: u64,
    /// pytest's `!!! … !!!` line when the session stopped before its end.
    stopped: Option<String>,
    no_tests: bool,
    failing: Parsed,
}

/// Read `1 failed, 1 passed, 3 subtests passed, 2 warnings` into counts; `None` when a
/// part is not `N category` with a category pytest prints.
/// pytest's closing counts (`1 failed, 3 passed, 1 xfailed in 0.1s`, without the time) as
/// its own figures: xfailed and xpassed are neither passed nor skipped, and come back apart.
fn summary_counts(text: &str) -> Option<(TestCounts, u64)> {
    let mut counts = TestCounts::default();
    let mut subtests = Subtests::default();
    let (mut errors, mut expected) = (0, 0);
    for part in text.split(", ") {
        let (n, category) = part.trim().split_once(' ')?;
        let n: u64 = n.parse().ok()?;
        match category.trim() {
            "passed" => counts.add_passed(n),
            "failed" => counts.failed += n,
            "skipped" => counts.skipped += n,
            "xfailed" | "xpassed" => expected += n,
            "error" | "errors" => errors += n,
            "subtests passed" | "subtests xpassed" => subtests.passed += n,
            "subtests failed" => subtests.failed += n,
            "subtests skipped" | "subtests xfailed" => subtests.skipped += n,
            "deselected" | "warning" | "warnings" | "rerun" => {}
            _ => return None,
        }
    }
    counts.errors = (errors > 0).then_some(errors);
    counts.subtests = (subtests.total() > 0).then_some(subtests);
    Some((counts, expected))
}

/// pytest's line for a session that stopped before its end: `!!! KeyboardInterrupt !!!`,
/// `!!! _pytest.outcomes.Exit: reason !!!` (`pytest.exit()`), `!!! Interrupted: … !!!`.
fn stop_line(line: &str) -> Option<String> {
    let inner = line.trim().strip_prefix("!!")?.trim_start_matches('!').trim_end().strip_suffix("!!")?;
    let inner = inner.trim_end_matches('!').trim();
    let stop = inner.starts_with("KeyboardInterrupt")
        || inner.starts_with("_pytest.outcomes.Exit")
        || inner.starts_with("Exit:")
        || inner.starts_with("Interrupted");
    stop.then(|| inner.to_string())
}

/// `tests/a.py::test_x PASSED [ 50%]` (`-v`): the test id and its status. Subtest lines
/// (`SUBPASSED[case] (i=0)`) are not tests.
fn verbose_test(line: &str) -> Option<(&str, TestStatus)> {
    // pytest-xdist: `[gw0] [ 50%] PASSED tests/a.py::test_x`.
    if let Some(rest) = line.strip_prefix("[gw") {
        let rest = rest.split_once("] ")?.1;
        let rest = rest.strip_prefix('[').and_then(|r| r.split_once("] ")).map_or(rest, |(_, r)| r);
        let (status, id) = rest.split_once(' ')?;
        let id = id.trim();
        return verbose_test(&format!("{id} {status}")).map(|(_, status)| (id, status));
    }
    let (id, rest) = line.split_once(' ')?;
    if !id.contains("::") {
        return None;
    }
    let status = match rest.split_whitespace().next()? {
        "PASSED" | "XPASS" => TestStatus::Pass,
        "FAILED" | "ERROR" => TestStatus::Fail,
        "SKIPPED" | "XFAIL" => TestStatus::Skip,
        _ => return None,
    };
    Some((id, status))
}

impl RunnerParser for Pytest {
    fn line(&mut self, line: &str) {
        let trimmed = line.trim().trim_matches('=').trim();
        if trimmed.starts_with("test session starts") {
            self.session = true;
            return;
        }
        if let Some(stop) = stop_line(line) {
            self.stopped.get_or_insert(stop);
            return;
        }
        if let Some(rest) = line.strip_prefix("FAILED ").or_else(|| line.strip_prefix("ERROR ")) {
            let name = rest.split(" - ").next().unwrap_or(rest).trim();
            if !self.failing.tests.iter().any(|t| t.name == name) {
                let file = name.split("::").next();
                self.failing.add_test_in(name, TestStatus::Fail, file);
            }
            return;
        }
        // `SUBFAILED[case] (i=1) tests/a.py::test_x - assert ...`: one failed subtest,
        // which pytest counts among the failed.
        if let Some(rest) = line.strip_prefix("SUBFAILED") {
            let rest = rest.split(" - ").next().unwrap_or(rest);
            if let Some(id) = rest.split_whitespace().rev().find(|w| w.contains("::")) {
                let description = rest.trim().strip_suffix(id).unwrap_or("").trim();
                let name =
                    if description.is_empty() { id.to_string() } else { format!("{id} {description}") };
                if !self.failing.tests.iter().any(|t| t.name == name) {
                    self.failing.add_test_in(&name, TestStatus::Fail, id.split("::").next());
                }
                return;
            }
        }
        if let Some((id, status)) = verbose_test(line) {
            let file = id.split("::").next();
            self.failing.add_test_in(id, status, file);
            return;
        }
        if trimmed.starts_with("no tests ran") {
            self.no_tests = true;
            self.summary = Some(TestCounts::default());
            return;
        }
        // `1 failed, 1 passed, 1 skipped in 0.03s`
        let Some((counts_text, time)) = trimmed.rsplit_once(" in ") else { return };
        if !time
            .trim_end_matches(|c: char| c == ')' || c.is_ascii_digit() || ":. (hms".contains(c))
            .is_empty()
        {
            return;
        }
        if let Some((counts, expected)) = summary_counts(counts_text) {
            self.summary = Some(counts);
            self.expected = expected;
        }
    }

    fn finish(&self) -> Parsed {
        Parsed {
            parser: "pytest",
            recognised: self.session || self.summary.is_some(),
            closing: self.summary.is_some(),
            closing_required: true,
            counts: self.summary.clone(),
            no_tests: self.no_tests
                || self.summary.as_ref().is_some_and(|c| {
                    c.passed.unwrap_or(0) + c.failed + self.expected == 0 && c.errors.is_none()
                }),
            stopped: self.stopped.clone(),
            // The failing tests and every test listed, as collected.
            ..self.failing.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_category_pytest_prints() {
        let (c, _) = summary_counts("2 failed, 1 passed, 2 subtests passed").unwrap();
        assert_eq!((c.passed, c.failed), (Some(1), 2));
        assert_eq!(c.subtests, Some(Subtests { passed: 2, failed: 0, skipped: 0 }));
        // pytest's own figures: xfailed and xpassed are neither passed nor skipped.
        let (c, expected) = summary_counts("1 failed, 3 passed, 2 skipped, 4 deselected, 1 xfailed, 1 xpassed, 5 warnings, 2 errors, 1 rerun").unwrap();
        assert_eq!((c.passed, c.failed, c.skipped, c.errors, expected), (Some(3), 1, 2, Some(2), 2));
        let (c, _) =
            summary_counts("1 passed, 1 warning, 1 error, 1 subtests failed, 2 subtests skipped").unwrap();
        assert_eq!(c.subtests, Some(Subtests { passed: 0, failed: 1, skipped: 2 }));
        assert_eq!(summary_counts("3 apples"), None);
    }

    #[test]
    fn a_session_stopped_early_says_so() {
        for (line, stop) in [
            (
                "!!!!!!!!!!!!!!!!!!!! _pytest.outcomes.Exit: stop here !!!!!!!!!!!!!!!!!!!!!",
                "_pytest.outcomes.Exit: stop here",
            ),
            (
                "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!! KeyboardInterrupt !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!",
                "KeyboardInterrupt",
            ),
            (
                "!!!!!!!!!!!!!!!!!!!! Interrupted: 1 error during collection !!!!!!!!!!!!!!!!!!!!",
                "Interrupted: 1 error during collection",
            ),
        ] {
            assert_eq!(stop_line(line).as_deref(), Some(stop));
        }
        assert_eq!(stop_line("!!!!!!!! stopping after 1 failures !!!!!!!!"), None);
        let mut p = Pytest::default();
        p.line("!!!!!!!!!!!! _pytest.outcomes.Exit: stop here !!!!!!!!!!!!");
        p.line("============ 1 passed in 0.95s ============");
        assert_eq!(p.finish().stopped.as_deref(), Some("_pytest.outcomes.Exit: stop here"));
        // Only expected failures ran: tests ran.
        let mut p = Pytest::default();
        p.line("============ 2 xfailed in 0.01s ============");
        assert!(!p.finish().no_tests);
    }

    #[test]
    fn failed_subtests_are_named() {
        let mut p = Pytest::default();
        p.line("SUBFAILED[case] (i=1) tests/a.py::test_s - assert 1 != 1");
        p.line("FAILED tests/a.py::test_s - contains 1 failed subtest");
        let names: Vec<String> = p.finish().tests.into_iter().map(|t| t.name).collect();
        assert_eq!(names, vec!["tests/a.py::test_s [case] (i=1)", "tests/a.py::test_s"]);
    }

    #[test]
    fn verbose_lines_name_tests() {
        assert_eq!(
            verbose_test("tests/a.py::test_x PASSED [ 50%]"),
            Some(("tests/a.py::test_x", TestStatus::Pass))
        );
        assert_eq!(
            verbose_test("tests/a.py::T::test_y[1-2] FAILED [100%]"),
            Some(("tests/a.py::T::test_y[1-2]", TestStatus::Fail))
        );
        assert_eq!(verbose_test("tests/a.py::test_s SUBPASSED[case] (i=0) [ 50%]"), None);
        assert_eq!(verbose_test("tests/a.py .F. [100%]"), None);
        assert_eq!(
            verbose_test("[gw1] [ 50%] FAILED tests/a.py::test_x "),
            Some(("tests/a.py::test_x", TestStatus::Fail))
        );
    }

    #[test]
    fn only_skipped_or_deselected_is_no_tests() {
        let mut p = Pytest::default();
        p.line("================ 3 skipped, 1 deselected in 0.01s ================");
        assert!(p.finish().no_tests);
        let mut p = Pytest::default();
        p.line("1 error in 0.02s");
        assert!(!p.finish().no_tests, "a collection error is not an empty run");
    }
}
