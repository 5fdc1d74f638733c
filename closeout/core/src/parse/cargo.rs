//! `cargo test`: every test binary and doc-test run ends with a `test result:` line;
//! the counts are their sum. Each test is grouped under the binary cargo names before
//! its block (`Running unittests src/lib.rs (target/debug/deps/grep_regex-…)` gives
//! `grep_regex`; `Doc-tests grep_regex` gives `grep_regex (doc-tests)`), so one test path
//! in two crates of a workspace stays two tests.

use super::{number_words, Parsed, RunnerParser};
use crate::evidence::TestCounts;

#[derive(Default)]
pub struct Cargo {
    counts: TestCounts,
    sections_open: u64,
    results: u64,
    build_failed: bool,
    /// Reads the compiler's diagnostics, to tell denied lints from compile errors.
    diagnostics: super::build::Build,
    failing: Parsed,
    /// The test whose `---- name stdout ----` section is being read.
    section: Option<(String, Vec<String>)>,
    /// The test binary now running.
    binary: Option<String>,
    /// How many tests the binary now running said it runs (`running 3 tests`).
    announced: Option<u64>,
    /// The `test … ok` / `FAILED` / `ignored` lines of the binary now running.
    seen: [u64; 3],
    /// Its `test name ... ` lines, with or without their result on the same line
    /// (`--nocapture --test-threads=1` prints a test's output between the two).
    started: u64,
}

/// The binary a `Running ...` or `Doc-tests ...` line names.
fn binary_of(line: &str) -> Option<String> {
    let line = line.trim_start();
    if let Some(krate) = line.strip_prefix("Doc-tests ") {
        return Some(format!("{} (doc-tests)", krate.trim()));
    }
    let rest = line.strip_prefix("Running ")?;
    let path = rest.rsplit_once(" (").map_or(rest, |(_, p)| p.trim_end_matches(')'));
    let file = path.rsplit(['/', '\\']).next()?;
    let file = file.strip_suffix(".exe").unwrap_or(file);
    // `grep_regex-32492391c4d995a9`: drop cargo's hash.
    let name = match file.rsplit_once('-') {
        Some((name, hash)) if hash.len() == 16 && hash.chars().all(|c| c.is_ascii_hexdigit()) => name,
        _ => file,
    };
    Some(name.to_string())
}

impl Cargo {
    fn close_section(&mut self) {
        if let Some((name, mut lines)) = self.section.take() {
            while lines.last().is_some_and(|l| l.trim().is_empty()) {
                lines.pop();
            }
            self.failing.set_excerpt(&name, &lines);
        }
    }
}

impl RunnerParser for Cargo {
    fn line(&mut self, line: &str) {
        self.diagnostics.line(line);
        if let Some(rest) = line.strip_prefix("---- ") {
            self.close_section();
            if let Some(name) =
                rest.strip_suffix(" stdout ----").or_else(|| rest.strip_suffix(" stderr ----"))
            {
                self.section = Some((name.to_string(), Vec::new()));
            }
            return;
        }
        if let Some((_, lines)) = self.section.as_mut() {
            if line == "failures:" || line.starts_with("test result: ") {
                self.close_section();
            } else {
                if lines.len() < super::EXCERPT_LINES {
                    lines.push(line.to_string());
                }
                return;
            }
        }
        if let Some(binary) = binary_of(line) {
            self.binary = Some(binary);
        } else if line.starts_with("running ") && (line.ends_with(" tests") || line.ends_with(" test")) {
            self.sections_open += 1;
            self.announced = line.split_whitespace().nth(1).and_then(|n| n.parse().ok());
            self.seen = [0; 3];
            self.started = 0;
        } else if let Some(rest) = line.strip_prefix("test result: ") {
            let words = number_words(rest);
            let count = |w: &str| words.iter().filter(|(_, word)| word == w).map(|(n, _)| n).sum::<u64>();
            // libtest's line accounts for every test it announced and, in its default
            // format, comes after every test's own line; one that does not is a test's own
            // output (`--nocapture`, or a test's captured stdout), not the binary's result.
            let ran = count("passed") + count("failed") + count("ignored") + count("measured");
            let [ok, failed, ignored] = self.seen;
            let listed = ok + failed + ignored;
            let (says_passed, says_failed) = (count("passed"), count("failed"));
            let behind_its_lines = if self.started > listed {
                // Some results were not on their test's line: the line must not say less.
                says_passed >= ok && says_failed >= failed
            } else {
                listed == 0 || (listed == ran && says_passed == ok && says_failed == failed)
            };
            if self.announced.is_some_and(|n| n != ran) || !behind_its_lines {
                return;
            }
            self.announced = None;
            self.results += 1;
            self.sections_open = self.sections_open.saturating_sub(1);
            self.counts.add_passed(count("passed"));
            self.counts.failed += count("failed");
            self.counts.skipped += count("ignored");
        } else if let Some(rest) = line.strip_prefix("test ") {
            if rest.contains(" ... ") || rest.ends_with(" ...") {
                self.started += 1;
            }
            for (n, (suffix, status)) in [
                (" ... ok", super::TestStatus::Pass),
                (" ... FAILED", super::TestStatus::Fail),
                (" ... ignored", super::TestStatus::Skip),
            ]
            .into_iter()
            .enumerate()
            {
                if let Some(name) = rest.strip_suffix(suffix) {
                    self.failing.add_test_in(name, status, self.binary.as_deref());
                    self.seen[n] += 1;
                }
            }
        } else if line.starts_with("error: could not compile") || line.starts_with("error[E") {
            self.build_failed = true;
        }
    }

