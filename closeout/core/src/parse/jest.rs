//! jest: the `Test Suites:` and `Tests:` summary lines, `PASS`/`FAIL file` headers,
//! `●` failure headers under them, and `No tests found` / `0 matches`. A suite that
//! fails to load (`● Test suite failed to run`) is counted and named by its file;
//! jest's own warning headers (`● Validation Warning:`) are not tests. Under `--verbose`
//! every test is a line `✓ title (2 ms)` (`✕` failed, `○ skipped`, `✎ todo`) indented two
//! spaces per level below the `describe` titles that hold it; its name joins them with
//! ` › `, as the failure headers do.

use super::{number_words, Parsed, RunnerParser, TestStatus};
use crate::evidence::TestCounts;

#[derive(Default)]
pub struct Jest {
    suites_seen: bool,
    /// `Test Suites: N failed`: suites with a failing test or that failed to load.
    suites_failed: u64,
    tests: Option<TestCounts>,
    no_tests: bool,
    /// The file of the last `PASS`/`FAIL` header.
    file: Option<String>,
    /// Files whose suite failed to run, in order, once each.
    failed_files: Vec<String>,
    /// `--verbose`: the describe titles above the next test line, by indentation level.
    describes: Vec<String>,
    failing: Parsed,
}

/// Headers jest itself prints with a `●` that are no test: configuration and
/// deprecation warnings, and the suite-level failure.
fn is_jest_notice(text: &str) -> bool {
    const NOTICES: [&str; 6] = [
        "Validation Warning",
        "Validation Error",
        "Deprecation Warning",
        "Multiple configurations found",
        "Configuration Error",
        "Test suite failed to run",
    ];
    NOTICES.iter().any(|n| text.starts_with(n))
}

/// A `--verbose` line: its level (two spaces each), and for a test its status and title.
fn verbose_line(line: &str) -> Option<(usize, Option<TestStatus>, &str)> {
    let text = line.trim_start_matches(' ');
    let indent = line.len() - text.len();
    if indent == 0 || indent % 2 != 0 || text.is_empty() {
        return None;
    }
    let level = indent / 2;
    for (mark, status) in [
        ("✓ ", TestStatus::Pass),
        ("√ ", TestStatus::Pass),
        ("✕ ", TestStatus::Fail),
        ("× ", TestStatus::Fail),
        ("○ skipped ", TestStatus::Skip),
        ("✎ todo ", TestStatus::Skip),
    ] {
        if let Some(title) = text.strip_prefix(mark) {
            // `adds (2 ms)`: drop the duration.
            let title = match title.rsplit_once(" (") {
                Some((t, time)) if time.ends_with(" ms)") || time.ends_with(" s)") => t,
                _ => title,
            };
            return Some((level, Some(status), title.trim_end()));
        }
    }
    Some((level, None, text.trim_end()))
}

impl RunnerParser for Jest {
    fn line(&mut self, line: &str) {
        let trimmed = line.trim();
        if let Some(rest) = trimmed.strip_prefix("Test Suites:") {
            self.suites_seen = true;
            self.suites_failed =
                number_words(rest).iter().filter(|(_, w)| w == "failed").map(|(n, _)| n).sum();
        } else if let Some(rest) = trimmed.strip_prefix("Tests:") {
            self.tests = Some(super::tests_line(rest));
        } else if trimmed.starts_with("No tests found") || trimmed.ends_with(" 0 matches") {
            self.no_tests = true;
        } else if let Some(file) = line.strip_prefix("PASS ").or_else(|| line.strip_prefix("FAIL ")) {
            // `FAIL tests/a.test.js (5.2 s)`: the file is the first word.
            self.file = file.split_whitespace().next().map(str::to_string);
            self.describes.clear();
        } else if let Some(name) = trimmed.strip_prefix("● ") {
            let name = name.trim();
            if name.starts_with("Test suite failed to run") {
                if let Some(file) = &self.file {
                    if !self.failed_files.contains(file) {
                        self.failed_files.push(file.clone());
                        self.failing.add_failing(file);
                    }
                }
            } else if !is_jest_notice(name)
                && !self.failing.tests.iter().any(|t| t.name == name && t.group == self.file)
            {
                self.failing.add_test_in(name, TestStatus::Fail, self.file.as_deref());
            }
        } else if let Some((level, status, title)) = self.file.as_ref().and_then(|_| verbose_line(line)) {
            self.describes.truncate(level - 1);
            match status {
                None => self.describes.push(title.to_string()),
                Some(status) => {
                    let mut name = self.describes.join(" › ");
                    if !name.is_empty() {
                        name.push_str(" › ");
                    }
                    name.push_str(title);
                    if !self.failing.tests.iter().any(|t| t.name == name && t.group == self.file) {
                        self.failing.add_test_in(&name, status, self.file.as_deref());
                    }
                }
            }
        }
    }

    fn finish(&self) -> Parsed {
        let mut counts = self.tests.clone();
        if let Some(c) = counts.as_mut() {
            let suites = self.failed_files.len() as u64;
            c.suites_failed = (suites > 0).then_some(suites);
        }
        let ran = self.tests.as_ref().is_some_and(|c| c.passed.unwrap_or(0) + c.failed > 0);
        Parsed {
            parser: "jest",
            // `Test Suites:` comes before every `Tests:`; a lone `Tests:` line could be anyone's.
            recognised: self.suites_seen || self.no_tests,
            closing: self.tests.is_some() || self.no_tests,
            closing_required: true,
            counts,
            // Every test skipped (a `-t` filter that matched nothing) ran nothing; suites
            // that failed to load are failures, not an empty run.
            no_tests: self.no_tests
                || (self.tests.is_some() && !ran && self.failed_files.is_empty() && self.suites_failed == 0),
            // The failing tests and every test listed, as collected.
            ..self.failing.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Parsed {
        let mut jest = Jest::default();
        for line in text.lines() {
            jest.line(line);
        }
        jest.finish()
    }

    #[test]
    fn verbose_names_every_test_as_its_failure_header_does() {
        let text = "PASS tests/a.test.js\n  console.log\n    noise\n\n  top (1 ms)\n  ✓ top level (2 ms)\n  math\n    nested\n      ✓ adds (1 ms)\n    ✕ subtracts (3 ms)\n    ○ skipped later\n    ✎ todo divide\n\n  ● math › subtracts\n\n    expect(received).toBe(expected)\n\nTests:       1 failed, 1 skipped, 1 todo, 2 passed, 5 total\n";
        let p = read(text);
        let names: Vec<(&str, TestStatus)> = p.tests.iter().map(|t| (t.name.as_str(), t.status)).collect();
        assert_eq!(
            names,
            vec![
                ("top level", TestStatus::Pass),
                ("math › nested › adds", TestStatus::Pass),
                ("math › subtracts", TestStatus::Fail),
                ("math › later", TestStatus::Skip),
                ("math › divide", TestStatus::Skip),
            ]
        );
        assert!(p.tests.iter().all(|t| t.group.as_deref() == Some("tests/a.test.js")));
        assert_eq!(p.failing, vec!["math › subtracts"]);
    }

    #[test]
    fn warning_headers_are_no_tests() {
        let p = read("● Validation Warning:\n\n  Unknown option \"x\"\n\n● Deprecation Warning:\n\nTests:       2 passed, 2 total\n");
        assert!(p.tests.is_empty() && p.failing.is_empty());
    }
}
