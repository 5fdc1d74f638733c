//! `placeholder`: `(this commit)` and placeholder commits left in the docs.

use super::{Context, Finding, Rule};

pub static RULE: Rule = Rule {
    id: "placeholder",
    subject: "`file#heading-anchor` (the heading the placeholder sits under, as GitHub anchors it)",
    summary: "`(this commit)` anywhere in the docs, or a placeholder in the commit column of a row that says `DONE` or `APPROVED`",
    doc: "`(this commit)` is what a tracker says before the commit exists; once it does, the \
          text points at nothing. The same holds for `TBD`, `N/A`, `pending` or an empty cell in \
          a commit column of a table row that claims `DONE` or `APPROVED`. The subject is the \
          heading the placeholder sits under, so a waiver survives edits elsewhere. Bad: \
          `| 01 | DONE | TBD |` under a `Commit` column. Good: `| 01 | DONE | f718c9c3 |`.",
    check,
};

fn check(cx: &Context) -> Vec<Finding> {
    let mut findings = Vec::new();
    for outline in &cx.outlines {
        for (line, value) in outline.placeholders() {
            findings.push(Finding {
                rule: RULE.id,
                subject: outline.anchor(line),
                file: outline.path.to_string(),
                line,
                message: format!("`{value}` stands where a commit hash belongs; write the real hash"),
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
    fn not_a_hash_nor_a_placeholder_outside_a_commit_column() {
        let doc = "| Packet | Status | Commit | Notes |\n|---|---|---|---|\n| 01 | DONE | f718c9c3 | TBD |\n";
        assert!(Fixture::new("").doc("plan.md", doc).found(&RULE).is_empty());
    }
}
