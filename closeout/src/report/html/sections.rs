//! The report's sections that are text and tables: header, contents, verdict,
//! provenance, packet board, open debt, perf envelope and doc regions.

use super::{anchor, escape, ms, table, Input, Row, Targets};
use crate::model::Program;
use crate::perf;
use crate::verdict::{Clause, Level};

/// The sections in page order: (element id, heading).
pub(super) const SECTIONS: [(&str, &str); 8] = [
    ("verdict", "Verdict"),
    ("provenance", "Commit and evidence"),
    ("board", "Packet board"),
    ("timeline", "Latest baseline run"),
    ("trends", "Trends over the run history"),
    ("debt", "Open debt"),
    ("perf", "Performance envelope"),
    ("docs", "Doc regions"),
];

/// The heading of section `id`, opening its `<section>`.
pub(super) fn open(id: &str) -> String {
    let heading = SECTIONS.iter().find(|(s, _)| *s == id).map_or(id, |(_, h)| h);
    format!("<section id=\"{id}\" aria-labelledby=\"{id}-h\">\n<h2 id=\"{id}-h\">{}</h2>\n", escape(heading))
}

pub(super) fn header(input: &Input) -> String {
    format!(
        "<header>\n<p class=\"muted\">Certification report</p>\n<h1>{}</h1>\n\
         <p class=\"muted\">Generated {} by closeout {} from closeout.toml, the evidence and the run history.</p>\n</header>\n",
        escape(&input.program.name),
        escape(input.generated_at),
        escape(env!("CARGO_PKG_VERSION"))
    )
}

pub(super) fn contents() -> String {
    let items: String =
        SECTIONS.iter().map(|(id, h)| format!("<li><a href=\"#{id}\">{}</a></li>", escape(h))).collect();
    format!("<nav aria-label=\"Contents\"><ol>{items}</ol></nav>\n")
}

/// The level, then the blocking clauses, the conditions and the justification, each
/// clause followed by links to its evidence.
pub(super) fn verdict(input: &Input, targets: &Targets) -> String {
    let v = input.verdict;
    let class = match v.level {
        Level::Go => "level-go",
        Level::GoWithConditions => "level-cond",
        Level::NoGo => "level-nogo",
    };
    let mut out = open("verdict");
    out.push_str(&format!(
        "<p><span class=\"level {class}\" id=\"verdict-level\">{}</span> <span class=\"muted\">computed from run {}</span></p>\n",
        escape(&v.level.to_string()),
        escape(v.run_id.as_deref().unwrap_or("none"))
    ));
    for (title, prefix, clauses) in [
        ("Blocking", "blocker", &v.blockers),
        ("Conditions", "condition", &v.conditions),
        ("Justification", "holds", &v.justification),
    ] {
        if clauses.is_empty() {
            continue;
        }
        out.push_str(&format!("<h3>{title}</h3>\n<ol class=\"clauses\">\n"));
        for (i, c) in clauses.iter().enumerate() {
            out.push_str(&format!(
                "<li id=\"{prefix}-{}\">{}{}</li>\n",
                i + 1,
                super::inline_code(&c.text),
                refs(c, targets)
            ));
        }
        out.push_str("</ol>\n");
    }
    out.push_str("</section>\n");
    out
}

/// A clause's evidence as links to the sections that show it (plain text when the page
/// has nothing to show for it).
fn refs(clause: &Clause, targets: &Targets) -> String {
    if clause.evidence.is_empty() {
        return String::new();
    }
    let links: String = clause
        .evidence
        .iter()
        .map(|e| match targets.href(e) {
            Some(href) => format!("<a href=\"#{href}\">{}</a>", super::inline_code(e)),
            None => format!("<span>{}</span>", super::inline_code(e)),
        })
        .collect();
    format!(" <span class=\"refs\">— evidence:{links}</span>")
}

/// The commit the run was recorded at, the dirty flag, HEAD now, and whether the evidence
/// verifies, with every problem if it does not.
pub(super) fn provenance(input: &Input) -> String {
    let mut out = open("provenance");
    let text = |s: &str| escape(s);
    let mut rows = vec![];
    let mut row =
        |head: &str, cell: String| rows.push(super::Row { id: None, head: text(head), cells: vec![cell] });
    match input.latest {
        None => row("Latest run", format!("none: {} is missing", text(crate::evidence::LATEST))),
        Some(run) => {
            row("Latest run", format!("<code>{}</code>", text(&run.run_id)));
            row("Recorded", format!("{} to {}", text(&run.started_at), text(&run.finished_at)));
            let (commit, dirty) = match &run.git {
                None => ("not recorded (no git)".to_string(), "unknown".to_string()),
                Some(g) => (
                    format!("<code>{}</code>", text(&g.head)),
                    if g.dirty {
                        "<span class=\"bad\">yes: recorded on a dirty tree</span>".into()
                    } else {
                        "no".into()
                    },
                ),
            };
            row("Commit", commit);
            row("Dirty tree", dirty);
            row(
                "Machine",
                format!(
                    "{} {}/{}, {} job(s)",
                    text(run.host.machine.as_deref().unwrap_or("unnamed")),
                    text(&run.host.os),
                    text(&run.host.arch),
                    run.jobs
                ),
            );
        }
    }
    row("HEAD now", input.head.map_or("not in git".to_string(), |h| format!("<code>{}</code>", text(h))));
    let verifies = match (input.latest, input.evidence_problems) {
        (None, _) => "<span class=\"bad\">no: there is no evidence</span>".to_string(),
        (Some(_), []) => format!(
            "<span class=\"good\">yes</span> ({})",
            if input.full_record_checked {
                "the full record and its logs were checked"
            } else {
                "no full record here, so logs were not checked"
            }
        ),
        (Some(_), problems) => {
            let items: String = problems.iter().map(|p| format!("<li>{}</li>", text(p))).collect();
            format!("<span class=\"bad\">no: {} problem(s)</span><ul>{items}</ul>", problems.len())
        }
    };
    row("Evidence verifies", verifies);
    out.push_str(&table("Commit, dirty flag and evidence integrity", &["Fact", "Value"], &rows));
    out.push_str("</section>\n");
    out
}

