//! vitest: `Test Files` and `Tests` summary lines, whose tokens come in any order.

use super::{number_words, Parsed, RunnerParser};
use crate::evidence::TestCounts;

#[derive(Default)]
pub struct Vitest {
    started: bool,
    tests: Option<TestCounts>,
    files_failed: u64,
    suites_failed: u64,
    no_files: bool,
    failing: Parsed,
}

impl RunnerParser for Vitest {
    fn line(&mut self, line: &str) {
        let trimmed = line.trim();
        if trimmed.starts_with("RUN  v") || trimmed.starts_with("RUN v") {
            self.started = true;
        } else if let Some(at) = trimmed.find("Failed Suites ") {
            let count = trimmed[at + "Failed Suites ".len()..].split_whitespace().next();
            self.suites_failed = count.and_then(|n| n.parse().ok()).unwrap_or(0);
        } else if trimmed.starts_with("No test files found") {
            self.no_files = true;
        } else if let Some(rest) = trimmed.strip_prefix("Test Files ") {
            self.files_failed =
                number_words(rest).iter().filter(|(_, w)| w == "failed").map(|(n, _)| n).sum();
        } else if let Some(rest) = trimmed.strip_prefix("Tests ") {
            let mut counts = TestCounts::default();
            for (n, word) in number_words(rest) {
                match word.as_str() {
                    "passed" => counts.passed += n,
                    "failed" => counts.failed += n,
                    "skipped" | "todo" => counts.skipped += n,
                    _ => {}
                }
            }
            self.tests = Some(counts);
        } else if let Some(rest) = trimmed.strip_prefix("FAIL ") {
            // ` FAIL  file > suite > test` or ` FAIL  file [ file ]` for a suite that failed to load.
            let name = rest.trim();
            let name = name.split(" [ ").next().unwrap_or(name).trim();
            if !name.is_empty() {
                self.failing.add_failing(name);
            }
        }
    }

    fn finish(&self) -> Parsed {
        let mut counts = self.tests.clone();
        if let Some(c) = counts.as_mut() {
            // A suite that failed to import ran no tests but failed all the same.
            c.errors = (self.suites_failed > 0).then_some(self.suites_failed);
        }
        Parsed {
            parser: "vitest",
            recognised: self.started || self.tests.is_some() || self.no_files,
            closing: self.tests.is_some() || self.no_files,
            closing_required: true,
            counts,
            failing: self.failing.failing.clone(),
            failing_omitted: self.failing.failing_omitted,
            build_failed: false,
            tests: Vec::new(),
            tests_omitted: 0,
            no_tests: self.no_files
                || self.tests.as_ref().is_some_and(|c| c.total() == 0 && self.files_failed == 0),
        }
    }
}
