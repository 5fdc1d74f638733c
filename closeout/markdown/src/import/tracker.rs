//! The progress tracker: its board (under any name), and the sections that belong to a
//! packet because their heading names it (`Packet 01 Checklist`, `DCC-01 Review Evidence`,
//! `Review Evidence (Packet 01)`, `Checkpoint Commit (Packets 00-02)`, a sub-heading under
//! any of these). A packet's checklist, files, residual risk, rollback and checkpoint
//! commit are read there; checkpoint commits also from commit lists ("Checkpoint
//! Commits": `- TN-06: `abc1234``) and from evidence blocks in fences. Template
//! placeholders are skipped. Pure.

use super::md::{self, first_code, Block};
use super::placeholder::{has_placeholder, is_placeholder};
use super::{board, ids, Candidate, Imported, Packet, Source, Unmapped};

/// The first git hash in `text` (7 to 40 hex digits, in a code span or bare).
pub fn hash_in(text: &str) -> Option<String> {
    if let Some(code) = first_code(text) {
        if let Some(h) = board::commit(&code) {
            return Some(h);
        }
    }
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .find(|w| {
            w.len() >= 7
                && w.len() <= 40
                && w.chars().all(|c| c.is_ascii_hexdigit())
                && w.chars().any(|c| c.is_ascii_digit())
        })
        .map(String::from)
}

fn find(packets: &[Packet], id: &str) -> Option<usize> {
    packets.iter().position(|p| p.id == id)
}

/// A commit list's item: the packet and the hash, however the list writes them:
/// "TN-06: `abc1234`", "Packet 00: `abc1234` — message", "DR-03 → `4d5e6f70` (ui)",
/// "DR-04 — 5e6f7081", "`f9680ef8` feat(DR-07): new UI".
fn commit_entry(text: &str, known: &[String]) -> Option<(String, String)> {
    let head = text.split([':', '→', '—', '–']).next().unwrap_or(text);
    let head = head.split(" - ").next().unwrap_or(head);
    let id = ids::packet_ref(head).filter(|id| known.contains(id)).or_else(|| {
        // The packet named in the message: `feat(DR-07)`, "Packet 03 checkpoint".
        let words = text.replace(['(', ')', ':', ','], " ");
        ids::heading_packets(&words, known).into_iter().next()
    })?;
    let rest = &text[head.len().min(text.len())..];
    let hash = hash_in(rest).or_else(|| hash_in(text))?;
    Some((id, hash))
}

/// Read the boards first (they may add packets), then each packet's sections.
/// Whether it found anything a tracker holds (a board, a packet's section).
pub(super) fn read(
    progress: &Source,
    blocks: &[Block],
    packets: &mut Vec<Packet>,
    out: &mut Imported,
) -> bool {
    let boards = out.candidates.len();
    read_boards(progress, blocks, packets, out);
    let known: Vec<String> = packets.iter().map(|p| p.id.clone()).collect();
    let sections = blocks.iter().any(|b| match b {
        Block::Heading { text, .. } => !ids::heading_packets(text, &known).is_empty(),
        _ => false,
    });
    read_sections(progress, blocks, packets);
    out.candidates.len() > boards || sections
}

/// Whether a document reads as a progress tracker (it has a packet board) rather than a
/// plan.
pub fn has_board(text: &str) -> bool {
    md::blocks(text).iter().any(|b| matches!(b, Block::Table(t) if board::is_board(t)))
}

