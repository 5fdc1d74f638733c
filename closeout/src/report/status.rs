//! `closeout status`: the packet board, open debt (pre-release blockers first) and the
//! latest baseline run.

use super::{table, Style};
use crate::duration;
use crate::evidence::{Outcome, RunRecord};
use crate::model::{PacketStatus, Program, ReviewState};
use crate::verdict::Verdict;
use crate::vocab::Vocab;

/// `verdict`: the recorded verdict, with why it is not current if it is not.
pub fn render(
    program: &Program,
    latest: Option<&RunRecord>,
    verdict: Option<(&Verdict, Option<String>)>,
    bin_name: &str,
    style: Style,
) -> String {
    let mut out = format!("{}\n\n", style.bold(&program.name));

    out.push_str(&style.bold("Packet board"));
    out.push('\n');
    if program.packets.is_empty() {
        out.push_str("  no packets; add [[packet]] entries to closeout.toml\n");
    } else {
        let rows: Vec<Vec<String>> = program
            .packets
            .iter()
            .map(|p| {
                vec![
                    p.id.clone(),
                    p.title.clone(),
                    paint_status(p.status, style),
                    p.implementer.clone().unwrap_or_else(|| "-".into()),
                    p.reviewer.clone().unwrap_or_else(|| "-".into()),
                    paint_review(p.review, style),
                    p.commit.clone().unwrap_or_else(|| "-".into()),
                ]
            })
            .collect();
        out.push_str(&indent(&table::render(
            &["Packet", "Title", "Status", "Implementer", "Reviewer", "Review", "Commit"],
            &rows,
        )));
    }
    let done = program.packets.iter().filter(|p| p.status == PacketStatus::Done).count();
    out.push_str(&format!("  {done}/{} packets DONE\n\n", program.packets.len()));

    out.push_str(&style.bold("Open debt"));
    out.push('\n');
    let open = program.open_debt();
    if open.is_empty() {
        out.push_str("  none\n");
    } else {
        let rows: Vec<Vec<String>> = open
            .iter()
            .map(|d| {
                let blocker = if d.is_release_blocker() { style.red("BLOCKER") } else { String::new() };
                vec![
                    d.id.clone(),
                    blocker,
                    d.severity.map_or("-".into(), |s| s.to_string()),
                    d.owner.clone().unwrap_or_else(|| "-".into()),
                    d.milestone.clone().unwrap_or_else(|| "-".into()),
                    d.description.clone(),
                ]
            })
            .collect();
        out.push_str(&indent(&table::render(
            &["ID", "", "Severity", "Owner", "Milestone", "Description"],
            &rows,
        )));
        let blockers = open.iter().filter(|d| d.is_release_blocker()).count();
        out.push_str(&format!("  {} open, {blockers} pre-release blocker(s)\n", open.len()));
    }
    out.push('\n');

    // The evidence and the recorded verdict are files anyone can edit: what they say is
    // shown with controls escaped, on one line.
    let esc = |text: &str| crate::redact::escape_controls(text).into_owned();
    out.push_str(&style.bold("Latest baseline run"));
    out.push('\n');
    match latest {
        None => out.push_str(&format!("  none yet; run `{bin_name} baseline`\n")),
        Some(run) => {
            let passed = run.gates.iter().filter(|g| crate::integrity::passed(g)).count();
            let head = run.git.as_ref().map_or("no git".to_string(), |g| {
                format!("{}{}", &g.head[..g.head.len().min(12)], if g.dirty { " (dirty tree)" } else { "" })
            });
            out.push_str(&format!(
                "  {} at {}, {}: {passed}/{} gates passed in {}\n",
                esc(&run.run_id),
                esc(&run.finished_at),
                esc(&head),
                run.gates.len(),
                duration::human(std::time::Duration::from_millis(run.makespan_ms))
            ));
            for gate in run.gates.iter().filter(|g| !crate::integrity::passed(g)) {
                let known = gate
                    .known_failure
                    .as_ref()
                    .map_or(String::new(), |k| format!(" (known failure {})", esc(k)));
                let faults = crate::integrity::gate_faults(gate);
                let (outcome, why) = match crate::integrity::inconsistent_label(gate) {
                    Some(label) => {
                        (style.red(&label), format!("the record contradicts itself: {}", faults.join("; ")))
                    }
                    None if gate.outcome == Outcome::Flaky => {
                        (style.yellow(gate.outcome.as_str()), gate.reason.clone())
                    }
                    None => (style.red(gate.outcome.as_str()), gate.reason.clone()),
                };
                out.push_str(&format!("  {outcome} {}: {}{known}\n", esc(&gate.id), esc(&why)));
            }
        }
    }
    out.push('\n');

    out.push_str(&style.bold("Verdict"));
    out.push('\n');
    match verdict {
        None => out.push_str(&format!("  none yet; `{bin_name} baseline` records one\n")),
        Some((v, stale)) => {
            out.push_str(&format!("  {}", style.level(v.level)));
            match stale {
                Some(why) => out.push_str(&format!(" (not current: {})\n", esc(&why))),
                None => {
                    out.push_str(&format!(" (from run {})\n", esc(v.run_id.as_deref().unwrap_or("none"))))
                }
            }
            for c in &v.blockers {
                out.push_str(&format!("  {} {}\n", style.red("blocking:"), esc(&c.text)));
            }
            for c in &v.conditions {
                out.push_str(&format!("  {} {}\n", style.yellow("condition:"), esc(&c.text)));
            }
        }
    }
    out
}

