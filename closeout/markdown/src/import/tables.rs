//! The tables a plan keeps (risk register, track status index, debt ledger) read into rows
//! of closeout.toml keys, by the meaning of their columns; rows checked against the
//! model's vocabularies, a row that cannot be an entry kept whole for a comment. Pure.

use super::md::{effective, Table};
use super::render::VOCAB;
use super::{Candidate, Imported, Row, Unmapped};

/// Reject rows that miss a required key or hold a value outside a vocabulary (required
/// keys) and drop optional values outside theirs; report both, cell by cell, at the row's
/// own file and line.
pub(super) fn check_rows(rows: &mut [Row], what: &str, required: &[&str], out: &mut Imported) {
    for row in rows.iter_mut() {
        let file = row.file.clone();
        let mut problems = Vec::new();
        for key in required {
            if row.get(key).is_none_or(|v| v.trim().is_empty()) {
                problems.push(format!("no {key}"));
            }
        }
        let mut dropped = Vec::new();
        for (key, value) in &row.fields {
            if let Some((_, allowed)) =
                VOCAB.iter().find(|(k, _)| *k == *key && !(what == "debt" && *k == "status"))
            {
                let v = value.trim().trim_matches('`');
                if !allowed.contains(&v) {
                    if required.contains(key) {
                        problems.push(format!("{key} `{value}` is not one of {}", allowed.join(", ")));
                    } else {
                        dropped.push((*key, value.clone(), allowed));
                    }
                }
            }
        }
        for (key, value, allowed) in dropped.iter().filter(|_| problems.is_empty()) {
            out.cells_mapped -= 1;
            out.unmapped.push(Unmapped {
                file: file.clone(),
                line: row.line,
                what: format!("{what} cell `{value}` (column {key})"),
                why: format!("not one of {}", allowed.join(", ")),
            });
        }
        if !problems.is_empty() {
            let why = problems.join("; ");
            let id = row.get("id").unwrap_or("?").to_string();
            for value in &row.taken {
                out.unmapped.push(Unmapped {
                    file: file.clone(),
                    line: row.line,
                    what: format!("{what} cell `{value}` (row `{id}` not imported)"),
                    why: why.clone(),
                });
            }
            out.cells_mapped -= row.taken.len();
            row.rejected = Some(why);
        }
    }
}

pub(super) fn cell(row: &[String], col: Option<usize>) -> Option<String> {
    col.and_then(|c| row.get(c)).map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// A severity as registers write it, in the vocabulary's word: `High` → `HIGH`; the
/// priority scale `P0`/`P1` and `Critical` → `HIGH`, `P2` → `MEDIUM`, `P3`, `P4` → `LOW`;
/// struck through, the value it says now (`~~P2~~` → `MEDIUM`, `~~P1~~ P3` → `LOW`, as
/// [`effective`] reads a board's `~~TODO~~ DONE`). Anything else is returned upper-cased,
/// for `check_rows` to report.
pub fn severity_word(v: &str) -> String {
    let w = effective(v).0.trim_matches(['*', '`']).trim().to_uppercase();
    match w.split(|c: char| !c.is_ascii_alphanumeric()).next().unwrap_or("") {
        "P0" | "P1" | "CRITICAL" | "SEV1" | "HIGH" => "HIGH".into(),
        "P2" | "SEV2" | "MEDIUM" | "MED" | "MODERATE" => "MEDIUM".into(),
        "P3" | "P4" | "SEV3" | "LOW" | "MINOR" => "LOW".into(),
        _ => w,
    }
}

/// The column of a table that means `name` for a region kind (`docs::layout::synonyms`).
fn meaning(t: &Table, kind: &str, name: &str) -> Option<usize> {
    t.header.iter().position(|h| crate::docs::layout::synonyms(kind, h) == Some(name))
}

/// A risk register in any column layout: an id column, a risk (description) column, and a
/// severity, mitigation or packet column.
/// A risk register without an id column (`| Risk | Likelihood | Impact | Owner |`): its
/// rows cannot be entries (ids are never invented) unless each risk cell starts with one
/// (`RK-1: Token leak`).
pub(super) fn is_risk_table_without_ids(t: &Table, under_risk_heading: bool) -> bool {
    let m = |n| meaning(t, "risks", n).is_some();
    let about_risk = under_risk_heading || t.header.iter().any(|h| h.to_lowercase().contains("risk"));
    !m("Risk ID")
        && about_risk
        && m("Description")
        && (m("Severity") || m("Mitigation") || m("Mapped Packet"))
}

/// The table has a risk column by a name that says risk on its own (`Risk`, `Threat`,
/// `Description`), not only by one that needs the table to be about risks (`Finding`).
fn describes_risks(t: &Table) -> bool {
    t.header.iter().any(|h| {
        let h = h.trim().to_lowercase();
        crate::docs::layout::synonyms("risks", &h) == Some("Description")
            && !["finding", "concern"].contains(&h.as_str())
    })
}

/// `RK-1: Token leak`, `R1 — Token leak`: the id a risk cell starts with, and the rest.
pub(super) fn leading_id(cell: &str) -> Option<(String, String)> {
    let cell = cell.trim().trim_start_matches("**");
    let end = cell.find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '.'))?;
    let (id, rest) = cell.split_at(end);
    let rest = rest.trim_start_matches("**").trim_start();
    let rest =
        rest.strip_prefix(':').or_else(|| rest.strip_prefix('—')).or_else(|| rest.strip_prefix(" - "))?;
    let ok = id.len() <= 12
        && id.chars().any(|c| c.is_ascii_digit())
        && id.starts_with(|c: char| c.is_ascii_uppercase());
    ok.then(|| (id.to_string(), rest.trim().to_string()))
}

