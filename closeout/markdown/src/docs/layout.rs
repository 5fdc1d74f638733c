//! A table region regenerates in the layout the document already has.
//!
//! A generator renders its table in closeout's default layout (its own column names,
//! `| a | b |`). When the region already holds a table, [`follow`] re-lays that content
//! out the way the committed table is written: its columns (matched by meaning through
//! [`synonyms`]), their order, its header and delimiter lines, its padding (compact or
//! aligned as prettier aligns), its row order and its words (`PENDING` stays `PENDING`,
//! `—` stays `—` while the data holds no value, `Packet 01 / Packet 02` stays as written
//! while it names the same packets). Columns closeout has no key for come from each item's
//! `columns` in closeout.toml. A row whose values are unchanged is kept byte for byte.
//! Pure.

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

use super::markers::options;

/// One generated row's own columns (`columns = { "Evidence Link" = "…" }`), in row order.
pub type Extras<'a> = &'a [(String, String)];

/// A markdown table as written: its lines and each row's raw cells.
#[derive(Debug, Clone)]
pub struct RawTable {
    /// Text before the table's first line and after its last (the region's framing).
    pub before: String,
    pub after: String,
    pub header_line: String,
    pub delimiter_line: String,
    pub header: Vec<String>,
    /// Each row: its line as written and its cells' markdown, trimmed.
    pub rows: Vec<(String, Vec<String>)>,
}

/// Each generated row's own columns for a region kind, in the generator's row order.
pub fn extras<'p>(kind: &str, program: &'p crate::model::Program) -> Vec<Extras<'p>> {
    match kind {
        "packet-board" => program.packets.iter().map(|p| p.columns.as_slice()).collect(),
        "risks" => program.risks.iter().filter(|r| !r.listed).map(|r| r.columns.as_slice()).collect(),
        "ledger" => program.debts.iter().map(|d| d.columns.as_slice()).collect(),
        "tracks" | "drift" => program.tracks.iter().map(|t| t.columns.as_slice()).collect(),
        _ => Vec::new(),
    }
}

/// The one table of `text` with only blank lines around it, or `None`.
pub fn raw_table(text: &str) -> Option<RawTable> {
    let mut tables = 0;
    let mut span = 0..0;
    let mut rows: Vec<(usize, Vec<String>)> = Vec::new();
    let mut header: Vec<String> = Vec::new();
    let mut in_head = false;
    let mut cells: Vec<String> = Vec::new();
    let mut row_start = 0;
    let mut other = false;
    for (event, range) in Parser::new_ext(text, options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Table(_)) => {
                tables += 1;
                span = range.clone();
            }
            Event::Start(Tag::TableHead) => {
                in_head = true;
                cells.clear();
            }
            Event::End(TagEnd::TableHead) => {
                in_head = false;
                header = std::mem::take(&mut cells);
            }
            Event::Start(Tag::TableRow) => {
                cells.clear();
                row_start = range.start;
            }
            Event::End(TagEnd::TableRow) => rows.push((row_start, std::mem::take(&mut cells))),
            Event::Start(Tag::TableCell) => cells.push(text[range].trim().to_string()),
            Event::Start(Tag::Paragraph | Tag::List(_) | Tag::Heading { .. } | Tag::CodeBlock(_)) => {
                other = true
            }
            Event::Html(_) | Event::Rule => other = true,
            _ => {}
        }
        let _ = in_head;
    }
    if tables != 1 || other {
        return None;
    }
    let start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
    let end = if text[..span.end].ends_with('\n') {
        span.end
    } else {
        text[span.end..].find('\n').map_or(text.len(), |i| span.end + i + 1)
    };
    let lines: Vec<&str> = text[start..end].split_inclusive('\n').collect();
    if lines.len() < 2 {
        return None;
    }
    let line_at = |offset: usize| -> Option<String> {
        let s = text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let e = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
        Some(text[s..e].trim_end_matches('\r').to_string())
    };
    Some(RawTable {
        before: text[..start].to_string(),
        after: text[end..].to_string(),
        header_line: lines[0].trim_end_matches(['\n', '\r']).to_string(),
        delimiter_line: lines[1].trim_end_matches(['\n', '\r']).to_string(),
        header,
        rows: rows.into_iter().filter_map(|(at, c)| Some((line_at(at)?, c))).collect(),
    })
}

/// How a cell's value is compared with what the data would write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Compare {
    /// Free text: same words, ignoring emphasis, code ticks and case.
    Text,
    /// A status word: the committed cell's first word (`✅ DONE`, `DONE/APPROVED`).
    Word,
    /// Packet references: the same set of ids (`Packet 01 / Packet 02` = `01, 02`).
    Packets,
}

