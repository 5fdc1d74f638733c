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
    pub tolerance_pct: u32,
    pub count_now: Option<u64>,
    pub count_reference: Option<u64>,
    /// Why this gate is a regression, if it is.
    pub regression: Option<String>,
}

/// A gate's tolerance: its own, else 20% for build-like gates and 30% for test gates.
pub fn tolerance(gate: &Gate) -> u32 {
    gate.tolerance.unwrap_or(match gate.parser {
        ParserKind::None | ParserKind::Tsc => 20,
        _ if crate::parse::detect(&gate.run)
            .is_none_or(|k| matches!(k, ParserKind::None | ParserKind::Tsc)) =>
        {
            20
        }
        _ => 30,
    })
}

pub fn envelope(program: &Program, now: &RunRecord, reference: Option<&RunRecord>) -> Vec<Row> {
    program
        .gates
        .iter()
        .filter_map(|gate| {
            let current = now.gate(&gate.id)?;
            let previous = reference.and_then(|r| r.gate(&gate.id)).filter(|g| g.outcome.passed());
            let tolerance_pct = tolerance(gate);
            let count_now = current.counts.as_ref().map(|c| c.total()).filter(|n| *n > 0);
            let count_reference = previous.and_then(|p| p.counts.as_ref()).map(|c| c.total()).filter(|n| *n > 0);
            let change_pct = previous
                .filter(|p| p.duration_ms > 0)
                .map(|p| (current.duration_ms as f64 - p.duration_ms as f64) * 100.0 / p.duration_ms as f64);
            let mut regression = None;
            if let (Some(pct), Some(p)) = (change_pct, previous) {
                if pct > tolerance_pct as f64 && current.duration_ms.saturating_sub(p.duration_ms) >= MIN_DELTA_MS {
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
                now_ms: current.duration_ms,
                reference_ms: previous.map(|p| p.duration_ms),
                change_pct,
                tolerance_pct,
                count_now,
                count_reference,
                regression,
            })
        })
        .collect()
}
