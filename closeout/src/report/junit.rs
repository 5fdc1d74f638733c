//! JUnit XML from a run record: one `testsuite` per gate, one `testcase` per test the
//! parser reported by name, with what holds it (package, binary, file) as its classname; a
//! gate whose tests are unknown is one testcase. A failing name that is no test (a suite
//! that failed to load, an unhandled error) is a failed testcase of its own. Tests the
//! runner counted but did not name are the suite's `unnamed_tests` property. Failures
//! carry the failing test's output excerpt, else the gate's reason. The shape is the
//! Jenkins JUnit format CI reporters read (`tests/fixtures/junit/junit.xsd`); the writer is
//! a few lines of escaping, not a library.
//!
//! A gate that ran more than once (`retries`) is marked as Maven Surefire marks reruns,
//! which CI dashboards (Jenkins, GitLab, Buildkite, the GitHub JUnit reporters) read: each
//! earlier attempt in which a case failed is a child of that case, `<flakyFailure>` when
//! the case passed in the end, `<rerunFailure>` when it failed every time, or
//! `<flakyError>` / `<rerunError>` when the attempt failed outside the tests (a timeout, a
//! build failure, a cut-off log). Each has `message` and `type` attributes and a
//! `<stackTrace>` then `<system-out>` child, in the order of Surefire's schema
//! (<https://maven.apache.org/surefire/maven-surefire-plugin/examples/rerun-failing-tests.html>;
//! `maven-surefire-plugin/src/site/resources/xsd/surefire-test-report-3.0.xsd`:
//! `failure*, rerunFailure*, flakyFailure*, skipped?, error?, rerunError*, flakyError*`;
//! `stackTrace` required, `system-out` and `system-err` optional). The testcase's own
//! `<failure>` is the last attempt's, whose output closeout parsed. A case with only
//! flaky children passes, as Surefire counts it. Failures of an attempt that name no
//! case of the last attempt belong to the gate's own case (named after the gate).

use crate::evidence::{Attempt, GateRecord, Outcome, RunRecord};
use crate::parse::TestStatus;

pub fn render(record: &RunRecord) -> String {
    let suites: Vec<Suite> = record.gates.iter().map(suite).collect();
    let sum = |f: fn(&Suite) -> usize| suites.iter().map(f).sum::<usize>();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"{}\" tests=\"{}\" skipped=\"{}\" failures=\"{}\" errors=\"0\" time=\"{}\">\n",
        attr(&record.program),
        sum(|s| s.cases.len()),
        sum(|s| s.skipped()),
        sum(|s| s.failures()),
        seconds(record.makespan_ms)
    ));
    for s in &suites {
        s.write(&mut out);
    }
    out.push_str("</testsuites>\n");
    out
}

struct Suite<'a> {
    gate: &'a GateRecord,
    properties: Vec<(&'static str, String)>,
    cases: Vec<Case<'a>>,
}

struct Case<'a> {
    name: String,
    classname: String,
    time_ms: Option<u64>,
    status: Status,
    /// Earlier attempts in which this case failed, first to last.
    reruns: Vec<&'a Attempt>,
}

enum Status {
    Success,
    Skipped(Option<String>),
    /// message, description
    Failure(String, String),
}

