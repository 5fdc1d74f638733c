//! The tables a plan keeps (risk register, track status index, debt ledger) read into rows
//! of closeout.toml keys, by the meaning of their columns; rows checked against the
//! model's vocabularies, a row that cannot be an entry kept whole for a comment. Pure.

use super::md::{effective, Table};
use super::render::VOCAB;
use super::{Imported, Row, Unmapped};

/// Reject rows that miss a required key or hold a value outside a vocabulary (required
/// keys) and drop optional values outside theirs; report both, cell by cell.
pub(super) fn check_rows(rows: &mut [Row], what: &str, required: &[&str], file: &str, out: &mut Imported) {
    for row in rows.iter_mut() {
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
                file: file.into(),
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
                    file: file.into(),
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
/// priority scale `P0`/`P1` and `Critical` → `HIGH`, `P2` → `MEDIUM`, `P3`, `P4` → `LOW`.
/// Anything else is returned upper-cased, for `check_rows` to report.
pub fn severity_word(v: &str) -> String {
    let w = v.trim().trim_matches(['*', '`']).trim().to_uppercase();
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
pub(super) fn is_risk_table(t: &Table, under_risk_heading: bool) -> bool {
    let m = |n| meaning(t, "risks", n).is_some();
    let about_risk = under_risk_heading || t.header.iter().any(|h| h.to_lowercase().contains("risk"));
    m("Risk ID")
        && (m("Description") || about_risk)
        && (m("Severity") || m("Mitigation") || m("Mapped Packet"))
}

pub(super) fn read_risks(t: &Table, risks: &mut Vec<Row>, out: &mut Imported) {
    let m = |n| meaning(t, "risks", n);
    let cols = [
        ("id", m("Risk ID")),
        ("surface", m("Surface")),
        ("description", m("Description")),
        ("severity", m("Severity")),
        ("packets", m("Mapped Packet")),
        ("mitigation", m("Mitigation")),
    ];
    read_rows(t, &cols, risks, out);
    // `High`, `**HIGH**`: the vocabulary's word; anything else is reported by check_rows.
    for r in risks.iter_mut() {
        for (k, v) in r.fields.iter_mut() {
            if *k == "severity" {
                *v = severity_word(v);
            }
        }
    }
}

pub(super) fn read_tracks(t: &Table, tracks: &mut Vec<Row>, out: &mut Imported) {
    let cols = [
        ("name", t.column(&["track"])),
        ("plan", t.column(&["plan file", "plan"])),
        ("plan_status", t.column(&["plan status"])),
        ("progress", t.column(&["progress file", "progress"])),
        ("progress_status", t.column(&["progress status"])),
        ("checkpoint", t.column(&["final checkpoint", "checkpoint"])),
    ];
    read_rows(t, &cols, tracks, out);
    for track in tracks.iter_mut() {
        let name =
            track.fields.iter().find(|(k, _)| *k == "name").map(|(_, v)| v.clone()).unwrap_or_default();
        let id: String = name
            .to_lowercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect::<String>()
            .split('-')
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join("-");
        track.fields.insert(0, ("id", id));
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

pub(super) fn read_debt(t: &Table, debts: &mut Vec<Row>, out: &mut Imported) {
    let cols = [
        ("id", t.column(&["id"])),
        ("description", t.column(&["description"])),
        ("severity", t.column(&["severity"])),
        ("owner", t.column(&["owner"])),
        ("milestone", t.column(&["target milestone", "milestone"])),
        ("source", t.column(&["source"])),
    ];
    read_rows(t, &cols, debts, out);
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
fn read_rows(t: &Table, cols: &[(&'static str, Option<usize>)], rows: &mut Vec<Row>, out: &mut Imported) {
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
        rows.push(Row { line, fields, notes: Vec::new(), cells: row.clone(), taken, rejected: None });
    }
}
