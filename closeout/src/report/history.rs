//! `closeout history`: the recorded runs and, per gate, its flips between pass and fail
//! and its duration and test-count trends ([`crate::history`]), as a terminal table or JSON.

use std::time::Duration;

use super::{table, Style};
use crate::duration::human;
use crate::history::{GateTrend, RunSummary, Trend};

/// The eight block heights of a terminal sparkline, lowest first.
const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// The runs (oldest first) and the gates' trends as text; `bin_name` for the hint shown
/// when there is no run yet.
pub fn render(runs: &[RunSummary], trends: &[GateTrend], bin_name: &str, style: Style) -> String {
    if runs.is_empty() {
        return format!("no recorded runs yet; run `{bin_name} baseline`\n");
    }
    let mut out = style.bold(&format!("Runs ({}, oldest first)", runs.len()));
    out.push('\n');
    let rows: Vec<Vec<String>> = runs.iter().map(|r| run_row(r, style)).collect();
    out.push_str(&table::render(&["Run", "Commit", "When", "Machine", "Outcomes", "Makespan"], &rows));
    out.push('\n');
    out.push_str(&style.bold("Gates"));
    out.push('\n');
    let rows: Vec<Vec<String>> = trends.iter().map(|t| gate_row(t, style)).collect();
    out.push_str(&table::render(
        &[
            "Gate",
            "Ran",
            "Passed",
            "Flaky",
            "Flips",
            "Flip rate",
            "Median",
            "Latest",
            "Change",
            "Duration trend",
            "Tests",
        ],
        &rows,
    ));
    out
}

fn run_row(r: &RunSummary, style: Style) -> Vec<String> {
    let commit = match &r.commit {
        None => "-".to_string(),
        Some(c) => format!("{}{}", short(c), if r.dirty { " (dirty)" } else { "" }),
    };
    let counts: Vec<String> = r
        .counts()
        .into_iter()
        .map(|(outcome, n)| {
            let text = format!("{n} {outcome}");
            if outcome == "PASS" {
                style.green(&text)
            } else {
                style.red(&text)
            }
        })
        .collect();
    let mut makespan = human(Duration::from_millis(r.makespan_ms));
    if r.interrupted {
        makespan.push_str(" (interrupted)");
    }
    let mut run = r.run_id.clone();
    if let Some(shard) = &r.shard {
        run.push_str(&format!(" (shard {shard})"));
    }
    if !r.shards.is_empty() {
        run.push_str(&format!(" (merged, {} shards)", r.shards.len()));
    }
    vec![
        run,
        commit,
        r.started_at.clone(),
        r.machine.clone().unwrap_or_else(|| "-".into()),
        counts.join(", "),
        makespan,
    ]
}

fn gate_row(t: &GateTrend, style: Style) -> Vec<String> {
    let ms = |v: u64| human(Duration::from_millis(v));
    let (median, latest, change, spark) = match &t.duration {
        None => ("-".into(), "-".into(), "-".into(), String::new()),
        Some(d) => (ms(d.median), ms(d.latest), percent(d.change_pct), sparkline(d)),
    };
    let tests = match &t.tests {
        None => "-".to_string(),
        Some(n) if n.min == n.max => n.latest.to_string(),
        Some(n) => format!("{} ({}..{})", n.latest, n.min, n.max),
    };
    vec![
        t.id.clone(),
        t.runs.to_string(),
        t.passes.to_string(),
        flaky(t, style),
        t.flips.to_string(),
        t.flip_rate.map_or("-".into(), |r| format!("{:.0}%", r * 100.0)),
        median,
        latest,
        change,
        spark,
        tests,
    ]
}

/// How many runs a gate was `FLAKY` in, with their share of the runs it ran in
/// (`3 (27%)`), in yellow when there is any; `0` otherwise.
fn flaky(t: &GateTrend, style: Style) -> String {
    match t.flaky {
        0 => "0".into(),
        n => style.yellow(&format!("{n} ({:.0}%)", n as f64 * 100.0 / t.runs.max(1) as f64)),
    }
}