fn read_boards(progress: &Source, blocks: &[Block], packets: &mut Vec<Packet>, out: &mut Imported) {
    // The first board's order is the program's order (it is what people read); packets it
    // does not show keep their place after it.
    let mut order: Vec<String> = Vec::new();
    for block in blocks {
        let Block::Table(t) = block else { continue };
        if !board::is_board(t) {
            read_commit_table(t, packets);
            continue;
        }
        let (rows, skipped) = board::read(t);
        for (line, cells, why) in skipped {
            out.unmapped.push(Unmapped {
                file: progress.path.into(),
                line,
                what: format!("board row `| {cells} |`"),
                why: format!("{why}; give it its packet's id, or move it out of the board"),
            });
        }
        let mut seen: Vec<String> = Vec::new();
        for row in rows {
            if seen.contains(&row.id) {
                out.unmapped.push(Unmapped {
                    file: progress.path.into(),
                    line: row.line,
                    what: format!("board row for packet `{}`", row.id),
                    why: "the packet has a row above in the same board; delete one of them".into(),
                });
                continue;
            }
            seen.push(row.id.clone());
            if !order.contains(&row.id) {
                order.push(row.id.clone());
            }
            let i = match find(packets, &row.id) {
                Some(i) => i,
                None => {
                    // A packet only the board names is imported from the board.
                    packets.push(Packet { id: row.id.clone(), line: row.line, ..Packet::default() });
                    packets.len() - 1
                }
            };
            let p = &mut packets[i];
            if let Some(title) = row.title.filter(|t| !t.is_empty()) {
                p.title = title;
            }
            p.status = row.status.or(p.status.take());
            p.review = row.review.or(p.review.take());
            p.implementer = row.implementer.or(p.implementer.take());
            p.reviewer = row.reviewer.or(p.reviewer.take());
            p.commit = row.commit.or(p.commit.take());
            for (column, value, why) in row.unread {
                out.unmapped.push(Unmapped {
                    file: progress.path.into(),
                    line: row.line,
                    what: format!("board cell `{value}` (packet {}, column `{column}`)", row.id),
                    why: format!("{why}; the doc keeps it as written, closeout.toml does not: write one of these words in the cell, or set the value in closeout.toml by hand"),
                });
            }
        }
        out.cells_total += t.rows.iter().map(Vec::len).sum::<usize>();
        out.cells_mapped += t.rows.iter().map(Vec::len).sum::<usize>();
        out.candidates.push(Candidate::table(progress.path, "packet-board", t));
    }
    let rank = |p: &Packet| order.iter().position(|id| *id == p.id).unwrap_or(order.len());
    packets.sort_by_key(rank);
}

/// A table of checkpoint commits (`| Packet | Commit | Message |`): each row's hash is its
/// packet's commit, where the packet has none yet.
fn read_commit_table(t: &md::Table, packets: &mut [Packet]) {
    let (Some(p), Some(c)) = (
        t.column(&["packet", "packet id", "id"]),
        t.column(&["commit", "checkpoint commit", "checkpoint", "hash", "sha"]),
    ) else {
        return;
    };
    for row in &t.rows {
        let Some(id) = row.get(p).and_then(|v| ids::packet_ref(v)) else { continue };
        let Some(hash) = row.get(c).and_then(|v| board::commit(v)) else { continue };
        if let Some(i) = find(packets, &id) {
            packets[i].commit.get_or_insert(hash);
        }
    }
}

/// What a section's items feed: set by its heading or by a label paragraph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    None,
    Files,
    Commit,
    ResidualRisk,
    Rollback,
}

/// Whether a label opens a "Files changed" list (`Files changed:`, `**Files**:`).
pub(super) fn is_files_label(label: &str) -> bool {
    field_of(label) == Field::Files
}

/// Add `files` to a packet's, each path once (a plan and its tracker may both list it).
pub(super) fn add_files(into: &mut Vec<(String, Option<String>)>, files: Vec<(String, Option<String>)>) {
    for (path, reason) in files {
        match into.iter_mut().find(|(p, _)| *p == path) {
            Some((_, known)) => {
                if known.is_none() {
                    *known = reason;
                }
            }
            None => into.push((path, reason)),
        }
    }
}

fn field_of(label: &str) -> Field {
    let l = label.trim().trim_matches('*').trim().trim_end_matches(':').to_lowercase();
    if l.starts_with("files changed") || l == "files" || l == "changed files" {
        Field::Files
    } else if l.contains("commit") || l.contains("checkpoint") {
        Field::Commit
    } else if l.starts_with("residual risk") {
        Field::ResidualRisk
    } else if l.starts_with("rollback") {
        Field::Rollback
    } else {
        Field::None
    }
}

