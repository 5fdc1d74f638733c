//! The performance envelope, pure: each gate's duration and test count now against a
//! reference run, with the gate's tolerance; regressions feed the verdict as conditions.

use crate::evidence::RunRecord;
use crate::model::{Gate, ParserKind, Program};

/// A duration change smaller than this is noise, whatever its percentage.
pub const MIN_DELTA_MS: u64 = 1_000;

#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub gate: String,
    pub now_ms: u64,
    pub reference_ms: Option<u64>,
    pub change_pct: Option<f64>,
    /// `None`: `tolerance = "off"`, the duration is not compared.
    pub tolerance_pct: Option<u32>,
    pub count_now: Option<u64>,
    pub count_reference: Option<u64>,
    /// Why this gate is a regression, if it is.
    pub regression: Option<String>,
}

/// A gate's tolerance: its own (`None` when off), else 20% for build-like gates and 30%
/// for test gates.
pub fn tolerance(gate: &Gate) -> Option<u32> {
    gate.tolerance.unwrap_or(Some(match gate.parser {
        ParserKind::None | ParserKind::Tsc => 20,
        _ if crate::parse::detect(&gate.run)
            .is_none_or(|k| matches!(k, ParserKind::None | ParserKind::Tsc)) =>
        {
            20
        }
        _ => 30,
    }))
}

