//! The plan walked block by block, with the headings above each block in hand: packets
//! (a heading of any level that names one), their scope and required tests, the tables a
//! generator can own (risk register, track index, drift taxonomy, debt ledger), release
//! blockers, traceability lists and normalization notes. The tracker is walked for its
//! risk tables alone ([`risk_tables`]). Pure.

use std::collections::BTreeMap;

use super::md::{first_code, Block};
use super::tables::RiskTable;
use super::{board, ids, placeholder, tables, Candidate, Imported, Packet, Row, Source};

/// What the plan holds, before it is mapped onto closeout.toml.
#[derive(Debug, Default)]
pub(super) struct Found {
    pub name: String,
    pub packets: Vec<Packet>,
    /// The risk register's tables, in reading order (the plan's, then the tracker's).
    pub risk_tables: Vec<RiskTable>,
    /// The register: the tables' rows joined (`map::register`), then list-form risks.
    pub risks: Vec<Row>,
    pub tracks: Vec<Row>,
    /// Track name → (classification, notes, line).
    pub drift: BTreeMap<String, (String, String, usize)>,
    pub debts: Vec<Row>,
    /// Debt ids the plan lists as pre-release blockers.
    pub blockers: Vec<String>,
    /// (subject, debt ids, line) of each traceability item.
    pub traceability: Vec<(String, Vec<String>, usize)>,
    /// "`old` evidence now lives in `new` and `newer`": paths the docs still name that moved.
    pub moved: Vec<(String, Vec<String>, usize)>,
    /// The section that classifies tracks ("Appendix D"), as traceability lists name it.
    pub drift_section: String,
    pub stated_verdict: Option<String>,
}

/// The program's name: the plan's title without "(…)" and " Plan".
fn name(blocks: &[Block]) -> String {
    blocks
        .iter()
        .find_map(|b| match b {
            Block::Heading { level: 1, text, .. } => Some(text.clone()),
            _ => None,
        })
        .map(|t| {
            let t = t.split(" (").next().unwrap_or(&t).trim().to_string();
            t.strip_suffix(" Plan").unwrap_or(&t).to_string()
        })
        .unwrap_or_else(|| "Imported program".to_string())
}

/// A label that introduces a packet's required tests: "Required tests:", "Tests:",
/// "Validation:", "Required checks:", "Test commands:".
fn is_tests_label(label: &str) -> bool {
    let l = label.trim().trim_matches('*').trim().trim_end_matches(':').to_lowercase();
    [
        "required tests",
        "tests",
        "validation",
        "required checks",
        "checks",
        "test commands",
        "required validation",
        "verification",
    ]
    .iter()
    .any(|w| l == *w || l.starts_with(&format!("{w} (")))
}

/// "`old.go` evidence now lives in `new.go` and `newer.go`" (also "moved to", "renamed
/// to"): the old path and the new ones. Code spans that are not paths (test names) are
/// ignored; a note without a path on both sides is not a move.
pub fn moved_note(text: &str) -> Option<(String, Vec<String>)> {
    let lower = text.to_lowercase();
    let (at, phrase) = ["now lives in", "moved to", "renamed to", "lives in"]
        .iter()
        .find_map(|p| lower.find(p).map(|at| (at, *p)))?;
    let paths = |s: &str| -> Vec<String> {
        s.split('`')
            .skip(1)
            .step_by(2)
            .map(str::trim)
            .filter(|c| crate::docs::rules::looks_like_repo_path(c))
            .map(String::from)
            .collect()
    };
    let old = paths(&text[..at]).into_iter().last()?;
    let new = paths(&text[at + phrase.len()..]);
    (!new.is_empty()).then_some((old, new))
}

