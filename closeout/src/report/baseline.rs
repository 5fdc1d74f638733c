//! What `closeout baseline` shows: the live view (TTY) or one line per finished gate with
//! a heartbeat (CI), the dry-run plan, and the end-of-run summary.

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::{table, Style};
use crate::duration::human;
use crate::evidence::{GateRecord, Outcome, RunRecord, TestCounts};
use crate::model::{DebtStatus, Program};
use crate::runner::{Observer, Plan, PlannedGate};
use crate::vocab::Vocab;

pub fn counts_text(counts: Option<&TestCounts>) -> String {
    counts.map_or("-".into(), TestCounts::summary)
}

fn paint_outcome(outcome: Outcome, style: Style) -> String {
    match outcome {
        Outcome::Pass => style.green(outcome.as_str()),
        Outcome::NotRun | Outcome::Interrupted | Outcome::Flaky => style.yellow(outcome.as_str()),
        _ => style.red(outcome.as_str()),
    }
}

fn exit_text(g: &GateRecord) -> String {
    match (g.exit_code, g.signal) {
        (Some(c), _) => c.to_string(),
        (None, Some(s)) => format!("signal {s}"),
        _ => "-".into(),
    }
}

/// `baseline --dry-run --json`: `{jobs, shard, gates: [{order, id, command, parser,
/// exclusive, predicted_ms}], predicted_makespan_ms, lower_bound_ms, held: [{id, when}]}`,
/// gates in the order workers take them (`order` from 1). `predicted_ms` is null for a
/// gate without history; both figures are null when no gate has one (no "0ms"
/// prediction); the makespan is a lower figure when some gates have no history.
pub fn plan_json(plan: &Plan) -> serde_json::Value {
    let ms = |d: Duration| d.as_millis() as u64;
    let predicted: Vec<Duration> = plan.gates.iter().filter_map(|g| g.predicted).collect();
    let known = !predicted.is_empty();
    serde_json::json!({
        "jobs": plan.jobs,
        "shard": plan.shard,
        "gates": plan.order.iter().enumerate().map(|(n, &i)| {
            let g = &plan.gates[i];
            serde_json::json!({
                "order": n + 1,
                "id": g.id,
                "command": g.command,
                "parser": g.parser.as_str(),
                "exclusive": g.exclusive,
                "predicted_ms": g.predicted.map(ms),
            })
        }).collect::<Vec<_>>(),
        "predicted_makespan_ms": known.then(|| ms(plan.predicted_makespan)),
        "lower_bound_ms": known.then(|| ms(crate::schedule::lower_bound(&predicted, plan.jobs))),
        "held": plan.held.iter().map(|(id, when)| serde_json::json!({"id": id, "when": when})).collect::<Vec<_>>(),
    })
}

/// The planned order with predicted durations, for `--dry-run`; a gate without history
/// says so (dimmed), never a predicted `0ms`.
pub fn render_plan(plan: &Plan, style: Style) -> String {
    let rows: Vec<Vec<String>> = plan
        .order
        .iter()
        .enumerate()
        .map(|(n, &i)| {
            let g = &plan.gates[i];
            vec![
                (n + 1).to_string(),
                crate::redact::escape_controls(&g.id).into_owned(),
                g.predicted.map_or_else(|| style.dim("no history"), human),
                g.exclusive.clone().unwrap_or_else(|| "-".into()),
                // One line, whatever the script: no line of the plan starts with `::`.
                crate::redact::escape_controls(&g.command).into_owned(),
            ]
        })
        .collect();
    let mut out = match &plan.shard {
        Some(s) => format!("share {}/{} (split by {:?}):\n", s.index, s.total, s.by).to_lowercase(),
        None => String::new(),
    };
    out.push_str(&table::render(&["#", "Gate", "Predicted", "Exclusive", "Command"], &rows));
    let unknown = plan.gates.iter().filter(|g| g.predicted.is_none()).count();
    let predicted: Vec<Duration> = plan.gates.iter().filter_map(|g| g.predicted).collect();
    let prediction = if predicted.is_empty() {
        "no prediction yet: no gate has a recorded duration, so they run in closeout.toml order".to_string()
    } else {
        format!(
            "predicted makespan {}{} (lower bound {})",
            if unknown > 0 { "at least " } else { "" },
            human(plan.predicted_makespan),
            human(crate::schedule::lower_bound(&predicted, plan.jobs))
        )
    };
    out.push_str(&format!(
        "\n{} gate(s) on {} job(s); {}{}\n",
        plan.gates.len(),
        plan.jobs,
        style.bold(&prediction),
        if unknown > 0 && !predicted.is_empty() {
            format!("; {unknown} gate(s) have no recorded duration yet and run first")
        } else {
            String::new()
        }
    ));
    out
}

