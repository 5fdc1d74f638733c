//! tsc: `file(line,col): error TSnnnn:` lines; `Found N errors` when pretty. A clean
//! typecheck prints nothing, so no closing line is required.

use super::{Parsed, RunnerParser};
use crate::evidence::TestCounts;

#[derive(Default)]
pub struct Tsc {
    errors: u64,
    found: Option<u64>,
    files: Parsed,
}

/// `src/a.ts(2,25): error TS2307: ...` or pretty `src/a.ts:2:25 - error TS2307: ...`.
pub fn is_error_line(line: &str) -> bool {
    line.split_once("error TS").is_some_and(|(before, after)| {
        (before.ends_with("): ") || before.ends_with(" - ") || before.is_empty())
            && after.chars().next().is_some_and(|c| c.is_ascii_digit())
    })
}

impl RunnerParser for Tsc {
    fn line(&mut self, line: &str) {
        if is_error_line(line) {
            self.errors += 1;
            let file = line.split(['(', ':']).next().unwrap_or("").trim();
            if !file.is_empty() && !file.starts_with("error TS") {
                self.files.add_failing(file);
            }
        } else if let Some(rest) = line.strip_prefix("Found ") {
            self.found = rest.split_whitespace().next().and_then(|n| n.parse().ok());
        }
    }

    fn finish(&self) -> Parsed {
        let errors = self.found.unwrap_or(0).max(self.errors);
        Parsed {
            parser: "tsc",
            recognised: errors > 0 || self.found.is_some(),
            closing: self.found.is_some(),
            closing_required: false,
            counts: Some(TestCounts { errors: Some(errors), ..TestCounts::default() }),
            failing: self.files.failing.clone(),
            failing_omitted: self.files.failing_omitted,
            build_failed: errors > 0,
            tests: Vec::new(),
            tests_omitted: 0,
            no_tests: false,
        }
    }
}
