//! Run history, pure: a compact summary of every recorded run (kept in
//! `target/closeout/history.json` beside the scheduling durations) and what it shows per
//! gate: how often the gate flips between pass and fail, and how its duration and test
//! count move from run to run. `closeout history` and `closeout report` read it.

use std::collections::BTreeMap;

use crate::evidence::{Outcome, RunRecord};
use crate::vocab::Vocab;

/// Most runs the history keeps; the oldest go first.
pub const KEEP_RUNS: usize = 100;

/// One recorded run, as the history keeps it.
///
/// Outcomes are kept as the text the run record wrote (`PASS`, `FAIL`, …), not as
/// [`Outcome`]: a history written by a newer closeout with an outcome this one does not
/// know still loads (and the scheduling durations beside it are not lost).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunSummary {
    pub run_id: String,
    /// The commit the run was recorded at; absent outside git.
    pub commit: Option<String>,
    pub dirty: bool,
    /// RFC 3339 UTC, as in the run record.
    pub started_at: String,
    /// [`crate::evidence::Host::machine`]: `CLOSEOUT_MACHINE` or a hash of the host name.
    pub machine: Option<String>,
    pub jobs: usize,
    pub makespan_ms: u64,
    pub lower_bound_ms: u64,
    pub interrupted: bool,
    /// Set on a shard's run (`baseline --shard K/N`): `"K/N"`. A merged run replaces the
    /// summaries of its shards ([`add`]).
    pub shard: Option<String>,
    /// Set on a merged run (`closeout merge`): the run ids of its shards.
    pub shards: Vec<String>,
    pub gates: Vec<GateSample>,
}
crate::json::json_object!(RunSummary {
    run_id: required,
    commit: skip_none,
    dirty: default,
    started_at: required,
    machine: skip_none,
    jobs: required,
    makespan_ms: required,
    lower_bound_ms: required,
    interrupted: default,
    shard: skip_none,
    shards: skip_empty,
    gates: required,
});

/// One gate in one run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateSample {
    pub id: String,
    /// The outcome's text (`PASS`, `FAIL`, `TIMEOUT`, or one this version does not know).
    pub outcome: String,
    /// The gate's measured duration in milliseconds ([`crate::evidence::GateRecord::measured_ms`]:
    /// a retried gate's last attempt, as the perf envelope measures it, so that a flake
    /// does not read as a slowdown). Histories written before it was kept hold every
    /// attempt's wall time for a retried gate.
    pub duration_ms: u64,
    /// Tests and subtests run ([`crate::evidence::TestCounts::cases`]), when the runner said.
    pub tests: Option<u64>,
}
crate::json::json_object!(GateSample {
    id: required,
    outcome: required,
    duration_ms: required,
    tests: skip_none,
});

impl RunSummary {
    /// The summary of a run record.
    pub fn of(record: &RunRecord) -> RunSummary {
        RunSummary {
            run_id: record.run_id.clone(),
            commit: record.git.as_ref().map(|g| g.head.clone()),
            dirty: record.git.as_ref().is_some_and(|g| g.dirty),
            started_at: record.started_at.clone(),
            machine: record.host.machine.clone(),
            jobs: record.jobs,
            makespan_ms: record.makespan_ms,
            lower_bound_ms: record.lower_bound_ms,
            interrupted: record.interrupted,
            shard: record.shard.as_ref().map(|s| format!("{}/{}", s.index, s.total)),
            shards: record.shards.clone(),
            gates: record
                .gates
                .iter()
                .map(|g| GateSample {
                    id: g.id.clone(),
                    outcome: g.outcome.as_str().to_string(),
                    duration_ms: g.measured_ms(),
                    // Plain `go test` lists failing tests only: their count is not the
                    // run's, so no figure rather than a low one.
                    tests: g.counts.as_ref().filter(|c| c.passed.is_some()).map(|c| c.cases()),
                })
                .collect(),
        }
    }

    /// How many gates ended in each outcome: known outcomes in their documented order
    /// (`PASS` first), then any other in alphabetical order; outcomes no gate had are left out.
    pub fn counts(&self) -> Vec<(String, usize)> {
        let mut tally: BTreeMap<&str, usize> = BTreeMap::new();
        for g in &self.gates {
            *tally.entry(g.outcome.as_str()).or_default() += 1;
        }
        let mut counts: Vec<(String, usize)> = Outcome::ALL
            .iter()
            .filter_map(|(name, _)| tally.remove(name).map(|n| (name.to_string(), n)))
            .collect();
        counts.extend(tally.into_iter().map(|(name, n)| (name.to_string(), n)));
        counts
    }

