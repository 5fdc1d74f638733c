//! The run history: every recorded run in a table, and each gate's flips, duration and
//! test-count trends as numbers with a small inline SVG sparkline beside them.

use super::{anchor, escape, ms, outcome_cell, percent, sections, table, Row};
use crate::history::{self, GateTrend, RunSummary, Trend};

/// A sparkline's size in pixels.
const SPARK_W: u64 = 120;
const SPARK_H: u64 = 22;

pub(super) fn section(runs: &[RunSummary]) -> String {
    let mut out = sections::open("trends");
    if runs.is_empty() {
        out.push_str("<p>No recorded runs yet: the history fills as <code>closeout baseline</code> runs.</p>\n</section>\n");
        return out;
    }
    let trends = history::trends(runs);
    out.push_str(&gate_table(&trends, runs.len()));
    out.push_str(&run_table(runs));
    out.push_str("</section>\n");
    out
}

fn gate_table(trends: &[GateTrend], runs: usize) -> String {
    let rows: Vec<Row> = trends
        .iter()
        .map(|t| {
            let last = t.outcomes.iter().rev().flatten().next();
            let mut cells = vec![
                last.map_or("—".into(), |o| outcome_cell(o)),
                format!("{}/{}", t.passes, t.runs),
                match t.flaky {
                    0 => "0".into(),
                    n => format!("<span class=\"bad\">~ {n}/{}</span>", t.runs),
                },
                match t.flip_rate {
                    Some(rate) => format!("{} ({:.0}%)", t.flips, rate * 100.0),
                    None => "—".into(),
                },
            ];
            cells.extend(trend_cells(t.duration.as_ref(), "duration", ms));
            cells.extend(trend_cells(t.tests.as_ref(), "test count", tests));
            Row { id: None, head: escape(&t.id), cells }
        })
        .collect();
    table(
        &format!(
            "Gates over the last {runs} run(s), oldest to newest (Passed: runs that ended in a pass, \
             FLAKY ones included; Flaky: runs that passed only on a retry)"
        ),
        &[
            "Gate",
            "Last outcome",
            "Passed",
            "Flaky",
            "Flips",
            "Duration median",
            "Latest",
            "Range",
            "Change",
            "Duration trend",
            "Tests median",
            "Latest",
            "Range",
            "Change",
            "Test-count trend",
        ],
        &rows,
    )
}

/// Median, latest, range, change and the sparkline of a trend (dashes without one).
fn trend_cells(trend: Option<&Trend>, what: &str, show: fn(u64) -> String) -> Vec<String> {
    match trend {
        None => vec!["—".into(); 5],
        Some(t) => vec![
            show(t.median),
            show(t.latest),
            if t.min == t.max { show(t.min) } else { format!("{}–{}", show(t.min), show(t.max)) },
            percent(t.change_pct),
            sparkline(t, what, show),
        ],
    }
}

/// A test count with its unit, for the sparkline's label.
fn tests(n: u64) -> String {
    format!("{n} test{}", if n == 1 { "" } else { "s" })
}

/// The values of `trend` as an SVG polyline (broken where a run has no value), min at the
/// bottom, max at the top, the newest point dotted; its label gives the figures in words,
/// each as `show` writes it (with its unit).
pub(crate) fn sparkline(trend: &Trend, what: &str, show: fn(u64) -> String) -> String {
    let n = trend.values.len().max(2) as u64 - 1;
    let span = (trend.max - trend.min).max(1);
    let point = |i: usize, v: u64| {
        let x = 1 + i as u64 * (SPARK_W - 2) / n;
        let y = 1 + (trend.max - v) * (SPARK_H - 2) / span;
        (x, y)
    };
    let mut path = String::new();
    let mut pen_down = false;
    let mut last = (0, 0);
    for (i, v) in trend.values.iter().enumerate() {
        match v {
            None => pen_down = false,
            Some(v) => {
                let (x, y) = point(i, *v);
                path.push_str(&format!("{}{x} {y}", if pen_down { "L" } else { "M" }));
                pen_down = true;
                last = (x, y);
            }
        }
    }
    format!(
        "<svg class=\"spark\" width=\"{SPARK_W}\" height=\"{SPARK_H}\" viewBox=\"0 0 {SPARK_W} {SPARK_H}\" role=\"img\" aria-label=\"{what} over {} runs: from {} to {}, latest {}\"><path d=\"{path}\"/><circle cx=\"{}\" cy=\"{}\" r=\"2\"/></svg>",
        trend.values.len(),
        show(trend.min),
        show(trend.max),
        show(trend.latest),
        last.0,
        last.1
    )
}

