//! `go test`, plain or `-v`, and `go test -json` (whose stream may carry plain build
//! error lines in between).

use super::{Parsed, RunnerParser, TestStatus};
use crate::evidence::{Subtests, TestCounts};

#[derive(Default)]
pub struct Go {
    passed: u64,
    failed: u64,
    skipped: u64,
    /// Subtests (`t.Run`), told apart by the `/` in their names: a top-level test is a
    /// Go identifier and holds none.
    subtests: Subtests,
    packages_ok: u64,
    packages_with_tests: u64,
    packages_failed: u64,
    packages_build_failed: u64,
    packages_no_test_files: u64,
    recognised: bool,
    failing: Parsed,
    /// Output since the last `=== RUN` of a test, for its excerpt if it then fails.
    since_run: Option<(String, Vec<String>)>,
    /// The failing test whose indented output follows (non-verbose layout).
    after_fail: Option<(String, Vec<String>)>,
    /// Tests recorded since the last package line, which names their package.
    ungrouped_from: usize,
    /// A `=== RUN` line was seen: the output lists every test (`-v`, `-json`), passing
    /// ones too. Without one, go named failing tests only.
    verbose: bool,
    /// Every test a `=== RUN` line started: a marker glued after other text counts only
    /// for one of these (a test printing "--- FAIL: TestX" is not TestX failing).
    started: std::collections::HashSet<String>,
}

/// A result marker: `--- FAIL: TestX (0.00s)`, also where a test's output without a
/// final newline glued it to the end of a line (`partial--- FAIL: TestX`). Returns the
/// text before it, the status and the test name.
fn marker(line: &str) -> Option<(&str, TestStatus, &str)> {
    [("--- PASS: ", TestStatus::Pass), ("--- FAIL: ", TestStatus::Fail), ("--- SKIP: ", TestStatus::Skip)]
        .into_iter()
        .find_map(|(prefix, status)| {
            let at = line.find(prefix)?;
            let rest = &line[at + prefix.len()..];
            let name = rest.split(" (").next().unwrap_or(rest).trim();
            (!name.is_empty() && !name.contains(' ')).then_some((&line[..at], status, name))
        })
}

/// A test's `t.Log` line (`a_test.go:12: message`): what it says is the test's own text,
/// even when that text reads like a result marker.
fn is_log_line(text: &str) -> bool {
    let text = text.trim_start();
    text.split_once(".go:").is_some_and(|(file, rest)| {
        !file.contains(' ')
            && rest
                .split_once(": ")
                .is_some_and(|(line, _)| !line.is_empty() && line.bytes().all(|b| b.is_ascii_digit()))
    })
}

impl Go {
    fn close_after_fail(&mut self) {
        if let Some((name, lines)) = self.after_fail.take() {
            if !lines.is_empty() {
                self.failing.set_excerpt(&name, &lines);
            }
        }
    }
}