/// Read a register without an id column: rows whose risk cell starts with an id become
/// entries; the rest are reported, each with its line.
pub(super) fn read_risks_without_ids(t: &Table, file: &str, risks: &mut Vec<Row>, out: &mut Imported) {
    let d = meaning(t, "risks", "Description");
    let mut with_ids = t.clone();
    with_ids.header.insert(0, "Risk ID".into());
    with_ids.rows.clear();
    with_ids.row_lines.clear();
    for (r, row) in t.rows.iter().enumerate() {
        match d.and_then(|d| row.get(d)).and_then(|c| leading_id(c)) {
            Some((id, rest)) => {
                let mut cells = row.clone();
                cells[d.unwrap_or(0)] = rest;
                cells.insert(0, id);
                with_ids.rows.push(cells);
                with_ids.row_lines.push(t.row_lines[r]);
            }
            None => out.unmapped.push(Unmapped {
                file: file.into(),
                line: t.row_lines[r],
                what: format!("risk row `| {} |`", row.join(" | ")),
                why: "the register has no id column and the risk names no id; add an ID column (closeout never invents ids)".into(),
            }),
        }
    }
    out.cells_total += t.rows.iter().map(Vec::len).sum::<usize>();
    if !with_ids.rows.is_empty() {
        read_risks(&with_ids, file, risks, out);
    }
}

/// One table of the risk register as read: its rows, and where it is, as the region that
/// would wrap it.
#[derive(Debug)]
pub(super) struct RiskTable {
    pub rows: Vec<Row>,
    pub at: Candidate,
    /// Whether a region can wrap it: only a table with an id column regenerates.
    pub wrappable: bool,
}

impl RiskTable {
    /// The region candidate, for a table a region can wrap.
    pub fn candidate(&self) -> Option<Candidate> {
        self.wrappable.then(|| self.at.clone())
    }
}

/// A debt ledger (`| ID | … | Owner | Target Milestone |`): it also has ids, descriptions
/// and severities, and is never read as a risk register.
pub(super) fn is_ledger(t: &Table) -> bool {
    t.column(&["id"]).is_some()
        && t.column(&["owner"]).is_some()
        && t.column(&["target milestone", "milestone"]).is_some()
}

/// A table of `file` read as the risk register's, with an id column or without one (its
/// rows then take the id their risk cell starts with); `None` when it is no register.
pub(super) fn risk_table(
    t: &Table,
    file: &str,
    under_risk_heading: bool,
    out: &mut Imported,
) -> Option<RiskTable> {
    if is_ledger(t) {
        return None;
    }
    let mut rows = Vec::new();
    let at = Candidate::table(file, "risks", t);
    if is_risk_table(t, under_risk_heading) {
        read_risks(t, file, &mut rows, out);
        Some(RiskTable { rows, at, wrappable: true })
    } else if is_risk_table_without_ids(t, under_risk_heading) {
        read_risks_without_ids(t, file, &mut rows, out);
        Some(RiskTable { rows, at, wrappable: false })
    } else {
        None
    }
}

pub(super) fn is_risk_table(t: &Table, under_risk_heading: bool) -> bool {
    let m = |n| meaning(t, "risks", n).is_some();
    let about_risk = under_risk_heading || t.header.iter().any(|h| h.to_lowercase().contains("risk"));
    m("Risk ID")
        && (describes_risks(t) || about_risk)
        && (m("Severity") || m("Mitigation") || m("Mapped Packet"))
}