/// The default column a document's column header means, for a region kind: the
/// synonyms closeout knows (case-insensitive, punctuation ignored), else the one column
/// whose words the header uses ([`WORDS`]: `Packet Owner`, `Related Packets`, `Packet(s)`
/// are a risk's packets).
pub fn synonyms(kind: &str, header: &str) -> Option<&'static str> {
    let h: String = header
        .to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let table: &[(&str, &[&str])] = match kind {
        "packet-board" => &[
            ("Packet", &["packet", "id", "packet id"]),
            ("Title", &["title", "name", "packet title", "description", "summary", "scope"]),
            ("Status", &["status", "state", "board status", "packet status"]),
            ("Implementer", &["implementer", "owner", "assignee", "implemented by"]),
            ("Reviewer", &["reviewer", "reviewed by"]),
            ("Review State", &["review state", "review", "review status", "verdict", "approval"]),
            ("Evidence Link", &["evidence link", "evidence", "link", "review evidence"]),
            ("Commit", &["commit", "checkpoint commit", "checkpoint", "hash", "sha"]),
        ],
        "risks" => &[
            ("Risk ID", &["risk id", "id", "", "no", "number"]),
            ("Surface", &["surface", "area", "component"]),
            // `Finding`/`Concern` name a risk only in a table already about risks
            // (import's `tables::is_risk_table`): an audit's findings table is not a register.
            (
                "Description",
                &["description", "risk", "risk description", "gap", "threat", "issue", "finding", "concern"],
            ),
            ("Severity", &["severity", "impact", "level", "priority"]),
            (
                "Mapped Packet",
                &[
                    "mapped packet",
                    "mapped packets",
                    "packets",
                    "packet",
                    "owner packet",
                    "owner packets",
                    "mitigation packet",
                    "owning packet",
                    "mapped packet id s",
                    "mapped packet ids",
                    "packet s",
                    "addressed by",
                    "addressed in",
                    "covered by",
                ],
            ),
            ("Mitigation", &["mitigation", "mitigations", "response"]),
        ],
        "ledger" => &[
            ("ID", &["id", "debt id", "item"]),
            ("Description", &["description", "debt", "item description"]),
            ("Severity", &["severity", "priority"]),
            ("Owner", &["owner"]),
            ("Target Milestone", &["target milestone", "milestone", "target", "due"]),
            ("Source", &["source", "origin"]),
            ("Status", &["status", "state"]),
        ],
        "tracks" => &[
            ("Track", &["track", "name"]),
            ("Plan File", &["plan file", "plan"]),
            ("Plan Status", &["plan status"]),
            ("Progress File", &["progress file", "progress", "tracker"]),
            ("Progress Status", &["progress status", "tracker status"]),
            ("Final Checkpoint", &["final checkpoint", "checkpoint"]),
        ],
        "drift" => &[
            ("Track", &["track", "name"]),
            ("Classification", &["classification", "class", "drift"]),
            ("Notes", &["notes", "note"]),
        ],
        _ => &[],
    };
    if let Some((d, _)) = table.iter().find(|(_, names)| names.contains(&h.as_str())) {
        return Some(d);
    }
    let words: Vec<&str> = h.split(' ').collect();
    WORDS
        .iter()
        .find(|w| {
            w.kind == kind
                && words.iter().any(|x| w.words.contains(x))
                && !words.iter().any(|x| w.unless.contains(x))
        })
        .map(|w| w.column)
}

/// A default column any header means that uses one of its words, where no synonym
/// names the header exactly.
struct Words {
    kind: &'static str,
    column: &'static str,
    /// A header with one of these words means the column...
    words: &'static [&'static str],
    /// ...unless it also has one of these, which say it is about something else.
    unless: &'static [&'static str],
}

/// Meanings by word: in a risk register, a column about packets (`Packet Owner`, `Owning
/// Packet`, `Mitigation Packet`, `Packet(s)`, `Related Packets`) names the risk's
/// packets, unless it says another thing of a packet (`Packet Status`, `Packet Title`).
const WORDS: &[Words] = &[Words {
    kind: "risks",
    column: "Mapped Packet",
    words: &["packet", "packets"],
    unless: &["status", "state", "title", "name", "review", "commit", "date", "notes", "note"],
}];

/// What each header of a table means for a region kind ([`synonyms`]); a meaning is the
/// first header's that has it, and a later header with the same meaning is the
/// document's own column (`| Owner Packet | Related Packets |`: the second is kept as
/// written).
pub fn meanings(kind: &str, header: &[String]) -> Vec<Option<&'static str>> {
    let mut out: Vec<Option<&'static str>> = Vec::new();
    for h in header {
        let m = synonyms(kind, h).filter(|m| !out.contains(&Some(*m)));
        out.push(m);
    }
    out
}

/// Whether a default column holds the item ids (the first column of each kind).
pub fn is_id_column(kind: &str, column: &str) -> bool {
    matches!(
        (kind, column),
        ("packet-board", "Packet") | ("risks", "Risk ID") | ("ledger", "ID") | ("tracks" | "drift", "Track")
    )
}

