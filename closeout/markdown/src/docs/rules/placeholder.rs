//! `placeholder`: `(this commit)` and placeholder commits left in the docs.

use super::{Context, Finding, Rule};

pub static RULE: Rule = Rule {
    id: "placeholder",
    subject: "`file#heading-anchor` (the heading the placeholder sits under, as GitHub anchors it)",
    summary: "`(this commit)` anywhere in the docs, a placeholder in the commit column of a row that says `DONE` or `APPROVED`, or a DONE packet's commit or evidence left unfilled",
    doc: "`(this commit)` is what a tracker says before the commit exists; once it does, the \
          text points at nothing. The same holds for `TBD`, `N/A`, `pending` or an empty cell in \
          a commit column of a table row that claims `DONE` or `APPROVED`, and for a DONE \
          packet's `Commit:` left `(pending)`/`PENDING`/`<hash>`, its `- ID: TODO` in a commit \
          list, or a template slot (`git revert <commit-hash>`) in its evidence. The subject is the \
          heading the placeholder sits under, so a waiver survives edits elsewhere. Bad: \
          `| 01 | DONE | TBD |` under a `Commit` column. Good: `| 01 | DONE | f718c9c3 |`.",
    check,
};

/// A commit value that is no commit yet: `(pending)`, `PENDING`, `TODO`, `TBD`, `<hash>`.
fn unfilled_commit(value: &str) -> bool {
    let v = value.trim().trim_start_matches("- ").trim().trim_matches(['`', '*']).trim();
    let lower = v.to_lowercase();
    matches!(lower.as_str(), "pending" | "todo" | "tbd") || crate::import::placeholder::is_placeholder(v)
}

/// Placeholders a DONE packet still carries: its commit left `(pending)`, `PENDING` or
/// `<hash>` (under a `Commit:` label in its sections, or as `- ID: TODO` in a commit list),
/// and template slots (`git revert <commit-hash>`) in its evidence.
fn in_done_packets(cx: &Context, outline: &super::outline::Outline) -> Vec<(usize, String)> {
    let done: Vec<&str> = cx
        .program
        .packets
        .iter()
        .filter(|p| p.status == crate::model::PacketStatus::Done)
        .map(|p| p.id.as_str())
        .collect();
    let mut out = Vec::new();
    let line_of = |offset: usize| outline.line(offset);
    for id in &done {
        for section in outline.packet_sections(id, &cx.known) {
            let mut after_label = false;
            let mut offset = section.start;
            for line in outline.text[section.clone()].split_inclusive('\n') {
                let t = line.trim();
                let (head, rest) = t.split_once(':').unwrap_or(("", t));
                let head = head.trim().trim_matches('*').to_lowercase();
                if head == "commit" || head == "checkpoint commit" {
                    if !rest.trim().is_empty() && unfilled_commit(rest) {
                        out.push((line_of(offset), rest.trim().to_string()));
                    }
                    after_label = rest.trim().is_empty();
                } else if after_label && t.starts_with("- ") {
                    if unfilled_commit(t) {
                        out.push((line_of(offset), t.trim_start_matches("- ").to_string()));
                    }
                    after_label = false;
                } else if !t.is_empty() {
                    after_label = false;
                    let item = t.starts_with("- ") || t.starts_with(|c: char| c.is_ascii_digit());
                    if item && !t.starts_with("- [") && crate::import::placeholder::has_placeholder(t) {
                        out.push((line_of(offset), t.trim_start_matches("- ").to_string()));
                    }
                }
                offset += line.len();
            }
        }
    }
    // `- TN-06: TODO` in a commit list.
    let mut offset = 0;
    for line in outline.text.split_inclusive('\n') {
        let t = line.trim().trim_start_matches("- ");
        if let Some((head, rest)) = t.split_once(':') {
            let id = crate::import::ids::packet_ref(head);
            if id.is_some_and(|id| done.contains(&id.as_str()))
                && unfilled_commit(rest)
                && !rest.trim().is_empty()
            {
                let n = line_of(offset);
                if outline.anchor(n).contains("commit") || outline.anchor(n).contains("checkpoint") {
                    out.push((n, rest.trim().to_string()));
                }
            }
        }
        offset += line.len();
    }
    out
}

fn check(cx: &Context) -> Vec<Finding> {
    let mut findings = Vec::new();
    for outline in &cx.outlines {
        let mut found = outline.placeholders();
        for (line, value) in in_done_packets(cx, outline) {
            if !found.iter().any(|(l, _)| *l == line) {
                found.push((line, value));
            }
        }
        found.sort();
        for (line, value) in found {
            findings.push(Finding {
                rule: RULE.id,
                subject: outline.anchor(line),
                file: outline.path.to_string(),
                line,
                message: if value.contains('<') {
                    format!("`{value}` is an unfilled template value; write the real one")
                } else {
                    format!("`{value}` stands where a commit hash belongs; write the real hash")
                },
            });
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::super::fixture::Fixture;
    use super::RULE;

    #[test]
    fn this_commit_anywhere_and_placeholders_in_done_rows() {
        let doc = "# Plan\n\n## Packet 01 Evidence\n\nCommit: (this commit)\n\n## Board\n\n| Packet | Status | Commit |\n|---|---|---|\n| 01 | DONE | TBD |\n| 02 | TODO | TBD |\n";
        assert_eq!(
            Fixture::new("").doc("plan.md", doc).found(&RULE),
            ["plan.md#packet-01-evidence@plan.md:5", "plan.md#board@plan.md:11"]
        );
    }

    #[test]
    fn a_done_packets_unfilled_commit_and_template_slots() {
        let toml = "[[packet]]\nid = \"02\"\ntitle = \"Two\"\nstatus = \"DONE\"\nreview = \"APPROVED\"\n\n[[packet]]\nid = \"03\"\ntitle = \"Three\"\n";
        let doc = "# T\n\n## Packet 02 Checklist: Two\n\nCommit:\n- (pending)\n\nRollback:\n- `git revert <commit-hash>`\n\n## Packet 03 Checklist: Three\n\nCommit:\n- `<hash>`\n\n## Checkpoint Commits\n\n- 02: TODO\n- 03: TODO\n";
        assert_eq!(
            Fixture::new(toml).doc("p.md", doc).found(&RULE),
            [
                "p.md#packet-02-checklist-two@p.md:6",
                "p.md#packet-02-checklist-two@p.md:9",
                "p.md#checkpoint-commits@p.md:18"
            ]
        );
    }

    #[test]
    fn not_a_hash_nor_a_placeholder_outside_a_commit_column() {
        let doc = "| Packet | Status | Commit | Notes |\n|---|---|---|---|\n| 01 | DONE | f718c9c3 | TBD |\n";
        assert!(Fixture::new("").doc("plan.md", doc).found(&RULE).is_empty());
    }
}