pub(super) fn read_risks(t: &Table, file: &str, risks: &mut Vec<Row>, out: &mut Imported) {
    let m = |n| meaning(t, "risks", n);
    let cols = [
        ("id", m("Risk ID")),
        ("surface", m("Surface")),
        ("description", m("Description")),
        ("severity", m("Severity")),
        ("packets", m("Mapped Packet")),
        ("mitigation", m("Mitigation")),
    ];
    let before = risks.len();
    read_rows(t, file, &cols, risks, out);
    for r in risks[before..].iter_mut() {
        for (k, v) in r.fields.iter_mut() {
            match *k {
                // `High`, `**HIGH**`, `~~P2~~`: the vocabulary's word; anything else is
                // reported by check_rows.
                "severity" => *v = severity_word(v),
                // A struck-through row (`| ~~1~~ | ~~Old risk~~ — **RESOLVED** | ~~P2~~ |`)
                // is still its risk: the id and packets it says now. Its text keeps its
                // strikethrough, which is how the register says the risk is closed.
                "id" | "packets" => *v = effective(v).0,
                _ => {}
            }
        }
    }
}

pub(super) fn read_tracks(t: &Table, file: &str, tracks: &mut Vec<Row>, out: &mut Imported) {
    let cols = [
        ("name", t.column(&["track"])),
        ("plan", t.column(&["plan file", "plan"])),
        ("plan_status", t.column(&["plan status"])),
        ("progress", t.column(&["progress file", "progress"])),
        ("progress_status", t.column(&["progress status"])),
        ("checkpoint", t.column(&["final checkpoint", "checkpoint"])),
    ];
    read_rows(t, file, &cols, tracks, out);
    for track in tracks.iter_mut() {
        let name =
            track.fields.iter().find(|(k, _)| *k == "name").map(|(_, v)| v.clone()).unwrap_or_default();
        track.fields.insert(0, ("id", super::slug(&name)));
        for (k, v) in track.fields.iter_mut() {
            if matches!(*k, "plan" | "progress") {
                *v = v.trim_matches('`').to_string();
            }
        }
        track.fields.retain(|(k, v)| {
            !(matches!(*k, "plan" | "progress" | "plan_status" | "progress_status" | "checkpoint")
                && v == "N/A")
        });
    }
}

pub(super) fn read_debt(t: &Table, file: &str, debts: &mut Vec<Row>, out: &mut Imported) {
    let cols = [
        ("id", t.column(&["id"])),
        ("description", t.column(&["description"])),
        ("severity", t.column(&["severity"])),
        ("owner", t.column(&["owner"])),
        ("milestone", t.column(&["target milestone", "milestone"])),
        ("source", t.column(&["source"])),
    ];
    read_rows(t, file, &cols, debts, out);
    // `~~MEDIUM~~ CLOSED`, `~~Pre-release~~ Done`, `~~text~~ RESOLVED — how`: a resolved
    // item keeps its struck values as its history.
    for d in debts.iter_mut() {
        let mut resolved = None;
        for (k, v) in d.fields.iter_mut() {
            let (now, struck) = effective(v);
            match (*k, struck) {
                ("description", Some(old)) => {
                    resolved = Some(
                        now.trim_start_matches("RESOLVED")
                            .trim_start_matches([' ', '—', '-', ':'])
                            .trim()
                            .to_string(),
                    );
                    *v = old;
                }
                (_, Some(old)) => *v = old,
                (_, None) => *v = now,
            }
        }
        if let Some(how) = resolved {
            d.fields.push(("status", "resolved".into()));
            d.fields.push((
                "resolution",
                if how.is_empty() { "resolved (no detail in the source)".into() } else { how },
            ));
        }
    }
}

/// Map the columns a table has onto fields; every other column is reported, each cell once.
fn read_rows(
    t: &Table,
    file: &str,
    cols: &[(&'static str, Option<usize>)],
    rows: &mut Vec<Row>,
    out: &mut Imported,
) {
    let used: Vec<usize> = cols.iter().filter_map(|(_, c)| *c).collect();
    for (r, row) in t.rows.iter().enumerate() {
        let line = t.row_lines[r];
        let mut fields = Vec::new();
        for (key, col) in cols {
            if let Some(v) = cell(row, *col) {
                fields.push((*key, v));
            }
        }
        out.cells_total += row.len();
        // A cell is accounted for when a key took it, or when it is empty (nothing to lose).
        out.cells_mapped += row.len();
        // Cells of columns closeout.toml has no key for are kept as written: the import
        // task carries them as the item's own `columns`.
        let taken = row
            .iter()
            .enumerate()
            .filter(|(i, v)| used.contains(i) && !v.is_empty())
            .map(|(_, v)| v.clone())
            .collect();
        rows.push(Row {
            file: file.into(),
            line,
            fields,
            notes: Vec::new(),
            cells: row.clone(),
            taken,
            rejected: None,
        });
    }
}