fn run_table(runs: &[RunSummary]) -> String {
    let rows: Vec<Row> = runs
        .iter()
        .rev()
        .map(|r| {
            let counts: Vec<String> =
                r.counts().iter().map(|(o, n)| format!("{n} {}", outcome_cell(o))).collect();
            let commit = r.commit.as_deref().map_or("—".into(), |c| {
                format!(
                    "<code>{}</code>{}",
                    escape(&c[..c.len().min(12)]),
                    if r.dirty { " (dirty)" } else { "" }
                )
            });
            Row {
                id: Some(anchor("run", &r.run_id)),
                head: escape(&r.run_id),
                cells: vec![
                    commit,
                    escape(&r.started_at),
                    r.machine.as_deref().map_or("—".into(), escape),
                    counts.join(", "),
                    format!("{}{}", ms(r.makespan_ms), if r.interrupted { " (interrupted)" } else { "" }),
                    ms(r.lower_bound_ms),
                ],
            }
        })
        .collect();
    table(
        &format!("Recorded runs ({}, newest first)", runs.len()),
        &["Run", "Commit", "Started", "Machine", "Outcomes", "Makespan", "Lower bound"],
        &rows,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::fixtures::run;

    #[test]
    fn a_gate_flaky_in_every_run_shows_its_flaky_runs() {
        let runs: Vec<RunSummary> = (1..=11)
            .map(|m| {
                run(&format!("r{m:02}"), m, &[("e2e", "FLAKY", 1_000, None), ("unit", "PASS", 1_000, None)])
            })
            .collect();
        let html = section(&runs);
        let row = |gate: &str| {
            let start = html.find(&format!("<th scope=\"row\">{gate}</th>")).unwrap();
            &html[start..start + html[start..].find("</tr>").unwrap()]
        };
        assert!(
            row("e2e").contains("<td>11/11</td><td><span class=\"bad\">~ 11/11</span></td><td>0 (0%)</td>"),
            "{}",
            row("e2e")
        );
        assert!(row("unit").contains("<td>11/11</td><td>0</td><td>0 (0%)</td>"), "{}", row("unit"));
        assert!(html.contains("<th scope=\"col\">Flaky</th>"));
    }

    #[test]
    fn a_sparkline_spans_its_box_and_breaks_where_a_run_has_no_value() {
        let t = Trend::of(vec![Some(100), Some(300), None, Some(200)]).unwrap();
        let svg = sparkline(&t, "duration", ms);
        // x: 1 + i*118/3 → 1, 40, 79, 119; y: 1 + (300-v)*20/200 → 21, 1, -, 11.
        assert!(svg.contains("d=\"M1 21L40 1M119 11\""), "{svg}");
        assert!(svg.contains("<circle cx=\"119\" cy=\"11\""), "the newest point is marked: {svg}");
        assert!(
            svg.contains("aria-label=\"duration over 4 runs: from 100ms to 300ms, latest 200ms\""),
            "{svg}"
        );
        let flat = sparkline(&Trend::of(vec![Some(5)]).unwrap(), "test count", tests);
        assert!(
            flat.contains("aria-label=\"test count over 1 runs: from 5 tests to 5 tests, latest 5 tests\"")
        );
        assert!(flat.contains("d=\"M1 1\""), "one value, no division by zero: {flat}");
    }
}