impl Suite<'_> {
    fn skipped(&self) -> usize {
        self.cases.iter().filter(|c| matches!(c.status, Status::Skipped(_))).count()
    }

    fn failures(&self) -> usize {
        self.cases.iter().filter(|c| matches!(c.status, Status::Failure(..))).count()
    }

    fn write(&self, out: &mut String) {
        out.push_str(&format!(
            "    <testsuite name=\"{}\" tests=\"{}\" skipped=\"{}\" errors=\"0\" failures=\"{}\" time=\"{}\">\n",
            attr(&self.gate.id),
            self.cases.len(),
            self.skipped(),
            self.failures(),
            seconds(self.gate.duration_ms)
        ));
        out.push_str("        <properties>\n");
        for (name, value) in &self.properties {
            out.push_str(&format!("            <property name=\"{name}\" value=\"{}\"/>\n", attr(value)));
        }
        out.push_str("        </properties>\n");
        for case in &self.cases {
            let time = case.time_ms.map_or(String::new(), |ms| format!(" time=\"{}\"", seconds(ms)));
            let open = format!(
                "        <testcase name=\"{}\" classname=\"{}\"{time}",
                attr(&case.name),
                attr(&case.classname)
            );
            let reruns: String = case.reruns.iter().map(|a| rerun(a, &case.status)).collect();
            match &case.status {
                Status::Success if reruns.is_empty() => out.push_str(&format!("{open}/>\n")),
                Status::Success => out.push_str(&format!("{open}>\n{reruns}        </testcase>\n")),
                Status::Skipped(message) => {
                    let message =
                        message.as_ref().map_or(String::new(), |m| format!(" message=\"{}\"", attr(m)));
                    out.push_str(&format!("{open}>\n            <skipped{message}/>\n        </testcase>\n"));
                }
                Status::Failure(message, description) => {
                    let tag = format!("<failure message=\"{}\" type=\"failure\"", attr(message));
                    let failure = if description.is_empty() {
                        format!("{tag}/>")
                    } else {
                        format!("{tag}>{}</failure>", text(description))
                    };
                    out.push_str(&format!("{open}>\n            {failure}\n{reruns}        </testcase>\n"));
                }
            }
        }
        out.push_str("    </testsuite>\n");
    }
}

/// One earlier failed attempt of a case, as Surefire writes it: `flaky…` under a case that
/// passed, `rerun…` under one that failed; `…Failure` when the attempt's tests failed
/// (`FAIL`), `…Error` when it failed outside them. Surefire's children always come in
/// its order (failures before errors), which [`attach_attempts`] keeps by sorting.
fn rerun(a: &Attempt, status: &Status) -> String {
    let flaky = matches!(status, Status::Success);
    let element = match (flaky, a.outcome == Outcome::Fail) {
        (true, true) => "flakyFailure",
        (true, false) => "flakyError",
        (false, true) => "rerunFailure",
        (false, false) => "rerunError",
    };
    let mut trace = a.reason.clone();
    let named: Vec<&str> =
        a.failing_tests.iter().map(String::as_str).filter(|f| !f.starts_with("… and ")).collect();
    if !named.is_empty() {
        trace.push_str(&format!("\nfailing tests:\n{}", named.join("\n")));
    }
    let log = a.log.as_ref().map_or(String::new(), |l| {
        let at = l.path.as_deref().map_or(String::new(), |p| format!("{p}, "));
        format!("\n                <system-out>log {at}{} bytes, sha256 {}</system-out>", l.bytes, l.sha256)
    });
    format!(
        "            <{element} message=\"{}\" type=\"{}\">\n                <stackTrace>{}</stackTrace>{log}\n            </{element}>\n",
        attr(&a.short()),
        a.outcome,
        text(&trace)
    )
}

/// Give each case the earlier attempts in which it failed: by name, and the gate's own
/// case (added, passing, when the last attempt has none) for attempts whose failures name
/// no case.
fn attach_attempts<'a>(gate: &'a GateRecord, cases: &mut Vec<Case<'a>>) {
    let Some((_, earlier)) = gate.attempts.split_last() else { return };
    for a in earlier.iter().filter(|a| !a.outcome.passed()) {
        let named: Vec<&String> = a.failing_tests.iter().filter(|f| !f.starts_with("… and ")).collect();
        let mut unplaced = named.is_empty();
        for name in named {
            match cases.iter_mut().find(|c| &c.name == name) {
                Some(case) => case.reruns.push(a),
                None => unplaced = true,
            }
        }
        if !unplaced {
            continue;
        }
        let own = cases.iter().position(|c| c.name == gate.id && c.classname == gate.id);
        let own = own.unwrap_or_else(|| {
            cases.push(Case {
                name: gate.id.clone(),
                classname: gate.id.clone(),
                time_ms: Some(gate.duration_ms),
                status: Status::Success,
                reruns: Vec::new(),
            });
            cases.len() - 1
        });
        if !cases[own].reruns.iter().any(|r| r.attempt == a.attempt) {
            cases[own].reruns.push(a);
        }
    }
    // Surefire's order: every `…Failure` before every `…Error`, attempts in order within.
    for case in cases.iter_mut() {
        case.reruns.sort_by_key(|a| (a.outcome != Outcome::Fail, a.attempt));
    }
}

