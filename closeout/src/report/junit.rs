//! JUnit XML from a run record: one `testsuite` per gate, one `testcase` per test the
//! parser reported by name, with what holds it (package, binary, file) as its classname; a
//! gate whose tests are unknown is one testcase. A failing name that is no test (a suite
//! that failed to load, an unhandled error) is a failed testcase of its own. Tests the
//! runner counted but did not name are the suite's `unnamed_tests` property. Failures
//! carry the failing test's output excerpt, else the gate's reason. The shape is the
//! Jenkins JUnit format CI reporters read (`tests/fixtures/junit/junit.xsd`); the writer is
//! a few lines of escaping, not a library.

use crate::evidence::{GateRecord, Outcome, RunRecord};
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
    cases: Vec<Case>,
}

struct Case {
    name: String,
    classname: String,
    time_ms: Option<u64>,
    status: Status,
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
            match &case.status {
                Status::Success => out.push_str(&format!("{open}/>\n")),
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
                    out.push_str(&format!("{open}>\n            {failure}\n        </testcase>\n"));
                }
            }
        }
        out.push_str("    </testsuite>\n");
    }
}

fn suite(gate: &GateRecord) -> Suite<'_> {
    let mut properties = vec![("command", gate.command.clone()), ("outcome", gate.outcome.to_string())];
    if let Some(code) = gate.exit_code {
        properties.push(("exit_code", code.to_string()));
    }
    if let Some(k) = &gate.known_failure {
        properties.push(("known_failure", k.clone()));
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
            Outcome::Pass => Status::Success,
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
        cases.push(Case { name: test.name.clone(), classname, time_ms: None, status });
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
        });
    }
    // A gate that failed without a failing test (a build failure, a timeout) fails as a
    // whole, so the report never shows it green.
    if !gate.outcome.passed()
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
