//! Checking one document's regions against the data and computing its rewrite. Only the
//! bytes between markers (and the checksum in the end marker) ever change; line endings
//! follow the file. Pure: text in, reports and new text out.

use crate::sha256::Sha256;

use super::compare::{self, Comparison};
use super::generate::{self, Evidence};
use super::layout;
use super::markers::{self, Region};
use crate::model::Program;

/// How a region stands against its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegionState {
    InSync,
    /// Same content; padding, separators, blank lines or the checksum differ.
    FormattingOnly,
    /// The data changed since the region was generated.
    ContentDrift,
    /// The region's content was edited by hand since closeout wrote it.
    HandEdited,
    /// The region holds git conflict markers; it is rebuilt from the data.
    Conflict,
}

impl RegionState {
    /// In words: `in sync`, `formatting only`, `drift`, `hand-edited`, `conflict`.
    pub fn label(self) -> &'static str {
        match self {
            RegionState::InSync => "in sync",
            RegionState::FormattingOnly => "formatting only",
            RegionState::ContentDrift => "drift",
            RegionState::HandEdited => "hand-edited",
            RegionState::Conflict => "conflict",
        }
    }

    /// Whether the region matches its data (formatting aside).
    pub fn matches(self) -> bool {
        matches!(self, RegionState::InSync | RegionState::FormattingOnly)
    }
}

/// A generated region of one doc and its state, as the verdict and the report name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocRegion {
    /// The doc as shown to the user (relative to the root).
    pub doc: String,
    /// The line of its begin marker.
    pub line: usize,
    pub name: String,
    pub state: RegionState,
}

impl DocRegion {
    /// How a verdict clause names it ([`crate::verdict::region_ref`]).
    pub fn reference(&self) -> String {
        crate::verdict::region_ref(&self.doc, self.line, &self.name)
    }
}

#[derive(Debug, Clone)]
pub struct RegionReport {
    pub name: String,
    pub kind: String,
    pub begin_line: usize,
    pub end_line: usize,
    pub state: RegionState,
    /// Per-cell or per-block drift.
    pub drift: Vec<compare::Drift>,
    pub committed: String,
    pub regenerated: String,
}

/// A problem that stops the document from being checked: exit 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocError {
    pub line: usize,
    pub message: String,
}

#[derive(Debug, Clone)]
pub struct DocCheck {
    pub regions: Vec<RegionReport>,
    /// The document with every region regenerated (hand-edited ones only when forced).
    pub updated: String,
}

/// First 12 hex digits of the sha256 of `content` with CRLF folded to LF.
pub fn checksum(content: &str) -> String {
    let normalized = content.replace("\r\n", "\n");
    let digest = Sha256::digest(normalized.as_bytes());
    digest.iter().take(6).map(|b| format!("{b:02x}")).collect()
}

/// `\r\n` when most of the file's lines end that way.
pub fn line_ending(text: &str) -> &'static str {
    let crlf = text.matches("\r\n").count();
    let lf = text.matches('\n').count();
    if crlf * 2 > lf {
        "\r\n"
    } else {
        "\n"
    }
}

fn has_conflict_markers(content: &str) -> bool {
    content
        .lines()
        .any(|l| l.starts_with("<<<<<<< ") || l.starts_with(">>>>>>> ") || l == "=======" || l == "=======\r")
}

/// Check every region of `text`; `force` lets the rewrite replace hand-edited regions.
pub fn check(
    text: &str,
    program: &Program,
    evidence: Evidence,
    force: bool,
) -> Result<DocCheck, Vec<DocError>> {
    check_kinds(text, program, evidence, force, None)
}

