//! Python's unittest (`python -m unittest`, and runners built on it such as Django's `manage.py
//! test`): the closing `Ran N tests in 0.001s` and the verdict line under it, `OK`, `OK
//! (skipped=1, expected failures=1)`, `FAILED (failures=1, errors=1, skipped=1, …)`, or
//! Python 3.12's `NO TESTS RAN`; the failures it lists as `FAIL: test_x (mod.Class.test_x)`,
//! `ERROR: …` and `UNEXPECTED SUCCESS: …`. As unittest counts: an unexpected success fails
//! the run, an expected failure is neither passed nor skipped.

use super::{Parsed, RunnerParser, TestStatus};
use crate::evidence::TestCounts;

#[derive(Default)]
pub struct Unittest {
    /// `Ran N tests`: how many.
    ran: Option<u64>,
    counts: Option<TestCounts>,
    no_tests: bool,
    failing: Parsed,
}

/// `FAIL: test_x (mod.Class.test_x)` (Python 3.11+) or `FAIL: test_x (mod.Class)`: the test's
/// dotted id.
fn failure(line: &str) -> Option<&str> {
    let rest = ["FAIL: ", "ERROR: ", "UNEXPECTED SUCCESS: "].iter().find_map(|p| line.strip_prefix(p))?;
    let (method, inner) = rest.split_once(" (")?;
    let inner = inner.strip_suffix(')')?;
    (!method.contains(' ') && !inner.contains(' ')).then_some(if inner.ends_with(method) {
        inner
    } else {
        rest
    })
}

/// `OK`, `OK (skipped=1)`, `FAILED (failures=1, errors=2)`: the counts it gives, over `ran`.
fn verdict(line: &str, ran: u64) -> Option<TestCounts> {
    let (word, detail) = match line.split_once(" (") {
        Some((w, d)) => (w, d.strip_suffix(')')?),
        None => (line, ""),
    };
    if word != "OK" && word != "FAILED" {
        return None;
    }
    let mut counts = TestCounts::default();
    let mut other = 0;
    for part in detail.split(", ").filter(|p| !p.is_empty()) {
        let (key, n) = part.split_once('=')?;
        let n: u64 = n.parse().ok()?;
        match key {
            "failures" | "unexpected successes" => counts.failed += n,
            "errors" => *counts.errors.get_or_insert(0) += n,
            "skipped" => counts.skipped += n,
            "expected failures" => {}
            _ => return None,
        }
        other += n;
    }
    counts.add_passed(ran.saturating_sub(other));
    Some(counts)
}

impl RunnerParser for Unittest {
    fn line(&mut self, line: &str) {
        let line = line.trim_end();
        if let Some(rest) = line.strip_prefix("Ran ") {
            let mut words = rest.split_whitespace();
            let n = words.next().and_then(|n| n.parse().ok());
            if n.is_some() && matches!(words.next(), Some("test" | "tests")) && words.next() == Some("in") {
                self.ran = n;
                self.counts = None;
            }
            return;
        }
        if line == "NO TESTS RAN" {
            self.no_tests = true;
            self.counts = Some(TestCounts::default());
            return;
        }
        if let Some(ran) = self.ran.filter(|_| self.counts.is_none()) {
            if let Some(counts) = verdict(line, ran) {
                self.no_tests = ran == 0;
                self.counts = Some(counts);
                return;
            }
        }
        if let Some(name) = failure(line) {
            if !self.failing.tests.iter().any(|t| t.name == name) {
                self.failing.add_test(name, TestStatus::Fail);
            }
        }
    }

    fn finish(&self) -> Parsed {
        Parsed {
            parser: "unittest",
            recognised: self.counts.is_some(),
            closing: self.counts.is_some(),
            closing_required: true,
            counts: self.counts.clone(),
            no_tests: self.no_tests,
            // The failing tests and every test listed, as collected.
            ..self.failing.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Parsed {
        super::super::parse_text(crate::model::ParserKind::Unittest, "", text)
    }

    #[test]
    fn the_closing_lines_and_the_failures_unittest_lists() {
        let out = "EF.sxu\n======\nERROR: test_err (test_a.T.test_err)\n------\nTraceback\n======\nFAIL: test_fail (test_a.T)\n------\n======\nUNEXPECTED SUCCESS: test_xpass (test_a.T.test_xpass)\n------\nRan 6 tests in 0.001s\n\nFAILED (failures=1, errors=1, skipped=1, expected failures=1, unexpected successes=1)\n";
        let p = read(out);
        let c = p.counts.clone().unwrap();
        assert_eq!((c.passed, c.failed, c.skipped, c.errors), (Some(1), 2, 1, Some(1)));
        assert!(p.closing && p.recognised && !p.no_tests);
        assert_eq!(p.failing, ["test_a.T.test_err", "test_fail (test_a.T)", "test_a.T.test_xpass"]);
        let ok = read("..\n------\nRan 2 tests in 0.000s\n\nOK (skipped=1)\n").counts.unwrap();
        assert_eq!((ok.passed, ok.skipped), (Some(1), 1));
    }

    #[test]
    fn no_tests_and_an_unfinished_run() {
        assert!(read("\n------\nRan 0 tests in 0.000s\n\nOK\n").no_tests);
        assert!(read("\n------\nRan 0 tests in 0.000s\n\nNO TESTS RAN\n").no_tests);
        // Killed before its summary: dots only.
        let p = read("...\n");
        assert!(!p.closing && !p.recognised);
        // A test's output is not the summary.
        assert!(!read("Ran out of memory in the cache\nOK\n").closing);
    }
}