pub fn envelope(program: &Program, now: &RunRecord, reference: Option<&RunRecord>) -> Vec<Row> {
    program
        .gates
        .iter()
        .filter_map(|gate| {
            let current = now.gate(&gate.id)?;
            // A retried gate is measured by its last attempt (the passing one of a FLAKY
            // gate), not by the time all its attempts took.
            let previous = reference.and_then(|r| r.gate(&gate.id)).filter(|g| g.outcome.succeeded());
            let (now_ms, previous_ms) = (current.measured_ms(), previous.map(|p| p.measured_ms()));
            let tolerance_pct = tolerance(gate);
            let count_now = current.counts.as_ref().map(|c| c.cases()).filter(|n| *n > 0);
            let count_reference = previous.and_then(|p| p.counts.as_ref()).map(|c| c.cases()).filter(|n| *n > 0);
            let change_pct = previous_ms
                .filter(|p| *p > 0)
                .map(|p| (now_ms as f64 - p as f64) * 100.0 / p as f64);
            let mut regression = None;
            if let (Some(pct), Some(p), Some(tolerance_pct)) = (change_pct, previous_ms, tolerance_pct) {
                if pct > tolerance_pct as f64 && now_ms.saturating_sub(p) >= MIN_DELTA_MS {
                    regression = Some(format!("{pct:+.0}% slower than the reference (tolerance {tolerance_pct}%)"));
                }
            }
            if let (Some(n), Some(r)) = (count_now, count_reference) {
                if n < r && gate.count_decrease_reason.is_none() {
                    regression = Some(format!(
                        "test count fell from {r} to {n}; record count_decrease_reason on the gate if that is intended"
                    ));
                }
            }
            Some(Row {
                gate: gate.id.clone(),
                now_ms,
                reference_ms: previous_ms,
                change_pct,
                tolerance_pct,
                count_now,
                count_reference,
                regression,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::{fixtures, Outcome, TestCounts};
    use std::path::Path;

    fn program() -> Program {
        let text = "[program]\nname = \"p\"\n[[gate]]\nid = \"build\"\nrun = \"go build ./...\"\n\
                    [[gate]]\nid = \"test\"\nrun = \"go test ./...\"\n\
                    [[gate]]\nid = \"api\"\nrun = \"go test ./api/...\"\ntolerance = \"50%\"\ncount_decrease_reason = \"split into two gates\"\n";
        crate::config::parse(text, Path::new("c.toml"), Path::new("/r"), &|_| true).unwrap()
    }

    fn run(gates: &[(&str, &str, u64, u64)]) -> RunRecord {
        fixtures::run(
            gates
                .iter()
                .map(|(id, cmd, ms, tests)| {
                    let mut g = fixtures::gate(id, cmd, Outcome::Pass, Some(0));
                    g.duration_ms = *ms;
                    g.counts =
                        (*tests > 0).then(|| TestCounts { passed: Some(*tests), ..TestCounts::default() });
                    g
                })
                .collect(),
        )
    }

    #[test]
    fn regressions_against_tolerance_and_test_counts() {
        let p = program();
        let reference = run(&[
            ("build", "go build ./...", 10_000, 0),
            ("test", "go test ./...", 60_000, 200),
            ("api", "go test ./api/...", 10_000, 50),
        ]);
        let now = run(&[
            ("build", "go build ./...", 12_500, 0),
            ("test", "go test ./...", 70_000, 190),
            ("api", "go test ./api/...", 14_000, 40),
        ]);
        let rows = envelope(&p, &now, Some(&reference));
        // build: +25% over its 20% tolerance.
        assert_eq!(rows[0].tolerance_pct, Some(20));
        assert!(rows[0].regression.as_deref().unwrap().starts_with("+25% slower"), "{rows:?}");
        // test: +17% is within 30%, but it lost 10 tests.
        assert_eq!(rows[1].tolerance_pct, Some(30));
        assert!(
            rows[1].regression.as_deref().unwrap().starts_with("test count fell from 200 to 190"),
            "{rows:?}"
        );
        // api: +40% within its own 50%; fewer tests, with a reason.
        assert_eq!(rows[2].regression, None);
    }

    #[test]
    fn dropped_subtests_are_a_fall_in_the_test_count() {
        let p = program();
        let with_subtests = |n: u64| {
            let mut r = run(&[("test", "go test ./...", 60_000, 3)]);
            r.gates[0].counts.as_mut().unwrap().subtests =
                Some(crate::evidence::Subtests { passed: n, ..Default::default() });
            r
        };
        let rows = envelope(&p, &with_subtests(199), Some(&with_subtests(2199)));
        let row = rows.iter().find(|r| r.gate == "test").unwrap();
        assert!(
            row.regression.as_deref().unwrap().starts_with("test count fell from 2202 to 202"),
            "{row:?}"
        );
    }

    #[test]
    fn small_absolute_changes_and_missing_references_are_not_regressions() {
        let p = program();
        let reference = run(&[("build", "go build ./...", 100, 0)]);
        let now = run(&[("build", "go build ./...", 400, 0)]);
        assert_eq!(envelope(&p, &now, Some(&reference))[0].regression, None, "+300% but only 300 ms");
        assert_eq!(envelope(&p, &now, None)[0].reference_ms, None);
    }

    #[test]
    fn a_flaky_gate_is_measured_by_its_passing_attempt() {
        let p = program();
        let reference = run(&[("build", "go build ./...", 10_000, 0)]);
        let mut now = run(&[("build", "go build ./...", 10_500, 0)]);
        // Two attempts: a 9.5 s failure, then the 10.5 s pass; 20 s in all.
        let mut failed = now.gates[0].clone();
        (failed.outcome, failed.exit_code, failed.duration_ms) = (Outcome::Fail, Some(1), 9_500);
        now.gates[0] = crate::classify::over_attempts(vec![failed, now.gates[0].clone()]);
        assert_eq!((now.gates[0].outcome, now.gates[0].duration_ms), (Outcome::Flaky, 20_000));
        let row = &envelope(&p, &now, Some(&reference))[0];
        assert_eq!((row.now_ms, row.regression.as_deref()), (10_500, None), "+5%, not +100%");
        // As a reference, too.
        let later = run(&[("build", "go build ./...", 14_000, 0)]);
        let row = &envelope(&p, &later, Some(&now))[0];
        assert_eq!(row.reference_ms, Some(10_500));
        assert!(row.regression.as_deref().unwrap().starts_with("+33% slower"), "{row:?}");
    }

    #[test]
    fn a_gate_with_tolerance_off_is_shown_but_never_slow() {
        let text =
            "[program]\nname = \"p\"\n[[gate]]\nid = \"build\"\nrun = \"cargo build\"\ntolerance = \"off\"\n";
        let p = crate::config::parse(text, Path::new("c.toml"), Path::new("/r"), &|_| true).unwrap();
        let reference = run(&[("build", "cargo build", 1_000, 0)]);
        let now = run(&[("build", "cargo build", 60_000, 0)]);
        let row = &envelope(&p, &now, Some(&reference))[0];
        assert_eq!((row.tolerance_pct, row.regression.as_deref()), (None, None));
        assert_eq!(row.change_pct.map(|c| c.round()), Some(5900.0));
    }
}
