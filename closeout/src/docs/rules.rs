//! Consistency rules: the docs checked against the data and the repository, by rules
//! that real trackers break (DONE over open boxes, `(this commit)` placeholders, deferred
//! work nobody owns, paths that never existed). Each finding has a rule id, a subject it
//! can be waived by in closeout.toml, and a location. Pure: git and the file system come
//! in as closures.

use std::collections::BTreeSet;
use std::ops::Range;

use pulldown_cmark::{Event, HeadingLevel, Tag, TagEnd};

use super::generate::{self, Evidence};
use crate::model::{
    Classification, Coverage, DebtStatus, PacketStatus, Program, ReviewState, TestRef, Waiver,
};

/// One consistency problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: &'static str,
    /// What a `[[waiver]]` names to accept this finding.
    pub subject: String,
    /// The file and 1-based line the finding points at.
    pub file: String,
    pub line: usize,
    pub message: String,
}

/// A document as the rules see it.
pub struct Doc<'a> {
    pub path: &'a str,
    pub text: &'a str,
}

/// What the rules need from outside: does a commit exist (`None` when there is no git
/// history to ask), does a repo path exist.
pub struct Oracle<'a> {
    pub commit_exists: &'a dyn Fn(&str) -> Option<bool>,
    pub path_exists: &'a dyn Fn(&str) -> bool,
}

/// What the rules found: findings that fail, findings a `[[waiver]]` accepts (with its
/// reason), and waivers that accept nothing any more (the doc was fixed; delete them).
#[derive(Debug, Default)]
pub struct Checked {
    pub findings: Vec<Finding>,
    pub waived: Vec<(Finding, String)>,
    pub unused: Vec<Waiver>,
}

