//! The latest baseline run as a timeline: one lane per job, each gate a bar over the
//! makespan (coloured by outcome, and patterned and labelled so it reads without colour),
//! the lower bound marked; then every gate in a table, the anchor verdict clauses link to.

use super::{anchor, escape, ms, outcome_cell, outcome_class, sections, table, Input, Row};
use crate::evidence::{parse_timestamp_ms, GateRecord, RunRecord};
use crate::model::Program;

/// The drawing's width in SVG units; it scales to the page.
const WIDTH: u64 = 1000;
const LEFT: u64 = 64;
const RIGHT: u64 = 12;
const TOP: u64 = 26;
const LANE: u64 = 24;
const GAP: u64 = 6;
const BOTTOM: u64 = 24;

/// One gate on the timeline: milliseconds from the run's start, and its lane (0-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Bar<'a> {
    pub gate: &'a GateRecord,
    pub start_ms: u64,
    pub end_ms: u64,
    pub lane: usize,
}

/// The gates of `run` that started, placed on lanes: run records do not say which worker
/// ran a gate, so lanes are assigned from start and end times, deterministically: by start
/// (then end, then record order), each gate on the lowest lane free at its start (a lane
/// frees 1 ms early, as timestamps are whole milliseconds). On a record of one machine this
/// uses at most as many lanes as jobs ran at once.
pub(crate) fn bars(run: &RunRecord) -> Vec<Bar<'_>> {
    let starts: Vec<Option<i64>> =
        run.gates.iter().map(|g| g.started_at.as_deref().and_then(parse_timestamp_ms)).collect();
    let Some(first) = parse_timestamp_ms(&run.started_at).or_else(|| starts.iter().flatten().min().copied())
    else {
        return Vec::new();
    };
    let mut placed: Vec<(usize, u64, u64)> = starts
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            let start = (s.as_ref()? - first).max(0) as u64;
            Some((i, start, start + run.gates[i].duration_ms))
        })
        .collect();
    placed.sort_by_key(|&(i, start, end)| (start, end, i));
    let mut free_at: Vec<u64> = Vec::new();
    placed
        .into_iter()
        .map(|(i, start, end)| {
            let lane = match free_at.iter().position(|&f| f <= start + 1) {
                Some(lane) => lane,
                None => {
                    free_at.push(0);
                    free_at.len() - 1
                }
            };
            free_at[lane] = end;
            Bar { gate: &run.gates[i], start_ms: start, end_ms: end, lane }
        })
        .collect()
}

/// Every gate id the gate table shows: the latest run's, then the program's gates it does
/// not hold.
pub(super) fn gate_ids(program: &Program, latest: Option<&RunRecord>) -> Vec<String> {
    let mut ids: Vec<String> = latest.map_or(Vec::new(), |r| r.gates.iter().map(|g| g.id.clone()).collect());
    for g in &program.gates {
        if !ids.contains(&g.id) {
            ids.push(g.id.clone());
        }
    }
    ids
}

pub(super) fn section(input: &Input) -> String {
    let mut out = sections::open("timeline");
    let bars = input.latest.map(bars).unwrap_or_default();
    match input.latest {
        None => out.push_str("<p>No baseline run is recorded: run <code>closeout baseline</code>.</p>\n"),
        Some(run) if bars.is_empty() => out.push_str(&format!(
            "<p>Run <code>{}</code> holds no gate with a start time to draw.</p>\n",
            escape(&run.run_id)
        )),
        Some(run) => {
            out.push_str(&legend());
            out.push_str(&svg(run, &bars));
        }
    }
    out.push_str(&gate_table(input, &bars));
    out.push_str("</section>\n");
    out
}

fn legend() -> String {
    let swatch = |class: &str, text: &str| {
        format!(
            "<span><svg width=\"28\" height=\"14\" aria-hidden=\"true\"><rect width=\"28\" height=\"14\" fill=\"url(#p-{class})\" stroke=\"#000\"/></svg> {text}</span>"
        )
    };
    format!(
        "<p class=\"legend\">{}{}{}<span><svg width=\"28\" height=\"14\" aria-hidden=\"true\"><line x1=\"14\" y1=\"0\" x2=\"14\" y2=\"14\" class=\"bound\"/></svg> lower bound</span></p>\n",
        swatch("pass", "✓ PASS (solid)"),
        swatch("fail", "✗ failed (hatched)"),
        swatch("other", "~ flaky, ! not run, interrupted, … (dotted)")
    )
}

