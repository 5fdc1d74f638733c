//! `cargo test`: every test binary and doc-test run ends with a `test result:` line;
//! the counts are their sum.

use super::{number_words, Parsed, RunnerParser};
use crate::evidence::TestCounts;

#[derive(Default)]
pub struct Cargo {
    counts: TestCounts,
    sections_open: u64,
    results: u64,
    build_failed: bool,
    failing: Parsed,
}

impl RunnerParser for Cargo {
    fn line(&mut self, line: &str) {
        if line.starts_with("running ") && (line.ends_with(" tests") || line.ends_with(" test")) {
            self.sections_open += 1;
        } else if let Some(rest) = line.strip_prefix("test result: ") {
            self.results += 1;
            self.sections_open = self.sections_open.saturating_sub(1);
            for (n, word) in number_words(rest) {
                match word.as_str() {
                    "passed" => self.counts.passed += n,
                    "failed" => self.counts.failed += n,
                    "ignored" => self.counts.skipped += n,
                    _ => {}
                }
            }
        } else if let Some(rest) = line.strip_prefix("test ") {
            if let Some(name) = rest.strip_suffix(" ... FAILED") {
                self.failing.add_failing(name);
            }
        } else if line.starts_with("error: could not compile") || line.starts_with("error[E") {
            self.build_failed = true;
        }
    }

    fn finish(&self) -> Parsed {
        Parsed {
            parser: "cargo",
            recognised: self.results > 0,
            closing: self.results > 0 && self.sections_open == 0,
            closing_required: true,
            counts: Some(self.counts.clone()),
            failing: self.failing.failing.clone(),
            failing_omitted: self.failing.failing_omitted,
            build_failed: self.build_failed,
            no_tests: self.results > 0 && self.counts.total() == 0,
        }
    }
}
