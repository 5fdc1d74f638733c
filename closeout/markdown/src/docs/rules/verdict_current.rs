//! `verdict-current`: a verdict region that no longer shows the latest verdict.

use super::{Context, Finding, Rule};
use crate::docs::generate;

pub static RULE: Rule = Rule {
    id: "verdict-current",
    subject: "`verdict`",
    summary: "a `verdict` region whose recorded verdict is older than the latest run or the program",
    doc: "A `verdict` region shows `.closeout/verdict.json`. When a baseline ran after the \
          verdict was recorded, or closeout.toml changed since, the region shows a verdict about \
          something else; run `closeout verdict` again. The finding points at each `verdict` \
          region's begin marker.",
    check,
};

fn check(cx: &Context) -> Vec<Finding> {
    let Some(stale) = generate::stale_verdict(cx.program, cx.evidence) else { return vec![] };
    let mut findings = Vec::new();
    for outline in &cx.outlines {
        for (name, range) in outline.all_regions() {
            if name == "verdict" {
                findings.push(Finding {
                    rule: RULE.id,
                    subject: "verdict".into(),
                    file: outline.path.to_string(),
                    line: outline.line(range.start).saturating_sub(1).max(1),
                    message: stale.clone(),
                });
            }
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::super::fixture::Fixture;
    use super::RULE;

    #[test]
    fn a_verdict_region_without_a_current_verdict() {
        let doc = "# Plan\n\n<!-- closeout:begin verdict -->\nGO\n<!-- closeout:end verdict -->\n";
        let found = Fixture::new("").doc("plan.md", doc).check(&RULE);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].subject.as_str(), found[0].line), ("verdict", 3));
        assert!(found[0].message.starts_with("No verdict yet"), "{}", found[0].message);
    }

    #[test]
    fn not_without_a_verdict_region() {
        let doc = "# Plan\n\nThe verdict is GO.\n";
        assert!(Fixture::new("").doc("plan.md", doc).found(&RULE).is_empty());
    }
}