/// Patterns, one per outcome class: solid, hatched, dotted.
const DEFS: &str = "<defs>\
<pattern id=\"p-pass\" width=\"8\" height=\"8\" patternUnits=\"userSpaceOnUse\"><rect width=\"8\" height=\"8\" fill=\"#2e7d32\"/></pattern>\
<pattern id=\"p-fail\" width=\"8\" height=\"8\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect width=\"8\" height=\"8\" fill=\"#c62828\"/><rect width=\"3\" height=\"8\" fill=\"#fff\"/></pattern>\
<pattern id=\"p-other\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\"><rect width=\"6\" height=\"6\" fill=\"#f9a825\"/><circle cx=\"3\" cy=\"3\" r=\"1.5\" fill=\"#000\"/></pattern>\
</defs>";

fn svg(run: &RunRecord, bars: &[Bar]) -> String {
    let lanes = bars.iter().map(|b| b.lane + 1).max().unwrap_or(1) as u64;
    let span =
        bars.iter().map(|b| b.end_ms).max().unwrap_or(0).max(run.makespan_ms).max(run.lower_bound_ms).max(1);
    let height = TOP + lanes * (LANE + GAP) + BOTTOM;
    let x = |t: u64| LEFT as f64 + t as f64 * (WIDTH - LEFT - RIGHT) as f64 / span as f64;
    let mut out = format!(
        "<svg id=\"timeline-chart\" viewBox=\"0 0 {WIDTH} {height}\" width=\"100%\" role=\"img\" aria-labelledby=\"timeline-title\">\n\
         <title id=\"timeline-title\">Run {}: {} gates on {lanes} job lane(s) over a makespan of {}; lower bound {}</title>\n{DEFS}\n",
        escape(&run.run_id),
        bars.len(),
        ms(run.makespan_ms),
        ms(run.lower_bound_ms)
    );
    for lane in 0..lanes {
        let y = TOP + lane * (LANE + GAP);
        out.push_str(&format!(
            "<rect class=\"lane\" x=\"{LEFT}\" y=\"{y}\" width=\"{}\" height=\"{LANE}\"/><text x=\"4\" y=\"{}\">job {}</text>\n",
            WIDTH - LEFT - RIGHT,
            y + LANE / 2 + 4,
            lane + 1
        ));
    }
    for bar in bars {
        out.push_str(&bar_svg(bar, &x));
    }
    out.push_str(&axis(span, lanes, &x));
    let lb = x(run.lower_bound_ms);
    let bottom = TOP + lanes * (LANE + GAP);
    out.push_str(&format!(
        "<line class=\"bound\" x1=\"{lb:.1}\" y1=\"{}\" x2=\"{lb:.1}\" y2=\"{bottom}\"/><text x=\"{:.1}\" y=\"{}\" text-anchor=\"{}\">lower bound {}</text>\n</svg>\n",
        TOP - 14,
        lb,
        TOP - 16,
        if lb > (WIDTH / 2) as f64 { "end" } else { "start" },
        ms(run.lower_bound_ms)
    ));
    out
}

/// A gate's outcome as the report shows it: as recorded, or
/// `INCONSISTENT (recorded PASS, exit 3)` when its record contradicts itself.
fn shown_outcome(g: &GateRecord) -> String {
    crate::integrity::inconsistent_label(g).unwrap_or_else(|| g.outcome.to_string())
}

/// A gate's reason as the report shows it: as recorded, or what contradicts what.
fn shown_reason(g: &GateRecord) -> String {
    let faults = crate::integrity::gate_faults(g);
    if faults.is_empty() {
        g.reason.clone()
    } else {
        format!("the record contradicts itself: {}", faults.join("; "))
    }
}