fn compare_mode(column: &str) -> Compare {
    match column {
        "Status" | "Review State" | "Severity" | "Classification" => Compare::Word,
        "Mapped Packet" => Compare::Packets,
        _ => Compare::Text,
    }
}

/// The words of a cell: emphasis, code ticks, links' targets and case dropped.
fn words(cell: &str) -> Vec<String> {
    let cell = cell.replace("<br>", " ");
    let cell = match cell.rfind("~~") {
        Some(at) if !cell[at + 2..].trim().is_empty() => cell[at + 2..].to_string(),
        _ => cell.replace("~~", ""),
    };
    let mut text = String::new();
    let mut chars = cell.chars().peekable();
    while let Some(c) = chars.next() {
        // `[text](target)`: keep the text only.
        if c == ']' && chars.peek() == Some(&'(') {
            for d in chars.by_ref() {
                if d == ')' {
                    break;
                }
            }
            text.push(' ');
            continue;
        }
        text.push(if c.is_alphanumeric() || "._-/+#:".contains(c) { c } else { ' ' });
    }
    text.split_whitespace()
        .map(|w| w.trim_matches(['.', ':', '-']).to_lowercase())
        .filter(|w| !w.is_empty())
        .collect()
}

/// A cell that holds no value: empty, a dash, `N/A`, or an unfilled template.
pub fn is_blank(cell: &str) -> bool {
    let v = cell.trim().trim_matches(['*', '_', '`']).trim().to_lowercase();
    matches!(v.as_str(), "" | "—" | "–" | "-" | "n/a" | "na" | "none" | "tbd" | "(this commit)" | "(pending)")
        || crate::import::placeholder::is_placeholder(&v)
}

/// The default value a generator writes when the data holds none.
fn is_default(generated: &str, column: &str) -> bool {
    let v = generated.trim().trim_matches('`');
    is_blank(v) || matches!((column, v), ("Status", "TODO") | ("Review State", "PENDING"))
}

/// Packet ids a cell names: `Packet 01 / Packet 02`, `01, 02`, `SEC-01`, ranges `01-05`
/// and `SP-01-SP-03` (each packet of the range). Words with a
/// digit name packets; inside parentheses, where cells explain themselves ("HW-01 (strict
/// limiter: 5/hr per IP)", "External (W4)"), only coded ids (`HW-08`) and ids after the
/// word "packet" do.
pub fn packet_refs(cell: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let (mut depth, mut word, mut previous) = (0usize, String::new(), String::new());
    let mut take = |word: &str, depth: usize, previous: &str| {
        if word.is_empty() || !word.chars().any(|c| c.is_ascii_digit()) {
            return;
        }
        let after_packet =
            previous.eq_ignore_ascii_case("packet") || previous.eq_ignore_ascii_case("packets");
        let coded = word.contains('-') && crate::import::ids::is_packet_id(&word.to_uppercase());
        if depth == 0 || after_packet || coded {
            match packet_range(word) {
                Some(range) => ids.extend(range),
                None => ids.push(word.to_uppercase()),
            }
        }
    };
    // `01–05` with an en dash is the range `01-05`.
    let cell = cell.replace(['–', '—'], "-");
    for c in cell.chars().chain([' ']) {
        if c.is_ascii_alphanumeric() || c == '-' {
            word.push(c);
            continue;
        }
        take(&word, depth, &previous);
        if !word.is_empty() {
            previous = std::mem::take(&mut word);
        }
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    ids.sort();
    ids.dedup();
    ids
}

/// A range of packets written as one word: `01-05` (→ 01, 02, 03, 04, 05, as wide as the
/// first) or `SP-01-SP-03`/`SP-01-03` (→ SP-01, SP-02, SP-03). At most 50 packets.
fn packet_range(word: &str) -> Option<Vec<String>> {
    let word = word.to_uppercase();
    let parts: Vec<&str> = word.split('-').collect();
    fn number(p: &str) -> Option<&str> {
        (!p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit())).then_some(p)
    }
    let (prefix, from, to) = match parts.as_slice() {
        [a, b] => ("", number(a)?, number(b)?),
        [p, a, b] if number(p).is_none() => (*p, number(a)?, number(b)?),
        [p, a, q, b] if p == q && number(p).is_none() => (*p, number(a)?, number(b)?),
        _ => return None,
    };
    let (start, end): (usize, usize) = (from.parse().ok()?, to.parse().ok()?);
    if end <= start || end - start >= 50 {
        return None;
    }
    let width = from.len();
    let id = |n: usize| match prefix {
        "" => format!("{n:0width$}"),
        p => format!("{p}-{n:0width$}"),
    };
    Some((start..=end).map(id).collect())
}