fn read_sections(progress: &Source, blocks: &[Block], packets: &mut [Packet]) {
    let known: Vec<String> = packets.iter().map(|p| p.id.clone()).collect();
    // (level, packets) of the heading whose section we are in.
    let mut section: Option<(u8, Vec<usize>)> = None;
    let mut field = Field::None;
    let mut commit_list = false;
    // The packets whose commit this section already gave: the first hash wins, so a later
    // "`abc` was superseded" note does not replace it.
    let mut given: Vec<usize> = Vec::new();
    let give = |packets: &mut [Packet], i: usize, hash: String, given: &mut Vec<usize>| {
        if !given.contains(&i) {
            packets[i].commit = Some(hash);
            given.push(i);
        }
    };
    for block in blocks {
        match block {
            Block::Heading { level, text, .. } => {
                if section.as_ref().is_some_and(|(l, _)| level <= l) {
                    section = None;
                }
                let named: Vec<usize> =
                    ids::heading_packets(text, &known).iter().filter_map(|id| find(packets, id)).collect();
                if !named.is_empty() {
                    section = Some((*level, named));
                }
                given.clear();
                field = field_of(text);
                commit_list = section.is_none() && field == Field::Commit;
            }
            Block::Paragraph { text, .. } => {
                let label = text.trim();
                // "**Commit:** `abc1234`" or "Commit: `abc1234`" on one line.
                let (head, rest) = label.split_once(':').unwrap_or((label, ""));
                let f = field_of(head);
                if let (Field::Commit, Some((_, ps))) = (f, &section) {
                    if let Some(h) = hash_in(rest) {
                        for &i in ps {
                            give(packets, i, h.clone(), &mut given);
                        }
                    }
                }
                if label.ends_with(':') || label.ends_with(":**") || f != Field::None {
                    field = if f == Field::None && label.ends_with(':') { Field::None } else { f };
                } else if field == Field::Commit {
                    // The paragraph under a "Checkpoint Commit (Packet 00)" heading.
                    if let (Some(h), Some((_, ps))) = (hash_in(label), &section) {
                        for &i in ps {
                            give(packets, i, h.clone(), &mut given);
                        }
                    }
                }
            }
            Block::Item { text, task, line, .. } => {
                if commit_list {
                    if let Some((id, h)) = commit_entry(text, &known) {
                        if let Some(i) = find(packets, &id) {
                            give(packets, i, h, &mut given);
                        }
                    }
                    continue;
                }
                let Some((_, ps)) = &section else { continue };
                for &i in ps.iter().take(1) {
                    if field == Field::Commit
                        || field_of(text.split_once(':').map_or("", |(h, _)| h)) == Field::Commit
                    {
                        if let Some(h) = hash_in(text) {
                            give(packets, i, h, &mut given);
                        }
                        continue;
                    }
                    let p = &mut packets[i];
                    if let Some(done) = task {
                        p.checklist.push(format!("[{}] {text}", if *done { "x" } else { " " }));
                        continue;
                    }
                    if has_placeholder(text) {
                        continue;
                    }
                    match field {
                        Field::Files => match file_item(text) {
                            Some(files) => add_files(&mut p.files, files),
                            None => p.notes.push(format!(
                                "{}:{line}: files changed item `{text}` names no `path`: reason",
                                progress.path
                            )),
                        },
                        Field::ResidualRisk if !is_placeholder(text) => p.residual_risk.push(text.clone()),
                        Field::Rollback => p.rollback.push(text.clone()),
                        _ => {}
                    }
                }
                if field == Field::Commit && ps.len() > 1 {
                    if let Some(h) = hash_in(text) {
                        for &i in ps {
                            give(packets, i, h.clone(), &mut given);
                        }
                    }
                }
            }
            Block::Code { text, .. } => {
                // Older trackers keep the evidence block inside an unlabelled fence.
                let Some((_, ps)) = &section else { continue };
                let Some(&i) = ps.first() else { continue };
                read_fence(text, &mut packets[i]);
            }
            Block::Table(_) => {}
        }
    }
}

/// A "Files changed" item: the paths it names and the reason after them. The paths are
/// code spans (`` `a.go` ``, `` `a.go`, `b.go` ``) or one bare path-like word before a `:`;
/// an annotation in parentheses right after them (`(new)`, `(MODIFIED)`) opens the reason,
/// and a `:` or dash separates the reason. `None` when the item names no path.
pub(super) fn file_item(text: &str) -> Option<Vec<(String, Option<String>)>> {
    let text = text.trim();
    let mut paths = Vec::new();
    let mut rest = text;
    if rest.starts_with('`') {
        while let Some(after) = rest.strip_prefix('`') {
            let Some(end) = after.find('`') else { break };
            let path = after[..end].trim();
            if !path.is_empty() {
                paths.push(path.to_string());
            }
            rest = after[end + 1..].trim_start();
            // `a`, `b` and `c`: more paths follow.
            let next = rest.trim_start_matches([',', '&', '+']).trim_start();
            let next = next.strip_prefix("and ").map_or(next, str::trim_start);
            if !next.starts_with('`') {
                break;
            }
            rest = next;
        }
    } else {
        let (word, after) = text.split_once(':')?;
        let word = word.trim();
        let path_like = !word.is_empty() && !word.contains(char::is_whitespace) && word.contains(['/', '.']);
        if !path_like {
            return None;
        }
        paths.push(word.to_string());
        rest = after;
    }
    if paths.is_empty() {
        return None;
    }
    let mut rest = rest.trim();
    let mut note = None;
    if let Some(inner) = rest.strip_prefix('(') {
        if let Some(end) = inner.find(')') {
            note = Some(inner[..end].trim().to_string());
            rest = inner[end + 1..].trim_start();
        }
    }
    let rest = rest.trim_start_matches([':', '—', '–', '-']).trim();
    let reason = match (note, rest.is_empty()) {
        (Some(note), true) => Some(format!("({note})")),
        (Some(note), false) => Some(format!("({note}) {rest}")),
        (None, false) => Some(rest.to_string()),
        (None, true) => None,
    };
    Some(paths.into_iter().map(|p| (p, reason.clone())).collect())
}