/// The end-of-run summary: one row per gate, the tail of every failed gate's log, the
/// makespan against its lower bound, stale known failures, and where the evidence is.
pub fn render_summary(
    program: &Program,
    record: &RunRecord,
    tails: &BTreeMap<String, Vec<String>>,
    record_path: &str,
    style: Style,
) -> String {
    let rows: Vec<Vec<String>> = record
        .gates
        .iter()
        .map(|g| {
            let known = match &g.known_failure {
                Some(id) if !g.outcome.passed() && g.outcome != Outcome::NotRun => {
                    format!("pre-existing {id}")
                }
                _ => String::new(),
            };
            vec![
                g.id.clone(),
                paint_outcome(g.outcome, style),
                exit_text(g),
                human(Duration::from_millis(g.duration_ms)),
                counts_text(g.counts.as_ref()),
                known,
            ]
        })
        .collect();
    let mut out = table::render(&["Gate", "Outcome", "Exit", "Duration", "Counts", "Known failure"], &rows);

    for g in record.gates.iter().filter(|g| !g.outcome.passed() && g.outcome != Outcome::NotRun) {
        out.push_str(&format!(
            "\n{} {} — {}\n",
            style.bold(&g.id),
            paint_outcome(g.outcome, style),
            g.reason
        ));
        if !g.failing_tests.is_empty() {
            out.push_str(&format!("  failing: {}\n", g.failing_tests.join(", ")));
        }
        out.push_str(&attempt_lines(g));
        // A FLAKY gate's last lines are those of its passing attempt: its logs say more.
        if g.outcome.succeeded() {
            continue;
        }
        if let Some(tail) = tails.get(&g.id).filter(|t| !t.is_empty()) {
            out.push_str(&format!("  last {} lines:\n", tail.len()));
            for line in tail {
                out.push_str(&format!("  {} {line}\n", style.dim("│")));
            }
        }
    }

    for g in &record.gates {
        let Some(id) = &g.known_failure else { continue };
        let open = program.debt(id).is_some_and(|d| d.status == DebtStatus::Open);
        if g.outcome.passed() && open {
            out.push_str(&format!(
                "\nstale debt: gate `{}` passes but is still marked known_failure = \"{id}\"; resolve {id} and remove known_failure from the gate\n",
                g.id
            ));
        }
    }

    let passed = record.gates.iter().filter(|g| g.outcome.passed()).count();
    let flaky = record.gates.iter().filter(|g| g.outcome == Outcome::Flaky).count();
    let flaky = match flaky {
        0 => String::new(),
        n => format!(" and {n} FLAKY (passed on a retry)"),
    };
    let ratio = if record.lower_bound_ms > 0 {
        format!("{:.2}", record.makespan_ms as f64 / record.lower_bound_ms as f64)
    } else {
        "-".into()
    };
    out.push_str(&format!(
        "\n{passed}/{} gates passed{flaky} on {} job(s): makespan {}, lower bound {}, ratio {ratio}\n",
        record.gates.len(),
        record.jobs,
        human(Duration::from_millis(record.makespan_ms)),
        human(Duration::from_millis(record.lower_bound_ms)),
    ));
    if record.interrupted {
        out.push_str("interrupted: running gates were stopped and the rest marked NOT_RUN\n");
    }
    out.push_str(&format!("evidence: {record_path}\n"));
    out
}