fn suite(gate: &GateRecord) -> Suite<'_> {
    let mut suite = cases(gate);
    attach_attempts(gate, &mut suite.cases);
    suite
}

fn cases(gate: &GateRecord) -> Suite<'_> {
    let mut properties = vec![("command", gate.command.clone()), ("outcome", gate.outcome.to_string())];
    if let Some(code) = gate.exit_code {
        properties.push(("exit_code", code.to_string()));
    }
    if let Some(k) = &gate.known_failure {
        properties.push(("known_failure", k.clone()));
    }
    if !gate.attempts.is_empty() {
        properties.push(("attempts", gate.attempts.len().to_string()));
    }
    let named = (gate.tests.len() + gate.tests_omitted) as u64;
    if let Some(unnamed) = gate.counts.as_ref().map(|c| c.cases()).filter(|n| *n > named) {
        properties.push(("unnamed_tests", (unnamed - named).to_string()));
    }
    let gate_case = |status| Case {
        name: gate.id.clone(),
        classname: gate.id.clone(),
        time_ms: Some(gate.duration_ms),
        status,
        reruns: Vec::new(),
    };
    let whole_gate = format!("{}: {}", gate.outcome, gate.reason);
    // Failing names that are no test of the parser's (a suite that failed to load).
    let failing_apart: Vec<&String> = gate
        .failing_tests
        .iter()
        .filter(|f| !f.starts_with("… and ") && !gate.tests.iter().any(|t| &t.name == *f))
        .collect();
    let mut cases = Vec::new();
    if gate.tests.is_empty() && failing_apart.is_empty() {
        cases.push(gate_case(match gate.outcome {
            Outcome::Pass | Outcome::Flaky => Status::Success,
            Outcome::NotRun => Status::Skipped(Some("not run".into())),
            _ => {
                let mut description = gate.reason.clone();
                if !gate.failing_tests.is_empty() {
                    description.push_str(&format!("\nfailing tests:\n{}", gate.failing_tests.join("\n")));
                }
                Status::Failure(whole_gate, description)
            }
        }));
        return Suite { gate, properties, cases };
    }
    for test in &gate.tests {
        let status = match test.status {
            TestStatus::Pass => Status::Success,
            TestStatus::Skip => Status::Skipped(None),
            TestStatus::Fail => {
                Status::Failure("failed".into(), test.excerpt.clone().unwrap_or_else(|| gate.reason.clone()))
            }
        };
        let classname = test.group.clone().unwrap_or_else(|| gate.id.clone());
        cases.push(Case { name: test.name.clone(), classname, time_ms: None, status, reruns: Vec::new() });
    }
    for name in &failing_apart {
        // A suite that failed to load is named by its file, its own class (as evidence.md
        // says); anything else failing apart belongs to the gate.
        let is_file = !name.contains(char::is_whitespace) && name.contains('.');
        cases.push(Case {
            name: (*name).clone(),
            classname: if is_file { (*name).clone() } else { gate.id.clone() },
            time_ms: None,
            status: Status::Failure(whole_gate.clone(), gate.reason.clone()),
            reruns: Vec::new(),
        });
    }
    // A gate that failed without a failing test (a build failure, a timeout) fails as a
    // whole, so the report never shows it green.
    if !gate.outcome.succeeded()
        && failing_apart.is_empty()
        && !gate.tests.iter().any(|t| t.status == TestStatus::Fail)
    {
        cases.push(gate_case(Status::Failure(whole_gate, gate.reason.clone())));
    }
    Suite { gate, properties, cases }
}

/// Milliseconds as JUnit's decimal seconds.
fn seconds(ms: u64) -> String {
    format!("{}.{:03}", ms / 1000, ms % 1000)
}