pub(super) fn board(program: &Program) -> String {
    let mut out = open("board");
    if program.packets.is_empty() {
        out.push_str("<p>No packets: closeout.toml has no [[packet]].</p>\n</section>\n");
        return out;
    }
    let opt = |s: &Option<String>| s.as_deref().map_or("—".to_string(), escape);
    let rows: Vec<Row> = program
        .packets
        .iter()
        .map(|p| Row {
            id: Some(anchor("packet", &p.id)),
            head: escape(&p.id),
            cells: vec![
                escape(&p.title),
                escape(&p.status.to_string()),
                opt(&p.implementer),
                opt(&p.reviewer),
                escape(&p.review.to_string()),
                p.commit.as_deref().map_or("—".into(), |c| format!("<code>{}</code>", escape(c))),
            ],
        })
        .collect();
    let done = program.packets.iter().filter(|p| p.status == crate::model::PacketStatus::Done).count();
    out.push_str(&table(
        &format!("Packets ({done}/{} DONE)", program.packets.len()),
        &["Packet", "Title", "Status", "Implementer", "Reviewer", "Review", "Commit"],
        &rows,
    ));
    out.push_str("</section>\n");
    out
}

/// Open debt, pre-release blockers first.
pub(super) fn debt(program: &Program) -> String {
    let mut out = open("debt");
    let open_debt = program.open_debt();
    if open_debt.is_empty() {
        out.push_str("<p>No open debt.</p>\n</section>\n");
        return out;
    }
    let opt = |s: &Option<String>| s.as_deref().map_or("—".to_string(), escape);
    let rows: Vec<Row> = open_debt
        .iter()
        .map(|d| Row {
            id: Some(anchor("debt", &d.id)),
            head: escape(&d.id),
            cells: vec![
                if d.is_release_blocker() {
                    "<strong>pre-release blocker</strong>".into()
                } else {
                    "—".into()
                },
                d.severity.map_or("—".into(), |s| escape(&s.to_string())),
                opt(&d.owner),
                opt(&d.milestone),
                escape(&d.description),
            ],
        })
        .collect();
    let blockers = open_debt.iter().filter(|d| d.is_release_blocker()).count();
    out.push_str(&table(
        &format!("Open debt ({} open, {blockers} pre-release blocker(s) first)", open_debt.len()),
        &["ID", "Blocks release", "Severity", "Owner", "Milestone", "Description"],
        &rows,
    ));
    out.push_str("</section>\n");
    out
}

/// Each gate's duration and test count now against the reference run, with its
/// tolerance and any regression.
pub(super) fn perf(rows: &[perf::Row], reference: Option<&str>) -> String {
    let mut out = open("perf");
    match reference {
        Some(r) => out.push_str(&format!("<p>Against the reference run <code>{}</code>.</p>\n", escape(r))),
        None => {
            out.push_str("<p>No reference run from this machine: durations are shown, not compared.</p>\n")
        }
    }
    if rows.is_empty() {
        out.push_str("<p>No run to measure.</p>\n</section>\n");
        return out;
    }
    let num = |n: Option<u64>| n.map_or("—".into(), |n| n.to_string());
    let table_rows: Vec<Row> = rows
        .iter()
        .map(|r| Row {
            id: None,
            head: escape(&r.gate),
            cells: vec![
                ms(r.now_ms),
                r.reference_ms.map_or("—".into(), ms),
                super::percent(r.change_pct),
                r.tolerance_pct.map_or("off".into(), |t| format!("{t}%")),
                num(r.count_now),
                num(r.count_reference),
                r.regression
                    .as_deref()
                    .map_or("—".into(), |why| format!("<span class=\"bad\">{}</span>", escape(why))),
            ],
        })
        .collect();
    let regressions = rows.iter().filter(|r| r.regression.is_some()).count();
    out.push_str(&table(
        &format!("Performance envelope ({regressions} regression(s))"),
        &["Gate", "Now", "Reference", "Change", "Tolerance", "Tests now", "Tests then", "Regression"],
        &table_rows,
    ));
    out.push_str("</section>\n");
    out
}

/// The generated regions of the docs and whether each matches its data.
pub(super) fn docs(input: &Input) -> String {
    let mut out = open("docs");
    match input.regions {
        Err(why) => {
            out.push_str(&format!("<p class=\"bad\">The docs could not be checked: {}</p>\n", escape(why)))
        }
        Ok([]) if input.program.docs.is_empty() => {
            out.push_str("<p>No docs are tracked ([program] docs is empty).</p>\n")
        }
        Ok([]) => out.push_str("<p class=\"bad\">The docs hold no generated region.</p>\n"),
        Ok(regions) => {
            let rows: Vec<Row> = regions
                .iter()
                .map(|r| Row {
                    id: Some(anchor("region", &r.reference())),
                    head: escape(&r.reference()),
                    cells: vec![if r.state.matches() {
                        escape(r.state.label())
                    } else {
                        format!("<span class=\"bad\">{}</span>", escape(r.state.label()))
                    }],
                })
                .collect();
            let drifted = regions.iter().filter(|r| !r.state.matches()).count();
            out.push_str(&table(
                &format!("Generated regions ({drifted} out of sync)"),
                &["Region", "State"],
                &rows,
            ));
        }
    }
    out.push_str("</section>\n");
    out
}