/// Whether a committed cell says what the data would write (so it stays as written).
fn same(committed: &str, generated: &str, column: &str) -> bool {
    if committed == generated {
        return true;
    }
    if is_default(generated, column) && is_blank(committed) {
        return true;
    }
    let (c, g) = (words(committed), words(generated));
    match compare_mode(column) {
        // Strikethrough is emphasis in free text too: `~~Old risk~~ — **RESOLVED**` says
        // what the same words without it say.
        Compare::Text => c == g || words(&committed.replace("~~", " ")) == g,
        Compare::Word => {
            canonical(column, committed).is_some_and(|v| Some(v) == canonical(column, generated))
        }
        Compare::Packets => {
            let g_refs = packet_refs(generated);
            // `CP-01` is packet `01` where the packets are plain numbers (import's alias);
            // `~~01~~ 02` names the packet it says now, as import reads it.
            let mut c_refs: Vec<String> = packet_refs(&crate::import::md::effective(committed).0)
                .into_iter()
                .map(|r| match r.rsplit_once('-') {
                    Some((_, n)) if !g_refs.contains(&r) && g_refs.iter().any(|g| g == n) => n.to_string(),
                    _ => r,
                })
                .collect();
            c_refs.sort();
            c_refs.dedup();
            // "All packets, 08" names every packet the data lists.
            let all =
                committed.to_lowercase().contains("all packets") && c_refs.iter().all(|r| g_refs.contains(r));
            !g.is_empty() && (c_refs == g_refs || all)
        }
    }
}

/// The vocabulary word a status-like cell means (`In Progress` → `IN_PROGRESS`, `✅ Done` →
/// `DONE`, `High` → `HIGH`), read as import reads it; `None` when it means none.
fn canonical(column: &str, cell: &str) -> Option<String> {
    use crate::import::board;
    match column {
        "Status" => board::status(cell).ok()?.0,
        "Review State" => board::review(cell).ok()?,
        "Severity" => {
            let w = crate::import::severity_word(cell);
            ["HIGH", "MEDIUM", "LOW"].contains(&w.as_str()).then_some(w)
        }
        _ => {
            let w = words(cell);
            (!w.is_empty()).then(|| w.join("_").to_uppercase())
        }
    }
}

/// Columns whose cells the data says: a cell kept per item in `columns` stands only while
/// it means what the data says, so an edit of closeout.toml always reaches the doc.
/// "Evidence Link" is text of the document's own (closeout's default is a pointer).
pub fn data_column(column: &str) -> bool {
    column != "Evidence Link"
}

/// A value the data says, written in the words the committed column already uses for it
/// (`IN_PROGRESS` as `In Progress`, `MEDIUM` as `Medium`, no value as `—`).
fn in_doc_words(generated: &str, column: &str, committed_column: &[&str]) -> String {
    if is_default(generated, column) {
        if let Some(blank) = committed_column.iter().find(|c| is_blank(c)) {
            return blank.to_string();
        }
    }
    if compare_mode(column) == Compare::Word {
        let want = canonical(column, generated);
        if want.is_some() {
            // The shortest spelling of that value, so a note on one row is not copied.
            if let Some(word) =
                committed_column.iter().filter(|c| canonical(column, c) == want).min_by_key(|c| c.len())
            {
                return word.to_string();
            }
        }
    }
    generated.to_string()
}

/// Normalised packet or item id: `Packet 01`, `` `01` `` and `01` are one id.
pub fn id_key(cell: &str) -> String {
    let w = words(cell);
    let w: Vec<&String> = w.iter().filter(|w| *w != "packet").collect();
    w.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" ")
}

pub use super::width::width;

/// The committed table's padding: `| a | b |` or `|a|b|`, outer pipes or not, and whether
/// every line is aligned to the same column widths (as prettier writes tables).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Style {
    outer: bool,
    pad: bool,
    aligned: bool,
}

fn style_of(t: &RawTable) -> Style {
    let h = t.header_line.trim();
    let outer = h.starts_with('|');
    let pad = !outer || h.starts_with("| ");
    let pipes = |l: &str| -> Vec<usize> {
        let mut out = Vec::new();
        let mut escaped = false;
        for (at, c) in l.char_indices() {
            if c == '|' && !escaped {
                out.push(width(&l[..at]));
            }
            escaped = c == '\\' && !escaped;
        }
        out
    };
    let first = pipes(&t.header_line);
    // A table without rows is aligned when its delimiter line lines up with its header
    // (as the default layout writes an empty ledger).
    let aligned = pad
        && std::iter::once(&t.delimiter_line).chain(t.rows.iter().map(|(l, _)| l)).all(|l| pipes(l) == first);
    Style { outer, pad, aligned }
}

/// Each column's alignment in a delimiter line: `l` (`:--`), `r` (`--:`), `c` (`:-:`) or
/// `-` (none).
fn aligns(line: &str, n: usize) -> Vec<char> {
    let t = line.trim();
    let t = t.strip_prefix('|').unwrap_or(t);
    let t = t.strip_suffix('|').unwrap_or(t);
    let cells: Vec<&str> = t.split('|').map(str::trim).collect();
    (0..n)
        .map(|i| {
            let c = cells.get(i).copied().unwrap_or("---");
            match (c.starts_with(':'), c.len() > 1 && c.ends_with(':')) {
                (true, true) => 'c',
                (true, false) => 'l',
                (false, true) => 'r',
                (false, false) => '-',
            }
        })
        .collect()
}

