//! Packet boards under any name ("Packet Board", "Packet Progress", a status table): a
//! table with a column of packet ids and a status column. Status and review cells are read
//! into the model's vocabulary (`DONE/APPROVED` is both, `In Progress` is `IN_PROGRESS`,
//! `—` is no value); a word the vocabulary lacks is reported, never replaced. Pure.

use super::ids::packet_ref;
use super::md::{effective, first_code, Table};
use super::placeholder::is_placeholder;
use crate::docs::layout::{is_blank, synonyms};

/// One board row as read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Row {
    pub id: String,
    pub title: Option<String>,
    pub status: Option<String>,
    pub review: Option<String>,
    pub implementer: Option<String>,
    pub reviewer: Option<String>,
    pub commit: Option<String>,
    pub line: usize,
    /// Cells whose words are outside the vocabulary: (column, value, why).
    pub unread: Vec<(String, String, String)>,
}

const STATUSES: &[&str] =
    &["TODO", "PENDING", "IN_PROGRESS", "IN_REVIEW", "CHANGES_REQUESTED", "BLOCKED", "DONE"];
const REVIEWS: &[&str] = &["PENDING", "IN_REVIEW", "APPROVED", "CHANGES_REQUESTED", "BLOCKED"];

/// The column of `t` that a board column name means.
fn column(t: &Table, name: &str) -> Option<usize> {
    t.header.iter().position(|h| synonyms("packet-board", h) == Some(name))
}

/// Whether `t` is a packet board: a packet column whose cells are packet ids and a status
/// column.
pub fn is_board(t: &Table) -> bool {
    let (Some(p), Some(_)) = (column(t, "Packet"), column(t, "Status")) else { return false };
    let ids = t.rows.iter().filter(|r| r.get(p).is_some_and(|c| packet_ref(c).is_some())).count();
    ids > 0 && ids * 2 >= t.rows.len()
}

