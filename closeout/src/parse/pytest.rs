//! pytest: the closing `N failed, N passed in 0.03s` line (with or without `=` rules),
//! `FAILED`/`ERROR` short-summary lines, and `no tests ran`.

use super::{number_words, Parsed, RunnerParser};
use crate::evidence::TestCounts;

#[derive(Default)]
pub struct Pytest {
    session: bool,
    summary: Option<TestCounts>,
    no_tests: bool,
    failing: Parsed,
}

impl RunnerParser for Pytest {
    fn line(&mut self, line: &str) {
        let trimmed = line.trim().trim_matches('=').trim();
        if trimmed.starts_with("test session starts") {
            self.session = true;
            return;
        }
        if let Some(rest) = line.strip_prefix("FAILED ").or_else(|| line.strip_prefix("ERROR ")) {
            let name = rest.split(" - ").next().unwrap_or(rest).trim();
            self.failing.add_failing(name);
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
        let words = number_words(counts_text);
        if words.is_empty() {
            return;
        }
        let mut counts = TestCounts::default();
        for (n, word) in words {
            match word.as_str() {
                "passed" | "xpassed" => counts.passed += n,
                "failed" | "error" | "errors" => counts.failed += n,
                "skipped" | "xfailed" => counts.skipped += n,
                "deselected" | "warning" | "warnings" | "rerun" => {}
                _ => return,
            }
        }
        self.summary = Some(counts);
    }

    fn finish(&self) -> Parsed {
        Parsed {
            parser: "pytest",
            recognised: self.session || self.summary.is_some(),
            closing: self.summary.is_some(),
            closing_required: true,
            counts: self.summary.clone(),
            failing: self.failing.failing.clone(),
            failing_omitted: self.failing.failing_omitted,
            build_failed: false,
            tests: Vec::new(),
            tests_omitted: 0,
            no_tests: self.no_tests || self.summary.as_ref().is_some_and(|c| c.total() == 0),
        }
    }
}