/// One table line. With `widths`, each cell is padded to its column as prettier pads it:
/// on the right, on the left in a right-aligned column, on both sides (the extra space on
/// the right) in a centred one.
fn render_line(cells: &[String], style: Style, widths: Option<(&[usize], &[char])>) -> String {
    let pad = if style.pad { " " } else { "" };
    let padded: Vec<String> = cells
        .iter()
        .enumerate()
        .map(|(i, c)| match widths {
            Some((w, a)) => {
                let space = w[i].saturating_sub(width(c));
                let before = match a.get(i) {
                    Some('r') => space,
                    Some('c') => space / 2,
                    _ => 0,
                };
                format!("{}{c}{}", " ".repeat(before), " ".repeat(space - before))
            }
            None => c.clone(),
        })
        .collect();
    let body = padded.join(&format!("{pad}|{pad}"));
    let mut line = if style.outer { format!("|{pad}{body}{pad}|") } else { body };
    // An empty cell is `| |`, not `|  |`, in a compact table.
    while widths.is_none() && style.pad && line.contains("|  |") {
        line = line.replace("|  |", "| |");
    }
    line.trim_end().to_string()
}

/// The delimiter cells of the committed table, re-drawn to `widths` as prettier draws
/// them: `:` or `-`, then dashes, then `:` or `-` (`| :-: | ---- | --: |`).
fn delimiter_cells(aligns: &[char], widths: &[usize]) -> Vec<String> {
    aligns
        .iter()
        .zip(widths)
        .map(|(a, w)| {
            let first = if matches!(a, 'l' | 'c') { ':' } else { '-' };
            let last = if matches!(a, 'r' | 'c') { ':' } else { '-' };
            format!("{first}{}{last}", "-".repeat(w.saturating_sub(2)))
        })
        .collect()
}

/// A row laid out: its sort key (committed position, data order), its cells, and the
/// committed row it matched.
type LaidRow = ((usize, usize), Vec<String>, Option<usize>);

