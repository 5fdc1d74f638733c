//! Waivers applied to the rules' findings: each finding a `[[waiver]]` names (rule and
//! subject) is accepted with its reason, the rest fail, and a waiver that accepts nothing
//! is reported as unused. Pure.

use super::{Checked, Finding};
use crate::model::Program;

/// Rules about one DONE packet, in the order their findings are listed for that packet.
const PER_DONE_PACKET: &[&str] =
    &["done-open-box", "done-not-approved", "done-missing-exit-code", "unknown-commit", "done-commit"];

/// The other rules, in the order their findings are listed after the per-packet ones.
const AFTER: &[&str] = &[
    "placeholder",
    "deferred-uncovered",
    "coverage-mismatch",
    "residual-risk-uncovered",
    "debt-incomplete",
    "missing-path",
    "verdict-current",
];

/// Split the findings into failing and waived, failing ones sorted by file and line; list
/// the waivers that accept no finding.
pub fn apply(program: &Program, mut findings: Vec<Finding>) -> Checked {
    listed_order(program, &mut findings);
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

/// Waived findings are listed as verify-docs has always listed them: the findings about
/// each DONE packet together, packet by packet, then the others rule by rule; within one
/// rule, in the order the rule found them (the sort is stable).
fn listed_order(program: &Program, findings: &mut [Finding]) {
    let position = |list: &[&str], rule: &str| list.iter().position(|r| *r == rule);
    findings.sort_by_key(|f| match position(PER_DONE_PACKET, f.rule) {
        Some(rule) => {
            let packet = program.packets.iter().position(|p| p.id == f.subject).unwrap_or(usize::MAX);
            (0, packet, rule)
        }
        None => (1, 0, position(AFTER, f.rule).unwrap_or(usize::MAX)),
    });
}

#[cfg(test)]
mod tests {
    use super::super::fixture::Fixture;
    use super::*;

    const PROGRAM: &str = r#"
[[packet]]
id = "01"
title = "One"
status = "DONE"
review = "CHANGES_REQUESTED"

[[packet]]
id = "02"
title = "Two"
status = "DONE"
review = "CHANGES_REQUESTED"
commit = "f718c9c3"

[[debt]]
id = "DL-001"
description = "d"

[[waiver]]
rule = "debt-incomplete"
subject = "DL-001"
reason = "owned elsewhere"

[[waiver]]
rule = "done-commit"
subject = "01"
reason = "commit pending"

[[waiver]]
rule = "done-not-approved"
subject = "02"
reason = "approved out of band"

[[waiver]]
rule = "unknown-commit"
subject = "02"
reason = "history not fetched"

[[waiver]]
rule = "placeholder"
subject = "plan.md"
reason = "fixed since"
"#;

    #[test]
    fn waived_findings_keep_their_order_and_unused_waivers_are_named() {
        let checked = Fixture::new(PROGRAM).check_all();
        let shown = |f: &Finding| format!("{} {}", f.rule, f.subject);
        assert_eq!(checked.findings.iter().map(shown).collect::<Vec<_>>(), ["done-not-approved 01"]);
        assert_eq!(
            checked.waived.iter().map(|(f, _)| shown(f)).collect::<Vec<_>>(),
            ["done-commit 01", "done-not-approved 02", "unknown-commit 02", "debt-incomplete DL-001"]
        );
        assert_eq!(checked.waived[0].1, "commit pending");
        assert_eq!(checked.unused.iter().map(|w| w.rule.as_str()).collect::<Vec<_>>(), ["placeholder"]);
    }

    #[test]
    fn every_rule_has_a_place_in_the_listed_order() {
        for rule in super::super::REGISTRY {
            let places = PER_DONE_PACKET.iter().chain(AFTER).filter(|r| **r == rule.id).count();
            assert_eq!(places, 1, "{}", rule.id);
        }
        assert_eq!(PER_DONE_PACKET.len() + AFTER.len(), super::super::REGISTRY.len());
    }
}