    pub fn gate(&self, id: &str) -> Option<&GateSample> {
        self.gates.iter().find(|g| g.id == id)
    }
}

/// Add `run` to `runs` (oldest first): a run already there (same id) is replaced, runs
/// stay ordered by start time then id, and only the newest [`KEEP_RUNS`] are kept. A
/// merged run replaces the summaries of its shards, and a shard of a merged run already
/// there is not added, so the history counts each gate of a sharded baseline once.
pub fn add(runs: &mut Vec<RunSummary>, run: RunSummary) {
    if runs.iter().any(|r| r.shards.contains(&run.run_id)) {
        return;
    }
    runs.retain(|r| r.run_id != run.run_id && !run.shards.contains(&r.run_id));
    runs.push(run);
    runs.sort_by(|a, b| order_key(a).cmp(&order_key(b)));
    if runs.len() > KEEP_RUNS {
        runs.drain(..runs.len() - KEEP_RUNS);
    }
}

/// Whether `record` is the final record of a run, not the checkpoint a run rewrites while
/// it runs (and leaves behind when it is killed): a checkpoint says `interrupted` with a
/// makespan of 0 until the run's final write sets its makespan, its wall time.
pub fn finished(record: &RunRecord) -> bool {
    !(record.interrupted && record.makespan_ms == 0)
}

fn order_key(r: &RunSummary) -> (Option<i64>, &str, &str) {
    (crate::evidence::parse_timestamp(&r.started_at), &r.started_at, &r.run_id)
}

/// Whether an outcome says something about the gate's code: `NOT_RUN` and `INTERRUPTED`
/// (it never ran, or the run was stopped) do not, and take no part in flips or trends.
pub fn ran(outcome: &str) -> bool {
    !matches!(outcome, "NOT_RUN" | "INTERRUPTED")
}

/// Whether an outcome ends in a pass: `PASS`, and `FLAKY` (its last attempt passed after a
/// failed one; [`GateTrend::flaky`] counts those apart).
pub fn ended_in_pass(outcome: &str) -> bool {
    matches!(outcome, "PASS" | "FLAKY")
}

/// Whether a duration is the gate's own: not when it could not start either.
pub fn timed(outcome: &str) -> bool {
    ran(outcome) && outcome != "SPAWN_FAILED"
}

/// A series of numbers over the runs, oldest first, and what it did.
#[derive(Debug, Clone, PartialEq)]
pub struct Trend {
    /// One value per run of the history (aligned with its runs); `None` where the gate was
    /// absent, did not run, or the runner gave no figure.
    pub values: Vec<Option<u64>>,
    pub min: u64,
    pub max: u64,
    pub median: u64,
    /// The newest value.
    pub latest: u64,
    /// The newest value against the median of the earlier ones, in percent (`+25.0` is a
    /// quarter more); `None` with fewer than two values or an earlier median of 0.
    pub change_pct: Option<f64>,
}
crate::json::json_object!(Trend {
    values: required,
    min: required,
    max: required,
    median: required,
    latest: required,
    change_pct: required,
});

impl Trend {
    /// The trend of `values`, `None` when none is known.
    pub fn of(values: Vec<Option<u64>>) -> Option<Trend> {
        let known: Vec<u64> = values.iter().flatten().copied().collect();
        let (&latest, earlier) = known.split_last()?;
        let change_pct = (!earlier.is_empty())
            .then(|| median(earlier))
            .filter(|m| *m > 0)
            .map(|m| (latest as f64 - m as f64) * 100.0 / m as f64);
        Some(Trend {
            min: *known.iter().min().expect("not empty"),
            max: *known.iter().max().expect("not empty"),
            median: median(&known),
            latest,
            change_pct,
            values,
        })
    }
}

/// The median of `values` (the mean of the middle two for an even count); 0 when empty.
pub fn median(values: &[u64]) -> u64 {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let mid = sorted.len() / 2;
    match sorted.len() {
        0 => 0,
        n if n % 2 == 0 => (sorted[mid - 1] + sorted[mid]) / 2,
        _ => sorted[mid],
    }
}

