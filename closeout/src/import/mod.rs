//! `closeout import`: read an existing plan and progress tracker (GFM, through
//! pulldown-cmark) into closeout.toml, and find the tables a generator can own. Pure:
//! text in, TOML text, region candidates and a report out. Nothing is invented: what
//! cannot be mapped is written as a `# closeout import: could not parse …` comment and
//! listed in the report with its file and line.

pub mod board;
pub mod gates;
pub mod ids;
pub mod md;
pub mod placeholder;
pub mod risks;
mod tracker;

use std::collections::BTreeMap;

use md::{effective, first_code, Block, Table};

/// A document to import.
pub struct Source<'a> {
    /// As the docs list will name it, relative to the repository root.
    pub path: &'a str,
    pub text: &'a str,
}

/// Something import could not map, with where it is and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmapped {
    pub file: String,
    pub line: usize,
    pub what: String,
    pub why: String,
}

/// A table that a generator may own, by its lines in its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub file: String,
    pub kind: &'static str,
    pub first: usize,
    pub last: usize,
}

impl Candidate {
    /// The table `t` of `file`, to be wrapped as a `kind` region.
    fn table(file: &str, kind: &'static str, t: &Table) -> Candidate {
        Candidate { file: file.into(), kind, first: t.first, last: t.last }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Imported {
    pub toml: String,
    /// Items imported per table (`gate`, `packet`, …).
    pub counts: BTreeMap<&'static str, usize>,
    pub unmapped: Vec<Unmapped>,
    /// Every cell of every table import read, and how many went into the data.
    pub cells_total: usize,
    pub cells_mapped: usize,
    pub candidates: Vec<Candidate>,
    /// The verdict line the plan states, if it states one.
    pub stated_verdict: Option<String>,
}

#[derive(Debug, Default, Clone)]
struct Gate {
    id: String,
    run: String,
    when: Option<String>,
}

#[derive(Debug, Default, Clone)]
struct Packet {
    /// Where the packet was found (plan heading or board row), for its report lines.
    #[allow(dead_code)]
    line: usize,
    id: String,
    title: String,
    status: Option<String>,
    review: Option<String>,
    implementer: Option<String>,
    reviewer: Option<String>,
    scope: Vec<String>,
    tests: Vec<String>,
    commit: Option<String>,
    residual_risk: Vec<String>,
    rollback: Vec<String>,
    files: Vec<(String, Option<String>)>,
    checklist: Vec<String>,
    notes: Vec<String>,
}

#[derive(Debug, Default, Clone)]
struct Row {
    line: usize,
    fields: Vec<(&'static str, String)>,
    notes: Vec<String>,
    /// The source row's cells, quoted when the row cannot be imported.
    cells: Vec<String>,
    /// The non-empty cells a key took (reported one by one if the row is rejected).
    taken: Vec<String>,
    /// Why the row cannot be imported; then it is written as comments.
    rejected: Option<String>,
}

impl Row {
    fn get(&self, key: &str) -> Option<&str> {
        self.fields.iter().find(|(k, _)| *k == key).map(|(_, v)| v.as_str())
    }
}

/// Reject rows that miss a required key or hold a value outside a vocabulary (required
/// keys) and drop optional values outside theirs; report both, cell by cell.
fn check_rows(rows: &mut [Row], what: &str, required: &[&str], file: &str, out: &mut Imported) {
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

/// A gate id from its command: `go build ./...` → `go-build`, `go test ./internal/api/...`
/// → `go-test-api`, `…/tsc --noEmit` → `tsc`, `… vitest run a/settingsRouting.test.ts` →
/// `vitest-settingsrouting`.
pub fn gate_id(command: &str) -> String {
    let words: Vec<&str> = command.split_whitespace().collect();
    let base = |w: &str| w.rsplit('/').next().unwrap_or(w).to_string();
    let slug = |s: &str| {
        s.to_lowercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect::<String>()
            .split('-')
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join("-")
    };
    let tool = words.first().map(|w| base(w)).unwrap_or_default();
    let id = if tool == "go" && words.len() > 1 {
        let target = words.iter().skip(2).find(|w| w.starts_with("./")).map(|w| {
            let parts: Vec<&str> = w.trim_start_matches("./").split('/').filter(|p| *p != "...").collect();
            parts.last().copied().unwrap_or("all").to_string()
        });
        // `go build ./...` is plainly `go-build`; `go test ./...` is `go-test-all`.
        let target = target.map(|t| if t.is_empty() { "all".to_string() } else { t });
        match target.as_deref() {
            Some("all") if words[1] != "test" => format!("go-{}", words[1]),
            Some(t) => format!("go-{}-{t}", words[1]),
            None => format!("go-{}", words[1]),
        }
    } else if let Some(i) = words.iter().position(|w| base(w) == "vitest" || base(w) == "jest") {
        let runner = base(words[i]);
        let file = words[i + 1..]
            .iter()
            .find(|w| w.contains('.'))
            .map(|w| base(w).split('.').next().unwrap_or("").to_string());
        match file {
            Some(f) => format!("{runner}-{f}"),
            None => runner,
        }
    } else {
        tool
    };
    let id = slug(&id);
    if id.is_empty() {
        "gate".into()
    } else {
        id
    }
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

fn cell(row: &[String], col: Option<usize>) -> Option<String> {
    col.and_then(|c| row.get(c)).map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// Cells of the docs' own tables that closeout.toml keeps as written, per item:
/// (`packet`/`risk`/`debt`/`track`, item id) → (column header, cell markdown).
pub type Columns = BTreeMap<(String, String), Vec<(String, String)>>;

/// Read a plan (and its tracker) into closeout.toml text, the tables a generator can own,
/// and what could not be mapped. `columns` are the cells to keep as written (see
/// [`Columns`]); the import task finds them by laying the data out in each table.
pub fn import(plan: Source, progress: Option<Source>, columns: &Columns) -> Imported {
    let mut out = Imported::default();
    let plan_blocks = md::blocks(plan.text);
    let name = plan_blocks
        .iter()
        .find_map(|b| match b {
            Block::Heading { level: 1, text, .. } => Some(text.clone()),
            _ => None,
        })
        .map(|t| {
            let t = t.split(" (").next().unwrap_or(&t).trim().to_string();
            t.strip_suffix(" Plan").unwrap_or(&t).to_string()
        })
        .unwrap_or_else(|| "Imported program".to_string());

    // Walk the plan with the current section headings in hand.
    let mut gates: Vec<Gate> = Vec::new();
    let mut packets: Vec<Packet> = Vec::new();
    let mut risks: Vec<Row> = Vec::new();
    let mut tracks: Vec<Row> = Vec::new();
    let mut drift: BTreeMap<String, (String, String, usize)> = BTreeMap::new();
    let mut debts: Vec<Row> = Vec::new();
    let mut blockers: Vec<String> = Vec::new();
    let mut traceability: Vec<(String, Vec<String>, usize)> = Vec::new();
    // "`old` evidence now lives in `new` and `newer`": paths the docs still name that moved.
    let mut moved: Vec<(String, Vec<String>, usize)> = Vec::new();
    // The section that classifies tracks ("Appendix D"), as traceability lists name it.
    let mut drift_section = String::new();
    let mut h2 = String::new();
    let mut h3 = String::new();
    // The headings above the current block, and the packet whose section it is in.
    let mut stack: Vec<(u8, String)> = Vec::new();
    let mut current: Option<(usize, u8)> = None;
    let mut label = String::new();
    for block in &plan_blocks {
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
                if let Some((id, title)) = ids::packet_heading(text) {
                    let named = lower.starts_with("packet");
                    let in_packets = stack.iter().any(|(_, h)| h.contains("packet"));
                    if (named || in_packets) && !packets.iter().any(|p| p.id == id) {
                        packets.push(Packet { id, title, line: *line, ..Packet::default() });
                        current = Some((packets.len() - 1, *level));
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
                        if t.starts_with(&format!("**{stated}")) && out.stated_verdict.is_none() {
                            out.stated_verdict = Some(stated.replace(" - ", " ").replace(" — ", " "));
                        }
                    }
                }
            }
            Block::Item { text, line, .. } => {
                if let Some((old, new)) = moved_note(text) {
                    match moved.iter_mut().find(|(o, _, _)| *o == old) {
                        Some((_, targets, _)) => {
                            for n in new {
                                if !targets.contains(&n) {
                                    targets.push(n);
                                }
                            }
                        }
                        None => moved.push((old, new, *line)),
                    }
                }
                if let Some(p) = current.map(|(i, _)| &mut packets[i]) {
                    if label.starts_with("scope") {
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
                        blockers.push(id.to_string());
                    }
                } else if h3.contains("traceability") || h2.contains("traceability") {
                    let ids: Vec<String> = text
                        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
                        .filter(|w| w.starts_with("DL-"))
                        .map(String::from)
                        .collect();
                    let subject = text.split(':').next().unwrap_or("").to_string();
                    traceability.push((subject, ids, *line));
                }
            }
            Block::Table(t) => {
                let h: Vec<String> = t.header.iter().map(|c| c.to_lowercase()).collect();
                let has = |n: &str| h.iter().any(|c| c == n);
                // A debt ledger also has ids, descriptions and severities: it goes first.
                let is_ledger = has("id") && has("owner") && (has("target milestone") || has("milestone"));
                let under_risk =
                    stack.iter().any(|(_, h)| h.contains("risk") && ids::packet_heading(h).is_none());
                if is_risk_table(t, under_risk) && !is_ledger {
                    read_risks(t, &mut risks, &mut out);
                    out.candidates.push(Candidate::table(plan.path, "risks", t));
                } else if has("track") && has("plan file") {
                    read_tracks(t, &mut tracks, &mut out);
                    out.candidates.push(Candidate::table(plan.path, "tracks", t));
                } else if has("track") && has("classification") {
                    drift_section = h2.split(':').next().unwrap_or("").trim().to_string();
                    let (tc, cc, nc) =
                        (t.column(&["track"]), t.column(&["classification"]), t.column(&["notes"]));
                    for (r, row) in t.rows.iter().enumerate() {
                        if let (Some(track), Some(class)) = (cell(row, tc), cell(row, cc)) {
                            drift.insert(
                                track,
                                (
                                    class.trim_matches('`').to_string(),
                                    cell(row, nc).unwrap_or_default(),
                                    t.row_lines[r],
                                ),
                            );
                            out.cells_mapped += row.len();
                        }
                        out.cells_total += row.len();
                    }
                    out.candidates.push(Candidate::table(plan.path, "drift", t));
                } else if has("id") && has("owner") && (has("target milestone") || has("milestone")) {
                    read_debt(t, &mut debts, &mut out);
                    out.candidates.push(Candidate::table(plan.path, "ledger", t));
                }
            }
            Block::Code { .. } => {}
        }
    }

    // The validation baseline: unconditional and conditional commands.
    for command in gates::read(&plan_blocks) {
        let mut id = gate_id(&command.run);
        let base = id.clone();
        let mut n = 2;
        while gates.iter().any(|g| g.id == id) {
            id = format!("{base}-{n}");
            n += 1;
        }
        gates.push(Gate { id, run: command.run, when: command.when });
    }

    // Join the drift table into the tracks by name.
    for track in &mut tracks {
        let name =
            track.fields.iter().find(|(k, _)| *k == "name").map(|(_, v)| v.clone()).unwrap_or_default();
        match drift.remove(&name) {
            Some((class, notes, _)) => {
                track.fields.push(("classification", class));
                if !notes.is_empty() {
                    track.fields.push(("notes", notes));
                }
            }
            None => track.notes.push(format!("no drift classification for track `{name}`")),
        }
    }
    for (name, (_, _, line)) in drift {
        out.unmapped.push(Unmapped {
            file: plan.path.into(),
            line,
            what: format!("drift classification of `{name}`"),
            why: "no row of the track status index has that name".into(),
        });
    }

    // Risks kept as numbered lists, in the plan and the tracker (ids not already taken).
    let progress_blocks = progress.as_ref().map(|p| md::blocks(p.text)).unwrap_or_default();
    for r in risks::read(&plan_blocks).into_iter().chain(risks::read(&progress_blocks)) {
        if risks.iter().any(|x| x.get("id") == Some(r.id.as_str())) {
            continue;
        }
        let mut fields = vec![("id", r.id.clone()), ("description", r.description.clone())];
        fields.extend(r.severity.map(|s| ("severity", s)));
        fields.extend(r.mitigation.map(|m| ("mitigation", m)));
        fields.push(("form", "list".into()));
        risks.push(Row { line: r.line, fields, ..Row::default() });
    }
    check_rows(&mut risks, "risk", &["id", "description"], plan.path, &mut out);
    // "All packets, 08" means every packet; an entry that names no packet is reported.
    for r in risks.iter_mut().filter(|r| r.rejected.is_none()) {
        let Some(i) = r.fields.iter().position(|(k, _)| *k == "packets") else { continue };
        let v = r.fields[i].1.clone();
        // `Packet 01 / Packet 02`, `01, 02`, `HOP-03`: the packet ids the cell names.
        let ids: Vec<String> = if v.to_lowercase().contains("all packets") {
            packets.iter().map(|p| p.id.clone()).collect()
        } else {
            crate::docs::layout::packet_refs(&v)
                .into_iter()
                .map(|r| packets.iter().find(|p| p.id.eq_ignore_ascii_case(&r)).map_or(r, |p| p.id.clone()))
                .collect()
        };
        let (known, unknown): (Vec<String>, Vec<String>) =
            ids.into_iter().partition(|i| packets.iter().any(|p| p.id == *i));
        if !unknown.is_empty() {
            out.cells_mapped -= 1;
            out.unmapped.push(Unmapped {
                file: plan.path.into(),
                line: r.line,
                what: format!("risk cell `{v}` (column packets)"),
                why: format!("{} name no packet of the plan", unknown.join(", ")),
            });
        }
        if known.is_empty() {
            r.fields.remove(i);
        } else {
            r.fields[i].1 = known.join("\n");
        }
    }
    check_rows(&mut tracks, "track", &["id", "name", "classification"], plan.path, &mut out);
    check_rows(&mut debts, "debt", &["id", "description"], plan.path, &mut out);

    // Blockers and traceability into the ledger.
    for d in &mut debts {
        let id = d.fields.iter().find(|(k, _)| *k == "id").map(|(_, v)| v.clone()).unwrap_or_default();
        if blockers.contains(&id) {
            d.fields.push(("blocks_release", "true".into()));
        }
        let mut covers: Vec<String> = Vec::new();
        let source =
            d.fields.iter().find(|(k, _)| *k == "source").map(|(_, v)| v.clone()).unwrap_or_default();
        if let Some(p) = source.strip_prefix("Packet ").and_then(|r| r.split_whitespace().next()) {
            if packets.iter().any(|x| x.id == p) {
                covers.push(format!("packet:{p}"));
            }
        }
        for (subject, ids, _) in &traceability {
            let names_drift = !drift_section.is_empty() && subject.to_lowercase().contains(&drift_section);
            if ids.contains(&id) && subject.contains("DEFERRED") && names_drift {
                // The deferred item's own track, named in its description, else every
                // deferred track of the plan.
                let description = d
                    .fields
                    .iter()
                    .find(|(k, _)| *k == "description")
                    .map(|(_, v)| v.to_lowercase())
                    .unwrap_or_default();
                let own = tracks.iter().find(|t| {
                    let name = t
                        .fields
                        .iter()
                        .find(|(k, _)| *k == "name")
                        .map(|(_, v)| v.to_lowercase())
                        .unwrap_or_default();
                    name.split_whitespace().next().is_some_and(|w| description.starts_with(w))
                });
                let targets: Vec<String> = match own {
                    Some(t) => vec![t
                        .fields
                        .iter()
                        .find(|(k, _)| *k == "id")
                        .map(|(_, v)| v.clone())
                        .unwrap_or_default()],
                    None => tracks
                        .iter()
                        .filter(|t| t.fields.iter().any(|(k, v)| *k == "classification" && v == "DEFERRED"))
                        .filter_map(|t| t.fields.iter().find(|(k, _)| *k == "id").map(|(_, v)| v.clone()))
                        .collect(),
                };
                covers.extend(targets.into_iter().map(|t| format!("track:{t}")));
            }
        }
        covers.dedup();
        if !covers.is_empty() {
            d.fields.push(("covers", covers.join("\n")));
        }
    }

    // The tracker: board, checklists, evidence blocks. A tracker imported alone is read
    // as the tracker it is.
    match &progress {
        Some(progress) => tracker::read(progress, &mut packets, &mut out),
        None => tracker::read(&plan, &mut packets, &mut out),
    }

    // Packets' tests refer to gates by id when the command is a gate's.
    for p in &mut packets {
        for t in &mut p.tests {
            if let Some(g) = gates.iter().find(|g| g.run == *t) {
                *t = g.id.clone();
            } else if !t.chars().any(char::is_whitespace) {
                // A one-word command would read as a gate id; say it is a command.
                *t = format!("sh -c {t}");
            }
        }
    }

    out.counts.insert("gate", gates.len());
    out.counts.insert("packet", packets.len());
    out.counts.insert("risk", risks.len());
    out.counts.insert("track", tracks.len());
    out.counts.insert("debt", debts.len());
    if !moved.is_empty() {
        out.counts.insert("paths.moved", moved.len());
    }
    out.toml = render_toml(
        &name,
        plan.path,
        progress.as_ref().map(|p| p.path),
        &gates,
        &tracks,
        &packets,
        &risks,
        &debts,
        &moved,
        &out.unmapped,
        columns,
    );
    out
}

/// A severity as registers write it, in the vocabulary's word: `High` → `HIGH`; the
/// priority scale `P0`/`P1` and `Critical` → `HIGH`, `P2` → `MEDIUM`, `P3`, `P4` → `LOW`.
/// Anything else is returned upper-cased, for `check_rows` to report.
fn severity_word(v: &str) -> String {
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
fn is_risk_table(t: &Table, under_risk_heading: bool) -> bool {
    let m = |n| meaning(t, "risks", n).is_some();
    let about_risk = under_risk_heading || t.header.iter().any(|h| h.to_lowercase().contains("risk"));
    m("Risk ID")
        && (m("Description") || about_risk)
        && (m("Severity") || m("Mitigation") || m("Mapped Packet"))
}

fn read_risks(t: &Table, risks: &mut Vec<Row>, out: &mut Imported) {
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

fn read_tracks(t: &Table, tracks: &mut Vec<Row>, out: &mut Imported) {
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

fn read_debt(t: &Table, debts: &mut Vec<Row>, out: &mut Imported) {
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

/// The reason every waiver written by import carries.
pub const WAIVER_REASON: &str =
    "present in the docs when closeout import ran; fix the docs (or the data), then delete this waiver";

/// `[[waiver]]`s for the findings present at import, one per rule and subject, each under
/// comments quoting what it accepts, so that `verify-docs` starts green and fails on any
/// new finding while still listing these as waived.
pub fn waivers_toml(findings: &[crate::docs::rules::Finding]) -> String {
    let mut groups: Vec<(&str, &str, Vec<&crate::docs::rules::Finding>)> = Vec::new();
    for f in findings {
        match groups.iter_mut().find(|(r, s, _)| *r == f.rule && *s == f.subject) {
            Some((_, _, fs)) => fs.push(f),
            None => groups.push((f.rule, &f.subject, vec![f])),
        }
    }
    if groups.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "\n# Consistency findings already in the docs when `closeout import` ran. Each is\n\
         # accepted here so that `closeout verify-docs` passes from the start and fails on\n\
         # any new finding; verify-docs still lists these as waived on every run, and names\n\
         # a waiver that no longer accepts anything. Fix the docs, then delete the waiver.\n",
    );
    for (rule, subject, fs) in groups {
        out.push('\n');
        for f in fs {
            let message: String = f.message.chars().take(300).collect();
            out.push_str(&format!("# {}:{}: {}\n", f.file, f.line, message.replace('\n', " ")));
        }
        out.push_str(&format!(
            "[[waiver]]\nrule = {}\nsubject = {}\nreason = {}\n",
            q(rule),
            q(subject),
            q(WAIVER_REASON)
        ));
    }
    out
}

fn q(s: &str) -> String {
    toml_edit::Value::from(s).to_string().trim().to_string()
}

fn inline_list(items: &[String]) -> String {
    format!("[{}]", items.iter().map(|i| q(i)).collect::<Vec<_>>().join(", "))
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

fn list(items: &[String]) -> String {
    if items.is_empty() {
        return "[]".into();
    }
    let body: Vec<String> = items.iter().map(|i| format!("  {},", q(i))).collect();
    format!("[\n{}\n]", body.join("\n"))
}

const VOCAB: &[(&str, &[&str])] = &[
    ("status", &["TODO", "PENDING", "IN_PROGRESS", "IN_REVIEW", "CHANGES_REQUESTED", "BLOCKED", "DONE"]),
    ("review", &["PENDING", "IN_REVIEW", "APPROVED", "CHANGES_REQUESTED", "BLOCKED"]),
    ("severity", &["HIGH", "MEDIUM", "LOW"]),
    ("classification", &["MATCHED", "DRIFT_ACCEPTED", "DRIFT_FIX_REQUIRED", "DEFERRED"]),
];

/// A `key = value` line, or a comment quoting the value when it is not in the key's vocabulary.
fn field(out: &mut String, key: &str, value: &str) {
    if let Some((_, allowed)) = VOCAB.iter().find(|(k, _)| *k == key) {
        let v = value.trim().trim_matches('`');
        if !allowed.contains(&v) {
            out.push_str(&format!(
                "# closeout import: could not parse {key} {}: expected one of {}\n",
                q(value),
                allowed.join(", ")
            ));
            return;
        }
        out.push_str(&format!("{key} = {}\n", q(v)));
        return;
    }
    out.push_str(&format!("{key} = {}\n", q(value)));
}

/// One `[[table]]` entry per row, under a comment; a rejected row is quoted instead.
/// `columns = { "Evidence Link" = "…" }` for an item that keeps cells as written.
fn own_columns(out: &mut String, columns: &Columns, table: &str, id: &str) {
    if let Some(cells) = columns.get(&(table.to_string(), id.to_string())) {
        let entries: Vec<String> = cells.iter().map(|(h, v)| format!("{} = {}", q(h), q(v))).collect();
        out.push_str(&format!("columns = {{ {} }}\n", entries.join(", ")));
    }
}

fn render_rows(out: &mut String, table: &str, comment: &str, rows: &[Row], columns: &Columns) {
    if !rows.is_empty() {
        out.push_str(&format!("\n# {comment}\n"));
    }
    for row in rows {
        if let Some(why) = &row.rejected {
            rejected(out, table, row, why);
            continue;
        }
        out.push_str(&format!("\n[[{table}]]\n"));
        for (k, v) in &row.fields {
            match *k {
                // Lists are carried one entry per line.
                "packets" | "covers" => {
                    out.push_str(&format!("{k} = [{}]\n", v.lines().map(q).collect::<Vec<_>>().join(", ")))
                }
                "blocks_release" => out.push_str("blocks_release = true\n"),
                "form" => out.push_str(&format!("form = {}\n", q(v))),
                // A debt item's status (open/resolved) is set by import itself.
                "status" if table == "debt" => out.push_str(&format!("status = {}\n", q(v))),
                _ => field(out, k, v),
            }
        }
        own_columns(out, columns, table, row.get("id").unwrap_or_default());
        for n in &row.notes {
            out.push_str(&format!("# closeout import: could not parse {n} (line {})\n", row.line));
        }
    }
}

/// A row that cannot be an entry: the source row quoted in comments, nothing invented.
fn rejected(out: &mut String, table: &str, row: &Row, why: &str) {
    out.push_str(&format!("\n# closeout import: could not parse this {table} (line {}): {why}\n", row.line));
    out.push_str(&format!("# | {} |\n", row.cells.join(" | ")));
}

#[allow(clippy::too_many_arguments)]
fn render_toml(
    name: &str,
    plan: &str,
    progress: Option<&str>,
    gates: &[Gate],
    tracks: &[Row],
    packets: &[Packet],
    risks: &[Row],
    debts: &[Row],
    moved: &[(String, Vec<String>, usize)],
    unmapped: &[Unmapped],
    columns: &Columns,
) -> String {
    let mut docs = vec![plan.to_string()];
    docs.extend(progress.map(String::from));
    let mut out = format!(
        "# Imported by `closeout import` from {}. Every key is documented in\n# docs/configuration.md of the closeout repository.\n\n[program]\nname = {}\ndocs = [{}]\n",
        docs.join(" and "),
        q(name),
        docs.iter().map(|d| q(d)).collect::<Vec<_>>().join(", ")
    );
    if !gates.is_empty() {
        out.push_str("\n# The global validation baseline, in the plan's order.\n");
    }
    for g in gates {
        out.push_str(&format!("\n[[gate]]\nid = {}\nrun = {}\n", q(&g.id), q(&g.run)));
        if let Some(when) = &g.when {
            out.push_str(&format!("when = {}\n", q(when)));
        }
    }
    if !packets.is_empty() {
        out.push_str("\n# Packets: the plan's sections joined with the tracker's board and evidence.\n");
    }
    for p in packets {
        out.push_str(&format!("\n[[packet]]\nid = {}\ntitle = {}\n", q(&p.id), q(&p.title)));
        if let Some(s) = &p.status {
            field(&mut out, "status", s);
        }
        if let Some(s) = &p.review {
            field(&mut out, "review", s);
        }
        for (k, v) in [("implementer", &p.implementer), ("reviewer", &p.reviewer)] {
            if let Some(v) = v {
                field(&mut out, k, v);
            }
        }
        if !p.scope.is_empty() {
            out.push_str(&format!("scope = {}\n", list(&p.scope)));
        }
        if !p.tests.is_empty() {
            out.push_str(&format!("tests = {}\n", list(&p.tests)));
        }
        if let Some(c) = &p.commit {
            out.push_str(&format!("commit = {}\n", q(c)));
        }
        for (key, items) in
            [("residual_risk", &p.residual_risk), ("rollback", &p.rollback), ("checklist", &p.checklist)]
        {
            if !items.is_empty() {
                out.push_str(&format!("{key} = {}\n", list(items)));
            }
        }
        if !p.files.is_empty() {
            let entries: Vec<String> = p
                .files
                .iter()
                .map(|(path, reason)| match reason {
                    Some(r) => format!("  {{ path = {}, reason = {} }},", q(path), q(r)),
                    None => format!("  {{ path = {} }},", q(path)),
                })
                .collect();
            out.push_str(&format!("files = [\n{}\n]\n", entries.join("\n")));
        }
        own_columns(&mut out, columns, "packet", &p.id);
        for n in &p.notes {
            out.push_str(&format!("# closeout import: could not parse {n}\n"));
        }
    }
    render_rows(&mut out, "risk", "The risk register.", risks, columns);
    render_rows(
        &mut out,
        "track",
        "Upstream tracks: the status index joined with the drift classification.",
        tracks,
        columns,
    );
    render_rows(&mut out, "debt", "The debt ledger.", debts, columns);
    if !moved.is_empty() {
        out.push_str("\n# Paths the docs still name whose content now lives elsewhere (the plan's\n# normalization notes); `missing-path` accepts them while every new path exists.\n[paths.moved]\n");
        for (old, new, line) in moved {
            out.push_str(&format!("{} = {}  # {plan}:{line}\n", q(old), inline_list(new)));
        }
    }
    if !unmapped.is_empty() {
        out.push_str("\n# closeout import: not imported (see the import report):\n");
        for u in unmapped {
            out.push_str(&format!(
                "# closeout import: could not parse {}:{}: {}: {}\n",
                u.file, u.line, u.what, u.why
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::ids::packet_heading;
    use super::*;

    #[test]
    fn normalization_notes_are_moves() {
        assert_eq!(
            moved_note("`internal/api/tenant_scoping_test.go` evidence now lives in `internal/api/tenant_org_binding_test.go` and `internal/api/tenant_org_ids_binding_test.go`."),
            Some((
                "internal/api/tenant_scoping_test.go".into(),
                vec!["internal/api/tenant_org_binding_test.go".into(), "internal/api/tenant_org_ids_binding_test.go".into()]
            ))
        );
        assert_eq!(
            moved_note("`internal/alerts/canonical_resource_type_test.go` evidence now lives in `internal/alerts/utility_test.go` (`TestCanonicalResourceTypeKeys`)."),
            Some(("internal/alerts/canonical_resource_type_test.go".into(), vec!["internal/alerts/utility_test.go".into()]))
        );
        assert_eq!(
            moved_note("`docs/a.md` was renamed to `docs/b.md`"),
            Some(("docs/a.md".into(), vec!["docs/b.md".into()]))
        );
        assert_eq!(moved_note("The runbook now lives in the wiki"), None);
        assert_eq!(moved_note("`docs/a.md` moved to the wiki"), None);
    }

    #[test]
    fn one_waiver_per_rule_and_subject_quoting_each_finding() {
        use crate::docs::rules::Finding;
        let finding = |rule, subject: &str, line, message: &str| Finding {
            rule,
            subject: subject.into(),
            file: "docs/progress.md".into(),
            line,
            message: message.into(),
        };
        let toml = waivers_toml(&[
            finding("done-open-box", "07", 392, "packet 07 is DONE but its checklist has an open box: `a`"),
            finding("missing-path", "docs/API.md", 10, "`docs/API.md` does not exist"),
            finding("done-open-box", "07", 393, "packet 07 is DONE but its checklist has an open box: `b`"),
        ]);
        assert_eq!(toml.matches("[[waiver]]\n").count(), 2, "{toml}");
        assert!(toml.contains(
            "# docs/progress.md:392: packet 07 is DONE but its checklist has an open box: `a`\n\
             # docs/progress.md:393: packet 07 is DONE but its checklist has an open box: `b`\n\
             [[waiver]]\nrule = \"done-open-box\"\nsubject = \"07\"\n"
        ));
        let parsed: toml_edit::DocumentMut = toml.parse().unwrap();
        let waivers = parsed["waiver"].as_array_of_tables().unwrap();
        let second = waivers.get(1).unwrap();
        assert_eq!(second["subject"].as_str(), Some("docs/API.md"));
        assert_eq!(second["reason"].as_str(), Some(WAIVER_REASON));
        assert_eq!(waivers_toml(&[]), "");
    }

    #[test]
    fn gate_ids_from_commands() {
        assert_eq!(gate_id("go build ./..."), "go-build");
        assert_eq!(gate_id("go test ./internal/api/... -run \"Contract\" -v"), "go-test-api");
        assert_eq!(gate_id("go test ./..."), "go-test-all");
        assert_eq!(gate_id("frontend-modern/node_modules/.bin/tsc --noEmit -p x"), "tsc");
        assert_eq!(
            gate_id(
                "npm --prefix frontend-modern exec -- vitest run src/a/settingsRouting.test.ts b.test.ts"
            ),
            "vitest-settingsrouting"
        );
    }

    #[test]
    fn packet_headings_in_several_shapes() {
        assert_eq!(
            packet_heading("Packet 00: Artifact Freeze"),
            Some(("00".into(), "Artifact Freeze".into()))
        );
        assert_eq!(packet_heading("DOC-01: Docs"), Some(("DOC-01".into(), "Docs".into())));
        assert_eq!(packet_heading("Packet SEC-02 — Security"), Some(("SEC-02".into(), "Security".into())));
        assert_eq!(packet_heading("Appendix A: Risks"), None);
        assert_eq!(ids::packet_ref("Packet 07").as_deref(), Some("07"));
    }
}