/// Text content: XML-escaped, ANSI escapes removed, and characters XML 1.0 cannot hold
/// (other control characters) replaced by U+FFFD.
fn text(s: &str) -> String {
    let plain = crate::parse::strip_ansi(s);
    let mut out = String::with_capacity(plain.len());
    for c in plain.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// An attribute value: text, with quotes and line breaks escaped too.
fn attr(s: &str) -> String {
    text(s).replace('"', "&quot;").replace('\n', "&#10;").replace('\r', "&#13;").replace('\t', "&#9;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::{classify, Ending};
    use crate::evidence::fixtures;
    use crate::model::ParserKind;

    #[test]
    fn escapes_markup_quotes_ansi_and_control_characters() {
        assert_eq!(text("a < b && c > \"d\""), "a &lt; b &amp;&amp; c &gt; \"d\"");
        assert_eq!(attr("say \"hi\"\nnow"), "say &quot;hi&quot;&#10;now");
        assert_eq!(text("\u{1b}[31mred\u{1b}[0m\u{7}"), "red\u{FFFD}");
    }

    #[test]
    fn a_failed_gate_without_tests_is_one_failing_case() {
        let mut g = fixtures::gate("build", "make <all>", Outcome::Fail, Some(2));
        g.duration_ms = 1500;
        let xml = render(&fixtures::run(vec![g, fixtures::gate("lint", "true", Outcome::Pass, Some(0))]));
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"p\" tests=\"2\" skipped=\"0\" failures=\"1\" errors=\"0\" time=\"0.000\">\n"), "{xml}");
        assert!(xml.contains("<testsuite name=\"build\" tests=\"1\" skipped=\"0\" errors=\"0\" failures=\"1\" time=\"1.500\">"), "{xml}");
        assert!(xml.contains("<property name=\"command\" value=\"make &lt;all&gt;\"/>"), "{xml}");
        assert!(xml.contains("<failure message=\"FAIL: exit 2\" type=\"failure\">exit 2</failure>"), "{xml}");
        assert!(xml.contains("<testcase name=\"lint\" classname=\"lint\" time=\"0.000\"/>"), "{xml}");
        assert!(xml.ends_with("</testsuites>\n"));
    }

    /// The gate record closeout would write for a real output in tests/fixtures.
    fn gate_from_fixture(file: &str, command: &str, exit: i32) -> GateRecord {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/fixtures/runner-output")
            .join(file);
        let text = std::fs::read_to_string(path).unwrap();
        let parsed = crate::parse::parse_text(ParserKind::Auto, command, &text);
        let (outcome, reason) = classify(&Ending::Exited(exit), text.len() as u64, true, &parsed);
        let mut gate = fixtures::gate("g", command, outcome, Some(exit));
        gate.reason = reason;
        gate.counts = parsed.counts;
        gate.failing_tests = parsed.failing;
        gate.tests = parsed.tests;
        gate
    }

    fn cases(xml: &str) -> Vec<(String, String)> {
        xml.lines()
            .filter_map(|l| {
                let rest = l.trim().strip_prefix("<testcase name=\"")?;
                let (name, rest) = rest.split_once('"')?;
                let classname = rest.split_once("classname=\"")?.1.split_once('"')?.0;
                Some((classname.to_string(), name.to_string()))
            })
            .collect()
    }

    /// A gate that ran `attempts` (outcome, exit, failing tests), each with its own log,
    /// the last attempt naming `tests` (name, status) as its parser did.
    fn retried(attempts: &[(Outcome, i32, &[&str])], tests: &[(&str, TestStatus)]) -> GateRecord {
        let runs = attempts
            .iter()
            .enumerate()
            .map(|(n, (outcome, exit, failing))| {
                let mut g = fixtures::gate("e2e", "npx playwright test", *outcome, Some(*exit));
                g.duration_ms = 1_000;
                g.failing_tests = failing.iter().map(|f| f.to_string()).collect();
                let path = format!(
                    "r/000-e2e{}.log",
                    if n == 0 { String::new() } else { format!(".attempt-{}", n + 1) }
                );
                g.log =
                    Some(crate::evidence::LogRecord { path: Some(path), sha256: "ab".repeat(32), bytes: 7 });
                g
            })
            .collect();
        let mut gate = crate::classify::over_attempts(runs);
        gate.tests = tests
            .iter()
            .map(|(name, status)| crate::parse::TestResult {
                name: name.to_string(),
                status: *status,
                group: Some("spec.ts".into()),
                excerpt: (*status == TestStatus::Fail).then(|| "expected 1, got 2".into()),
            })
            .collect();
        gate
    }

    /// The `<testcase>` element named `name`, whole.
    fn testcase<'x>(xml: &'x str, name: &str) -> &'x str {
        let start =
            xml.find(&format!("<testcase name=\"{name}\"")).unwrap_or_else(|| panic!("{name}: {xml}"));
        let rest = &xml[start..];
        let open_end = rest.find('>').unwrap();
        let end = if rest[..open_end].ends_with('/') {
            open_end + 1
        } else {
            rest.find("</testcase>").unwrap() + 11
        };
        &rest[..end + 1]
    }

    #[test]
    fn a_flaky_gate_without_tests_is_a_passing_case_with_a_flaky_failure() {
        let gate = retried(&[(Outcome::Fail, 1, &[]), (Outcome::Pass, 0, &[])], &[]);
        let xml = render(&fixtures::run(vec![gate]));
        // Surefire: a test that passed on a rerun is a passing testcase holding a
        // <flakyFailure> (message, type, <stackTrace>, <system-out>) per failed run.
        assert!(xml.contains("<testsuite name=\"e2e\" tests=\"1\" skipped=\"0\" errors=\"0\" failures=\"0\" time=\"2.000\">"), "{xml}");
        assert!(xml.contains("<property name=\"outcome\" value=\"FLAKY\"/>\n            <property name=\"exit_code\" value=\"0\"/>\n            <property name=\"attempts\" value=\"2\"/>"), "{xml}");
        let sha = "ab".repeat(32);
        assert_eq!(
            testcase(&xml, "e2e"),
            format!(
                "<testcase name=\"e2e\" classname=\"e2e\" time=\"2.000\">
            <flakyFailure message=\"attempt 1: FAIL (exit 1)\" type=\"FAIL\">
                <stackTrace>exit 1</stackTrace>
                <system-out>log r/000-e2e.log, 7 bytes, sha256 {sha}</system-out>
            </flakyFailure>
        </testcase>\n"
            )
        );
    }

    #[test]
    fn flaky_cases_are_marked_by_name_and_unnamed_attempts_on_the_gate() {
        let gate = retried(
            &[(Outcome::Fail, 1, &["checkout works"]), (Outcome::Timeout, 0, &[]), (Outcome::Pass, 0, &[])],
            &[("checkout works", TestStatus::Pass), ("login works", TestStatus::Pass)],
        );
        let xml = render(&fixtures::run(vec![gate]));
        let checkout = testcase(&xml, "checkout works");
        assert!(checkout.contains("<flakyFailure message=\"attempt 1: FAIL (exit 1)\" type=\"FAIL\">\n                <stackTrace>exit 1\nfailing tests:\ncheckout works</stackTrace>"), "{checkout}");
        assert!(!checkout.contains("attempt 2"), "{checkout}");
        assert_eq!(testcase(&xml, "login works"), "<testcase name=\"login works\" classname=\"spec.ts\"/>\n");
        // The timeout named no test: the gate's own case, added and passing, holds it as an error.
        let own = testcase(&xml, "e2e");
        assert!(own.contains("<flakyError message=\"attempt 2: TIMEOUT\" type=\"TIMEOUT\">"), "{own}");
        assert!(
            xml.contains("tests=\"3\" skipped=\"0\" errors=\"0\" failures=\"0\""),
            "flaky cases pass: {xml}"
        );
    }

    #[test]
    fn a_case_failing_every_attempt_has_its_failure_then_rerun_failures() {
        let gate = retried(
            &[
                (Outcome::Fail, 1, &["checkout works"]),
                (Outcome::BuildFailed, 2, &[]),
                (Outcome::Fail, 1, &["checkout works"]),
            ],
            &[("checkout works", TestStatus::Fail)],
        );
        assert_eq!(gate.outcome, Outcome::Fail);
        let xml = render(&fixtures::run(vec![gate]));
        let checkout = testcase(&xml, "checkout works");
        let failure = checkout
            .find("<failure message=\"failed\" type=\"failure\">expected 1, got 2</failure>")
            .unwrap();
        let rerun =
            checkout.find("<rerunFailure message=\"attempt 1: FAIL (exit 1)\" type=\"FAIL\">").unwrap();
        assert!(failure < rerun, "Surefire's order: failure, then rerunFailure: {checkout}");
        assert!(!checkout.contains("attempt 2"), "{checkout}");
        // The build failure named no test: the gate's own case holds it. The gate did not
        // fail as a whole in its last attempt, so that case passes, flaky.
        let own = testcase(&xml, "e2e");
        assert!(
            own.contains("<flakyError message=\"attempt 2: BUILD_FAILED (exit 2)\" type=\"BUILD_FAILED\">"),
            "{own}"
        );
        assert!(xml.contains("tests=\"2\" skipped=\"0\" errors=\"0\" failures=\"1\""), "{xml}");
        // A gate without named tests failing both attempts: its own case, failure then rerun.
        let both = retried(&[(Outcome::Fail, 1, &[]), (Outcome::Fail, 1, &[])], &[]);
        let xml = render(&fixtures::run(vec![both]));
        let own = testcase(&xml, "e2e");
        let failure = own
            .find("<failure message=\"FAIL: exit 1 on attempt 2 of 2; before: attempt 1: FAIL (exit 1)\"")
            .unwrap();
        let rerun = own.find("<rerunFailure message=\"attempt 1: FAIL (exit 1)\" type=\"FAIL\">").unwrap();
        assert!(failure < rerun, "{own}");
        assert!(
            !own.contains("attempt 2: FAIL (exit 1)\" type"),
            "the last attempt is the failure itself: {own}"
        );
    }

    #[test]
    fn rerun_children_keep_surefires_order_failures_before_errors() {
        let gate =
            retried(&[(Outcome::Timeout, 0, &[]), (Outcome::Fail, 1, &[]), (Outcome::Pass, 0, &[])], &[]);
        let xml = render(&fixtures::run(vec![gate]));
        let failure = xml.find("<flakyFailure message=\"attempt 2").unwrap();
        let error = xml.find("<flakyError message=\"attempt 1").unwrap();
        assert!(
            failure < error,
            "flakyFailure* comes before flakyError* in surefire-test-report-3.0.xsd: {xml}"
        );
    }

    #[test]
    fn cargo_workspace_cases_carry_their_binary() {
        let gate = gate_from_fixture("real-cargo-workspace.txt", "cargo test --workspace", 0);
        let xml = render(&fixtures::run(vec![gate]));
        let cases = cases(&xml);
        // ripgrep's own figures: 722 passed + 3 ignored.
        assert_eq!(cases.len(), 725);
        let unique: std::collections::BTreeSet<_> = cases.iter().collect();
        assert_eq!(unique.len(), cases.len(), "no (classname, name) pair twice");
        for krate in ["grep_regex", "grep_pcre2"] {
            assert!(cases.contains(&(krate.into(), "matcher::tests::case_smart".into())), "{krate}");
        }
    }

    #[test]
    fn go_subtests_are_cases_and_counts_agree() {
        let gate = gate_from_fixture("real-go-subtests.txt", "go test -count=1 -run TestToml -v ./...", 0);
        let total = gate.counts.as_ref().unwrap().cases();
        let xml = render(&fixtures::run(vec![gate]));
        assert_eq!(total, 2202);
        assert_eq!(cases(&xml).len(), 2202);
        assert!(xml.contains("classname=\"github.com/BurntSushi/toml\""));
    }

    #[test]
    fn vitest_failing_test_is_its_own_case() {
        let gate = gate_from_fixture("real-vitest-one-failed.txt", "npx vitest run parse", 1);
        let xml = render(&fixtures::run(vec![gate]));
        assert_eq!(
            cases(&xml),
            vec![("test/parse.test.ts".into(), "test/parse.test.ts &gt; parseFilename &gt; works".into())]
        );
        assert!(xml.contains("<property name=\"unnamed_tests\" value=\"310\"/>"), "{xml}");
    }

    #[test]
    fn suites_that_failed_to_load_are_failed_cases() {
        let gate = gate_from_fixture("real-jest-suites-fail-all.txt", "npx jest 'tests/options\\.'", 1);
        let xml = render(&fixtures::run(vec![gate]));
        let cases = cases(&xml);
        assert_eq!(cases.len(), 24);
        let file = "tests/options.bool.combo.test.js".to_string();
        assert!(cases.contains(&(file.clone(), file)), "{cases:?}");
        assert_eq!(xml.matches("<failure ").count(), 24);
    }
}