/// One gate over the history.
#[derive(Debug, Clone, PartialEq)]
pub struct GateTrend {
    pub id: String,
    /// The gate's outcome in each run, oldest first (`None` where the run did not hold it).
    pub outcomes: Vec<Option<String>>,
    /// Runs in which the gate ran ([`ran`]).
    pub runs: usize,
    /// Runs that ended in a pass ([`ended_in_pass`]: `PASS` or `FLAKY`).
    pub passes: usize,
    /// Runs in which the gate was `FLAKY`: it failed, then passed on a retry. A gate flaky
    /// in every run has no flips; this is what shows it.
    pub flaky: usize,
    /// Changes between ending in a pass and not from one run it ran in to the next.
    pub flips: usize,
    /// `flips / (runs - 1)`, from 0 (never changed) to 1 (changed every time); `None` below
    /// two runs.
    pub flip_rate: Option<f64>,
    /// Milliseconds.
    pub duration: Option<Trend>,
    /// Tests and subtests.
    pub tests: Option<Trend>,
}
crate::json::json_object!(GateTrend {
    id: required,
    outcomes: required,
    runs: required,
    passes: required,
    flaky: required,
    flips: required,
    flip_rate: required,
    duration: required,
    tests: required,
});

/// Every gate of `runs` (oldest first) with its flips and trends: the newest run's gates
/// in its order, then gates only older runs hold, newest first.
pub fn trends(runs: &[RunSummary]) -> Vec<GateTrend> {
    let mut ids: Vec<&str> = Vec::new();
    for run in runs.iter().rev() {
        for g in &run.gates {
            if !ids.contains(&g.id.as_str()) {
                ids.push(&g.id);
            }
        }
    }
    ids.into_iter().map(|id| gate_trend(runs, id)).collect()
}

fn gate_trend(runs: &[RunSummary], id: &str) -> GateTrend {
    let samples: Vec<Option<&GateSample>> = runs.iter().map(|r| r.gate(id)).collect();
    let ran_in: Vec<&GateSample> = samples.iter().flatten().copied().filter(|s| ran(&s.outcome)).collect();
    let passed: Vec<bool> = ran_in.iter().map(|s| ended_in_pass(&s.outcome)).collect();
    let flips = passed.windows(2).filter(|w| w[0] != w[1]).count();
    let durations = samples.iter().map(|s| s.filter(|s| timed(&s.outcome)).map(|s| s.duration_ms)).collect();
    let tests = samples.iter().map(|s| s.filter(|s| ran(&s.outcome)).and_then(|s| s.tests)).collect();
    GateTrend {
        id: id.to_string(),
        outcomes: samples.iter().map(|s| s.map(|s| s.outcome.clone())).collect(),
        runs: passed.len(),
        passes: passed.iter().filter(|p| **p).count(),
        flaky: ran_in.iter().filter(|s| s.outcome == "FLAKY").count(),
        flips,
        flip_rate: (passed.len() >= 2).then(|| flips as f64 / (passed.len() - 1) as f64),
        duration: Trend::of(durations),
        tests: Trend::of(tests),
    }
}

#[cfg(any(test, feature = "fixtures"))]
pub mod fixtures {
    use super::*;

