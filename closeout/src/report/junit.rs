//! JUnit XML from a run record (quick-junit): one `testsuite` per gate, one `testcase` per
//! test the parser reported by name, with what holds it (package, binary, file) as its
//! classname; a gate whose tests are unknown is one testcase. A failing name that is no
//! test (a suite that failed to load, an unhandled error) is a failed testcase of its
//! own. Tests the runner counted but did not name are the suite's `unnamed_tests`
//! property. Failures carry the failing test's output excerpt, else the gate's reason.

use std::time::Duration;

use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use crate::evidence::{GateRecord, Outcome, RunRecord};
use crate::parse::TestStatus;

pub fn render(record: &RunRecord) -> String {
    let mut report = Report::new(record.program.clone());
    report.set_time(Duration::from_millis(record.makespan_ms));
    for gate in &record.gates {
        report.add_test_suite(suite(gate));
    }
    report.to_string().expect("JUnit XML serializes")
}

fn failure(message: &str, description: &str) -> TestCaseStatus {
    let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
    status.set_message(message.to_string());
    status.set_type("failure");
    if !description.is_empty() {
        status.set_description(description.to_string());
    }
    status
}

fn suite(gate: &GateRecord) -> TestSuite {
    let mut suite = TestSuite::new(gate.id.clone());
    suite.set_time(Duration::from_millis(gate.duration_ms));
    suite.add_property(Property::new("command", gate.command.clone()));
    suite.add_property(Property::new("outcome", gate.outcome.to_string()));
    if let Some(code) = gate.exit_code {
        suite.add_property(Property::new("exit_code", code.to_string()));
    }
    if let Some(k) = &gate.known_failure {
        suite.add_property(Property::new("known_failure", k.clone()));
    }
    let gate_case = |status: TestCaseStatus| {
        let mut case = TestCase::new(gate.id.clone(), status);
        case.set_classname(gate.id.clone());
        case.set_time(Duration::from_millis(gate.duration_ms));
        case
    };
    let named = (gate.tests.len() + gate.tests_omitted) as u64;
    if let Some(unnamed) = gate.counts.as_ref().map(|c| c.cases()).filter(|n| *n > named) {
        suite.add_property(Property::new("unnamed_tests", (unnamed - named).to_string()));
    }
    let failing_apart: Vec<&String> = gate
        .failing_tests
        .iter()
        .filter(|f| !f.starts_with("… and ") && !gate.tests.iter().any(|t| &t.name == *f))
        .collect();
    if gate.tests.is_empty() && failing_apart.is_empty() {
        let status = match gate.outcome {
            Outcome::Pass => TestCaseStatus::success(),
            Outcome::NotRun => {
                let mut s = TestCaseStatus::skipped();
                s.set_message("not run");
                s
            }
            other => {
                let mut description = gate.reason.clone();
                if !gate.failing_tests.is_empty() {
                    description.push_str(&format!("\nfailing tests:\n{}", gate.failing_tests.join("\n")));
                }
                failure(&format!("{other}: {}", gate.reason), &description)
            }
        };
        suite.add_test_case(gate_case(status));
        return suite;
    }
    for test in &gate.tests {
        let status = match test.status {
            TestStatus::Pass => TestCaseStatus::success(),
            TestStatus::Skip => TestCaseStatus::skipped(),
            TestStatus::Fail => failure("failed", test.excerpt.as_deref().unwrap_or(&gate.reason)),
        };
        let mut case = TestCase::new(test.name.clone(), status);
        case.set_classname(test.group.clone().unwrap_or_else(|| gate.id.clone()));
        suite.add_test_case(case);
    }
    let message = format!("{}: {}", gate.outcome, gate.reason);
    for name in &failing_apart {
        let mut case = TestCase::new((*name).clone(), failure(&message, &gate.reason));
        case.set_classname(gate.id.clone());
        suite.add_test_case(case);
    }
    // A gate that failed without a failing test (a build failure, a timeout) fails as a
    // whole, so the report never shows it green.
    if !gate.outcome.passed()
        && failing_apart.is_empty()
        && !gate.tests.iter().any(|t| t.status == TestStatus::Fail)
    {
        suite.add_test_case(gate_case(failure(&message, &gate.reason)));
    }
    suite
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::{classify, Ending};
    use crate::evidence::fixtures;
    use crate::model::ParserKind;

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
        assert!(cases.contains(&("g".into(), "tests/options.bool.combo.test.js".into())), "{cases:?}");
        assert_eq!(xml.matches("<failure ").count(), 24);
    }
}