/// Lay `generated` (a region rendered in the default layout, one table) out as the
/// `committed` region's table is written. `extras[i]` are the own columns of generated
/// row `i`. `None` when either side is not a single table or no committed column holds
/// the item ids: the caller then keeps the default layout.
pub fn follow(kind: &str, generated: &str, committed: &str, extras: &[Extras]) -> Option<String> {
    let new = raw_table(generated)?;
    let old = raw_table(committed)?;
    // Committed column j shows generated column map[j] (by meaning), or is the doc's own.
    let map: Vec<Option<usize>> = meanings(kind, &old.header)
        .into_iter()
        .map(|m| m.and_then(|d| new.header.iter().position(|g| g == d)))
        .collect();
    let id_col = map.iter().position(|m| *m == Some(0))?;
    let style = style_of(&old);
    let mut used = vec![false; old.rows.len()];
    // (committed position, sequence) orders kept rows as written, new ones after their
    // predecessor in the data.
    let mut rows: Vec<LaidRow> = Vec::new();
    let mut last = 0;
    for (i, (_, gen)) in new.rows.iter().enumerate() {
        let key = id_key(gen.first().map_or("", String::as_str));
        let matched = old
            .rows
            .iter()
            .enumerate()
            .position(|(r, (_, c))| !used[r] && c.get(id_col).is_some_and(|v| id_key(v) == key));
        if let Some(r) = matched {
            used[r] = true;
            last = r;
        }
        let own = extras.get(i).copied().unwrap_or_default();
        let cells: Vec<String> = old
            .header
            .iter()
            .enumerate()
            .map(|(j, h)| {
                let committed = matched.and_then(|r| old.rows[r].1.get(j));
                let kept = own.iter().find(|(k, _)| k.eq_ignore_ascii_case(h.trim())).map(|(_, v)| v);
                let Some(k) = map[j] else { return kept.cloned().unwrap_or_default() };
                let g = gen.get(k).cloned().unwrap_or_default();
                let column = new.header[k].as_str();
                match (kept, committed) {
                    // The doc's own text for a column the data does not say.
                    (Some(v), _) if !data_column(column) => v.clone(),
                    // Kept as written while it means what the data says, or while the data
                    // says nothing there.
                    (Some(v), _) if same(v, &g, column) || is_blank(&g) => v.clone(),
                    (_, Some(c)) if k == 0 || same(c, &g, column) => c.clone(),
                    _ => {
                        let cells: Vec<&str> =
                            old.rows.iter().filter_map(|(_, c)| c.get(j).map(String::as_str)).collect();
                        in_doc_words(&g, column, &cells)
                    }
                }
            })
            .collect();
        rows.push(((matched.unwrap_or(last), i), cells, matched));
    }
    rows.sort_by_key(|(k, _, m)| (k.0, m.is_none(), k.1));
    let changed =
        rows.iter().any(|(_, cells, m)| m.is_none_or(|r| old.rows[r].1 != *cells)) || used.iter().any(|u| !u);
    let mut out = old.before.clone();
    if style.aligned && changed {
        let n = old.header.len();
        let mut widths: Vec<usize> = old.header.iter().map(|h| width(h).max(3)).collect();
        for (_, cells, _) in &rows {
            for (j, c) in cells.iter().enumerate().take(n) {
                widths[j] = widths[j].max(width(c));
            }
        }
        let aligns = aligns(&old.delimiter_line, n);
        let laid = Some((widths.as_slice(), aligns.as_slice()));
        out.push_str(&render_line(&old.header, style, laid));
        out.push('\n');
        out.push_str(&render_line(&delimiter_cells(&aligns, &widths), style, laid));
        out.push('\n');
        for (_, cells, _) in &rows {
            out.push_str(&render_line(cells, style, laid));
            out.push('\n');
        }
    } else {
        out.push_str(&old.header_line);
        out.push('\n');
        out.push_str(&old.delimiter_line);
        out.push('\n');
        for (_, cells, m) in &rows {
            match m {
                Some(r) if old.rows[*r].1 == *cells => out.push_str(&old.rows[*r].0),
                _ => out.push_str(&render_line(cells, style, None)),
            }
            out.push('\n');
        }
    }
    out.push_str(&old.after);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOARD: &str = "\n| Packet | Title | Status | Implementer | Reviewer | Review State | Evidence Link |\n| --- | --- | --- | --- | --- | --- | --- |\n| 00 | Scope | DONE | A | B | APPROVED | See Packet 00 Review Evidence below |\n| 01 | Next | TODO | N/A | N/A | PENDING | See Packet 01 Review Evidence below |\n\n";

    #[test]
    fn keeps_the_documents_columns_words_and_padding() {
        let committed = "|Packet|Description|Status|Review|\n|---|---|---|---|\n|Packet 00|Scope|**DONE**|APPROVED|\n|Packet 01|Next|PENDING|—|\n";
        let generated = BOARD.replace("| 01 | Next | TODO |", "| 01 | Next | PENDING |");
        let out = follow("packet-board", &generated, committed, &[]).unwrap();
        assert_eq!(out, committed);
    }

    #[test]
    fn a_changed_value_is_rewritten_in_the_documents_style() {
        let committed = "|Packet|Status|Review|\n|---|---|---|\n|00|DONE|APPROVED|\n|01|PENDING|—|\n";
        let generated = BOARD.replace(
            "| 01 | Next | TODO | N/A | N/A | PENDING |",
            "| 01 | Next | DONE | N/A | N/A | APPROVED |",
        );
        let out = follow("packet-board", &generated, committed, &[]).unwrap();
        assert_eq!(out, "|Packet|Status|Review|\n|---|---|---|\n|00|DONE|APPROVED|\n|01|DONE|APPROVED|\n");
    }

    #[test]
    fn own_columns_come_from_the_items_and_unknown_ones_are_emptied() {
        let committed =
            "| Packet | Notes | Status |\n| --- | --- | --- |\n| 00 | kept | DONE |\n| 01 | hand | TODO |\n";
        let own = vec![("Notes".to_string(), "kept".to_string())];
        let extras: Vec<Extras> = vec![&own, &[]];
        let out = follow("packet-board", BOARD, committed, &extras).unwrap();
        assert_eq!(
            out,
            "| Packet | Notes | Status |\n| --- | --- | --- |\n| 00 | kept | DONE |\n| 01 | | TODO |\n"
        );
    }

    #[test]
    fn aligned_tables_stay_aligned_when_a_row_changes() {
        let committed =
            "| Packet | Status |\n| ------ | ------ |\n| 00     | DONE   |\n| 01     | TODO   |\n";
        let generated = BOARD.replace("| 01 | Next | TODO |", "| 01 | Next | IN_PROGRESS |");
        let out = follow("packet-board", &generated, committed, &[]).unwrap();
        assert_eq!(
            out,
            "| Packet | Status      |\n| ------ | ----------- |\n| 00     | DONE        |\n| 01     | IN_PROGRESS |\n"
        );
    }

    #[test]
    fn aligned_columns_keep_their_alignment_as_prettier_pads_it() {
        let committed =
            "| Packet | Status |\n| :----: | -----: |\n| 00     |   DONE |\n| 01     |   TODO |\n";
        let generated = BOARD.replace("| 01 | Next | TODO |", "| 01 | Next | IN_PROGRESS |");
        let out = follow("packet-board", &generated, committed, &[]).unwrap();
        assert_eq!(
            out,
            "| Packet |      Status |\n| :----: | ----------: |\n|   00   |        DONE |\n|   01   | IN_PROGRESS |\n"
        );
    }

    #[test]
    fn a_first_row_in_an_aligned_table_without_rows_is_aligned() {
        let committed = "| Packet | Status |\n| ------ | ------ |\n";
        let out = follow("packet-board", BOARD, committed, &[]).unwrap();
        assert_eq!(
            out,
            "| Packet | Status |\n| ------ | ------ |\n| 00     | DONE   |\n| 01     | TODO   |\n"
        );
        let compact = "| Packet | Status |\n| --- | --- |\n";
        let out = follow("packet-board", BOARD, compact, &[]).unwrap();
        assert_eq!(out, "| Packet | Status |\n| --- | --- |\n| 00 | DONE |\n| 01 | TODO |\n");
    }

    #[test]
    fn rows_keep_the_documents_order_and_removed_items_go() {
        let committed = "| Packet | Status |\n|---|---|\n| 01 | TODO |\n| 07 | DONE |\n| 00 | DONE |\n";
        let out = follow("packet-board", BOARD, committed, &[]).unwrap();
        assert_eq!(out, "| Packet | Status |\n|---|---|\n| 01 | TODO |\n| 00 | DONE |\n");
    }

    #[test]
    fn packet_cells_in_any_form_name_the_same_packets() {
        assert!(same("Packet 01 / Packet 02", "01, 02", "Mapped Packet"));
        assert!(!same("Packet 01", "01, 02", "Mapped Packet"));
        assert!(same("DONE/APPROVED", "DONE", "Status"));
        assert!(same("In Progress", "IN_PROGRESS", "Status"));
        assert!(same("✅ Done", "DONE", "Status"));
        assert!(same("High", "HIGH", "Severity"));
        assert!(!same("TODO", "DONE", "Status"));
        assert!(same("—", "PENDING", "Review State"));
        assert!(same("`<hash>`", "N/A", "Commit"));
        // An explanation in parentheses names no packet unless it names one plainly.
        assert!(same("HW-01 (strict rate limiter: 5/hr per IP).", "HW-01", "Mapped Packet"));
        assert!(same("External (W4). HW-08 records dependency.", "HW-08", "Mapped Packet"));
        assert!(same("Mitigated (Packet 03) and 04", "03, 04", "Mapped Packet"));
        assert!(same("Hardening (HW-02, HW-03)", "HW-02, HW-03", "Mapped Packet"));
        assert!(!same("HW-01 and 5", "HW-01", "Mapped Packet"));
        // A range names every packet in it.
        assert!(same("01-05", "01, 02, 03, 04, 05", "Mapped Packet"));
        assert!(same("Packets 00–02", "00, 01, 02", "Mapped Packet"));
        assert!(same("SP-01-SP-03", "SP-01, SP-02, SP-03", "Mapped Packet"));
        assert!(same("SP-04-05", "SP-04, SP-05", "Mapped Packet"));
        assert!(!same("01-05", "01, 05", "Mapped Packet"));
        // A coded id is not a range.
        assert_eq!(packet_refs("HW-08"), ["HW-08"]);
    }

    #[test]
    fn the_data_wins_over_a_kept_cell_and_speaks_the_documents_words() {
        let committed =
            "| Packet | State | Review |\n| --- | --- | --- |\n| 00 | In Progress | — |\n| 01 | Done | — |\n";
        // The cell kept as written stands while it means what the data says...
        let kept = vec![("State".to_string(), "In Progress".to_string())];
        let generated = BOARD.replace(
            "| 00 | Scope | DONE | A | B | APPROVED |",
            "| 00 | Scope | IN_PROGRESS | A | B | PENDING |",
        );
        let generated = generated.replace(
            "| 01 | Next | TODO | N/A | N/A | PENDING |",
            "| 01 | Next | DONE | N/A | N/A | PENDING |",
        );
        assert_eq!(follow("packet-board", &generated, committed, &[&kept, &[]]).unwrap(), committed);
        // ...and gives way when the data changes, in the words the column uses.
        let changed = generated.replace(
            "| 00 | Scope | IN_PROGRESS | A | B | PENDING |",
            "| 00 | Scope | DONE | A | B | PENDING |",
        );
        assert_eq!(
            follow("packet-board", &changed, committed, &[&kept, &[]]).unwrap(),
            "| Packet | State | Review |\n| --- | --- | --- |\n| 00 | Done | — |\n| 01 | Done | — |\n"
        );
    }

    #[test]
    fn a_risk_column_about_packets_is_the_risks_packets() {
        for h in [
            "Mapped Packet",
            "Owner Packet",
            "Packet Owner",
            "Owning Packet",
            "Mitigation Packet",
            "Packet(s)",
            "Related Packets",
            "Packets",
        ] {
            assert_eq!(synonyms("risks", h), Some("Mapped Packet"), "{h}");
        }
        // Another thing of a packet is not the packets; on a board every column is about
        // its packet, so words say nothing there.
        assert_eq!(synonyms("risks", "Packet Status"), None);
        assert_eq!(synonyms("packet-board", "Packet Owner"), None);
        // The first column with a meaning has it; a second one is the document's own.
        let header: Vec<String> =
            ["ID", "Risk", "Packet Owner", "Related Packets"].map(String::from).to_vec();
        assert_eq!(
            meanings("risks", &header),
            vec![Some("Risk ID"), Some("Description"), Some("Mapped Packet"), None]
        );
        let committed = "| ID | Risk | Packet Owner | Related Packets |\n|---|---|---|---|\n| R1 | Flaky test | Packet 01 | 02, 03 |\n";
        let generated = "| Risk ID | Surface | Description | Severity | Mapped Packet | Mitigation |\n| --- | --- | --- | --- | --- | --- |\n| R1 | | Flaky test | | 01 | |\n";
        let own = vec![("Related Packets".to_string(), "02, 03".to_string())];
        assert_eq!(follow("risks", generated, committed, &[&own]).unwrap(), committed);
    }

    #[test]
    fn a_struck_through_risk_row_reproduces_as_written() {
        let committed = "| # | Risk | Severity | Owner |\n|---|---|---|---|\n| ~~1~~ | ~~Old risk~~ — **RESOLVED** | ~~P2~~ | ~~Eng~~ |\n| 2 | Slow CI | P3 | Eng |\n";
        let generated = "| Risk ID | Surface | Description | Severity | Mapped Packet | Mitigation |\n| --- | --- | --- | --- | --- | --- |\n| 1 | | \\~\\~Old risk\\~\\~ — \\*\\*RESOLVED\\*\\* | MEDIUM | | |\n| 2 | | Slow CI | LOW | | |\n";
        let owners = [
            vec![("Owner".to_string(), "~~Eng~~".to_string())],
            vec![("Owner".to_string(), "Eng".to_string())],
        ];
        let extras: Vec<Extras> = owners.iter().map(Vec::as_slice).collect();
        assert_eq!(follow("risks", generated, committed, &extras).unwrap(), committed);
        // Struck words are still words of free text; a packet cell names what it says now.
        assert!(same(
            "~~Old risk~~ — **RESOLVED**",
            "\\~\\~Old risk\\~\\~ — \\*\\*RESOLVED\\*\\*",
            "Description"
        ));
        assert!(!same("~~Old risk~~ — **RESOLVED**", "New risk", "Description"));
        assert!(same("~~01~~ 02", "02", "Mapped Packet"));
        assert!(same("~~P2~~", "MEDIUM", "Severity"));
    }

    #[test]
    fn not_a_single_table_is_not_followed() {
        assert!(follow("packet-board", BOARD, "text\n\n| a |\n|---|\n| b |\n", &[]).is_none());
        assert!(follow("packet-board", BOARD, "| Title |\n|---|\n| x |\n", &[]).is_none());
    }
}

