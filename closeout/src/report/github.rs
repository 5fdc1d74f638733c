//! GitHub Actions output: `::error::` annotations for failed gates (at most 10, then one
//! with the count) and a `::warning::` for each FLAKY gate, passing (and FLAKY) gates'
//! output folded in `::group::`, failing gates' output never folded, and a markdown job
//! summary kept under 1 MiB.

use std::time::Duration;

use crate::duration::human;
use crate::evidence::{GateRecord, Outcome, RunRecord};

pub const MAX_ANNOTATIONS: usize = 10;
/// GitHub refuses step summaries over 1 MiB; stay well under it.
pub const SUMMARY_LIMIT: usize = 1024 * 1024 - 16 * 1024;

fn escape(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// A gate's output, repeated in the CI log with workflow commands off: a line such as
/// `::add-mask::` or `::error::` that the gate printed is shown, not obeyed. The token
/// that turns them back on is made after the gates ran, so no gate could print it.
fn quoted(log: &str, token: &str) -> String {
    if log.is_empty() {
        return String::new();
    }
    let mut out = format!("::stop-commands::{token}\n{log}");
    if !log.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(&format!("::{token}::\n"));
    out
}

fn token(record: &RunRecord) -> String {
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos();
    let seed = format!("{}{nanos}{}", record.run_id, std::process::id());
    crate::sha256::Sha256::digest(seed.as_bytes()).iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// Annotations and output groups. `log_of` gives a gate's log tail (already bounded).
pub fn output(record: &RunRecord, log_of: &dyn Fn(&GateRecord) -> Option<String>) -> String {
    let mut out = String::new();
    let token = token(record);
    for gate in &record.gates {
        let log = quoted(&log_of(gate).unwrap_or_default(), &token);
        if gate.outcome.succeeded() {
            out.push_str(&format!(
                "::group::{} {} ({})\n",
                gate.outcome,
                gate.id,
                human(Duration::from_millis(gate.duration_ms))
            ));
            out.push_str(&log);
            if !log.is_empty() && !log.ends_with('\n') {
                out.push('\n');
            }
            out.push_str("::endgroup::\n");
        } else {
            out.push_str(&format!("{} {}: {}\n", gate.outcome, gate.id, gate.reason));
            out.push_str(&log);
            if !log.is_empty() && !log.ends_with('\n') {
                out.push('\n');
            }
        }
    }
    for gate in record.gates.iter().filter(|g| g.outcome == Outcome::Flaky) {
        out.push_str(&format!(
            "::warning title=closeout gate {} is FLAKY::{}\n",
            escape(&gate.id).replace(':', "%3A").replace(',', "%2C"),
            escape(&format!("{}: {}; the verdict names the ledger entry to open", gate.outcome, gate.reason))
        ));
    }
    let failed: Vec<&GateRecord> = record.gates.iter().filter(|g| !g.outcome.succeeded()).collect();
    for gate in failed.iter().take(MAX_ANNOTATIONS) {
        let mut message = format!("{}: {}", gate.outcome, gate.reason);
        if let Some(k) = &gate.known_failure {
            message.push_str(&format!(" (known failure {k})"));
        }
        if !gate.failing_tests.is_empty() {
            message.push_str(&format!("\nfailing: {}", gate.failing_tests.join(", ")));
        }
        out.push_str(&format!(
            "::error title=closeout gate {}::{}\n",
            escape(&gate.id).replace(':', "%3A").replace(',', "%2C"),
            escape(&message)
        ));
    }
    if failed.len() > MAX_ANNOTATIONS {
        out.push_str(&format!(
            "::error::{} more failed gate(s) not annotated; see the job summary\n",
            failed.len() - MAX_ANNOTATIONS
        ));
    }
    out
}

/// The job summary: outcomes, the slowest gates and the failing tests, under 1 MiB.
pub fn summary(record: &RunRecord) -> String {
    let passed = record.gates.iter().filter(|g| g.outcome.passed()).count();
    let flaky: Vec<&GateRecord> = record.gates.iter().filter(|g| g.outcome == Outcome::Flaky).collect();
    let mut out = format!(
        "## closeout baseline: {passed}/{} gates passed{}\n\nRun `{}`{}, makespan {}.\n\n| Gate | Outcome | Exit | Duration | Counts |\n| --- | --- | --- | --- | --- |\n",
        record.gates.len(),
        if flaky.is_empty() { String::new() } else { format!(", {} FLAKY", flaky.len()) },
        record.run_id,
        if record.shards.is_empty() { String::new() } else { format!(" (merged from {} shards)", record.shards.len()) },
        human(Duration::from_millis(record.makespan_ms)),
    );
    let cell = |s: &str| s.replace('|', "\\|").replace('\n', " ");
    for g in &record.gates {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            cell(&g.id),
            g.outcome,
            g.exit_code.map_or("-".into(), |c| c.to_string()),
            human(Duration::from_millis(g.duration_ms)),
            g.counts.as_ref().map_or("-".into(), |c| c.summary())
        ));
    }
    if !flaky.is_empty() {
        out.push_str("\n### Flaky gates\n\nFailed, then passed on a retry: a condition of the verdict.\n\n");
        for g in &flaky {
            let attempts: Vec<String> = g.attempts.iter().map(|a| a.short()).collect();
            out.push_str(&format!("- `{}`: {}\n", g.id, cell(&attempts.join(", "))));
        }
    }
    let mut slowest: Vec<&GateRecord> = record.gates.iter().collect();
    slowest.sort_by_key(|g| std::cmp::Reverse(g.duration_ms));
    out.push_str("\n### Slowest gates\n\n");
    for g in slowest.iter().take(10) {
        out.push_str(&format!("1. `{}` {}\n", g.id, human(Duration::from_millis(g.duration_ms))));
    }
    let failing: Vec<(&str, &str)> = record
        .gates
        .iter()
        .flat_map(|g| g.failing_tests.iter().map(move |t| (g.id.as_str(), t.as_str())))
        .collect();
    if !failing.is_empty() {
        out.push_str("\n### Failing tests\n\n");
        for (n, (gate, test)) in failing.iter().enumerate() {
            let line = format!("- `{gate}`: {}\n", cell(test));
            if out.len() + line.len() + 200 > SUMMARY_LIMIT {
                out.push_str(&format!(
                    "\n… and {} more failing tests (see the run record)\n",
                    failing.len() - n
                ));
                break;
            }
            out.push_str(&line);
        }
    }
    out.truncate(SUMMARY_LIMIT);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::fixtures;

    #[test]
    fn a_flaky_gate_is_folded_with_a_warning_and_listed_in_the_summary() {
        let mut failed = fixtures::gate("e2e", "npx playwright test", Outcome::Fail, Some(1));
        failed.duration_ms = 2_000;
        let mut passed = fixtures::gate("e2e", "npx playwright test", Outcome::Pass, Some(0));
        passed.duration_ms = 1_000;
        let flaky = crate::classify::over_attempts(vec![failed, passed]);
        let record = fixtures::run(vec![flaky, fixtures::gate("unit", "make test", Outcome::Pass, Some(0))]);
        let out = output(&record, &|_| None);
        assert!(out.contains("::group::FLAKY e2e (3.0s)\n::endgroup::\n"), "{out}");
        assert!(
            out.contains("::warning title=closeout gate e2e is FLAKY::FLAKY: exit 0 on attempt 2 of 2, after attempt 1: FAIL (exit 1); the verdict names the ledger entry to open\n"),
            "{out}"
        );
        assert!(!out.contains("::error"), "a FLAKY gate is no error: {out}");
        let summary = summary(&record);
        assert!(summary.starts_with("## closeout baseline: 1/2 gates passed, 1 FLAKY\n"), "{summary}");
        assert!(summary.contains("| e2e | FLAKY | 0 | 3.0s | - |"), "{summary}");
        assert!(
            summary.contains("- `e2e`: attempt 1: FAIL (exit 1), attempt 2: PASS (exit 0)\n"),
            "{summary}"
        );
    }
}
