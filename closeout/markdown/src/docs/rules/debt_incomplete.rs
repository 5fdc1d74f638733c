//! `debt-incomplete`: an open debt item without an owner, a milestone or a severity.

use super::{Context, Finding, Rule};
use crate::model::DebtStatus;

pub static RULE: Rule = Rule {
    id: "debt-incomplete",
    subject: "debt id",
    summary: "an open debt item without an owner, a milestone or a severity",
    doc: "Open debt is a promise: someone (the owner) fixes it by a milestone, and the severity \
          says how much it matters. An open item missing any of the three is a promise nobody \
          made; resolved items are not checked. Bad: `[[debt]] id = \"DL-002\"` with no `owner`. \
          Good: `owner = \"Storage team\"`, `milestone = \"Pre-release\"`, `severity = \"HIGH\"`.",
    check,
};

fn check(cx: &Context) -> Vec<Finding> {
    let mut findings = Vec::new();
    for debt in cx.program.debts.iter().filter(|d| d.status == DebtStatus::Open) {
        let missing: Vec<&str> = [
            ("owner", debt.owner.is_none()),
            ("milestone", debt.milestone.is_none()),
            ("severity", debt.severity.is_none()),
        ]
        .into_iter()
        .filter_map(|(k, m)| m.then_some(k))
        .collect();
        if !missing.is_empty() {
            findings.push(cx.in_toml(
                RULE.id,
                &debt.id,
                debt.line,
                format!(
                    "open debt {} has no {}; every open item needs an owner, a milestone and a severity",
                    debt.id,
                    missing.join(", ")
                ),
            ));
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::super::fixture::Fixture;
    use super::RULE;

    #[test]
    fn an_open_item_missing_owner_and_milestone() {
        let toml = "[[debt]]\nid = \"DL-002\"\ndescription = \"d\"\nseverity = \"LOW\"\n";
        let found = Fixture::new(toml).check(&RULE);
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("has no owner, milestone;"), "{}", found[0].message);
    }

    #[test]
    fn not_a_complete_or_resolved_item() {
        let toml = "[[debt]]\nid = \"DL-001\"\ndescription = \"d\"\nseverity = \"LOW\"\nowner = \"x\"\nmilestone = \"Next\"\n\n\
                    [[debt]]\nid = \"DL-002\"\ndescription = \"d\"\nstatus = \"resolved\"\nresolution = \"done\"\n";
        assert!(Fixture::new(toml).found(&RULE).is_empty());
    }
}