/// An evidence block inside a fence: `Commit:`, `Residual risk:`, `Rollback:` and `Files
/// changed:` labels with `- ` items under them.
fn read_fence(text: &str, p: &mut Packet) {
    let mut inner = Field::None;
    let mut committed = false;
    for l in text.lines() {
        let trimmed = l.trim();
        // A nested item ("  - Note: `abc` was superseded") annotates its parent.
        if l.starts_with([' ', '\t']) && trimmed.starts_with("- ") {
            continue;
        }
        if let Some(item) = trimmed.strip_prefix("- ") {
            if has_placeholder(item) {
                continue;
            }
            match inner {
                Field::Commit if !committed => {
                    if let Some(h) = hash_in(item) {
                        p.commit = Some(h);
                        committed = true;
                    }
                }
                Field::Commit => {}
                Field::ResidualRisk => p.residual_risk.push(item.to_string()),
                Field::Rollback => p.rollback.push(item.to_string()),
                Field::Files => add_files(&mut p.files, file_item(item).unwrap_or_default()),
                Field::None => {}
            }
        } else if let Some((head, rest)) = trimmed.split_once(':') {
            inner = field_of(head);
            if inner == Field::Commit && !committed {
                if let Some(h) = hash_in(rest) {
                    p.commit = Some(h);
                    committed = true;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{commit_entry, file_item};

    #[test]
    fn commit_lists_in_the_ways_trackers_write_them() {
        let known: Vec<String> =
            ["00", "TN-06", "DR-03", "DR-04", "DR-05", "DR-07"].iter().map(|s| s.to_string()).collect();
        let entry = |t: &str| commit_entry(t, &known);
        assert_eq!(entry("TN-06: `abc1234f`"), Some(("TN-06".into(), "abc1234f".into())));
        assert_eq!(entry("Packet 00: `abf0b994` — checkpoint"), Some(("00".into(), "abf0b994".into())));
        assert_eq!(entry("DR-03 → `4d5e6f70` (ui)"), Some(("DR-03".into(), "4d5e6f70".into())));
        assert_eq!(entry("DR-04 — 5e6f7081"), Some(("DR-04".into(), "5e6f7081".into())));
        assert_eq!(entry("DR-05 - `6f708192`"), Some(("DR-05".into(), "6f708192".into())));
        assert_eq!(entry("`f9680ef8` feat(DR-07): new UI"), Some(("DR-07".into(), "f9680ef8".into())));
        assert_eq!(entry("TN-06: TODO"), None);
        assert_eq!(entry("DCC-00: `NO-OP` (docs)"), None);
    }

    #[test]
    fn files_changed_items_in_the_ways_trackers_write_them() {
        let one = |p: &str, r: Option<&str>| vec![(p.to_string(), r.map(str::to_string))];
        assert_eq!(file_item("`src/a.go`: reason a"), Some(one("src/a.go", Some("reason a"))));
        assert_eq!(file_item("src/b.go: reason b"), Some(one("src/b.go", Some("reason b"))));
        assert_eq!(
            file_item("`docs/x.md` (new): Full spec"),
            Some(one("docs/x.md", Some("(new) Full spec")))
        );
        assert_eq!(file_item("`docs/x.md` (MODIFIED)"), Some(one("docs/x.md", Some("(MODIFIED)"))));
        assert_eq!(file_item("`a.go` — the handler"), Some(one("a.go", Some("the handler"))));
        assert_eq!(file_item("`a.go`"), Some(one("a.go", None)));
        assert_eq!(
            file_item("`a.go`, `b.go` and `c.go`: split"),
            Some(vec![
                ("a.go".into(), Some("split".into())),
                ("b.go".into(), Some("split".into())),
                ("c.go".into(), Some("split".into())),
            ])
        );
        assert_eq!(file_item("Updated the handler: see notes"), None);
        assert_eq!(file_item("none"), None);
    }
}