/// Run every rule and apply the program's waivers.
pub fn check(
    program: &Program,
    config_file: &str,
    docs: &[Doc],
    evidence: Evidence,
    oracle: &Oracle,
) -> Checked {
    let mut findings = Vec::new();
    let outlines: Vec<Outline> = docs.iter().map(Outline::read).collect();
    let at_toml = |line: usize| (config_file.to_string(), line);

    let known: Vec<String> = program.packets.iter().map(|p| p.id.clone()).collect();
    for packet in program.packets.iter().filter(|p| p.status == PacketStatus::Done) {
        let id = &packet.id;
        // done-open-box
        for outline in &outlines {
            for section in outline.packet_sections(id, &known) {
                for (line, text) in outline.open_boxes(section.clone()) {
                    let names_open_debt =
                        program.debts.iter().any(|d| d.status == DebtStatus::Open && text.contains(&d.id));
                    if !names_open_debt {
                        findings.push(Finding {
                            rule: "done-open-box",
                            subject: id.clone(),
                            file: outline.path.to_string(),
                            line,
                            message: format!(
                                "packet {id} is DONE but its checklist has an open box: `{}`; check it, or name the open debt item that carries it",
                                text.trim()
                            ),
                        });
                    }
                }
            }
        }
        // done-not-approved
        if packet.review_stated && packet.review != ReviewState::Approved {
            let (file, line) = at_toml(packet.line);
            findings.push(Finding {
                rule: "done-not-approved",
                subject: id.clone(),
                file,
                line,
                message: format!(
                    "packet {id} is DONE but its review is {}; a DONE packet needs review = \"APPROVED\"",
                    packet.review
                ),
            });
        }
        // done-missing-exit-code
        for test in &packet.tests {
            let (command, recorded) = match test {
                TestRef::Gate(gate) => {
                    let command = program.gate(gate).map_or(gate.clone(), |g| g.run.clone());
                    let rec = evidence
                        .packets
                        .get(id)
                        .and_then(|r| r.run.gate(gate))
                        .or_else(|| evidence.latest.and_then(|r| r.gate(gate)))
                        .is_some_and(|g| g.exit_code.is_some() && g.command == command);
                    (command, rec)
                }
                TestRef::Command(c) => {
                    let rec = evidence.packets.get(id).is_some_and(|r| {
                        r.run.gates.iter().any(|g| &g.command == c && g.exit_code.is_some())
                    });
                    (c.clone(), rec)
                }
            };
            let in_docs = outlines.iter().any(|o| {
                o.packet_sections(id, &known)
                    .iter()
                    .chain(o.regions_named(&format!("packet-evidence:{id}")).iter())
                    .any(|s| has_exit_code(&o.text[s.clone()], &command))
            });
            // A test whose box is still open is done-open-box's finding, not this one's.
            let open_box = outlines.iter().any(|o| {
                o.packet_sections(id, &known).iter().any(|s| {
                    o.open_boxes(s.clone()).iter().any(|(_, line)| {
                        line.split('`')
                            .skip(1)
                            .step_by(2)
                            .any(|c| super::exit_codes::same_command(c, &command))
                    })
                })
            });
            if !recorded && !in_docs && !open_box {
                let (file, line) = at_toml(packet.line);
                findings.push(Finding {
                    rule: "done-missing-exit-code",
                    subject: id.clone(),
                    file,
                    line,
                    message: format!("packet {id} is DONE but required test `{command}` has no explicit exit code in the evidence; run `closeout packet {id}` or record `-> exit N`"),
                });
            }
        }
        // done-commit
        let (file, line) = at_toml(packet.line);
        let problem = match &packet.commit {
            None => Some("has no checkpoint commit".to_string()),
            Some(c) if generate::is_placeholder_commit(c) => {
                Some(format!("has the placeholder `{c}` for its commit"))
            }
            Some(c) => {
                let unknown = match (oracle.commit_exists)(c) {
                    Some(true) => None,
                    Some(false) => Some(format!("names commit `{c}`, which is not in git history")),
                    None => {
                        Some(format!("names commit `{c}`, which cannot be verified: no git history here"))
                    }
                };
                if let Some(problem) = unknown {
                    findings.push(Finding {
                        rule: "unknown-commit",
                        subject: id.clone(),
                        file: file.clone(),
                        line,
                        message: format!("packet {id} {problem}; record a commit of this repository (or fetch its history)"),
                    });
                }
                None
            }
        };
        if let Some(problem) = problem {
            findings.push(Finding {
                rule: "done-commit",
                subject: id.clone(),
                file,
                line,
                message: format!(
                    "packet {id} is DONE but {problem}; record the real checkpoint hash in closeout.toml"
                ),
            });
        }
    }

    // placeholder: `(this commit)` anywhere, or a placeholder in a commit column.
    for outline in &outlines {
        for (line, value) in outline.placeholders() {
            findings.push(Finding {
                rule: "placeholder",
                subject: outline.anchor(line),
                file: outline.path.to_string(),
                line,
                message: format!("`{value}` stands where a commit hash belongs; write the real hash"),
            });
        }
    }

    // deferred-uncovered, coverage-mismatch
    for track in &program.tracks {
        let covered = program.debts.iter().any(|d| d.covers.contains(&Coverage::Track(track.id.clone())));
        if track.classification == Classification::Deferred && !covered {
            let (file, line) = at_toml(track.line);
            findings.push(Finding {
                rule: "deferred-uncovered",
                subject: track.id.clone(),
                file,
                line,
                message: format!("track `{}` is DEFERRED but no debt item covers it; add `covers = [\"track:{}\"]` to the [[debt]] that owns it", track.name, track.id),
            });
        }
    }
    for debt in &program.debts {
        for target in &debt.covers {
            if let Coverage::Track(t) = target {
                if let Some(track) = program.track(t).filter(|t| t.classification != Classification::Deferred)
                {
                    let (file, line) = at_toml(debt.line);
                    findings.push(Finding {
                        rule: "coverage-mismatch",
                        subject: debt.id.clone(),
                        file,
                        line,
                        message: format!(
                            "{} is said to cover deferred track `{}`, but that track is classified {}; fix the classification or the coverage",
                            debt.id, track.name, track.classification
                        ),
                    });
                }
            }
        }
    }
    // residual-risk-uncovered
    for packet in &program.packets {
        let covered = program.debts.iter().any(|d| d.covers.contains(&Coverage::Packet(packet.id.clone())));
        if !packet.open_residual_risks().is_empty() && !covered {
            let (file, line) = at_toml(packet.line);
            findings.push(Finding {
                rule: "residual-risk-uncovered",
                subject: packet.id.clone(),
                file,
                line,
                message: format!("packet {} has residual risk but no debt item covers it; add `covers = [\"packet:{}\"]` to a [[debt]]", packet.id, packet.id),
            });
        }
    }
    // debt-incomplete
    for debt in program.debts.iter().filter(|d| d.status == DebtStatus::Open) {
        let missing: Vec<&str> = [
            ("owner", debt.owner.is_none()),
            ("milestone", debt.milestone.is_none()),
            ("severity", debt.severity.is_none()),
        ]
        .into_iter()
        .filter_map(|(k, m)| m.then_some(k))
        .collect();
        if !missing.is_empty() {
            let (file, line) = at_toml(debt.line);
            findings.push(Finding {
                rule: "debt-incomplete",
                subject: debt.id.clone(),
                file,
                line,
                message: format!(
                    "open debt {} has no {}; every open item needs an owner, a milestone and a severity",
                    debt.id,
                    missing.join(", ")
                ),
            });
        }
    }
    // missing-path
    for outline in &outlines {
        let mut seen = BTreeSet::new();
        for (line, path) in outline.code_paths() {
            if !seen.insert(path.clone()) || (oracle.path_exists)(&path) {
                continue;
            }
            let targets: Vec<&str> = program
                .paths
                .moved
                .iter()
                .filter(|(old, _)| *old == path)
                .map(|(_, new)| new.as_str())
                .collect();
            let gone: Vec<&str> = targets.iter().copied().filter(|new| !(oracle.path_exists)(new)).collect();
            if program.paths.removed.contains(&path) || (!targets.is_empty() && gone.is_empty()) {
                continue;
            }
            let message = if targets.is_empty() {
                format!("`{path}` does not exist in the repository; fix the path, or declare it under [paths] moved or removed")
            } else {
                format!(
                    "`{path}` does not exist and is declared under [paths] moved, but its new path(s) {} do not exist either; fix the paths in closeout.toml or in the doc",
                    gone.iter().map(|g| format!("`{g}`")).collect::<Vec<_>>().join(", ")
                )
            };
            findings.push(Finding {
                rule: "missing-path",
                subject: path.clone(),
                file: outline.path.to_string(),
                line,
                message,
            });
        }
    }

    // verdict-current: a verdict region must show the verdict of the latest run.
    if let Some(stale) = generate::stale_verdict(program, evidence) {
        for outline in &outlines {
            for (name, range) in outline.all_regions() {
                if name == "verdict" {
                    findings.push(Finding {
                        rule: "verdict-current",
                        subject: "verdict".into(),
                        file: outline.path.to_string(),
                        line: outline.line(range.start).saturating_sub(1).max(1),
                        message: stale.clone(),
                    });
                }
            }
        }
    }

    let mut checked = Checked::default();
    for f in findings {
        match program.waived(f.rule, &f.subject) {
            Some(w) => checked.waived.push((f, w.reason.clone())),
            None => checked.findings.push(f),
        }
    }
    checked.findings.sort_by(|a, b| (&a.file, a.line, a.rule).cmp(&(&b.file, b.line, b.rule)));
    checked.unused = program
        .waivers
        .iter()
        .filter(|w| !checked.waived.iter().any(|(f, _)| f.rule == w.rule && f.subject == w.subject))
        .cloned()
        .collect();
    checked
}

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

