//! JUnit XML from a run record: one `testsuite` per gate, one `testcase` per test the
//! parser reported by name; a gate whose tests are unknown is one testcase. Failures carry
//! the failing test's output excerpt, else the gate's reason. The shape is the Jenkins
//! JUnit format CI reporters read (`tests/fixtures/junit/junit.xsd`); the writer is a
//! few lines of escaping, not a library.

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
    let gate_case = |status| Case {
        name: gate.id.clone(),
        classname: gate.id.clone(),
        time_ms: Some(gate.duration_ms),
        status,
    };
    let whole_gate = format!("{}: {}", gate.outcome, gate.reason);
    let mut cases = Vec::new();
    if gate.tests.is_empty() {
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
        cases.push(Case { name: test.name.clone(), classname: gate.id.clone(), time_ms: None, status });
    }
    // A gate that failed without a failing test (a build failure, a timeout) fails as a
    // whole, so the report never shows it green.
    if !gate.outcome.passed() && !gate.tests.iter().any(|t| t.status == TestStatus::Fail) {
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
    use crate::evidence::fixtures;

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
}