    fn finish(&self) -> Parsed {
        let mut parsed = Parsed {
            parser: "cargo",
            recognised: self.results > 0,
            closing: self.results > 0 && self.sections_open == 0,
            closing_required: true,
            counts: Some(self.counts.clone()),
            build_failed: self.build_failed,
            no_tests: self.results > 0 && self.counts.passed.unwrap_or(0) + self.counts.failed == 0,
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

    fn read(text: &str) -> Parsed {
        let mut cargo = Cargo::default();
        for line in text.lines() {
            cargo.line(line);
        }
        cargo.finish()
    }

    #[test]
    fn denied_lints_are_lints_and_type_errors_are_build_failures() {
        let lints = "error: unused variable: `x`\n  = note: `-D unused-variables` implied by `-D warnings`\nerror: could not compile `m` (lib test) due to 1 previous error\n";
        let p = read(lints);
        assert!(p.lint_failed && !p.build_failed);
        assert_eq!(p.counts.unwrap().lints, Some(1));
        let p = read("error[E0308]: mismatched types\nerror: could not compile `m` (lib test) due to 1 previous error\n");
        assert!(p.build_failed && !p.lint_failed);
    }

    #[test]
    fn a_result_line_before_its_tests_are_all_listed_is_a_tests_output() {
        // A failing test's captured stdout printed a result line; libtest's own is missing.
        let mut c = Cargo::default();
        for line in [
            "running 2 tests",
            "test a ... ok",
            "test b ... FAILED",
            "",
            "failures:",
            "",
            "---- b stdout ----",
            "test result: ok. 2 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out",
            "",
            "failures:",
            "    b",
        ] {
            c.line(line);
        }
        let p = c.finish();
        assert!(!p.closing, "no result line of the binary's own");
        // --nocapture: one of three tests listed, then a line claiming all three passed.
        let mut c = Cargo::default();
        for line in ["running 3 tests", "test a ... ok", "test result: ok. 3 passed; 0 failed; 0 ignored"] {
            c.line(line);
        }
        assert!(!c.finish().closing);
        // --nocapture --test-threads=1: a test's output between its name and its result.
        let mut c = Cargo::default();
        for line in [
            "running 2 tests",
            "test a ... hello",
            "ok",
            "test b ... ok",
            "test result: ok. 2 passed; 0 failed; 0 ignored",
        ] {
            c.line(line);
        }
        let p = c.finish();
        assert!(p.closing);
        assert_eq!(p.counts.unwrap().passed, Some(2));
        // `-q`: no per-test lines, the result line stands.
        let mut c = Cargo::default();
        for line in ["running 3 tests", "...", "test result: ok. 3 passed; 0 failed; 0 ignored"] {
            c.line(line);
        }
        assert!(c.finish().closing);
    }

    #[test]
    fn a_result_line_a_test_printed_is_not_the_binarys() {
        let mut c = Cargo::default();
        for line in [
            "running 1 test",
            "test result: ok. 50 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s",
            "test liar ... FAILED",
            "",
            "test result: FAILED. 0 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s",
        ] {
            c.line(line);
        }
        let parsed = c.finish();
        let counts = parsed.counts.unwrap();
        assert_eq!((counts.passed, counts.failed), (Some(0), 1));
        assert!(parsed.closing);
    }

    #[test]
    fn binaries_from_running_lines() {
        let b = |l: &str| binary_of(l);
        assert_eq!(
            b("     Running unittests src/lib.rs (target/debug/deps/grep_regex-32492391c4d995a9)").as_deref(),
            Some("grep_regex")
        );
        assert_eq!(
            b("     Running tests/tests.rs (target/debug/deps/integration-4b2a7e9f994b6a2f)").as_deref(),
            Some("integration")
        );
        assert_eq!(b("   Doc-tests grep_regex").as_deref(), Some("grep_regex (doc-tests)"));
        assert_eq!(b("running 3 tests"), None);
    }
}
