//! mocha (spec and dot reporters): the closing `N passing (12ms)` line, then `N pending`
//! and `N failing`; the failures listed after it as `1) suite` then the test's title on
//! the next lines up to the one ending in `:` (`       breaks:`), hooks as `"before all"
//! hook for "x"`. Without `N passing` the run did not finish (`process.exit()` in a test):
//! mocha always prints it, `0 passing` for a run of no test.

use super::{Parsed, RunnerParser, TestStatus};
use crate::evidence::TestCounts;

#[derive(Default)]
pub struct Mocha {
    counts: Option<TestCounts>,
    /// After `N failing`: reading the list of failures.
    in_failures: bool,
    /// The failure whose title is being read: its number's words so far.
    title: Option<Vec<String>>,
    failing: Parsed,
}

/// `2 passing (15ms)`, `1 failing`, `2 pending`: the number and the word.
fn summary(line: &str) -> Option<(u64, &str)> {
    let (n, rest) = line.trim().split_once(' ')?;
    let n = n.parse().ok()?;
    let word = rest.split_whitespace().next()?;
    let timed =
        rest.strip_prefix("passing").is_some_and(|r| r.trim().starts_with('(') && r.trim().ends_with(')'));
    match word {
        "passing" if timed => Some((n, word)),
        "failing" | "pending" if rest.trim() == word => Some((n, word)),
        _ => None,
    }
}

/// `  1) suite` opening a listed failure: the title's first words.
fn failure_start(line: &str) -> Option<&str> {
    let (n, title) = line.trim_start().split_once(") ")?;
    (!n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) && line.starts_with("  ")).then_some(title)
}

impl RunnerParser for Mocha {
    fn line(&mut self, line: &str) {
        if let Some((n, word)) = summary(line) {
            let counts = self.counts.get_or_insert_with(TestCounts::default);
            match word {
                "passing" => counts.add_passed(n),
                "failing" => {
                    counts.failed += n;
                    self.in_failures = n > 0;
                }
                _ => counts.skipped += n,
            }
            return;
        }
        if !self.in_failures {
            return;
        }
        if let Some(words) = self.title.as_mut() {
            let part = line.trim();
            match part.strip_suffix(':') {
                Some(last) => {
                    words.push(last.to_string());
                    let name = words.join(" ");
                    self.failing.add_test(&name, TestStatus::Fail);
                    self.title = None;
                }
                // A title is a few lines; past that, it was not one.
                None if words.len() < 8 && !part.is_empty() => words.push(part.to_string()),
                None => self.title = None,
            }
            return;
        }
        if let Some(first) = failure_start(line) {
            match first.trim().strip_suffix(':') {
                Some(whole) => self.failing.add_test(whole, TestStatus::Fail),
                None => self.title = Some(vec![first.trim().to_string()]),
            }
        }
    }

    fn finish(&self) -> Parsed {
        let ran = self.counts.as_ref().map_or(0, |c| c.passed.unwrap_or(0) + c.failed);
        Parsed {
            parser: "mocha",
            recognised: self.counts.as_ref().is_some_and(|c| c.passed.is_some()),
            closing: self.counts.as_ref().is_some_and(|c| c.passed.is_some()),
            closing_required: true,
            counts: self.counts.clone(),
            no_tests: self.counts.is_some() && ran == 0,
            // The failing tests and every test listed, as collected.
            ..self.failing.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Parsed {
        super::super::parse_text(crate::model::ParserKind::Mocha, "", text)
    }

    #[test]
    fn the_summary_and_the_failures_mocha_lists() {
        let out = "\n\n  math\n    ✔ adds\n    1) breaks\n    - skipped one\n\n\n  1 passing (15ms)\n  2 pending\n  2 failing\n\n  1) math\n       breaks:\n\n      AssertionError [ERR_ASSERTION]: 2 == 3\n      at Context.<anonymous> (t/basic.spec.js:4:31)\n\n  2) h\n       \"before all\" hook for \"h1\":\n     Error: before hook broke\n";
        let p = read(out);
        let c = p.counts.clone().unwrap();
        assert_eq!((c.passed, c.failed, c.skipped), (Some(1), 2, 2));
        assert!(p.closing && p.recognised && !p.no_tests);
        assert_eq!(p.failing, ["math breaks", "h \"before all\" hook for \"h1\""]);
    }

    #[test]
    fn no_test_and_an_unfinished_run() {
        assert!(read("\n  0 passing (2ms)\n").no_tests);
        // `process.exit(0)` in a test: no summary.
        let p = read("\n  e\n    ✔ first\n");
        assert!(!p.closing && !p.recognised);
        // A test's own output is not the summary.
        assert_eq!(summary("3 passing tests were fine"), None);
    }
}