impl RunnerParser for Go {
    fn line(&mut self, line: &str) {
        let trimmed = line.trim_start();
        if let Some((_, lines)) = self.after_fail.as_mut() {
            if line.starts_with("    ") && marker(trimmed).is_none() && lines.len() < super::EXCERPT_LINES {
                lines.push(trimmed.to_string());
                return;
            }
            self.close_after_fail();
        }
        if let Some(name) = trimmed.strip_prefix("=== RUN") {
            self.verbose = true;
            self.started.insert(name.trim().to_string());
            self.since_run = Some((name.trim().to_string(), Vec::new()));
            return;
        }
        let real_marker = marker(trimmed).filter(|(before, _, name)| {
            before.is_empty() || (self.started.contains(*name) && !is_log_line(before))
        });
        if let Some((before, status, name)) = real_marker {
            self.recognised = true;
            let glued = before.trim();
            if !glued.is_empty() {
                if let Some((_, lines)) =
                    self.since_run.as_mut().filter(|(_, l)| l.len() < super::EXCERPT_LINES)
                {
                    lines.push(glued.to_string());
                }
            }
            self.failing.add_test(name, status);
            if status == TestStatus::Fail {
                let before = match self.since_run.take() {
                    Some((run, lines)) if run == name => lines,
                    _ => Vec::new(),
                };
                self.failing.set_excerpt(name, &before);
                self.after_fail = Some((name.to_string(), before));
            }
            let (passed, failed, skipped) = if name.contains('/') {
                (&mut self.subtests.passed, &mut self.subtests.failed, &mut self.subtests.skipped)
            } else {
                (&mut self.passed, &mut self.failed, &mut self.skipped)
            };
            *match status {
                TestStatus::Pass => passed,
                TestStatus::Fail => failed,
                TestStatus::Skip => skipped,
            } += 1;
            return;
        }
        if let Some((_, lines)) = self.since_run.as_mut().filter(|(_, l)| l.len() < super::EXCERPT_LINES) {
            lines.push(line.to_string());
        }
        let mut fields = line.split('\t');
        let head = fields.next().unwrap_or("").trim_end();
        let Some(package) = fields.next() else { return };
        if package.is_empty() || package.contains(' ') && !package.contains('[') {
            return;
        }
        let rest: Vec<&str> = fields.collect();
        let tail = rest.join("\t");
        if ["ok", "FAIL", "?"].contains(&head) {
            let package = package.split_whitespace().next().unwrap_or(package);
            for test in self.failing.tests.iter_mut().skip(self.ungrouped_from) {
                test.group = Some(package.to_string());
            }
            self.ungrouped_from = self.failing.tests.len();
        }
        match head {
            "ok" => {
                self.recognised = true;
                self.packages_ok += 1;
                if !tail.contains("[no tests to run]") {
                    self.packages_with_tests += 1;
                }
            }
            "FAIL" => {
                self.recognised = true;
                if package.contains("[build failed]")
                    || package.contains("[setup failed]")
                    || tail.contains("[build failed]")
                    || tail.contains("[setup failed]")
                {
                    self.packages_build_failed += 1;
                    // Named, so the report and JUnit show which package did not build.
                    let name = package.split_whitespace().next().unwrap_or(package);
                    self.failing.add_failing(&format!("{name} [build failed]"));
                } else {
                    self.packages_failed += 1;
                }
            }
            "?" => {
                self.recognised = true;
                self.packages_no_test_files += 1;
            }
            _ => {}
        }
    }