fn bar_svg(bar: &Bar, x: &dyn Fn(u64) -> f64) -> String {
    let outcome = shown_outcome(bar.gate);
    let (class, mark) = outcome_class(&outcome);
    let (x0, x1) = (x(bar.start_ms), x(bar.end_ms));
    let w = (x1 - x0).max(1.0);
    let y = TOP + bar.lane as u64 * (LANE + GAP);
    let mut out = format!(
        "<g class=\"bar o-{class}\"><rect x=\"{x0:.1}\" y=\"{y}\" width=\"{w:.1}\" height=\"{LANE}\" fill=\"url(#p-{class})\" stroke=\"#000\" stroke-width=\"0.5\"><title>{} {}: {} from {}</title></rect>",
        escape(&bar.gate.id),
        escape(&outcome),
        ms(bar.gate.duration_ms),
        ms(bar.start_ms)
    );
    let label =
        if class == "pass" { bar.gate.id.clone() } else { format!("{mark} {} {outcome}", bar.gate.id) };
    let fits = ((w - 6.0) / 6.5).floor() as usize;
    if fits >= 3 {
        let shown: String = if label.chars().count() > fits {
            label.chars().take(fits - 1).chain(['…']).collect()
        } else {
            label
        };
        out.push_str(&format!(
            "<text class=\"bar-label\" x=\"{:.1}\" y=\"{}\">{}</text>",
            x0 + 3.0,
            y + LANE / 2 + 4,
            escape(&shown)
        ));
    }
    out.push_str("</g>\n");
    out
}

/// The time axis under the lanes: a tick at each multiple of a round step ([`ticks`]).
fn axis(span: u64, lanes: u64, x: &dyn Fn(u64) -> f64) -> String {
    let y = TOP + lanes * (LANE + GAP);
    let mut out =
        format!("<line class=\"axis\" x1=\"{LEFT}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\"/>", WIDTH - RIGHT);
    let (step, ticks) = ticks(span);
    for t in ticks {
        let anchor = match t {
            0 => "start",
            t if t + step > span && x(t) > (WIDTH - RIGHT - 30) as f64 => "end",
            _ => "middle",
        };
        out.push_str(&format!(
            "<line class=\"axis\" x1=\"{0:.1}\" y1=\"{y}\" x2=\"{0:.1}\" y2=\"{1}\"/><text x=\"{0:.1}\" y=\"{2}\" text-anchor=\"{anchor}\">{3}</text>",
            x(t),
            y + 4,
            y + 16,
            tick_label(t, span)
        ));
    }
    out.push('\n');
    out
}

/// The ticks of an axis over `span` milliseconds: the step (the least of 1, 2 and 5 times a
/// power of ten milliseconds that gives at most six ticks) and every multiple of it from
/// 0 to `span`.
pub(crate) fn ticks(span: u64) -> (u64, Vec<u64>) {
    let wanted = span.div_ceil(5).max(1);
    let mut power = 1u64;
    let step = loop {
        if let Some(&m) = [1, 2, 5].iter().find(|&&m| m * power >= wanted) {
            break m * power;
        }
        power *= 10;
    };
    (step, (0..=span / step).map(|i| i * step).collect())
}

/// A tick's label, in one unit for the whole axis and in closeout's duration style
/// ([`crate::duration::human`]): milliseconds below a second (`200ms`), seconds with one
/// decimal below a minute (`0.5s`, `1.0s`), minutes and seconds above (`0m50s`, `1m40s`);
/// 0 is `0`.
pub(crate) fn tick_label(t: u64, span: u64) -> String {
    match (t, span) {
        (0, _) => "0".into(),
        (_, 0..=999) => format!("{t}ms"),
        (_, 1_000..=59_999) => format!("{:.1}s", t as f64 / 1000.0),
        _ => format!("{}m{:02}s", t / 60_000, t / 1000 % 60),
    }
}

