//! A document as the rules read it: its headings, task boxes, code spans, table cells and
//! generated regions, with their lines, parsed once and shared by every rule. Pure.

use std::ops::Range;

use pulldown_cmark::{Event, HeadingLevel, Tag, TagEnd};

use super::Doc;

/// A heading's anchor as GitHub writes it: lowercase, spaces to `-`, punctuation dropped.
pub fn slug(title: &str) -> String {
    title
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// A document's headings, task boxes, code spans and regions, with lines.
pub struct Outline<'a> {
    pub path: &'a str,
    pub text: &'a str,
    line_starts: Vec<usize>,
    /// (level, lowercase title, byte offset)
    headings: Vec<(HeadingLevel, String, usize)>,
    /// Each heading's title as written, in the order of `headings`.
    titles: Vec<String>,
    /// (offset, checked) of each task list marker.
    boxes: Vec<(usize, bool)>,
    /// (offset, code) of each inline code span.
    codes: Vec<(usize, String)>,
    /// (offset, header, cell text, row number) of table cells.
    cells: Vec<(usize, String, String, usize)>,
    /// Generated regions, by name, with their content's bytes; scanned only when a rule
    /// asks, since it costs a second parse of the document.
    regions: std::cell::OnceCell<Vec<(String, Range<usize>)>>,
}

impl<'a> Outline<'a> {
    pub fn read(doc: &Doc<'a>) -> Outline<'a> {
        let text = doc.text;
        let line_starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        let mut outline = Outline {
            path: doc.path,
            text,
            line_starts,
            headings: vec![],
            titles: vec![],
            boxes: vec![],
            codes: vec![],
            cells: vec![],
            regions: std::cell::OnceCell::new(),
        };
        let mut heading: Option<(HeadingLevel, usize, String)> = None;
        let mut header: Vec<String> = Vec::new();
        let mut in_head = false;
        let mut column = 0;
        let mut row = 0;
        let mut cell: Option<(usize, String)> = None;
        for (event, range) in crate::docs::markers::events(text) {
            match &event {
                Event::Start(Tag::Heading { level, .. }) => {
                    heading = Some((*level, range.start, String::new()))
                }
                Event::End(TagEnd::Heading(_)) => {
                    if let Some((level, at, title)) = heading.take() {
                        outline.titles.push(title.clone());
                        outline.headings.push((level, title.to_lowercase(), at));
                    }
                }
                Event::TaskListMarker(done) => outline.boxes.push((range.start, *done)),
                Event::Start(Tag::TableHead) => {
                    in_head = true;
                    header.clear();
                    column = 0;
                }
                Event::End(TagEnd::TableHead) => in_head = false,
                Event::Start(Tag::TableRow) => {
                    column = 0;
                    row += 1;
                }
                Event::Start(Tag::TableCell) => cell = Some((range.start, String::new())),
                Event::End(TagEnd::TableCell) => {
                    if let Some((at, value)) = cell.take() {
                        if in_head {
                            header.push(value.trim().to_lowercase());
                        } else {
                            let h = header.get(column).cloned().unwrap_or_default();
                            outline.cells.push((at, h, value.trim().to_string(), row));
                        }
                    }
                    column += 1;
                }
                _ => {}
            }
            let piece = match &event {
                Event::Text(t) => Some(t.to_string()),
                Event::Code(c) => {
                    outline.codes.push((range.start, c.to_string()));
                    Some(format!("`{c}`"))
                }
                _ => None,
            };
            if let Some(piece) = piece {
                if let Some((_, _, title)) = heading.as_mut() {
                    title.push_str(&piece);
                }
                if let Some((_, value)) = cell.as_mut() {
                    value.push_str(&piece);
                }
            }
        }
        outline
    }

    pub fn line(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&s| s <= offset)
    }

    /// `plan.md#packet-08-evidence`: the file and the slug of the heading a line sits
    /// under, a subject that survives edits elsewhere in the file (a line number would not).
    pub fn anchor(&self, line: usize) -> String {
        let offset = self.line_starts.get(line - 1).copied().unwrap_or(self.text.len());
        match self.headings.iter().rev().find(|(_, _, at)| *at <= offset) {
            Some((_, title, _)) => format!("{}#{}", self.path, slug(title)),
            None => self.path.to_string(),
        }
    }

