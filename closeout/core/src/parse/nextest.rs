//! `cargo nextest run`: status lines per test and a closing `Summary [...]` line.

use super::{number_words, Parsed, RunnerParser};
use crate::evidence::TestCounts;

#[derive(Default)]
pub struct Nextest {
    started: bool,
    summary: Option<TestCounts>,
    build_failed: bool,
    /// Reads the compiler's diagnostics, to tell denied lints from compile errors.
    diagnostics: super::build::Build,
    failing: Parsed,
}

/// `grep-regex matcher::tests::word`: the binary id before the test name.
fn binary_id(name: &str) -> Option<&str> {
    name.split_once(' ').map(|(id, _)| id)
}

impl RunnerParser for Nextest {
    fn line(&mut self, line: &str) {
        self.diagnostics.line(line);
        let trimmed = line.trim_start();
        if trimmed.starts_with("Nextest run ID")
            || (trimmed.starts_with("Starting ") && trimmed.contains(" binar"))
        {
            self.started = true;
        } else if let Some(rest) = trimmed.strip_prefix("Summary [") {
            let after = rest.split_once(']').map_or(rest, |(_, a)| a);
            let mut counts = TestCounts::default();
            for (n, word) in number_words(after) {
                match word.as_str() {
                    "passed" => counts.add_passed(n),
                    // `2 failed`, `1 exec failed`, `1 timed out`; `(1 slow, 1 flaky, 1 leaky)`
                    // qualify the passed and are no further tests.
                    "failed" | "exec" | "timed" => counts.failed += n,
                    "skipped" => counts.skipped += n,
                    _ => {}
                }
            }
            self.summary = Some(counts);
        } else if let Some(rest) = trimmed.strip_prefix("PASS [") {
            let after = rest.split_once(']').map_or("", |(_, a)| a).trim();
            let name = after.split_once(") ").map_or(after, |(_, n)| n).trim();
            if !name.is_empty() && !self.failing.tests.iter().any(|t| t.name == name) {
                self.failing.add_test_in(name, super::TestStatus::Pass, binary_id(name));
            }
        } else if ["FAIL [", "TIMEOUT [", "SIGSEGV [", "SIGABRT [", "ABORT ["]
            .iter()
            .any(|p| trimmed.starts_with(p))
        {
            // `FAIL [   0.219s] (2/2) rsample tests::fails`: the name follows the counter.
            let after = trimmed.split_once(']').map_or("", |(_, a)| a).trim();
            let name = match after.split_once(") ") {
                Some((counter, name)) if counter.starts_with('(') => name,
                _ => after,
            };
            let name = name.trim();
            if !name.is_empty() && !self.failing.tests.iter().any(|t| t.name == name) {
                self.failing.add_test_in(name, super::TestStatus::Fail, binary_id(name));
            }
        } else if trimmed.starts_with("error: could not compile") {
            self.build_failed = true;
        }
    }

    fn finish(&self) -> Parsed {
        let mut parsed = Parsed {
            parser: "nextest",
            recognised: self.started || self.summary.is_some(),
            closing: self.summary.is_some(),
            closing_required: true,
            counts: self.summary.clone(),
            build_failed: self.build_failed,
            no_tests: self.summary.as_ref().is_some_and(|c| c.passed.unwrap_or(0) + c.failed == 0),
            // The failing tests and every test listed, as collected.
            ..self.failing.clone()
        };
        super::build::lints_not_compile_errors(&mut parsed, &self.diagnostics);
        parsed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_summary_word_nextest_prints() {
        let mut p = Nextest::default();
        p.line("     Summary [  15.750s] 8/10 tests run: 5 passed (1 slow, 1 flaky, 1 leaky), 2 failed, 1 exec failed, 1 timed out, 2 skipped");
        let c = p.finish().counts.unwrap();
        assert_eq!((c.passed, c.failed, c.skipped), (Some(5), 4, 2));
        let mut p = Nextest::default();
        p.line("     Summary [   0.100s] 0 tests run: 0 passed, 0 skipped");
        assert!(p.finish().no_tests);
    }
}