/// `+25%`, `-3%`, `0%` for what rounds to no change (never `-0%`), `missing` when
/// unknown.
pub fn percent_or(change: Option<f64>, missing: &str) -> String {
    match change.map(f64::round) {
        None => missing.into(),
        Some(0.0) => "0%".into(),
        Some(c) => format!("{c:+.0}%"),
    }
}

/// [`percent_or`] with `-` when unknown, for the terminal.
pub fn percent(change: Option<f64>) -> String {
    percent_or(change, "-")
}

/// The values of a trend as block characters scaled from its min to its max (a space where
/// a run has no value).
pub fn sparkline(trend: &Trend) -> String {
    let span = trend.max - trend.min;
    trend
        .values
        .iter()
        .map(|v| match v {
            None => ' ',
            Some(_) if span == 0 => BARS[0],
            Some(v) => BARS[((v - trend.min) * (BARS.len() as u64 - 1) / span) as usize],
        })
        .collect()
}

fn short(commit: &str) -> &str {
    &commit[..commit.len().min(12)]
}

/// What `render` shows, as JSON: `runs` (oldest first; each with `counts`, outcome →
/// gates, and `shard` (`"K/N"`) or `shards` (run ids) when sharded) and `gates` (each
/// with `outcomes`, `runs`, `passes` (ending in a pass: `PASS` or `FLAKY`), `flaky`,
/// `flips`, `flip_rate` from 0 to 1, and `duration` in milliseconds and `tests` as
/// trends: `values` per run, `min`, `max`, `median`, `latest`, `change_pct`).
pub fn json(runs: &[RunSummary], trends: &[GateTrend]) -> serde_json::Value {
    let runs: Vec<serde_json::Value> = runs
        .iter()
        .map(|r| {
            let counts: serde_json::Map<String, serde_json::Value> =
                r.counts().into_iter().map(|(o, n)| (o, n.into())).collect();
            serde_json::json!({
                "run_id": r.run_id,
                "commit": r.commit,
                "dirty": r.dirty,
                "started_at": r.started_at,
                "machine": r.machine,
                "jobs": r.jobs,
                "makespan_ms": r.makespan_ms,
                "lower_bound_ms": r.lower_bound_ms,
                "interrupted": r.interrupted,
                "shard": r.shard,
                "shards": r.shards,
                "counts": counts,
            })
        })
        .collect();
    serde_json::json!({ "runs": runs, "gates": trends })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::{fixtures::run, trends};

    fn runs() -> Vec<RunSummary> {
        vec![
            run("r1", 1, &[("build", "PASS", 1_000, None), ("test", "PASS", 2_000, Some(10))]),
            run("r2", 2, &[("build", "FAIL", 3_000, None), ("test", "PASS", 2_000, Some(12))]),
            run("r3", 3, &[("build", "PASS", 2_000, None), ("test", "LATER", 2_000, Some(12))]),
        ]
    }

    #[test]
    fn the_text_lists_every_run_and_gate_with_its_figures() {
        let runs = runs();
        let text = render(&runs, &trends(&runs), "closeout", Style { color: false });
        let line =
            |start: &str| text.lines().find(|l| l.starts_with(start)).unwrap_or_else(|| panic!("{text}"));
        assert!(line("r2").contains("c0ffee02") && line("r2").contains("1 PASS, 1 FAIL"), "{text}");
        assert!(line("r3").contains("1 PASS, 1 LATER"), "an unknown outcome is shown as written");
        // build: PASS FAIL PASS: 2 passed, none flaky, 2 flips, rate 100%; 1s 3s 2s: median
        // 2s, latest 2s, change against the median of 1s and 3s (2s) is 0%.
        let words: Vec<&str> = line("build").split_whitespace().collect();
        assert_eq!(words, ["build", "3", "2", "0", "2", "100%", "2.0s", "2.0s", "0%", "▁█▄", "-"]);
        assert!(line("test").ends_with("12 (10..12)"), "{text}");
        assert_eq!(
            render(&[], &[], "cargo xtask closeout", Style { color: false }).trim_end(),
            "no recorded runs yet; run `cargo xtask closeout baseline`"
        );
    }

    #[test]
    fn a_gate_flaky_in_every_run_stands_out_in_the_text_and_the_json() {
        let runs: Vec<RunSummary> = (1..=11)
            .map(|m| {
                run(&format!("r{m:02}"), m, &[("e2e", "FLAKY", 1_000, None), ("unit", "PASS", 1_000, None)])
            })
            .collect();
        let trends = trends(&runs);
        let text = render(&runs, &trends, "closeout", Style { color: false });
        let words = |gate: &str| -> Vec<String> {
            let line = text.lines().find(|l| l.starts_with(gate)).unwrap_or_else(|| panic!("{text}"));
            line.split_whitespace().take(6).map(String::from).collect()
        };
        assert_eq!(words("e2e"), ["e2e", "11", "11", "11", "(100%)", "0"], "{text}");
        assert_eq!(words("unit"), ["unit", "11", "11", "0", "0", "0%"], "{text}");
        let coloured = render(&runs, &trends, "closeout", Style { color: true });
        assert!(coloured.contains(&Style { color: true }.yellow("11 (100%)")), "{coloured}");
        let json = json(&runs, &trends);
        assert_eq!(
            (json["gates"][0]["flaky"].as_u64(), json["gates"][0]["passes"].as_u64()),
            (Some(11), Some(11))
        );
        assert_eq!(json["gates"][1]["flaky"].as_u64(), Some(0));
    }

    #[test]
    fn a_change_that_rounds_to_nothing_is_zero_percent_never_minus_zero() {
        assert_eq!(percent(Some(-0.3)), "0%");
        assert_eq!(percent(Some(0.0)), "0%");
        assert_eq!(percent(Some(-0.6)), "-1%");
        assert_eq!(percent(Some(24.6)), "+25%");
        assert_eq!((percent(None), percent_or(None, "—")), ("-".to_string(), "—".to_string()));
    }

    #[test]
    fn shard_and_merged_runs_are_marked() {
        let mut shard = run("s1", 1, &[("a", "PASS", 1, None)]);
        shard.shard = Some("1/2".into());
        let mut merged = run("m", 2, &[("a", "PASS", 1, None)]);
        merged.shards = vec!["s1".into(), "s2".into()];
        let runs = vec![shard, merged];
        let text = render(&runs, &trends(&runs), "closeout", Style { color: false });
        assert!(text.lines().any(|l| l.starts_with("s1 (shard 1/2) ")), "{text}");
        assert!(text.lines().any(|l| l.starts_with("m (merged, 2 shards) ")), "{text}");
        let json = json(&runs, &trends(&runs));
        assert_eq!(
            (json["runs"][0]["shard"].as_str(), json["runs"][1]["shards"][1].as_str()),
            (Some("1/2"), Some("s2"))
        );
    }

    #[test]
    fn the_json_holds_the_runs_counts_and_trends() {
        let runs = runs();
        let json = json(&runs, &trends(&runs));
        assert_eq!(json["runs"].as_array().unwrap().len(), 3);
        assert_eq!(json["runs"][1]["counts"], serde_json::json!({"PASS": 1, "FAIL": 1}));
        assert_eq!(json["runs"][0]["machine"], "m1");
        let build = &json["gates"][0];
        assert_eq!((build["id"].as_str(), build["flips"].as_u64()), (Some("build"), Some(2)));
        assert_eq!(build["duration"]["values"], serde_json::json!([1000, 3000, 2000]));
        assert_eq!(json["gates"][1]["tests"]["latest"], 12);
    }
}