    /// A run `id` started `minute` minutes into 2026-11-30, of `gates` as
    /// (id, outcome, duration ms, tests).
    pub fn run(id: &str, minute: u32, gates: &[(&str, &str, u64, Option<u64>)]) -> RunSummary {
        RunSummary {
            run_id: id.into(),
            commit: Some(format!("c0ffee{minute:02}")),
            dirty: false,
            started_at: format!("2026-11-30T{:02}:{:02}:00.000Z", minute / 60, minute % 60),
            machine: Some("m1".into()),
            jobs: 2,
            makespan_ms: gates.iter().map(|g| g.2).max().unwrap_or(0),
            lower_bound_ms: 0,
            interrupted: false,
            shard: None,
            shards: Vec::new(),
            gates: gates
                .iter()
                .map(|(id, outcome, ms, tests)| GateSample {
                    id: id.to_string(),
                    outcome: outcome.to_string(),
                    duration_ms: *ms,
                    tests: *tests,
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::run;
    use super::*;

    #[test]
    fn flips_count_changes_between_pass_and_not_pass_over_runs_the_gate_ran_in() {
        let runs = vec![
            run("r1", 1, &[("a", "PASS", 10, None), ("b", "PASS", 10, None)]),
            run("r2", 2, &[("a", "FAIL", 10, None), ("b", "PASS", 10, None)]),
            run("r3", 3, &[("a", "INTERRUPTED", 3, None), ("b", "TIMEOUT", 10, None)]),
            run("r4", 4, &[("a", "PASS", 10, None), ("b", "FLAKY", 10, None)]),
            run("r5", 5, &[("b", "PASS", 10, None)]),
        ];
        let t = trends(&runs);
        assert_eq!(
            t.iter().map(|g| g.id.as_str()).collect::<Vec<_>>(),
            ["b", "a"],
            "newest run's gates first"
        );
        let a = &t[1];
        // a: PASS FAIL (interrupted: skipped) PASS (absent) → two flips over three runs.
        assert_eq!((a.runs, a.passes, a.flips, a.flip_rate), (3, 2, 2, Some(1.0)));
        assert_eq!(a.outcomes[2].as_deref(), Some("INTERRUPTED"));
        assert_eq!(a.outcomes[4], None);
        // b: PASS PASS TIMEOUT FLAKY PASS → FLAKY ends in a pass (and is counted apart).
        let b = &t[0];
        assert_eq!((b.runs, b.passes, b.flaky, b.flips, b.flip_rate), (5, 4, 1, 2, Some(0.5)));
        let once = trends(&runs[..1]);
        assert_eq!(once[0].flip_rate, None, "one run has no flip rate");
    }

    #[test]
    fn a_gate_flaky_in_every_run_ends_in_a_pass_every_time_and_is_counted_flaky() {
        let runs: Vec<RunSummary> =
            (1..=11).map(|m| run(&format!("r{m:02}"), m, &[("e2e", "FLAKY", 10, None)])).collect();
        let t = &trends(&runs)[0];
        assert_eq!((t.runs, t.passes, t.flaky, t.flips), (11, 11, 11, 0));
        let mixed = vec![
            run("r1", 1, &[("e2e", "FLAKY", 10, None)]),
            run("r2", 2, &[("e2e", "PASS", 10, None)]),
            run("r3", 3, &[("e2e", "NOT_RUN", 0, None)]),
            run("r4", 4, &[("e2e", "FAIL", 10, None)]),
        ];
        let t = &trends(&mixed)[0];
        assert_eq!((t.runs, t.passes, t.flaky, t.flips), (3, 2, 1, 1), "NOT_RUN takes no part");
    }

    #[test]
    fn a_retried_gate_is_summarised_by_its_last_attempts_duration() {
        use crate::evidence::fixtures::gate;
        let attempt = |outcome, ms| {
            let mut g = gate("e2e", "make e2e", outcome, Some(if outcome == Outcome::Pass { 0 } else { 1 }));
            g.duration_ms = ms;
            g
        };
        let flaky =
            crate::classify::over_attempts(vec![attempt(Outcome::Fail, 2_000), attempt(Outcome::Pass, 700)]);
        assert_eq!((flaky.outcome, flaky.duration_ms), (Outcome::Flaky, 2_700), "wall time of both attempts");
        let s = RunSummary::of(&crate::evidence::fixtures::run(vec![flaky.clone()]));
        assert_eq!(s.gates[0].duration_ms, flaky.measured_ms());
        assert_eq!(s.gates[0].duration_ms, 700, "the passing attempt, as the perf envelope measures it");
    }

    #[test]
    fn a_merged_run_replaces_the_summaries_of_its_shards() {
        let shard = |id: &str, minute, k, gate: &str| {
            let mut r = run(id, minute, &[(gate, "PASS", 100, None)]);
            r.shard = Some(format!("{k}/2"));
            r
        };
        let mut merged = run("m", 3, &[("a", "PASS", 100, None), ("b", "PASS", 100, None)]);
        merged.shards = vec!["s1".into(), "s2".into()];
        let mut runs = vec![run("older", 0, &[("a", "PASS", 100, None)])];
        add(&mut runs, shard("s1", 1, 1, "a"));
        add(&mut runs, shard("s2", 2, 2, "b"));
        assert_eq!(runs.len(), 3, "unmerged shards are listed, marked");
        add(&mut runs, merged.clone());
        assert_eq!(runs.iter().map(|r| r.run_id.as_str()).collect::<Vec<_>>(), ["older", "m"]);
        // Read back in another order (from run records): a shard of a merged run stays out.
        add(&mut runs, shard("s1", 1, 1, "a"));
        assert_eq!(runs.len(), 2);
        let a = &trends(&runs).into_iter().find(|t| t.id == "a").unwrap();
        assert_eq!(a.duration.as_ref().unwrap().values, [Some(100), Some(100)], "counted once per run");
        let text = serde_json::to_string(&merged).unwrap();
        assert_eq!(serde_json::from_str::<RunSummary>(&text).unwrap(), merged);
    }

    #[test]
    fn duration_and_test_trends_skip_runs_without_a_figure() {
        let runs = vec![
            run("r1", 1, &[("t", "PASS", 100, Some(40))]),
            run("r2", 2, &[("t", "PASS", 300, Some(42))]),
            run("r3", 3, &[("t", "INTERRUPTED", 5, None)]),
            run("r4", 4, &[("t", "SPAWN_FAILED", 0, None)]),
            run("r5", 5, &[("t", "FAIL", 400, Some(30))]),
        ];
        let t = &trends(&runs)[0];
        let d = t.duration.as_ref().unwrap();
        assert_eq!(d.values, [Some(100), Some(300), None, None, Some(400)]);
        // Earlier median (100+300)/2 = 200; 400 is +100%.
        assert_eq!((d.min, d.max, d.median, d.latest, d.change_pct), (100, 400, 300, 400, Some(100.0)));
        let n = t.tests.as_ref().unwrap();
        assert_eq!(n.values, [Some(40), Some(42), None, None, Some(30)]);
        assert_eq!((n.latest, n.median), (30, 40));
        assert!((n.change_pct.unwrap() - (30.0 - 41.0) * 100.0 / 41.0).abs() < 1e-9);
        assert_eq!(Trend::of(vec![None, None]), None);
        assert_eq!(Trend::of(vec![Some(7)]).unwrap().change_pct, None, "nothing earlier to compare");
    }

    #[test]
    fn adding_a_run_replaces_its_earlier_summary_keeps_time_order_and_the_newest_hundred() {
        let mut runs = Vec::new();
        add(&mut runs, run("b", 2, &[]));
        add(&mut runs, run("a", 1, &[]));
        add(&mut runs, run("b", 2, &[("g", "PASS", 1, None)]));
        assert_eq!(runs.iter().map(|r| r.run_id.as_str()).collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(runs[1].gates.len(), 1, "replaced");
        for minute in 10..(10 + KEEP_RUNS as u32 + 5) {
            add(&mut runs, run(&format!("r{minute:03}"), minute, &[]));
        }
        assert_eq!(runs.len(), KEEP_RUNS);
        assert_eq!(runs[0].run_id, "r015", "the oldest went first");
    }

    #[test]
    fn a_checkpoint_is_not_a_finished_run() {
        let mut record = crate::evidence::fixtures::run(vec![]);
        record.makespan_ms = 0;
        record.interrupted = true;
        assert!(!finished(&record), "the runner's checkpoint: interrupted until the final write");
        record.makespan_ms = 1_200;
        assert!(finished(&record), "stopped by Ctrl-C: its final write set the makespan");
        record.interrupted = false;
        assert!(finished(&record));
    }

    #[test]
    fn counts_list_known_outcomes_in_vocabulary_order_then_others() {
        let r = run(
            "r",
            1,
            &[
                ("a", "FAIL", 1, None),
                ("b", "PASS", 1, None),
                ("c", "LATER", 1, None),
                ("d", "PASS", 1, None),
            ],
        );
        let expected: Vec<(String, usize)> =
            vec![("PASS".into(), 2), ("FAIL".into(), 1), ("LATER".into(), 1)];
        assert_eq!(r.counts(), expected, "an outcome this version does not know is counted after the others");
    }

    #[test]
    fn a_summary_carries_what_the_record_says() {
        let mut gate = crate::evidence::fixtures::gate("g", "make", Outcome::Fail, Some(1));
        gate.duration_ms = 1_500;
        gate.counts = Some(crate::evidence::TestCounts { passed: Some(3), failed: 1, ..Default::default() });
        let mut record = crate::evidence::fixtures::run(vec![gate]);
        record.git = Some(crate::evidence::GitState { head: "abc".into(), dirty: true });
        record.makespan_ms = 1_600;
        let s = RunSummary::of(&record);
        assert_eq!(s.commit.as_deref(), Some("abc"));
        assert!(s.dirty);
        assert_eq!(s.machine, record.host.machine);
        assert_eq!(s.makespan_ms, 1_600);
        assert_eq!(
            s.gates,
            [GateSample { id: "g".into(), outcome: "FAIL".into(), duration_ms: 1_500, tests: Some(4) }]
        );
        let text = serde_json::to_string(&s).unwrap();
        assert_eq!(serde_json::from_str::<RunSummary>(&text).unwrap(), s);
        // Plain `go test`: passing tests not counted, so no test count at all (not 1).
        record.gates[0].counts =
            Some(crate::evidence::TestCounts { passed: None, failed: 1, ..Default::default() });
        assert_eq!(RunSummary::of(&record).gates[0].tests, None);
    }
}