    fn finish(&self) -> Parsed {
        let mut failing = self.failing.clone();
        if let Some((name, lines)) = &self.after_fail {
            failing.set_excerpt(name, lines);
        }
        let closing = self.packages_ok
            + self.packages_failed
            + self.packages_build_failed
            + self.packages_no_test_files
            > 0;
        Parsed {
            parser: "go",
            recognised: self.recognised,
            closing,
            closing_required: true,
            counts: Some(TestCounts {
                // Without -v or -json go prints no passing test: none was counted.
                passed: self.verbose.then_some(self.passed),
                failed: self.failed,
                skipped: self.skipped,
                packages_ok: Some(self.packages_ok),
                packages_failed: Some(self.packages_failed),
                packages_build_failed: Some(self.packages_build_failed),
                subtests: (self.subtests.total() > 0).then(|| self.subtests.clone()),
                ..TestCounts::default()
            }),
            failing: failing.failing,
            failing_omitted: failing.failing_omitted,
            tests: failing.tests,
            tests_omitted: failing.tests_omitted,
            build_failed: self.packages_build_failed > 0,
            // No package ran a test, or (under -v) every test reported was skipped.
            no_tests: closing
                && self.packages_failed == 0
                && self.packages_build_failed == 0
                && self.passed + self.failed + self.subtests.passed + self.subtests.failed == 0
                && (self.packages_with_tests == 0 || self.skipped > 0),
            ..Parsed::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_log_line_that_reads_like_a_marker_is_the_tests_text() {
        let mut g = Go::default();
        for line in [
            "=== RUN   TestA",
            "    a_test.go:1: xx --- FAIL: TestA (0.00s)",
            "--- PASS: TestA (0.00s)",
            "PASS",
            "ok  \tm/a\t0.01s",
        ] {
            g.line(line);
        }
        let counts = g.finish().counts.unwrap();
        assert_eq!((counts.passed, counts.failed), (Some(1), 0));
        assert!(is_log_line("    a_test.go:12: message"));
        assert!(!is_log_line("partial output"));
    }

    fn read(text: &str) -> Parsed {
        let mut go = Go::default();
        for line in text.lines() {
            go.line(line);
        }
        go.finish()
    }

    #[test]
    fn a_marker_a_test_prints_is_not_a_result() {
        let p = read("=== RUN   TestLogs\n    main_test.go:5: --- FAIL: TestFake (0.00s)\nreport: --- FAIL: TestGhost (0.01s)\n--- PASS: TestLogs (0.00s)\nPASS\nok  \tm\t0.1s\n");
        assert_eq!(p.counts.as_ref().map(|c| (c.passed, c.failed)), Some((Some(1), 0)), "{p:?}");
        assert!(p.failing.is_empty(), "{p:?}");
    }

    #[test]
    fn subtests_are_counted_apart_and_glued_markers_read() {
        let p = read("=== RUN   TestA\n=== RUN   TestA/x\nno newline    --- FAIL: TestA/x (0.00s)\n--- FAIL: TestA (0.00s)\n=== RUN   TestB\nsome output--- PASS: TestB (0.00s)\nFAIL\tm\t0.1s\n");
        let c = p.counts.unwrap();
        assert_eq!((c.passed, c.failed), (Some(1), 1));
        assert_eq!(c.subtests.map(|s| s.failed), Some(1));
        assert_eq!(p.failing, vec!["TestA/x", "TestA"]);
        assert!(p.tests.iter().all(|t| t.group.as_deref() == Some("m")));
    }

    #[test]
    fn json_events_group_tests_by_their_package() {
        let mut p = GoJson::default();
        for line in [
            r#"{"Action":"output","Package":"m/a","Test":"TestA","Output":"--- PASS: TestA (0.00s)\n"}"#,
            r#"{"Action":"output","Package":"m/b","Test":"TestB","Output":"--- FAIL: TestB (0.00s)\n"}"#,
            r#"{"Action":"output","Package":"m/b","Output":"FAIL\tm/b\t0.1s\n"}"#,
            r#"{"Action":"output","Package":"m/a","Output":"ok  \tm/a\t0.1s\n"}"#,
        ] {
            p.line(line);
        }
        let groups: Vec<_> = p.finish().tests.into_iter().map(|t| (t.name, t.group.unwrap())).collect();
        assert_eq!(groups, [("TestA".to_string(), "m/a".to_string()), ("TestB".into(), "m/b".into())]);
    }

    #[test]
    fn every_test_skipped_is_no_tests_but_a_quiet_pass_is_not() {
        assert!(read("=== RUN   TestA\n--- SKIP: TestA (0.00s)\nPASS\nok  \tm\t0.1s\n").no_tests);
        assert!(!read("ok  \tm\t0.1s\n").no_tests, "non-verbose: tests ran unseen");
        assert!(read("ok  \tm\t0.1s [no tests to run]\n").no_tests);
    }
}

/// `go test -json`: output events are read as the plain parser would read them;
/// lines that are not JSON (build errors) go to it directly.
#[derive(Default)]
pub struct GoJson {
    inner: Go,
    events: u64,
}

struct Event {
    output: Option<String>,
    action: Option<String>,
    package: Option<String>,
}
crate::json::json_object!(Event {
    output as "Output": required,
    action as "Action": required,
    package as "Package": required,
});

impl RunnerParser for GoJson {
    fn line(&mut self, line: &str) {
        if line.starts_with('{') {
            if let Ok(event) = serde_json::from_str::<Event>(line) {
                if event.action.is_some() {
                    self.events += 1;
                }
                if let Some(output) = event.output {
                    let before = self.inner.failing.tests.len();
                    for l in output.lines() {
                        self.inner.line(l);
                    }
                    // Packages' events interleave: each test belongs to its event's package.
                    if let Some(package) = event.package {
                        for test in self.inner.failing.tests.iter_mut().skip(before) {
                            test.group = Some(package.clone());
                        }
                        self.inner.ungrouped_from = self.inner.failing.tests.len();
                    }
                }
                return;
            }
        }
        self.inner.line(line);
    }

    fn finish(&self) -> Parsed {
        let mut parsed = self.inner.finish();
        parsed.parser = "go-json";
        parsed.recognised = self.events > 0;
        parsed
    }
}