/// A gate's log, or one line per attempt with its log when it ran more than once:
/// `  attempt 1: FAIL (exit 1) in 1.2s, 3 passed, 1 failed, log: target/…/000-unit.log`.
fn attempt_lines(g: &GateRecord) -> String {
    let path = |log: &Option<crate::evidence::LogRecord>| log.as_ref().and_then(|l| l.path.clone());
    if g.attempts.is_empty() {
        return path(&g.log).map_or(String::new(), |p| format!("  log: {p}\n"));
    }
    let mut out = String::new();
    for a in &g.attempts {
        let mut line = format!("  {} in {}", a.short(), human(Duration::from_millis(a.duration_ms)));
        if let Some(c) = &a.counts {
            line.push_str(&format!(", {}", c.summary()));
        }
        if let Some(p) = path(&a.log) {
            line.push_str(&format!(", log: {p}"));
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// The verdict a complete run recorded: its level, then every blocker and condition (a
/// performance regression, an open pre-release blocker), so none hides in verdict.json.
pub fn render_verdict_line(v: &crate::verdict::Verdict, bin_name: &str, style: Style) -> String {
    let mut out = format!(
        "verdict: {} (recorded in {}; `{bin_name} verdict` explains it)\n",
        style.level(v.level),
        crate::verdict::FILE
    );
    for c in &v.blockers {
        out.push_str(&format!("  {} {}\n", style.red("blocking:"), c.text));
    }
    for c in &v.conditions {
        out.push_str(&format!("  {} {}\n", style.yellow("condition:"), c.text));
    }
    out
}

/// Live progress on stderr. On a TTY: a block of lines (one spinner per running gate and
/// a bar of gates done) redrawn in place every 200 ms, finished gates printed above it.
/// Otherwise: one line per finished gate and a heartbeat naming the running ones.
pub struct Live {
    style: Style,
    inner: Mutex<LiveState>,
    total: usize,
    tty: bool,
    started: Instant,
}

struct LiveState {
    running: BTreeMap<String, Instant>,
    done: usize,
    /// Lines of the live block currently on screen (TTY only).
    drawn: usize,
    tick: usize,
}

const SPINNER: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const BAR_WIDTH: usize = 30;

impl Live {
    pub fn new(total: usize, tty: bool, style: Style) -> Arc<Live> {
        let state = LiveState { running: BTreeMap::new(), done: 0, drawn: 0, tick: 0 };
        Arc::new(Live { style, inner: Mutex::new(state), total, tty, started: Instant::now() })
    }

    /// Until the returned guard drops: on a TTY, redraw the live block every 200 ms; in
    /// CI, print "still running: …" every `every`.
    pub fn heartbeat(self: &Arc<Self>, every: Duration) -> Heartbeat {
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let live = self.clone();
        let interval = if self.tty { Duration::from_millis(200) } else { every };
        let thread = std::thread::spawn(move || {
            while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = rx.recv_timeout(interval) {
                let mut state = live.inner.lock().unwrap();
                if live.tty {
                    state.tick += 1;
                    live.redraw(&mut state, None);
                    continue;
                }
                if state.running.is_empty() {
                    continue;
                }
                let list: Vec<String> =
                    state.running.iter().map(|(id, t)| format!("{id} ({})", human(t.elapsed()))).collect();
                // A hung-up terminal makes writes fail; that must not end the run.
                let _ = writeln!(std::io::stderr(), "still running: {}", list.join(", "));
            }
        });
        Heartbeat { stop: Some(tx), thread: Some(thread) }
    }

    /// Clear the live block.
    pub fn finish(&self) {
        if self.tty {
            let mut state = self.inner.lock().unwrap();
            let mut err = std::io::stderr().lock();
            let _ = err.write_all(clear_block(state.drawn).as_bytes());
            let _ = err.flush();
            state.drawn = 0;
        }
    }

    /// Replace the block on screen with `above` (a finished gate's line, kept) and the
    /// current block.
    fn redraw(&self, state: &mut LiveState, above: Option<&str>) {
        let mut text = clear_block(state.drawn);
        if let Some(line) = above {
            text.push_str(line);
            text.push('\n');
        }
        let block = render_block(state, self.total, self.started.elapsed());
        state.drawn = block.len();
        for line in block {
            text.push_str(&line);
            text.push('\n');
        }
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(text.as_bytes());
        let _ = err.flush();
    }
}

/// The escape codes that move up over `lines` lines and clear to the end of the screen.
fn clear_block(lines: usize) -> String {
    if lines == 0 {
        String::new()
    } else {
        format!("\x1b[{lines}A\r\x1b[J")
    }
}

fn render_block(state: &LiveState, total: usize, elapsed: Duration) -> Vec<String> {
    let spinner = SPINNER[state.tick % SPINNER.len()];
    let mut lines: Vec<String> =
        state.running.iter().map(|(id, t)| format!("{spinner} {id} {}", human(t.elapsed()))).collect();
    let filled = (state.done * BAR_WIDTH).checked_div(total).unwrap_or(0);
    lines.push(format!(
        "{}{} {}/{total} gates done, {} elapsed",
        "█".repeat(filled),
        "░".repeat(BAR_WIDTH - filled),
        state.done,
        human(elapsed)
    ));
    lines
}

pub struct Heartbeat {
    stop: Option<std::sync::mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Heartbeat {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Observer for Live {
    fn started(&self, gate: &PlannedGate) {
        let mut state = self.inner.lock().unwrap();
        state.running.insert(gate.id.clone(), Instant::now());
        if self.tty {
            self.redraw(&mut state, None);
        }
    }

    fn retrying(&self, gate: &PlannedGate, failed: &GateRecord, attempt: u32) {
        let mut state = self.inner.lock().unwrap();
        let line = format!(
            "{} {} attempt {attempt} of {}: {} in {} ({}); running it again",
            self.style.yellow("RETRY"),
            gate.id,
            gate.retries + 1,
            failed.outcome,
            human(Duration::from_millis(failed.duration_ms)),
            failed.reason
        );
        if self.tty {
            self.redraw(&mut state, Some(&line));
        } else {
            let _ = writeln!(std::io::stderr().lock(), "{line}");
        }
    }

    fn finished(&self, record: &GateRecord, _tail: &[String]) {
        let mut state = self.inner.lock().unwrap();
        state.done += 1;
        state.running.remove(&record.id);
        let line = format!(
            "[{}/{}] {} {} in {} ({})",
            state.done,
            self.total,
            paint_outcome(record.outcome, self.style),
            record.id,
            human(Duration::from_millis(record.duration_ms)),
            record.reason
        );
        if self.tty {
            self.redraw(&mut state, Some(&line));
        } else {
            let _ = writeln!(std::io::stderr().lock(), "{line}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_live_block_names_running_gates_above_a_bar_and_clears_itself() {
        let mut state = LiveState { running: BTreeMap::new(), done: 1, drawn: 0, tick: 0 };
        state.running.insert("test".into(), Instant::now());
        let block = render_block(&state, 3, Duration::from_secs(5));
        assert_eq!(block.len(), 2, "{block:?}");
        assert!(block[0].starts_with("⠋ test "), "{block:?}");
        assert_eq!(block[1], format!("{}{} 1/3 gates done, 5.0s elapsed", "█".repeat(10), "░".repeat(20)));
        assert_eq!(clear_block(0), "");
        assert_eq!(clear_block(2), "\x1b[2A\r\x1b[J");
    }
}
