//! jest: `Tests:` summary line, `●` failure headers, and `No tests found` / `0 matches`.

use super::{number_words, Parsed, RunnerParser};
use crate::evidence::TestCounts;

#[derive(Default)]
pub struct Jest {
    suites_seen: bool,
    tests: Option<TestCounts>,
    no_tests: bool,
    failing: Parsed,
}

impl RunnerParser for Jest {
    fn line(&mut self, line: &str) {
        let trimmed = line.trim();
        if trimmed.starts_with("Test Suites:") {
            self.suites_seen = true;
        } else if let Some(rest) = trimmed.strip_prefix("Tests:") {
            let mut counts = TestCounts::default();
            for (n, word) in number_words(rest) {
                match word.as_str() {
                    "passed" => counts.passed += n,
                    "failed" => counts.failed += n,
                    "skipped" | "todo" | "pending" => counts.skipped += n,
                    _ => {}
                }
            }
            self.tests = Some(counts);
        } else if trimmed.starts_with("No tests found") || trimmed.ends_with(" 0 matches") {
            self.no_tests = true;
        } else if let Some(name) = trimmed.strip_prefix("● ") {
            if !name.starts_with("Test suite failed to run") {
                self.failing.add_failing(name.trim());
            }
        }
    }

    fn finish(&self) -> Parsed {
        Parsed {
            parser: "jest",
            recognised: self.suites_seen || self.tests.is_some() || self.no_tests,
            closing: self.tests.is_some() || self.no_tests,
            closing_required: true,
            counts: self.tests.clone(),
            failing: self.failing.failing.clone(),
            failing_omitted: self.failing.failing_omitted,
            build_failed: false,
            tests: Vec::new(),
            tests_omitted: 0,
            no_tests: self.no_tests || self.tests.as_ref().is_some_and(|c| c.total() == 0),
        }
    }
}