/// What `render` shows, as JSON: the packets, the open debt (blockers first), the latest
/// run (null before the first) and the recorded verdict (null before the first).
pub fn json(
    program: &Program,
    latest: Option<&RunRecord>,
    verdict: Option<(&Verdict, Option<String>)>,
) -> serde_json::Value {
    let packets: Vec<serde_json::Value> = program
        .packets
        .iter()
        .map(|p| {
            serde_json::json!({
                "id": p.id, "title": p.title, "status": p.status.as_str(), "review": p.review.as_str(),
                "implementer": p.implementer, "reviewer": p.reviewer, "commit": p.commit,
            })
        })
        .collect();
    let latest = latest.map(|run| {
        let failed: Vec<serde_json::Value> = run
            .gates
            .iter()
            .filter(|g| !crate::integrity::succeeded(g))
            .map(|g| {
                let faults = crate::integrity::gate_faults(g);
                let outcome =
                    if faults.is_empty() { g.outcome.as_str() } else { crate::integrity::INCONSISTENT };
                serde_json::json!({
                    "id": g.id, "outcome": outcome, "recorded_outcome": g.outcome.as_str(),
                    "reason": g.reason, "known_failure": g.known_failure, "contradictions": faults,
                })
            })
            .collect();
        let flaky: Vec<serde_json::Value> = run
            .gates
            .iter()
            .filter(|g| g.outcome == Outcome::Flaky && crate::integrity::consistent(g))
            .map(|g| serde_json::json!({"id": g.id, "attempts": g.attempts.len(), "reason": g.reason}))
            .collect();
        serde_json::json!({
            "run_id": run.run_id,
            "finished_at": run.finished_at,
            "git": run.git.as_ref().map(|g| serde_json::json!({"head": g.head, "dirty": g.dirty})),
            "gates": run.gates.len(),
            "passed": run.gates.iter().filter(|g| crate::integrity::passed(g)).count(),
            "makespan_ms": run.makespan_ms,
            "failed": failed,
            "flaky": flaky,
        })
    });
    let verdict = verdict.map(|(v, stale)| {
        let texts =
            |clauses: &[crate::verdict::Clause]| clauses.iter().map(|c| c.text.clone()).collect::<Vec<_>>();
        serde_json::json!({
            "level": v.level.to_string(),
            "run_id": v.run_id,
            "current": stale.is_none(),
            "not_current_because": stale,
            "blockers": texts(&v.blockers),
            "conditions": texts(&v.conditions),
        })
    });
    serde_json::json!({
        "program": program.name,
        "packets": packets,
        "open_debt": program.open_debt().iter().map(|d| d.to_json()).collect::<Vec<_>>(),
        "latest_run": latest,
        "verdict": verdict,
    })
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("  {l}\n")).collect()
}

fn paint_status(status: PacketStatus, style: Style) -> String {
    let text = status.to_string();
    match status {
        PacketStatus::Done => style.green(&text),
        PacketStatus::InProgress | PacketStatus::InReview => style.yellow(&text),
        PacketStatus::Blocked | PacketStatus::ChangesRequested => style.red(&text),
        PacketStatus::Todo | PacketStatus::Pending => style.dim(&text),
    }
}

fn paint_review(review: ReviewState, style: Style) -> String {
    let text = review.to_string();
    match review {
        ReviewState::Approved => style.green(&text),
        ReviewState::Pending => style.dim(&text),
        ReviewState::InReview => style.yellow(&text),
        ReviewState::Blocked | ReviewState::ChangesRequested => style.red(&text),
    }
}