/// Walk the plan's blocks; tables a generator can own become candidates in `out`.
pub(super) fn walk(plan: &Source, blocks: &[Block], out: &mut Imported) -> Found {
    let mut f = Found { name: name(blocks), ..Found::default() };
    let mut h2 = String::new();
    let mut h3 = String::new();
    // The headings above the current block, and the packet whose section it is in.
    let mut stack: Vec<(u8, String)> = Vec::new();
    let mut current: Option<(usize, u8)> = None;
    let mut label = String::new();
    for block in blocks {
        match block {
            Block::Heading { level, text, line } => {
                let lower = text.to_lowercase();
                if *level <= 2 {
                    h2 = lower.clone();
                    h3.clear();
                } else {
                    h3 = lower.clone();
                }
                label.clear();
                stack.retain(|(l, _)| l < level);
                if current.is_some_and(|(_, l)| *level <= l) {
                    current = None;
                }
                // A packet starts at a heading of any level that names it: `Packet 00:
                // Title`, or a coded id (`RBO-00: Title`) inside a section about packets.
                let in_packets = stack.iter().any(|(_, h)| h.contains("packet"));
                let found = ids::packet_heading(text)
                    .or_else(|| ids::titled_packet_heading(text).filter(|_| in_packets));
                if let Some((id, title)) = found {
                    let named = lower.starts_with("packet");
                    if (named || in_packets) && !f.packets.iter().any(|p| p.id == id) {
                        f.packets.push(Packet { id, title, line: *line, ..Packet::default() });
                        current = Some((f.packets.len() - 1, *level));
                    }
                }
                stack.push((*level, lower));
            }
            Block::Paragraph { text, .. } => {
                label = text.trim().trim_end_matches(':').to_lowercase();
                if h2.contains("verdict") || h3.contains("verdict") {
                    let t = text.trim();
                    for stated in
                        ["NO-GO", "GO - with conditions", "GO — with conditions", "GO with conditions", "GO"]
                    {
                        if t.starts_with(&format!("**{stated}")) && f.stated_verdict.is_none() {
                            f.stated_verdict = Some(stated.replace(" - ", " ").replace(" — ", " "));
                        }
                    }
                }
            }
            Block::Item { text, line, .. } => {
                if let Some((old, new)) = moved_note(text) {
                    match f.moved.iter_mut().find(|(o, _, _)| *o == old) {
                        Some((_, targets, _)) => {
                            for n in new {
                                if !targets.contains(&n) {
                                    targets.push(n);
                                }
                            }
                        }
                        None => f.moved.push((old, new, *line)),
                    }
                }
                if let Some(p) = current.map(|(i, _)| &mut f.packets[i]) {
                    if super::tracker::is_files_label(&label) {
                        // A plan that lists a packet's changed files: read as a tracker's are.
                        if let Some(files) = super::tracker::file_item(text) {
                            super::tracker::add_files(&mut p.files, files);
                        }
                    } else if label.starts_with("scope") {
                        match first_code(text) {
                            Some(path) if !placeholder::has_placeholder(&path) => p.scope.push(path),
                            // Prose such as "Docs-only" is kept as a comment on the packet.
                            _ => p.notes.push(format!(
                                "{}:{line}: scope item `{text}` names no path in backticks",
                                plan.path
                            )),
                        }
                    } else if is_tests_label(&label) {
                        // A command, not a path or a test name in backticks.
                        let command = first_code(text)
                            .filter(|c| !placeholder::has_placeholder(c) && c.contains(char::is_whitespace));
                        if let Some(command) = command {
                            p.tests.push(command);
                        }
                    }
                } else if (h2.contains("verdict") || h3.contains("residual"))
                    && label.contains("pre-release blockers")
                {
                    let text = text.replace("~~", "");
                    if let Some(id) =
                        text.split(|c: char| c == ':' || c.is_whitespace()).find(|w| w.starts_with("DL-"))
                    {
                        f.blockers.push(id.to_string());
                    }
                } else if h3.contains("traceability") || h2.contains("traceability") {
                    let ids: Vec<String> = text
                        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
                        .filter(|w| w.starts_with("DL-"))
                        .map(String::from)
                        .collect();
                    let subject = text.split(':').next().unwrap_or("").to_string();
                    f.traceability.push((subject, ids, *line));
                }
            }
            Block::Table(t) => {
                let h: Vec<String> = t.header.iter().map(|c| c.to_lowercase()).collect();
                let has = |n: &str| h.iter().any(|c| c == n);
                if let Some(table) = tables::risk_table(t, plan.path, under_risk(&stack), out) {
                    out.candidates.extend(table.candidate());
                    f.risk_tables.push(table);
                } else if has("track") && has("plan file") {
                    tables::read_tracks(t, plan.path, &mut f.tracks, out);
                    out.candidates.push(Candidate::table(plan.path, "tracks", t));
                } else if has("track") && has("classification") {
                    f.drift_section = h2.split(':').next().unwrap_or("").trim().to_string();
                    let (tc, cc, nc) =
                        (t.column(&["track"]), t.column(&["classification"]), t.column(&["notes"]));
                    for (r, row) in t.rows.iter().enumerate() {
                        if let (Some(track), Some(class)) = (tables::cell(row, tc), tables::cell(row, cc)) {
                            f.drift.insert(
                                track,
                                (
                                    class.trim_matches('`').to_string(),
                                    tables::cell(row, nc).unwrap_or_default(),
                                    t.row_lines[r],
                                ),
                            );
                            out.cells_mapped += row.len();
                        }
                        out.cells_total += row.len();
                    }
                    out.candidates.push(Candidate::table(plan.path, "drift", t));
                } else if tables::is_ledger(t) {
                    tables::read_debt(t, plan.path, &mut f.debts, out);
                    out.candidates.push(Candidate::table(plan.path, "ledger", t));
                }
            }
            Block::Code { .. } => {}
        }
    }

    f
}

/// Whether a heading above (`stack`: level, lower-cased text) is about risks, and not a
/// packet's own ("Packet 00: Risk Register").
fn under_risk(stack: &[(u8, String)]) -> bool {
    stack.iter().any(|(_, h)| h.contains("risk") && ids::packet_heading(h).is_none())
}

/// The risk tables of the tracker, read as the plan's are, under the headings above them;
/// its boards are the tracker's own. Each is a candidate region, as a plan's is.
pub(super) fn risk_tables(doc: &Source, blocks: &[Block], out: &mut Imported) -> Vec<RiskTable> {
    let mut found = Vec::new();
    let mut stack: Vec<(u8, String)> = Vec::new();
    for block in blocks {
        match block {
            Block::Heading { level, text, .. } => {
                stack.retain(|(l, _)| l < level);
                stack.push((*level, text.to_lowercase()));
            }
            Block::Table(t) if !board::is_board(t) => {
                if let Some(table) = tables::risk_table(t, doc.path, under_risk(&stack), out) {
                    out.candidates.extend(table.candidate());
                    found.push(table);
                }
            }
            _ => {}
        }
    }
    found
}