/// Whether `text` records an explicit exit code for `command` (see `exit_codes`).
fn has_exit_code(text: &str, command: &str) -> bool {
    super::exit_codes::recorded(text).iter().any(|c| super::exit_codes::same_command(c, command))
}

/// A document's headings, task boxes, code spans and regions, with lines.
struct Outline<'a> {
    path: &'a str,
    text: &'a str,
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
    fn read(doc: &Doc<'a>) -> Outline<'a> {
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
        for (event, range) in super::markers::events(text) {
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

    fn line(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&s| s <= offset)
    }

    /// `plan.md#packet-08-evidence`: the file and the slug of the heading a line sits
    /// under, a subject that survives edits elsewhere in the file (a line number would not).
    fn anchor(&self, line: usize) -> String {
        let offset = self.line_starts.get(line - 1).copied().unwrap_or(self.text.len());
        match self.headings.iter().rev().find(|(_, _, at)| *at <= offset) {
            Some((_, title, _)) => format!("{}#{}", self.path, slug(title)),
            None => self.path.to_string(),
        }
    }

    /// Byte ranges of the sections that belong to packet `id`: headings that name it in any
    /// form (`Packet 01 Checklist`, `DCC-01 Review Evidence`, `Review Evidence (Packet
    /// 01)`, `Checkpoint Commit (Packets 00-02)`), each to the next heading of its level.
    fn packet_sections(&self, id: &str, known: &[String]) -> Vec<Range<usize>> {
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

    fn all_regions(&self) -> &[(String, Range<usize>)] {
        self.regions.get_or_init(|| {
            super::markers::find(self.text)
                .unwrap_or_default()
                .into_iter()
                .map(|r| (r.name(), r.content))
                .collect()
        })
    }

    fn regions_named(&self, name: &str) -> Vec<Range<usize>> {
        self.all_regions().iter().filter(|(n, _)| n == name).map(|(_, r)| r.clone()).collect()
    }

    /// Open task boxes in a byte range, with their line and text.
    fn open_boxes(&self, range: Range<usize>) -> Vec<(usize, String)> {
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

    fn placeholders(&self) -> Vec<(usize, String)> {
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
    fn code_paths(&self) -> Vec<(usize, String)> {
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

    #[test]
    fn exit_codes_in_evidence_lines() {
        assert!(has_exit_code("1. `go build ./...` -> exit 0", "go build ./..."));
        assert!(has_exit_code("- `x` → exit 1 (FAIL)", "x"));
        assert!(!has_exit_code("1. `go build ./...` passed", "go build ./..."));
    }
}