/// `DONE`, `**Done**`, `✅ DONE`, `In Progress`, `~~TODO~~ DONE`, `DONE/APPROVED` → the
/// words, upper-case with underscores.
fn words(cell: &str) -> Vec<String> {
    let now = effective(cell).0;
    // `BLOCKED (waiting on ORB-02)`, `DONE — merged`, `DONE (2026-02-10)`: the word, then a note.
    let now = now.split(" (").next().unwrap_or(&now);
    let now = now.split(" — ").next().unwrap_or(now);
    let now = now.split(" - ").next().unwrap_or(now).to_string();
    now.split(['/', ',', '+'])
        .map(|w| {
            w.chars()
                .filter(|c| c.is_alphanumeric() || c.is_whitespace() || *c == '_' || *c == '-')
                .collect::<String>()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join("_")
                .replace('-', "_")
                .to_uppercase()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

/// A status cell: the status, and a review when the cell carries one (`DONE/APPROVED`).
/// `Err` names a word outside the vocabulary.
pub fn status(cell: &str) -> Result<(Option<String>, Option<String>), String> {
    if is_blank(cell) {
        return Ok((None, None));
    }
    let w = words(cell);
    let first = w.first().map(String::as_str).unwrap_or("");
    let first = match first {
        "COMPLETE" | "COMPLETED" | "DONE_APPROVED" | "FINISHED" | "SHIPPED" | "MERGED" | "LANDED" => "DONE",
        // `READY`: ready to be picked up ("pick the next READY packet"), not ready for review.
        "NOT_STARTED" | "NOT_YET_STARTED" | "UNSTARTED" | "OPEN" | "PLANNED" | "READY" | "QUEUED"
        | "BACKLOG" | "NEXT" | "UPCOMING" | "SCHEDULED" | "NEW" => "TODO",
        "WIP" | "ACTIVE" | "IN_FLIGHT" | "STARTED" | "ONGOING" | "IN_DEVELOPMENT" | "IN_DEV" | "DOING" => {
            "IN_PROGRESS"
        }
        "REVIEW" | "UNDER_REVIEW" | "AWAITING_REVIEW" | "READY_FOR_REVIEW" | "PENDING_REVIEW" | "IN_QA" => {
            "IN_REVIEW"
        }
        "ON_HOLD" | "HOLD" | "PAUSED" | "STALLED" | "WAITING" => "BLOCKED",
        other => other,
    };
    if !STATUSES.contains(&first) {
        return Err(format!("not one of {}", STATUSES.join(", ")));
    }
    let review = w.get(1).filter(|r| REVIEWS.contains(&r.as_str())).cloned();
    Ok((Some(first.to_string()), review))
}

/// A review cell. `Err` names a word outside the vocabulary.
pub fn review(cell: &str) -> Result<Option<String>, String> {
    if is_blank(cell) {
        return Ok(None);
    }
    let w = words(cell);
    let first = w.first().map(String::as_str).unwrap_or("");
    let first = match first {
        "APPROVE" | "PASS" | "PASSED" | "LGTM" | "ACCEPTED" => "APPROVED",
        "REVIEW" | "REVIEWING" | "UNDER_REVIEW" => "IN_REVIEW",
        "NEEDS_CHANGES" | "NEEDS_WORK" | "REJECTED" | "CHANGES_NEEDED" => "CHANGES_REQUESTED",
        other => other,
    };
    if REVIEWS.contains(&first) {
        Ok(Some(first.to_string()))
    } else {
        Err(format!("not one of {}", REVIEWS.join(", ")))
    }
}

/// A commit cell: the hash in it, unless it is an unfilled template or no value.
pub fn commit(cell: &str) -> Option<String> {
    let c = first_code(cell).unwrap_or_else(|| cell.trim().to_string());
    let c = c.trim();
    let hex = c.len() >= 7 && c.len() <= 40 && c.chars().all(|ch| ch.is_ascii_hexdigit());
    (hex && !is_placeholder(c)).then(|| c.to_string())
}

fn person(cell: Option<&String>) -> Option<String> {
    cell.map(|c| c.trim().to_string()).filter(|c| !is_blank(c))
}

/// A board row that is no packet's (no id, a totals row): its line, its cells, and why.
pub type Skipped = (usize, String, String);

/// The rows of a board, and the rows that name no packet (reported, never dropped
/// silently).
pub fn read(t: &Table) -> (Vec<Row>, Vec<Skipped>) {
    let col = |name| column(t, name);
    let (p, s, r) = (col("Packet"), col("Status"), col("Review State"));
    let header =
        |c: Option<usize>, name: &str| c.and_then(|c| t.header.get(c)).cloned().unwrap_or(name.into());
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    for (i, cells) in t.rows.iter().enumerate() {
        let get = |c: Option<usize>| c.and_then(|c| cells.get(c));
        let Some(id) = get(p).and_then(|c| packet_ref(c)) else {
            let why = match get(p).map(|c| c.trim()).filter(|c| !c.is_empty()) {
                Some(c) => format!("`{c}` is not a packet id"),
                None => "the row has no packet id".to_string(),
            };
            skipped.push((t.row_lines[i], cells.join(" | "), why));
            continue;
        };
        let mut row = Row { id, line: t.row_lines[i], ..Row::default() };
        row.title = get(col("Title")).map(|c| c.trim().to_string()).filter(|c| !c.is_empty());
        match get(s).map(|c| status(c)).unwrap_or(Ok((None, None))) {
            Ok((st, rv)) => {
                row.status = st;
                row.review = rv;
            }
            Err(why) => row.unread.push((header(s, "Status"), get(s).cloned().unwrap_or_default(), why)),
        }
        if let Some(cell) = get(r) {
            match review(cell) {
                Ok(rv) => row.review = rv.or(row.review.take()),
                Err(why) => row.unread.push((header(r, "Review State"), cell.clone(), why)),
            }
        }
        row.implementer = person(get(col("Implementer")));
        row.reviewer = person(get(col("Reviewer")));
        row.commit = get(col("Commit")).and_then(|c| commit(c));
        out.push(row);
    }
    (out, skipped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_in_the_words_trackers_use() {
        assert_eq!(status("DONE").unwrap(), (Some("DONE".into()), None));
        assert_eq!(status("DONE/APPROVED").unwrap(), (Some("DONE".into()), Some("APPROVED".into())));
        assert_eq!(status("**In Progress**").unwrap(), (Some("IN_PROGRESS".into()), None));
        assert_eq!(status("~~TODO~~ DONE").unwrap(), (Some("DONE".into()), None));
        assert_eq!(status("—").unwrap(), (None, None));
        assert_eq!(status("PENDING").unwrap(), (Some("PENDING".into()), None));
        assert!(status("CANCELLED").is_err());
        assert_eq!(status("BLOCKED (waiting on ORB-02)").unwrap(), (Some("BLOCKED".into()), None));
        assert_eq!(status("DONE (2026-02-10)").unwrap(), (Some("DONE".into()), None));
        for (cell, want) in [
            ("READY", "TODO"),
            ("Ready for review", "IN_REVIEW"),
            ("Not yet started", "TODO"),
            ("Shipped", "DONE"),
            ("On hold (vendor)", "BLOCKED"),
            ("Under Review", "IN_REVIEW"),
        ] {
            assert_eq!(status(cell).unwrap().0.as_deref(), Some(want), "{cell}");
        }
        assert_eq!(review("LGTM").unwrap().as_deref(), Some("APPROVED"));
        assert_eq!(review("Needs changes").unwrap().as_deref(), Some("CHANGES_REQUESTED"));
        assert_eq!(review("IN_REVIEW").unwrap(), Some("IN_REVIEW".into()));
        assert_eq!(review("—").unwrap(), None);
    }

    #[test]
    fn commits_skip_placeholders() {
        assert_eq!(commit("`dfb74f99`").as_deref(), Some("dfb74f99"));
        assert_eq!(commit("(this commit)"), None);
        assert_eq!(commit("`<hash>`"), None);
        assert_eq!(commit("—"), None);
    }
}
