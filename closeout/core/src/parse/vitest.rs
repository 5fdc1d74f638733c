//! vitest: the `Test Files`, `Tests` and `Errors` summary lines (tokens in any order),
//! `Failed Suites N`, the `FAIL  file > suite > test` headers of failures, the unhandled
//! errors section, and under `--reporter=verbose` one `✓`/`×`/`↓` line per test.

use super::{number_words, Parsed, RunnerParser, TestStatus};
use crate::evidence::TestCounts;

#[derive(Default)]
pub struct Vitest {
    started: bool,
    /// A `Test Files` summary line: with `RUN  v…`, what recognises vitest (a lone
    /// `Tests …` line could be anyone's).
    files_seen: bool,
    tests: Option<TestCounts>,
    files_failed: u64,
    suites_failed: u64,
    /// `Errors  N errors`: unhandled errors, which fail the run even when every test passed.
    errors: u64,
    /// Inside the `Unhandled Errors` section: the error whose location comes next.
    unhandled: Option<String>,
    no_files: bool,
    failing: Parsed,
}

/// `test/a.test.ts > suite > name 12ms` (verbose reporter): the file and the test name.
fn verbose_test(text: &str) -> Option<(&str, String)> {
    let (file, _) = text.split_once(" > ")?;
    if file.contains(' ') || !(file.contains('.') || file.contains('/')) {
        return None;
    }
    // Drop the trailing duration (`12ms`, `1.2s`) and markers such as `[skipped]`.
    let mut words: Vec<&str> = text.split(' ').collect();
    while let Some(last) = words.last() {
        let duration = last
            .strip_suffix("ms")
            .or_else(|| last.strip_suffix('s'))
            .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit() || c == '.'));
        if duration || (last.starts_with('[') && last.ends_with(']')) || last.is_empty() {
            words.pop();
        } else {
            break;
        }
    }
    Some((file, words.join(" ")))
}

impl RunnerParser for Vitest {
    fn line(&mut self, line: &str) {
        let trimmed = line.trim();
        if trimmed.starts_with("RUN  v") || trimmed.starts_with("RUN v") {
            self.started = true;
        } else if trimmed.starts_with('⎯') {
            // `⎯⎯⎯ Unhandled Source Error ⎯⎯⎯` opens one unhandled error; other rules close it.
            let title = trimmed.trim_matches(|c: char| c == '⎯' || c.is_whitespace());
            if let Some(n) = title.strip_prefix("Failed Suites ") {
                self.suites_failed = n.split_whitespace().next().and_then(|n| n.parse().ok()).unwrap_or(0);
            }
            self.unhandled = (title.starts_with("Unhandled ") && title != "Unhandled Errors")
                .then(|| title.to_ascii_lowercase());
        } else if let Some(at) = trimmed.find("Failed Suites ") {
            let count = trimmed[at + "Failed Suites ".len()..].split_whitespace().next();
            self.suites_failed = count.and_then(|n| n.parse().ok()).unwrap_or(0);
        } else if trimmed.starts_with("No test files found") {
            self.no_files = true;
        } else if let Some(rest) = trimmed.strip_prefix("Test Files ") {
            self.files_seen = true;
            self.files_failed =
                number_words(rest).iter().filter(|(_, w)| w == "failed").map(|(n, _)| n).sum();
        } else if let Some(rest) = trimmed.strip_prefix("Tests ") {
            self.tests = Some(super::tests_line(rest));
        } else if let Some(rest) = trimmed.strip_prefix("Errors ") {
            // `Errors  1 error` (`Type Errors  no errors` is not this line).
            self.errors =
                number_words(rest).iter().filter(|(_, w)| w.starts_with("error")).map(|(n, _)| n).sum();
        } else if let Some(rest) = trimmed.strip_prefix("FAIL ") {
            // ` FAIL  file > suite > test` or ` FAIL  file [ file ]` for a suite that failed to load.
            let name = rest.trim();
            let name = name.split(" [ ").next().unwrap_or(name).trim();
            if name.contains(" > ") {
                if !self.failing.tests.iter().any(|t| t.name == name && t.status == TestStatus::Fail) {
                    let file = name.split(" > ").next();
                    self.failing.add_test_in(name, TestStatus::Fail, file);
                }
            } else if !name.is_empty() {
                self.failing.add_failing(name);
            }
        } else if let Some(location) = trimmed.strip_prefix("❯ ") {
            // The first frame of an unhandled error is where it happened.
            if let Some(kind) = self.unhandled.take() {
                self.failing.add_failing(&format!("{kind} at {location}"));
            }
        } else if let Some((mark, rest)) = trimmed.split_once(' ') {
            let status = match mark {
                "✓" | "√" => TestStatus::Pass,
                "×" | "✗" => TestStatus::Fail,
                "↓" => TestStatus::Skip,
                _ => return,
            };
            if let Some((file, name)) = verbose_test(rest.trim_start()) {
                self.failing.add_test_in(&name, status, Some(file));
            }
        }
    }

    fn finish(&self) -> Parsed {
        let mut counts = self.tests.clone();
        if let Some(c) = counts.as_mut() {
            // A suite that failed to import ran no tests but failed all the same.
            c.suites_failed = (self.suites_failed > 0).then_some(self.suites_failed);
            c.errors = (self.errors > 0).then_some(self.errors);
        }
        let ran = self.tests.as_ref().is_some_and(|c| c.passed.unwrap_or(0) + c.failed > 0);
        Parsed {
            parser: "vitest",
            recognised: self.started || self.files_seen || self.no_files,
            closing: self.tests.is_some() || self.no_files,
            closing_required: true,
            counts,
            // Every test skipped (a `-t` filter that matched nothing) ran nothing.
            no_tests: self.no_files
                || (self.tests.is_some()
                    && !ran
                    && self.files_failed == 0
                    && self.suites_failed == 0
                    && self.errors == 0),
            // The failing tests and every test listed, as collected.
            ..self.failing.clone()
        }
    }
}