/// Every gate: its outcome, lane, start, duration, tests, reason and command; the rows
/// verdict clauses link to.
fn gate_table(input: &Input, bars: &[Bar]) -> String {
    let rows: Vec<Row> = gate_ids(input.program, input.latest)
        .iter()
        .map(|id| {
            let record = input.latest.and_then(|r| r.gate(id));
            let bar = bars.iter().find(|b| b.gate.id == *id);
            let command =
                record.map(|g| g.command.as_str()).or_else(|| input.program.gate(id).map(|g| g.run.as_str()));
            let cells = match record {
                None => {
                    vec!["no evidence".into(), "—".into(), "—".into(), "—".into(), "—".into(), "—".into()]
                }
                Some(g) => vec![
                    outcome_cell(&shown_outcome(g)),
                    bar.map_or("—".into(), |b| (b.lane + 1).to_string()),
                    bar.map_or("—".into(), |b| ms(b.start_ms)),
                    ms(g.duration_ms),
                    g.counts.as_ref().map_or("—".into(), |c| escape(&c.summary())),
                    escape(&shown_reason(g)),
                ],
            };
            let mut cells = cells;
            cells.push(command.map_or("—".into(), |c| format!("<code>{}</code>", escape(c))));
            Row { id: Some(anchor("gate", id)), head: escape(id), cells }
        })
        .collect();
    let caption = match input.latest {
        Some(run) => format!(
            "Gates of run {} (makespan {}, lower bound {}, {} job(s))",
            run.run_id,
            ms(run.makespan_ms),
            ms(run.lower_bound_ms),
            run.jobs
        ),
        None => "Gates (no run recorded)".to_string(),
    };
    table(&caption, &["Gate", "Outcome", "Job", "Start", "Duration", "Tests", "Reason", "Command"], &rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_ticks_are_round_steps_labelled_in_one_unit() {
        let labels = |span: u64| ticks(span).1.iter().map(|&t| tick_label(t, span)).collect::<Vec<_>>();
        // A 2,020 ms span: a step of 500 ms (2,020 / 5 = 404 rounds up to 500), in seconds.
        assert_eq!(labels(2_020), ["0", "0.5s", "1.0s", "1.5s", "2.0s"]);
        assert_eq!(labels(730), ["0", "200ms", "400ms", "600ms"]);
        assert_eq!(
            labels(200_000),
            ["0", "50.0s", "1m40s", "2m30s", "3m20s"].map(|l| l.replace("50.0s", "0m50s"))
        );
        assert_eq!(ticks(1), (1, vec![0, 1]));
        for span in [1, 7, 999, 1_000, 4_321, 59_999, 3_600_000] {
            let (step, t) = ticks(span);
            assert!(
                t.len() <= 6 && t.len() >= 2 && *t.last().unwrap() <= span && span - t.last().unwrap() < step,
                "{span}: {t:?}"
            );
        }
    }
    use crate::evidence::{fixtures, Outcome};

    /// A run started at 12:00:00.000 of gates (id, start ms, duration ms).
    pub(crate) fn run(gates: &[(&str, Option<u64>, u64)]) -> RunRecord {
        let at = |ms: u64| format!("2026-11-30T12:00:{:02}.{:03}Z", ms / 1000, ms % 1000);
        let mut run = fixtures::run(
            gates
                .iter()
                .map(|(id, start, duration)| {
                    let mut g = fixtures::gate(id, "true", Outcome::Pass, Some(0));
                    g.started_at = start.map(at);
                    g.finished_at = start.map(|s| at(s + duration));
                    g.duration_ms = *duration;
                    g
                })
                .collect(),
        );
        run.started_at = at(0);
        run
    }

    fn lanes(run: &RunRecord) -> Vec<(String, usize, u64, u64)> {
        bars(run).into_iter().map(|b| (b.gate.id.clone(), b.lane, b.start_ms, b.end_ms)).collect()
    }

    #[test]
    fn lanes_follow_start_and_end_times_like_the_workers_did() {
        // Two workers: a (0–5s) then c (5–6s) on one, b (0–3s) then d (3–9s) on the other;
        // e never started.
        let r = run(&[
            ("d", Some(3_000), 6_000),
            ("a", Some(0), 5_000),
            ("e", None, 0),
            ("b", Some(0), 3_000),
            ("c", Some(5_001), 1_000),
        ]);
        let got = lanes(&r);
        let expected: Vec<(String, usize, u64, u64)> = vec![
            ("b".into(), 0, 0, 3_000),
            ("a".into(), 1, 0, 5_000),
            ("d".into(), 0, 3_000, 9_000),
            ("c".into(), 1, 5_001, 6_001),
        ];
        assert_eq!(got, expected, "sorted by start then end; the lowest free lane");
        assert_eq!(lanes(&r), got, "deterministic");
    }

    #[test]
    fn a_lane_frees_a_millisecond_early_for_rounded_timestamps() {
        let r = run(&[("a", Some(0), 1_001), ("b", Some(1_000), 10)]);
        assert_eq!(lanes(&r).iter().map(|l| l.1).collect::<Vec<_>>(), [0, 0]);
        let r = run(&[("a", Some(0), 1_002), ("b", Some(1_000), 10)]);
        assert_eq!(lanes(&r).iter().map(|l| l.1).collect::<Vec<_>>(), [0, 1], "they did overlap");
    }

    #[test]
    fn without_a_run_start_the_first_gate_start_is_time_zero() {
        let mut r = run(&[("a", Some(2_000), 1_000), ("b", Some(2_500), 1_000)]);
        r.started_at = String::new();
        assert_eq!(lanes(&r).iter().map(|l| l.2).collect::<Vec<_>>(), [0, 500]);
    }
}