    /// Byte ranges of the sections that belong to packet `id`: headings that name it in any
    /// form (`Packet 01 Checklist`, `DCC-01 Review Evidence`, `Review Evidence (Packet
    /// 01)`, `Checkpoint Commit (Packets 00-02)`), each to the next heading of its level.
    pub fn packet_sections(&self, id: &str, known: &[String]) -> Vec<Range<usize>> {
        let mut out: Vec<Range<usize>> = Vec::new();
        for (i, (level, _, at)) in self.headings.iter().enumerate() {
            if !crate::import::ids::heading_packets(&self.titles[i], known).iter().any(|p| p == id) {
                continue;
            }
            let end = self.headings[i + 1..]
                .iter()
                .find(|(l, _, _)| l <= level)
                .map_or(self.text.len(), |(_, _, a)| *a);
            // A section inside one already found adds nothing.
            if !out.iter().any(|r| r.start <= *at && end <= r.end) {
                out.push(*at..end);
            }
        }
        out
    }

    pub fn all_regions(&self) -> &[(String, Range<usize>)] {
        self.regions.get_or_init(|| {
            crate::docs::markers::find(self.text)
                .unwrap_or_default()
                .into_iter()
                .map(|r| (r.name(), r.content))
                .collect()
        })
    }

    pub fn regions_named(&self, name: &str) -> Vec<Range<usize>> {
        self.all_regions().iter().filter(|(n, _)| n == name).map(|(_, r)| r.clone()).collect()
    }

    /// Open task boxes in a byte range, with their line and text.
    pub fn open_boxes(&self, range: Range<usize>) -> Vec<(usize, String)> {
        self.boxes
            .iter()
            .filter(|(at, done)| !done && range.contains(at))
            .map(|(at, _)| {
                let line = self.line(*at);
                let start = self.line_starts[line - 1];
                let end = self.line_starts.get(line).copied().unwrap_or(self.text.len());
                (line, self.text[start..end].trim_end().to_string())
            })
            .collect()
    }

    pub fn placeholders(&self) -> Vec<(usize, String)> {
        let mut out = Vec::new();
        for (n, line) in self.text.lines().enumerate() {
            if line.to_lowercase().contains("(this commit)") {
                out.push((n + 1, "(this commit)".to_string()));
            }
        }
        // A placeholder in a commit column of a row that claims DONE or APPROVED.
        let mut claims_done = std::collections::HashSet::new();
        for (_, _, value, row) in &self.cells {
            if value == "DONE" || value == "APPROVED" {
                claims_done.insert(*row);
            }
        }
        for (at, header, value, row) in &self.cells {
            let v = value.trim_matches('`').trim().to_lowercase();
            let placeholder = ["tbd", "n/a", "todo", "pending", "-", ""].contains(&v.as_str());
            if header.contains("commit") && placeholder && claims_done.contains(row) {
                let line = self.line(*at);
                if !out.iter().any(|(l, _)| *l == line) {
                    out.push((line, value.clone()));
                }
            }
        }
        out.sort();
        out
    }

    /// Code spans that look like repository paths.
    pub fn code_paths(&self) -> Vec<(usize, String)> {
        self.codes
            .iter()
            .filter(|(_, c)| looks_like_repo_path(c))
            .map(|(at, c)| (self.line(*at), c.clone()))
            .collect()
    }
}

/// `internal/api/contract_test.go`, `docs/`: a relative path with a folder and a file
/// extension (or a trailing slash), no spaces, globs, placeholders or URLs.
pub fn looks_like_repo_path(s: &str) -> bool {
    if s.is_empty() || s.chars().any(|c| c.is_whitespace() || "*?[]{}<>$:@\\|\"'(),=".contains(c)) {
        return false;
    }
    if s.starts_with(['/', '.', '-', '~']) || !s.contains('/') {
        return false;
    }
    let last = s.rsplit('/').next().unwrap_or("");
    if s.ends_with('/') {
        return s.split('/').filter(|p| !p.is_empty()).count() >= 1;
    }
    match last.rsplit_once('.') {
        Some((stem, ext)) => {
            !stem.is_empty()
                && !ext.is_empty()
                && ext.len() <= 5
                && ext.chars().all(|c| c.is_ascii_alphanumeric())
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_shapes() {
        for yes in [
            "internal/api/contract_test.go",
            "docs/closeout/plan.md",
            "frontend-modern/src/a.test.tsx",
            "docs/",
        ] {
            assert!(looks_like_repo_path(yes), "{yes}");
        }
        for no in [
            "go build ./...",
            "/api/health",
            "internal/api/*_test.go",
            "<dataDir>/orgs/",
            "PULSE_X=false",
            "a.md",
            "https://x.io/a.md",
            "v1.2/x",
        ] {
            assert!(!looks_like_repo_path(no), "{no}");
        }
    }

    #[test]
    fn heading_slugs_as_github_writes_them() {
        assert_eq!(
            slug("Packet 08: Final Certification (Go/No-Go)"),
            "packet-08-final-certification-gono-go"
        );
        assert_eq!(slug("`closeout.toml` keys"), "closeouttoml-keys");
    }
}
