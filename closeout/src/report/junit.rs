//! JUnit XML from a run record (quick-junit): one `testsuite` per gate, one `testcase` per
//! test the parser reported by name; a gate whose tests are unknown is one testcase.
//! Failures carry the failing test's output excerpt, else the gate's reason.

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
    if gate.tests.is_empty() {
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
        case.set_classname(gate.id.clone());
        suite.add_test_case(case);
    }
    // A gate that failed without a failing test (a build failure, a timeout) fails as a
    // whole, so the report never shows it green.
    if !gate.outcome.passed() && !gate.tests.iter().any(|t| t.status == TestStatus::Fail) {
        suite.add_test_case(gate_case(failure(&format!("{}: {}", gate.outcome, gate.reason), &gate.reason)));
    }
    suite
}