/// A list region in the committed list's style: its bullet (`-`, `*` or `+`) and its
/// items' indentation; the regenerated text otherwise. `None` when either side holds
/// anything but list items and blank lines and one optional lead line.
pub fn follow_list(generated: &str, committed: &str) -> Option<String> {
    let bullet_of = |text: &str| -> Option<(String, char)> {
        let line = text.lines().find(|l| {
            let t = l.trim_start();
            t.starts_with("- ") || t.starts_with("* ") || t.starts_with("+ ")
        })?;
        let indent = line.len() - line.trim_start().len();
        Some((line[..indent].to_string(), line.trim_start().chars().next()?))
    };
    let (indent, bullet) = bullet_of(committed)?;
    let (_, generated_bullet) = bullet_of(generated)?;
    if (indent.is_empty() && bullet == generated_bullet) || generated.contains('|') {
        return None;
    }
    let out: String = generated
        .split_inclusive('\n')
        .map(|l| match l.strip_prefix(&format!("{generated_bullet} ")) {
            Some(rest) => format!("{indent}{bullet} {rest}"),
            None => l.to_string(),
        })
        .collect();
    Some(out)
}

#[cfg(test)]
mod list_tests {
    use super::follow_list;

    #[test]
    fn lists_keep_their_bullet_and_indentation() {
        let generated = "\nPre-release blockers (open):\n- `DL-1`: one\n- `DL-2`: two\n\n";
        let committed = "\nPre-release blockers (open):\n* `DL-1`: one\n\n";
        assert_eq!(
            follow_list(generated, committed).unwrap(),
            "\nPre-release blockers (open):\n* `DL-1`: one\n* `DL-2`: two\n\n"
        );
        assert_eq!(follow_list(generated, "\n- `DL-1`: one\n"), None, "already the same style");
        assert_eq!(follow_list(generated, "No open pre-release blockers.\n"), None);
    }
}