/// Like [`check`], but only regions whose kind is in `kinds` are checked and rewritten;
/// the others are left byte for byte.
pub fn check_kinds(
    text: &str,
    program: &Program,
    evidence: Evidence,
    force: bool,
    kinds: Option<&[&str]>,
) -> Result<DocCheck, Vec<DocError>> {
    let regions = markers::find(text).map_err(|errors| {
        errors.into_iter().map(|e| DocError { line: e.line, message: e.message }).collect::<Vec<_>>()
    })?;
    let regions: Vec<Region> =
        regions.into_iter().filter(|r| kinds.is_none_or(|k| k.contains(&r.kind.as_str()))).collect();
    let eol = line_ending(text);
    let mut errors = Vec::new();
    let mut generated = Vec::new();
    for region in &regions {
        match generate::generate(&region.kind, region.arg.as_deref(), program, evidence) {
            Ok(content) => {
                // A table region keeps the layout its document gives it.
                let committed = dedent(&text[region.content.clone()], &region.indent).replace("\r\n", "\n");
                let extras = layout::extras(&region.kind, program);
                let full =
                    generate::generate_for_layout(&region.kind, region.arg.as_deref(), program, evidence)
                        .unwrap_or_else(|_| content.clone());
                let content = layout::follow(&region.kind, &full, &committed, &extras)
                    .or_else(|| layout::follow_list(&content, &committed))
                    .unwrap_or(content);
                generated.push(content.replace('\n', eol))
            }
            Err(message) => errors.push(DocError { line: region.begin_line, message }),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }

    let mut reports = Vec::new();
    let mut updated = String::with_capacity(text.len());
    let mut cursor = 0;
    for (region, regenerated) in regions.iter().zip(generated) {
        let raw = &text[region.content.clone()];
        // A region in a list item is indented to the item; it is compared without.
        let committed = &dedent(raw, &region.indent);
        let written = indent(&regenerated, &region.indent);
        let old_marker = &text[region.end.clone()];
        // A marker without a checksum (as import and hand-written docs have) stays as it
        // is while the content is in sync: an update that changes nothing writes nothing.
        let marker = if region.checksum.is_none() && raw == written {
            old_marker.to_string()
        } else {
            end_marker(region, &regenerated, text, eol)
        };
        let state = state_of(region, committed, &regenerated, old_marker == marker);
        let drift = match compare::compare(&region.name(), committed, &regenerated) {
            Comparison::Drift(d) => d,
            _ => Vec::new(),
        };
        let replace = state != RegionState::HandEdited || force;
        updated.push_str(&text[cursor..region.content.start]);
        if replace {
            updated.push_str(&written);
            updated.push_str(&marker);
        } else {
            updated.push_str(&text[region.content.start..region.end.end]);
        }
        cursor = region.end.end;
        reports.push(RegionReport {
            name: region.name(),
            kind: region.kind.clone(),
            begin_line: region.begin_line,
            end_line: region.end_line,
            state,
            drift,
            committed: committed.clone(),
            regenerated,
        });
    }
    updated.push_str(&text[cursor..]);
    Ok(DocCheck { regions: reports, updated })
}

fn state_of(region: &Region, committed: &str, regenerated: &str, marker_same: bool) -> RegionState {
    if has_conflict_markers(committed) {
        return RegionState::Conflict;
    }
    match compare::compare(&region.name(), committed, regenerated) {
        Comparison::Identical if marker_same => RegionState::InSync,
        Comparison::Identical | Comparison::FormattingOnly => RegionState::FormattingOnly,
        Comparison::Drift(_) => match &region.checksum {
            Some(stored) if *stored != checksum(committed) => RegionState::HandEdited,
            _ => RegionState::ContentDrift,
        },
    }
}

/// The end marker with the checksum of the regenerated content, indented as the begin
/// marker, ending with a newline when the original line did.
fn end_marker(region: &Region, regenerated: &str, text: &str, eol: &str) -> String {
    let had_newline = text[region.end.clone()].ends_with('\n');
    format!(
        "{}<!-- closeout:end {} checksum={} -->{}",
        region.indent,
        region.name(),
        checksum(regenerated),
        if had_newline { eol } else { "" }
    )
}

/// `content` with `indent` taken off the front of each line that has it (blank lines
/// become empty).
pub fn dedent(content: &str, indent: &str) -> String {
    if indent.is_empty() {
        return content.to_string();
    }
    content
        .split_inclusive('\n')
        .map(|line| match line.strip_prefix(indent) {
            Some(rest) => rest,
            None if line.trim().is_empty() => line.trim_start_matches([' ', '\t']),
            None => line,
        })
        .collect()
}

/// `content` with every non-blank line indented by `indent`.
pub fn indent(content: &str, indent: &str) -> String {
    if indent.is_empty() {
        return content.to_string();
    }
    content
        .split_inclusive('\n')
        .map(|line| if line.trim().is_empty() { line.to_string() } else { format!("{indent}{line}") })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use std::path::Path;

    fn program() -> Program {
        crate::config::parse(
            "[program]\nname = \"p\"\n[[debt]]\nid = \"DL-1\"\ndescription = \"d\"\nseverity = \"LOW\"\n",
            Path::new("closeout.toml"),
            Path::new("/r"),
            &|_| true,
        )
        .unwrap()
    }

    fn evidence(packets: &BTreeMap<String, crate::review::PacketReview>) -> Evidence<'_> {
        Evidence::new(None, packets)
    }

    #[test]
    fn update_then_check_is_in_sync_and_keeps_outside_bytes() {
        let packets = BTreeMap::new();
        let p = program();
        let text = "\u{feff}intro  \r\n<!-- closeout:begin ledger -->\r\nold\r\n<!-- closeout:end ledger -->\r\ntail without newline";
        let first = check(text, &p, evidence(&packets), false).unwrap();
        assert_eq!(first.regions[0].state, RegionState::ContentDrift);
        assert!(first.updated.starts_with("\u{feff}intro  \r\n<!-- closeout:begin ledger -->\r\n\r\n| ID "));
        assert!(first.updated.ends_with(" -->\r\ntail without newline"));
        assert!(!first.updated.replace("\r\n", "").contains('\n'), "CRLF kept throughout");
        let second = check(&first.updated, &p, evidence(&packets), false).unwrap();
        assert_eq!(second.regions[0].state, RegionState::InSync);
        assert_eq!(second.updated, first.updated);
    }

    #[test]
    fn hand_edits_are_detected_and_kept_unless_forced() {
        let packets = BTreeMap::new();
        let p = program();
        let generated = check(
            "<!-- closeout:begin ledger -->\n<!-- closeout:end ledger -->\n",
            &p,
            evidence(&packets),
            false,
        )
        .unwrap()
        .updated;
        let edited = generated.replace("| LOW ", "| HIGH");
        let report = check(&edited, &p, evidence(&packets), false).unwrap();
        assert_eq!(report.regions[0].state, RegionState::HandEdited);
        assert_eq!(report.updated, edited);
        assert_eq!(check(&edited, &p, evidence(&packets), true).unwrap().updated, generated);
    }

    #[test]
    fn a_region_in_a_list_item_is_indented_to_the_item() {
        let packets = BTreeMap::new();
        let p = program();
        let text =
            "- Debt:\n\n  <!-- closeout:begin ledger -->\n  <!-- closeout:end ledger -->\n- next item\n";
        let first = check(text, &p, evidence(&packets), false).unwrap();
        let body: Vec<&str> = first.updated.lines().collect();
        assert_eq!(body[3], "");
        assert!(body[4].starts_with("  | ID   | Description |"), "{}", first.updated);
        assert!(body[5..7].iter().all(|l| l.starts_with("  | ")), "{}", first.updated);
        assert!(body[8].starts_with("  <!-- closeout:end ledger checksum="), "{}", first.updated);
        assert_eq!(body[9], "- next item");
        let second = check(&first.updated, &p, evidence(&packets), false).unwrap();
        assert_eq!(second.regions[0].state, RegionState::InSync);
        assert_eq!(second.updated, first.updated);
    }

    #[test]
    fn conflicts_are_rebuilt() {
        let packets = BTreeMap::new();
        let p = program();
        let text = "<!-- closeout:begin blockers -->\n<<<<<<< HEAD\na\n=======\nb\n>>>>>>> x\n<!-- closeout:end blockers -->\n";
        let report = check(text, &p, evidence(&packets), false).unwrap();
        assert_eq!(report.regions[0].state, RegionState::Conflict);
        assert!(report.updated.contains("No open pre-release blockers."));
    }
}
